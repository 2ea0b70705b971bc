using Xunit.Abstractions;

namespace DeepNotes.Generators.Tests;

/// <summary>The generated code of every model in src/DeepNotes.Models against its baseline.</summary>
public sealed class BaselineTests(ITestOutputHelper output)
{
    public static TheoryData<string> Models()
    {
        var data = new TheoryData<string>();
        foreach (string file in RepoPaths.ModelFiles()) data.Add(Path.GetFileNameWithoutExtension(file));
        return data;
    }

    internal static GeneratorRun RunModel(string name)
    {
        string path = Path.Combine(RepoPaths.ModelsDirectory, name + ".cs");
        return GeneratorHarness.Run(GeneratorHarness.CreateCompilation(new SourceFile(path, File.ReadAllText(path))));
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void Generated_source_matches_baseline(string model)
    {
        GeneratorRun run = RunModel(model);

        run.AssertGeneratorDidNotThrow();
        // Info diagnostics (DN0108: a window that does not tile its input exactly, as in AlexNet) are allowed.
        Assert.Empty(run.GeneratorDiagnostics.Where(d => d.Severity > Microsoft.CodeAnalysis.DiagnosticSeverity.Info));
        Assert.Equal($"DeepNotes.Models.{model}.g.cs", Assert.Single(run.Sources).HintName);
        run.AssertOutputCompilesCleanly();

        string? note = Baseline.Verify(model, run.SingleSource);
        if (note is not null) output.WriteLine(note);
    }

    [Fact]
    public void There_is_a_model_for_every_baseline_and_at_least_one_model()
    {
        Assert.NotEmpty(RepoPaths.ModelFiles());
        var models = RepoPaths.ModelFiles().Select(Path.GetFileNameWithoutExtension).ToHashSet(StringComparer.Ordinal);
        if (!Directory.Exists(RepoPaths.BaselinesDirectory)) return;
        foreach (string baseline in Directory.GetFiles(RepoPaths.BaselinesDirectory))
        {
            string fileName = Path.GetFileName(baseline);
            Assert.EndsWith(Baseline.Extension, fileName, StringComparison.Ordinal);
            string model = fileName[..^Baseline.Extension.Length];
            Assert.True(models.Contains(model), $"Baseline {fileName} has no model src/DeepNotes.Models/{model}.cs: delete it.");
        }
    }

    [Fact]
    public void First_difference_names_the_line_and_both_versions()
    {
        Assert.Null(Baseline.FirstDifference("a\nb\n", "a\nb\n"));
        Assert.Equal("First difference at line 2:\n  expected: \"b\"\n  actual:   \"c\"", Baseline.FirstDifference("a\nb\nx", "a\nc\nx"));
        Assert.Equal("First difference at line 3:\n  expected: <end of file>\n  actual:   \"extra\"", Baseline.FirstDifference("a\nb", "a\nb\nextra"));
        Assert.Equal("First difference at line 1:\n  expected: \"a\"\n  actual:   \"a\\r\"", Baseline.FirstDifference("a\n", "a\r\n"));
    }
}
