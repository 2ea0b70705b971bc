using System.Collections;
using System.Collections.Immutable;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;
using Xunit.Sdk;

namespace DeepNotes.Generators.Tests;

/// <summary>
/// The generator's incremental cache: edits elsewhere leave every model step cached, edits of a model
/// re-run it, and no cached step output holds a Roslyn object (which would keep compilations alive
/// and make every step look modified).
/// </summary>
public sealed class IncrementalTests
{
    /// <summary>Every tracking name the generator declares (the public constants of TrackingNames).</summary>
    private static readonly string[] s_trackedNames = typeof(TrackingNames)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Where(f => f.IsLiteral)
        .Select(f => (string)f.GetRawConstantValue()!)
        .ToArray();

    private const string UnrelatedSource = "namespace Other;\n\npublic static class Unrelated\n{\n    public static int Answer => 42;\n}\n";

    private const string InvalidModel = """
        using DeepNotes;
        using static DeepNotes.Ops;

        namespace Tests;

        [Model]
        public partial class Broken
        {
            [Linear(784, 256)] private partial Tensor Hidden(Tensor x);

            [Forward] private Tensor Forward([Shape(100)] Tensor x) => Relu(Hidden(x));
        }
        """;

    private static SourceFile ModelFile(string name)
    {
        string path = Path.Combine(RepoPaths.ModelsDirectory, name + ".cs");
        return new SourceFile(path, File.ReadAllText(path));
    }

    private static IEnumerable<(string Name, IncrementalGeneratorRunStep Step)> ModelSteps(GeneratorRun run)
    {
        foreach (string name in s_trackedNames)
        {
            Assert.True(run.Generator.TrackedSteps.TryGetValue(name, out ImmutableArray<IncrementalGeneratorRunStep> steps), $"No tracked step '{name}'.");
            Assert.NotEmpty(steps);
            foreach (IncrementalGeneratorRunStep step in steps) yield return (name, step);
        }
    }

    private static void AssertAllCached(GeneratorRun run)
    {
        foreach ((string name, IncrementalGeneratorRunStep step) in ModelSteps(run))
        {
            Assert.NotEmpty(step.Outputs);
            foreach ((object _, IncrementalStepRunReason reason) in step.Outputs)
                Assert.True(reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"Step {name} output was {reason}.");
        }
    }

    private static IncrementalStepRunReason[] Reasons(GeneratorRun run, string name) =>
        run.Generator.TrackedSteps[name].SelectMany(s => s.Outputs).Select(o => o.Reason).ToArray();

    [Fact]
    public void Tracking_names_are_the_spec_and_the_output()
    {
        Assert.Equal(new[] { "ModelSpec", "ModelOutput" }, s_trackedNames);
    }

    [Theory]
    [MemberData(nameof(BaselineTests.Models), MemberType = typeof(BaselineTests))]
    public void Adding_an_unrelated_file_leaves_the_model_cached(string model)
    {
        CSharpCompilation compilation = GeneratorHarness.CreateCompilation(ModelFile(model));
        GeneratorRun first = GeneratorHarness.Run(compilation);
        GeneratorRun second = GeneratorHarness.Run(
            compilation.AddSyntaxTrees(GeneratorHarness.Parse(new SourceFile("Unrelated.cs", UnrelatedSource))), first.Driver);

        AssertAllCached(second);
        Assert.Equal(first.SingleSource, second.SingleSource);
        second.AssertOutputCompilesCleanly();
    }

    [Fact]
    public void Editing_an_unrelated_file_leaves_every_model_cached()
    {
        SourceFile[] files = RepoPaths.ModelFiles().Select(p => new SourceFile(p, File.ReadAllText(p)))
            .Append(new SourceFile("Unrelated.cs", UnrelatedSource)).ToArray();
        CSharpCompilation compilation = GeneratorHarness.CreateCompilation(files);
        GeneratorRun first = GeneratorHarness.Run(compilation);

        SyntaxTree unrelated = compilation.SyntaxTrees.Single(t => t.FilePath == "Unrelated.cs");
        SyntaxTree edited = unrelated.WithChangedText(SourceText.From(UnrelatedSource.Replace("42", "43", StringComparison.Ordinal)));
        GeneratorRun second = GeneratorHarness.Run(compilation.ReplaceSyntaxTree(unrelated, edited), first.Driver);

        Assert.Equal(files.Length - 1, second.Generator.TrackedSteps[TrackingNames.ModelOutput].SelectMany(s => s.Outputs).Count());
        AssertAllCached(second);
    }

    [Fact]
    public void Invalid_model_stays_cached_and_its_diagnostic_moves_to_the_new_tree()
    {
        CSharpCompilation compilation = GeneratorHarness.CreateCompilation(new SourceFile("Broken.cs", InvalidModel));
        GeneratorRun first = GeneratorHarness.Run(compilation);
        CSharpCompilation next = compilation.AddSyntaxTrees(GeneratorHarness.Parse(new SourceFile("Unrelated.cs", UnrelatedSource)));
        GeneratorRun second = GeneratorHarness.Run(next, first.Driver);

        AssertAllCached(second);
        Diagnostic before = Assert.Single(first.GeneratorDiagnostics), after = Assert.Single(second.GeneratorDiagnostics);
        Assert.Equal("DN0101", after.Id);
        Assert.Equal(before.GetMessage(), after.GetMessage());
        Assert.Equal(before.Location.SourceSpan, after.Location.SourceSpan);
        Assert.Same(next.SyntaxTrees.Single(t => t.FilePath == "Broken.cs"), after.Location.SourceTree);
    }

    [Fact]
    public void Editing_the_model_modifies_its_spec_and_output()
    {
        SourceFile mlp = ModelFile("Mlp");
        Assert.Contains("[Linear(784, 256)]", mlp.Text, StringComparison.Ordinal);
        CSharpCompilation compilation = GeneratorHarness.CreateCompilation(mlp);
        GeneratorRun first = GeneratorHarness.Run(compilation);

        string text = mlp.Text.Replace("[Linear(784, 256)]", "[Linear(784, 128)]", StringComparison.Ordinal)
                              .Replace("[Linear(256, 10)]", "[Linear(128, 10)]", StringComparison.Ordinal);
        SyntaxTree tree = compilation.SyntaxTrees.Single();
        GeneratorRun second = GeneratorHarness.Run(compilation.ReplaceSyntaxTree(tree, tree.WithChangedText(SourceText.From(text))), first.Driver);

        Assert.Equal(new[] { IncrementalStepRunReason.Modified }, Reasons(second, TrackingNames.ModelSpec));
        Assert.Equal(new[] { IncrementalStepRunReason.Modified }, Reasons(second, TrackingNames.ModelOutput));
        Assert.Contains("public const int ParameterCount = 101770;", second.SingleSource, StringComparison.Ordinal); // 784*128+128 + 128*10+10
        Assert.DoesNotContain("public const int ParameterCount = 101770;", first.SingleSource, StringComparison.Ordinal);
        second.AssertOutputCompilesCleanly();
    }

    [Fact]
    public void Comment_after_the_model_gives_an_unchanged_spec_and_a_cached_output()
    {
        SourceFile mlp = ModelFile("Mlp");
        CSharpCompilation compilation = GeneratorHarness.CreateCompilation(mlp);
        GeneratorRun first = GeneratorHarness.Run(compilation);

        SyntaxTree tree = compilation.SyntaxTrees.Single();
        SyntaxTree edited = tree.WithChangedText(SourceText.From(mlp.Text + "// a comment at the end\n"));
        GeneratorRun second = GeneratorHarness.Run(compilation.ReplaceSyntaxTree(tree, edited), first.Driver);

        // The spec is rebuilt from the edited tree but equals the old one, so the compile step is skipped.
        Assert.Equal(new[] { IncrementalStepRunReason.Unchanged }, Reasons(second, TrackingNames.ModelSpec));
        Assert.Equal(new[] { IncrementalStepRunReason.Cached }, Reasons(second, TrackingNames.ModelOutput));
    }

    [Fact]
    public void No_step_output_holds_a_Roslyn_object()
    {
        SourceFile[] files = RepoPaths.ModelFiles().Select(p => new SourceFile(p, File.ReadAllText(p)))
            .Append(new SourceFile("Broken.cs", InvalidModel)).ToArray();
        CSharpCompilation compilation = GeneratorHarness.CreateCompilation(files);
        GeneratorRun first = GeneratorHarness.Run(compilation);
        GeneratorRun second = GeneratorHarness.Run(
            compilation.AddSyntaxTrees(GeneratorHarness.Parse(new SourceFile("Unrelated.cs", UnrelatedSource))), first.Driver);

        int outputs = 0;
        foreach (GeneratorRun run in new[] { first, second })
        {
            foreach ((string name, IncrementalGeneratorRunStep step) in ModelSteps(run))
            {
                foreach ((object value, IncrementalStepRunReason _) in step.Outputs)
                {
                    RoslynObjectWalker.AssertNone(value, name);
                    outputs++;
                }
            }
        }
        Assert.Equal(2 * 2 * files.Length, outputs); // two runs, two steps, one output per model
    }

    [Fact]
    public void Walker_finds_Roslyn_objects_deep_inside_a_value()
    {
        SyntaxTree tree = GeneratorHarness.Parse(new SourceFile("X.cs", "class X { }"));
        Assert.ThrowsAny<XunitException>(() => RoslynObjectWalker.AssertNone(new { Inner = new[] { (object)1, new List<object> { tree.GetRoot() } } }, "value"));
        Assert.ThrowsAny<XunitException>(() => RoslynObjectWalker.AssertNone(Tuple.Create("a", Location.None), "value"));
        Assert.ThrowsAny<XunitException>(() => RoslynObjectWalker.AssertNone(ImmutableArray.Create(GeneratorHarness.CreateCompilation("class Y { }")), "value"));
        RoslynObjectWalker.AssertNone(new { Text = "ok", Span = new TextSpan(1, 2), Items = ImmutableArray.Create(1, 2) }, "value");
    }
}

/// <summary>Walks an object graph by reflection (fields, collections) and fails on any Roslyn object.</summary>
internal static class RoslynObjectWalker
{
    private static readonly Type[] s_forbidden =
    {
        typeof(ISymbol), typeof(SyntaxNode), typeof(SyntaxTree), typeof(Compilation), typeof(SemanticModel),
        typeof(Location), typeof(AttributeData), typeof(SyntaxReference), typeof(SyntaxToken), typeof(SyntaxTrivia),
    };

    public static void AssertNone(object? value, string path) => Walk(value, path, new HashSet<object>(ReferenceEqualityComparer.Instance), 0);

    private static void Walk(object? value, string path, HashSet<object> seen, int depth)
    {
        if (value is null) return;
        Type type = value.GetType();
        if (type.IsPrimitive || type.IsEnum || type.IsPointer || value is string or decimal) return;
        Type? bad = s_forbidden.FirstOrDefault(f => f.IsInstanceOfType(value));
        Assert.True(bad is null, $"{path} is a {type.FullName}, which is a {bad?.Name}: step outputs must not hold Roslyn objects.");
        if (!type.IsValueType && !seen.Add(value)) return;
        Assert.True(depth < 100, $"{path} is nested too deeply.");

        if (value is IEnumerable items)
        {
            int i = 0;
            foreach (object? item in items) Walk(item, $"{path}[{i++}]", seen, depth + 1);
        }
        for (Type? t = type; t is not null && t != typeof(object); t = t.BaseType)
        {
            foreach (FieldInfo field in t.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            {
                if (field.FieldType.IsPointer || field.FieldType.IsByRefLike) continue;
                Walk(field.GetValue(value), $"{path}.{field.Name}", seen, depth + 1);
            }
        }
    }
}
