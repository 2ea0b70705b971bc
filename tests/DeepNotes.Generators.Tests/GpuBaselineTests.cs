using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit.Abstractions;

namespace DeepNotes.Generators.Tests;

/// <summary>
/// The GPU plans: with a reference to DeepNotes.Gpu every shipped model gets a second source,
/// {Model}.Gpu.g.cs, that compiles cleanly against the library twins and matches Baselines/Gpu; the CPU
/// source is unchanged by it; without the reference nothing is added.
/// </summary>
public sealed class GpuBaselineTests(ITestOutputHelper output)
{
    internal static GeneratorRun RunModel(string name, bool gpu)
    {
        string path = Path.Combine(RepoPaths.ModelsDirectory, name + ".cs");
        var file = new SourceFile(path, File.ReadAllText(path));
        return GeneratorHarness.Run(gpu ? GeneratorHarness.CreateGpuCompilation(file) : GeneratorHarness.CreateCompilation(file));
    }

    private static string Source(GeneratorRun run, string hintName) =>
        Assert.Single(run.Sources, s => s.HintName == hintName).SourceText.ToString();

    [Theory]
    [MemberData(nameof(BaselineTests.Models), MemberType = typeof(BaselineTests))]
    public void Gpu_plan_matches_baseline_and_compiles(string model)
    {
        GeneratorRun run = RunModel(model, gpu: true);

        run.AssertGeneratorDidNotThrow();
        Assert.Empty(run.GeneratorDiagnostics.Where(d => d.Severity > DiagnosticSeverity.Info));
        Assert.DoesNotContain(run.GeneratorDiagnostics, d => d.Id == "DN0201");
        Assert.Equal(new[] { $"DeepNotes.Models.{model}.Gpu.g.cs", $"DeepNotes.Models.{model}.g.cs" },
            run.Sources.Select(s => s.HintName).Order(StringComparer.Ordinal));
        run.AssertOutputCompilesCleanly();

        // The CPU code does not depend on whether the GPU plan is generated.
        Baseline.AssertMatches(model, Source(run, $"DeepNotes.Models.{model}.g.cs"));
        string? note = Baseline.Verify(Path.Combine("Gpu", model), Source(run, $"DeepNotes.Models.{model}.Gpu.g.cs"));
        if (note is not null) output.WriteLine(note);
    }

    [Fact]
    public void Without_a_reference_to_DeepNotes_Gpu_no_plan_is_added()
    {
        GeneratorRun run = RunModel("Mlp", gpu: false);
        Assert.Equal("DeepNotes.Models.Mlp.g.cs", Assert.Single(run.Sources).HintName);
        Assert.DoesNotContain("GpuPlan", run.SingleSource, StringComparison.Ordinal);
        Assert.DoesNotContain(run.Output.ReferencedAssemblyNames, a => a.Name == "DeepNotes.Gpu");
        Assert.Contains(GeneratorHarness.GpuReferences, r => Path.GetFileName(r.Display) == "DeepNotes.Gpu.dll");
    }

    [Fact]
    public void There_is_a_model_for_every_gpu_baseline()
    {
        string directory = Path.Combine(RepoPaths.BaselinesDirectory, "Gpu");
        var models = RepoPaths.ModelFiles().Select(Path.GetFileNameWithoutExtension).ToHashSet(StringComparer.Ordinal);
        Assert.True(Directory.Exists(directory), $"No {directory}. Run the tests with {Baseline.UpdateVariable}=1 to create it.");
        foreach (string baseline in Directory.GetFiles(directory))
        {
            string fileName = Path.GetFileName(baseline);
            Assert.EndsWith(Baseline.Extension, fileName, StringComparison.Ordinal);
            Assert.True(models.Contains(fileName[..^Baseline.Extension.Length]), $"GPU baseline {fileName} has no model: delete it.");
        }
    }

    [Fact]
    public void Adding_an_unrelated_file_leaves_the_gpu_plan_cached()
    {
        string path = Path.Combine(RepoPaths.ModelsDirectory, "LeNet5.cs");
        CSharpCompilation compilation = GeneratorHarness.CreateGpuCompilation(new SourceFile(path, File.ReadAllText(path)));
        GeneratorRun first = GeneratorHarness.Run(compilation);
        GeneratorRun second = GeneratorHarness.Run(
            compilation.AddSyntaxTrees(GeneratorHarness.Parse(new SourceFile("Unrelated.cs", "namespace Other;\n\npublic static class Unrelated { }\n"))), first.Driver);

        foreach (string name in new[] { TrackingNames.ModelSpec, TrackingNames.ModelOutput })
            foreach ((object _, IncrementalStepRunReason reason) in second.Generator.TrackedSteps[name].SelectMany(s => s.Outputs))
                Assert.True(reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"Step {name} output was {reason}.");
        Assert.Equal(2, second.Sources.Length);
        Assert.Equal(Source(first, "DeepNotes.Models.LeNet5.Gpu.g.cs"), Source(second, "DeepNotes.Models.LeNet5.Gpu.g.cs"));
    }

    [Fact]
    public void Adding_the_reference_adds_the_plan_and_leaves_the_cpu_code()
    {
        string path = Path.Combine(RepoPaths.ModelsDirectory, "Mlp.cs");
        CSharpCompilation cpu = GeneratorHarness.CreateCompilation(new SourceFile(path, File.ReadAllText(path)));
        GeneratorRun first = GeneratorHarness.Run(cpu);
        MetadataReference gpu = GeneratorHarness.GpuReferences.Single(r => Path.GetFileName(r.Display) == "DeepNotes.Gpu.dll");
        GeneratorRun second = GeneratorHarness.Run(cpu.AddReferences(gpu), first.Driver);

        Assert.Equal(2, second.Sources.Length);
        Assert.Equal(first.SingleSource, Source(second, "DeepNotes.Models.Mlp.g.cs"));
        Assert.Contains("public sealed class GpuPlan : global::DeepNotes.Gpu.IGpuClassifier", Source(second, "DeepNotes.Models.Mlp.Gpu.g.cs"), StringComparison.Ordinal);
    }
}
