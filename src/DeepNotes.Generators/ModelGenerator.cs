using DeepNotes.Generators.Model;
using DeepNotes.Generators.Parsing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace DeepNotes.Generators;

/// <summary>Names of the tracked pipeline steps (the incremental-cache tests look them up).</summary>
public static class TrackingNames
{
    public const string ModelSpec = nameof(ModelSpec);
    public const string ModelOutput = nameof(ModelOutput);
}

/// <summary>
/// The DeepNotes model compiler: for every class marked [Model], parses the declaration into an
/// equatable spec, compiles it, and adds the generated training and inference code.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class ModelGenerator : IIncrementalGenerator
{
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        IncrementalValuesProvider<ModelSpec> specs = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                "DeepNotes.ModelAttribute",
                predicate: static (node, _) => node is ClassDeclarationSyntax,
                transform: static (ctx, ct) => ModelParser.Parse(ctx, ct))
            .WithTrackingName(TrackingNames.ModelSpec);

        IncrementalValuesProvider<ModelOutput> outputs = specs
            .Select(static (spec, _) => ModelCompiler.Compile(spec))
            .WithTrackingName(TrackingNames.ModelOutput);

        context.RegisterSourceOutput(outputs, static (spc, output) =>
        {
            foreach (DiagnosticInfo d in output.Diagnostics) spc.ReportDiagnostic(d.ToDiagnostic());
            if (output.Source is not null) spc.AddSource(output.HintName, output.Source);
        });
    }
}
