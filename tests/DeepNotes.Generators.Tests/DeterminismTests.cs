using System.Globalization;
using Microsoft.CodeAnalysis;

namespace DeepNotes.Generators.Tests;

/// <summary>The generated text depends on the model only: not on the run, the OS newline or the culture.</summary>
public sealed class DeterminismTests
{
    /// <summary>Runs <paramref name="action"/> with the thread's culture (formatting and UI) set to <paramref name="name"/>.</summary>
    private static T InCulture<T>(string name, Func<T> action)
    {
        CultureInfo culture = CultureInfo.CurrentCulture, ui = CultureInfo.CurrentUICulture;
        try
        {
            CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = new CultureInfo(name);
            return action();
        }
        finally
        {
            CultureInfo.CurrentCulture = culture;
            CultureInfo.CurrentUICulture = ui;
        }
    }

    [Theory]
    [MemberData(nameof(BaselineTests.Models), MemberType = typeof(BaselineTests))]
    public void Generating_twice_gives_identical_text(string model)
    {
        string first = BaselineTests.RunModel(model).SingleSource;
        string second = BaselineTests.RunModel(model).SingleSource;
        Assert.Equal(first, second);
    }

    [Theory]
    [MemberData(nameof(BaselineTests.Models), MemberType = typeof(BaselineTests))]
    public void Generated_text_uses_unix_newlines_only(string model)
    {
        string source = BaselineTests.RunModel(model).SingleSource;
        Assert.DoesNotContain('\r', source);
        Assert.EndsWith("}\n", source, StringComparison.Ordinal);
    }

    public static TheoryData<string, string> ModelsAndCultures()
    {
        var data = new TheoryData<string, string>();
        foreach (string file in RepoPaths.ModelFiles())
        {
            // de-DE writes 0,5 for 0.5; sv-SE writes U+2212 for the minus sign.
            data.Add(Path.GetFileNameWithoutExtension(file), "de-DE");
            data.Add(Path.GetFileNameWithoutExtension(file), "sv-SE");
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(ModelsAndCultures))]
    public void Generated_text_does_not_depend_on_the_culture(string model, string culture)
    {
        string invariant = InCulture("", () => BaselineTests.RunModel(model).SingleSource);
        string local = InCulture(culture, () =>
        {
            // The test only means something if the culture really formats numbers differently (ICU present).
            if (culture == "de-DE") Assert.Equal("0,5", 0.5f.ToString(CultureInfo.CurrentCulture));
            else Assert.Equal("\u22121", (-1).ToString(CultureInfo.CurrentCulture));
            return BaselineTests.RunModel(model).SingleSource;
        });

        Assert.Null(Baseline.FirstDifference(invariant, local));
        if (!Baseline.Updating) Baseline.AssertMatches(model, local);
    }

    [Fact]
    public void Diagnostic_messages_do_not_depend_on_the_culture()
    {
        const string source = """
            using DeepNotes;

            [Model]
            public partial class Negative
            {
                [Linear(-1, 10, Init = Init.Normal, Std = -0.5f)] private partial Tensor Out(Tensor x);

                [Forward] private Tensor Forward([Shape(4)] Tensor x) => Out(x);
            }
            """;
        string[] messages = InCulture("sv-SE", () =>
        {
            Assert.Equal("\u22121", (-1).ToString(CultureInfo.CurrentCulture));
            GeneratorRun run = GeneratorHarness.Run(source);
            run.AssertGeneratorDidNotThrow();
            return run.GeneratorDiagnostics.Select(d => d.GetMessage(CultureInfo.CurrentCulture)).ToArray();
        });

        Assert.Equal(new[]
        {
            "Layer 'Out': Linear sizes must be positive, got (-1, 10)",
            "Layer 'Out': Std must be positive, got -0.5",
        }, messages);
    }
}
