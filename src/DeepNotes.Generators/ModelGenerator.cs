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
                predicate: static (node, _) => node is TypeDeclarationSyntax,
                transform: static (ctx, ct) => ModelParser.Parse(ctx, ct))
            .WithTrackingName(TrackingNames.ModelSpec);

        // The kernels of a referenced DeepNotes.Gpu (null without one): equatable, so an edit elsewhere leaves it (and every model) cached.
        IncrementalValueProvider<GpuLibrary?> gpu = context.CompilationProvider
            .Select(static (compilation, _) => GpuLibrary.Find(compilation));

        IncrementalValuesProvider<ModelOutput> outputs = specs
            .Combine(gpu)
            .Select(static (pair, _) => ModelCompiler.Compile(pair.Left, pair.Right))
            .WithTrackingName(TrackingNames.ModelOutput);

        context.RegisterSourceOutput(outputs, static (spc, output) =>
        {
            if (output.Source is not null) spc.AddSource(output.HintName, output.Source);
            if (output.GpuSource is not null) spc.AddSource(output.GpuHintName, output.GpuSource);
        });

        // Diagnostics take their own path, joined with the compilation so that each cached location (path and
        // span) becomes a real source location again: the IDE attaches it to the document and #pragma applies.
        // Only models with diagnostics take part; a valid model's output stays cached across edits.
        IncrementalValuesProvider<EquatableArray<DiagnosticInfo>> diagnostics = outputs
            .Select(static (output, _) => output.Diagnostics)
            .Where(static d => d.Count > 0);
        context.RegisterSourceOutput(diagnostics.Combine(context.CompilationProvider), static (spc, pair) =>
        {
            foreach (DiagnosticInfo d in pair.Left) spc.ReportDiagnostic(d.ToDiagnostic(pair.Right));
        });
    }

}
