using System.Globalization;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace DeepNotes.Generators.Tests;

/// <summary>
/// DN0201: against a DeepNotes.Gpu that lacks a library twin the model needs, the model gets no GpuPlan (its CPU
/// code stays, and the compilation builds) and an info that names the op, its expression and the missing kernel.
/// The stand-in library is a minimal assembly named DeepNotes.Gpu: only the kernels' class and method names matter.
/// </summary>
public sealed class GpuDiagnosticTests
{
    /// <summary>A compilation reference to an assembly named DeepNotes.Gpu with these static classes of empty static methods.</summary>
    private static MetadataReference FakeGpuLibrary(params (string Class, string[] Methods)[] kernels)
    {
        string source = "namespace DeepNotes.Gpu.Kernels;\n" + string.Concat(kernels.Select(k =>
            $"public static class {k.Class} {{ {string.Concat(k.Methods.Select(m => $"public static void {m}() {{ }} "))}}}\n"));
        CSharpCompilation library = CSharpCompilation.Create("DeepNotes.Gpu", [CSharpSyntaxTree.ParseText(source)],
            GeneratorHarness.References, new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        Assert.Empty(library.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
        return library.ToMetadataReference();
    }

    private static readonly (string, string[])[] s_mlpKernels =
    [
        ("Dense", ["Forward", "BackwardData", "BackwardWeights"]),
        ("Elementwise", ["Fill"]),
        ("Activations", ["Backward"]),
        ("Optim", ["Sgd"]),
        ("Losses", ["CrossEntropyForward", "CrossEntropyBackward"]),
    ];

    private static GeneratorRun RunMlp(MetadataReference library)
    {
        string path = Path.Combine(RepoPaths.ModelsDirectory, "Mlp.cs");
        CSharpCompilation compilation = GeneratorHarness.CreateCompilation(new SourceFile(path, File.ReadAllText(path))).AddReferences(library);
        return GeneratorHarness.Run(compilation);
    }

    [Fact]
    public void DN0201_a_missing_twin_means_no_plan_and_an_info_naming_the_op()
    {
        GeneratorRun run = RunMlp(FakeGpuLibrary(s_mlpKernels.Where(k => k.Item1 != "Losses").ToArray()));
        run.AssertGeneratorDidNotThrow();

        Diagnostic d = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal("DN0201", d.Id);
        Assert.Equal(DiagnosticSeverity.Info, d.Severity);
        Assert.Equal("Model 'Mlp' gets no GpuPlan: the op CrossEntropy in 'CrossEntropy(logits, y)' has no GPU rule (the referenced DeepNotes.Gpu has no Kernels.Losses.CrossEntropyForward)",
            d.GetMessage(CultureInfo.InvariantCulture));
        Assert.Equal(LocationKind.SourceFile, d.Location.Kind);
        Assert.Equal("DeepNotes.Models.Mlp.g.cs", Assert.Single(run.Sources).HintName);
        Baseline.AssertMatches("Mlp", run.SingleSource); // the CPU code is unchanged
        run.AssertOutputCompilesCleanly();
    }

    [Fact]
    public void DN0201_names_a_missing_backward_twin_by_its_op()
    {
        (string, string[])[] kernels = s_mlpKernels.Select(k => k.Item1 == "Dense" ? (k.Item1, new[] { "Forward", "BackwardWeights" }) : k).ToArray();
        Diagnostic d = Assert.Single(RunMlp(FakeGpuLibrary(kernels)).GeneratorDiagnostics);
        Assert.Equal("DN0201", d.Id);
        Assert.Contains("the op DenseBackwardData in 'Out(h)'", d.GetMessage(CultureInfo.InvariantCulture), StringComparison.Ordinal);
        Assert.EndsWith("has no Kernels.Dense.BackwardData)", d.GetMessage(CultureInfo.InvariantCulture), StringComparison.Ordinal);
    }

    [Fact]
    public void With_every_twin_the_model_needs_there_is_a_plan_and_no_diagnostic()
    {
        GeneratorRun run = RunMlp(FakeGpuLibrary(s_mlpKernels));
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Equal(new[] { "DeepNotes.Models.Mlp.Gpu.g.cs", "DeepNotes.Models.Mlp.g.cs" }, run.Sources.Select(s => s.HintName).Order(StringComparer.Ordinal));
    }
}
