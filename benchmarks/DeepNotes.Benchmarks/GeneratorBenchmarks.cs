using System.Collections.Immutable;
using System.IO;
using System.Linq;
using BenchmarkDotNet.Attributes;
using DeepNotes.Generators;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace DeepNotes.Benchmarks;

/// <summary>
/// Build-time cost of the model compiler: parse one model source file from src/DeepNotes.Models,
/// make a fresh compilation (framework + DeepNotes.Runtime references) and run
/// <see cref="ModelGenerator"/> over it, cold (no incremental cache), as a clean build would.
/// </summary>
[MemoryDiagnoser]
public class GeneratorBenchmarks
{
    private static readonly CSharpParseOptions s_parseOptions = new(LanguageVersion.Latest);
    private static readonly CSharpCompilationOptions s_compilationOptions =
        new(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable);

    private string _source = null!;
    private ImmutableArray<MetadataReference> _references;

    [Params("SoftmaxRegression", "Mlp", "DropoutMlp")]
    public string Model { get; set; } = "Mlp";

    [GlobalSetup]
    public void Setup()
    {
        _source = File.ReadAllText(Path.Combine(RepoPaths.Root, "src", "DeepNotes.Models", Model + ".cs"));

        // The shared framework's assemblies (as a build would reference them) plus DeepNotes.Runtime.
        string frameworkDir = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        _references = Directory.EnumerateFiles(frameworkDir, "*.dll")
            .Where(IsManagedAssembly)
            .Append(typeof(Tensor).Assembly.Location)
            .Select(path => (MetadataReference)MetadataReference.CreateFromFile(path))
            .ToImmutableArray();

        // Check once that the generator really produced the model and nothing went wrong.
        GeneratorDriverRunResult result = RunCore().GetRunResult();
        Diagnostic[] errors = result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToArray();
        if (errors.Length > 0 || result.GeneratedTrees.Length != 1)
            throw new InvalidOperationException(
                $"Generator on {Model}: {result.GeneratedTrees.Length} generated files; {string.Join("; ", errors.Select(e => e.ToString()))}");
        Console.WriteLine($"// {Model}: generated {result.GeneratedTrees[0].Length} characters, {_references.Length} references");
    }

    [Benchmark]
    public GeneratorDriver RunGenerator() => RunCore();

    private GeneratorDriver RunCore()
    {
        SyntaxTree tree = CSharpSyntaxTree.ParseText(_source, s_parseOptions, path: Model + ".cs");
        CSharpCompilation compilation = CSharpCompilation.Create("GeneratorBenchmark", [tree], _references, s_compilationOptions);
        GeneratorDriver driver = CSharpGeneratorDriver.Create([new ModelGenerator().AsSourceGenerator()], parseOptions: s_parseOptions);
        return driver.RunGenerators(compilation);
    }

    private static bool IsManagedAssembly(string path)
    {
        try
        {
            System.Reflection.AssemblyName.GetAssemblyName(path);
            return true;
        }
        catch (BadImageFormatException)
        {
            return false;
        }
    }
}
