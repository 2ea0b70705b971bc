using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace DeepNotes.Generators.Tests;

/// <summary>One source file of a test compilation.</summary>
internal sealed record SourceFile(string Path, string Text);

/// <summary>What one run of the generator produced.</summary>
internal sealed class GeneratorRun
{
    public GeneratorRun(GeneratorDriver driver, CSharpCompilation input, Compilation output, ImmutableArray<Diagnostic> generatorDiagnostics)
    {
        Driver = driver;
        Input = input;
        Output = output;
        Result = driver.GetRunResult();
        GeneratorDiagnostics = generatorDiagnostics;
        OutputDiagnostics = output.GetDiagnostics();
    }

    /// <summary>The driver after the run; run it again on an edited compilation to test caching.</summary>
    public GeneratorDriver Driver { get; }
    public CSharpCompilation Input { get; }
    /// <summary>The input compilation plus the generated trees.</summary>
    public Compilation Output { get; }
    public GeneratorDriverRunResult Result { get; }
    /// <summary>What the generator reported (ours, and the driver's CS8784/CS8785 if it threw).</summary>
    public ImmutableArray<Diagnostic> GeneratorDiagnostics { get; }
    /// <summary>The C# compiler's diagnostics for <see cref="Output"/>.</summary>
    public ImmutableArray<Diagnostic> OutputDiagnostics { get; }

    public GeneratorRunResult Generator => Assert.Single(Result.Results);

    public ImmutableArray<GeneratedSourceResult> Sources => Generator.GeneratedSources;

    /// <summary>The text of the only generated file.</summary>
    public string SingleSource => Assert.Single(Sources).SourceText.ToString();

    /// <summary>Output diagnostics that matter: errors and warnings (the build treats warnings as errors).</summary>
    public IEnumerable<Diagnostic> OutputProblems => OutputDiagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning);

    /// <summary>The generator ran to the end: no exception, no "generator failed" diagnostic.</summary>
    public void AssertGeneratorDidNotThrow()
    {
        Assert.Null(Generator.Exception);
        IEnumerable<Diagnostic> all = GeneratorDiagnostics.Concat(Result.Diagnostics).Concat(OutputDiagnostics);
        Assert.DoesNotContain(all, d => d.Id is "CS8784" or "CS8785" or "AD0001");
    }

    /// <summary>The generated code (and the rest of the compilation) compiles with no error and no warning.</summary>
    public void AssertOutputCompilesCleanly()
    {
        List<Diagnostic> problems = OutputProblems.ToList();
        Assert.True(problems.Count == 0, "The output compilation has diagnostics:\n" + string.Join("\n", problems));
    }
}

/// <summary>
/// Runs <see cref="ModelGenerator"/> over in-memory sources, the way the compiler does in a build:
/// C# latest, nullable on, references of the running test host plus DeepNotes.Runtime.
/// </summary>
internal static class GeneratorHarness
{
    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest, DocumentationMode.Parse);

    private static readonly CSharpCompilationOptions s_options = new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary)
        .WithNullableContextOptions(NullableContextOptions.Enable)
        .WithWarningLevel(9999)
        .WithDeterministic(true);

    private static readonly Lazy<ImmutableArray<MetadataReference>> s_references = new(() => LoadReferences(gpu: false));
    private static readonly Lazy<ImmutableArray<MetadataReference>> s_gpuReferences = new(() => LoadReferences(gpu: true));

    /// <summary>The test host's assemblies and DeepNotes.Runtime, without DeepNotes.Gpu: the generator adds CPU code only.</summary>
    public static ImmutableArray<MetadataReference> References => s_references.Value;

    /// <summary><see cref="References"/> plus DeepNotes.Gpu: the generator adds each model's GPU plan too.</summary>
    public static ImmutableArray<MetadataReference> GpuReferences => s_gpuReferences.Value;

    private static ImmutableArray<MetadataReference> LoadReferences(bool gpu)
    {
        string tpa = AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string
            ?? throw new InvalidOperationException("The test host has no TRUSTED_PLATFORM_ASSEMBLIES.");
        string gpuAssembly = typeof(DeepNotes.Gpu.GpuDevice).Assembly.Location;
        var paths = new SortedSet<string>(tpa.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries), StringComparer.Ordinal)
        {
            typeof(DeepNotes.ModelAttribute).Assembly.Location,
        };
        // The test project references DeepNotes.Gpu (for these references), so the host has it: leave it out unless asked.
        paths.RemoveWhere(p => string.Equals(Path.GetFileName(p), "DeepNotes.Gpu.dll", StringComparison.OrdinalIgnoreCase));
        if (gpu) paths.Add(gpuAssembly);
        return paths.Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)).ToImmutableArray();
    }

    public static SyntaxTree Parse(SourceFile file) =>
        CSharpSyntaxTree.ParseText(file.Text, ParseOptions, file.Path, System.Text.Encoding.UTF8);

    public static CSharpCompilation CreateCompilation(params SourceFile[] files) =>
        CSharpCompilation.Create("GeneratorTestAssembly", files.Select(Parse), References, s_options);

    /// <summary>A compilation that references DeepNotes.Gpu (and ILGPU), as src/DeepNotes.Models.Gpu does.</summary>
    public static CSharpCompilation CreateGpuCompilation(params SourceFile[] files) =>
        CSharpCompilation.Create("GeneratorTestAssembly", files.Select(Parse), GpuReferences, s_options);

    /// <summary>A compilation of one source, in a file named Model.cs.</summary>
    public static CSharpCompilation CreateCompilation(string source) => CreateCompilation(new SourceFile("Model.cs", source));

    public static GeneratorDriver CreateDriver() =>
        CSharpGeneratorDriver.Create(
            new[] { new ModelGenerator().AsSourceGenerator() },
            additionalTexts: null,
            parseOptions: ParseOptions,
            optionsProvider: null,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    /// <summary>Runs <paramref name="driver"/> (a fresh one when null) over <paramref name="compilation"/>.</summary>
    public static GeneratorRun Run(CSharpCompilation compilation, GeneratorDriver? driver = null)
    {
        GeneratorDriver after = (driver ?? CreateDriver())
            .RunGeneratorsAndUpdateCompilation(compilation, out Compilation output, out ImmutableArray<Diagnostic> diagnostics);
        return new GeneratorRun(after, compilation, output, diagnostics);
    }

    public static GeneratorRun Run(string source) => Run(CreateCompilation(source));
}
