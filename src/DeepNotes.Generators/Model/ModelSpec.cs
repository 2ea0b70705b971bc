namespace DeepNotes.Generators.Model;

// Everything in this file is the output of the parser and the input of the compiler passes.
// It must stay equatable: records of strings, numbers, enums and EquatableArray, never an
// ISymbol, SyntaxNode or Location, or the incremental cache stops working.

internal enum LayerKind { Linear, Dropout, Conv2d, BatchNorm2d, BatchNorm1d, Embedding, LayerNorm }

/// <summary>Mirrors DeepNotes.Init (same order).</summary>
internal enum InitKind { Auto = 0, XavierUniform, XavierNormal, HeUniform, HeNormal, Normal, Zeros, Word2Vec }

internal sealed record LayerSpec(
    string Name, LayerKind Kind, int In, int Out, bool Bias, InitKind Init, float Std, float P,
    string Accessibility, string ParameterName, LocationInfo? Location)
{
    /// <summary>False when the declaration had errors (reported by the parser); the layer still gets a stub body.</summary>
    public bool IsValid { get; init; } = true;

    // Conv2d geometry (In and Out are the channel counts).
    public int KernelH { get; init; } = 1;
    public int KernelW { get; init; } = 1;
    public int StrideH { get; init; } = 1;
    public int StrideW { get; init; } = 1;
    public int PadH { get; init; }
    public int PadW { get; init; }

    /// <summary>Indexed layers (ModuleList): how many, 0 for a single layer taking only a tensor.</summary>
    public int Count { get; init; }
    /// <summary>The name of the index parameter of an indexed layer ("i"), for its stub.</summary>
    public string IndexParameterName { get; init; } = "";

    // Batch norm (In = Out = channels) and layer norm (In = Out = features; Epsilon only).
    public float Momentum { get; init; } = 0.1f;
    public float Epsilon { get; init; } = 1e-5f;

    /// <summary>Names of the attributes that declare layers.</summary>
    public static bool IsLayerAttribute(string? name) =>
        name is "LinearAttribute" or "DropoutAttribute" or "Conv2dAttribute" or "BatchNorm2dAttribute" or "BatchNorm1dAttribute"
            or "EmbeddingAttribute" or "LayerNormAttribute";

    /// <summary>An Embedding takes token ids (<c>Tokens</c>), every other layer a float <c>Tensor</c>.</summary>
    public bool TakesTokens => Kind == LayerKind.Embedding;
}

internal enum ExprKind { Identifier, Constant, Op, Layer, Binary, Negate, Block }

/// <summary>An expression of the spec language. <see cref="Name"/> is the op, layer, identifier or operator.</summary>
internal sealed record ExprSpec(ExprKind Kind, string Name, float Value, EquatableArray<ExprSpec> Args, string Text, LocationInfo? Location)
{
    /// <summary>The parser already reported this expression; lowering skips it without a second error.</summary>
    public bool IsError { get; init; }
}

internal enum StmtKind { Assign, Return }

internal sealed record StmtSpec(StmtKind Kind, string Target, ExprSpec Value, string Text, LocationInfo? Location);

internal sealed record ParameterSpec(string Name, bool IsLabels, EquatableArray<int> Shape, bool HasShape, LocationInfo? Location)
{
    /// <summary>A block's constant int parameter (an index), not a tensor.</summary>
    public bool IsInt { get; init; }
    /// <summary>Token ids (<c>Tokens</c>), not floats.</summary>
    public bool IsTokens { get; init; }
}

internal sealed record MethodSpec(string Name, EquatableArray<ParameterSpec> Parameters, EquatableArray<StmtSpec> Body, LocationInfo? Location);

/// <param name="ContainingTypes">Headers that reopen the types a (nested, so invalid) model sits in, outermost first: "partial class Outer".</param>
internal sealed record ModelSpec(
    string Namespace, string ClassName, string TypeKeyword, EquatableArray<string> ContainingTypes,
    EquatableArray<LayerSpec> Layers, MethodSpec? Forward, MethodSpec? Loss,
    EquatableArray<DiagnosticInfo> Diagnostics, LocationInfo? Location)
{
    public bool IsPartial { get; init; } = true;
    /// <summary>[Block] helper methods, inlined at each call.</summary>
    public EquatableArray<MethodSpec> Blocks { get; init; } = EquatableArray<MethodSpec>.Empty;
    public string Accessibility { get; init; } = "public";
    /// <summary>"&lt;T&gt;" for a generic model (an error, DN0009, but its layer stubs still need it); empty otherwise.</summary>
    public string TypeParameters { get; init; } = "";
    /// <summary>The generated file's name: namespace, containing types and class, e.g. "DeepNotes.Models.Mlp.g.cs".</summary>
    public string HintName { get; init; } = "";
    public string FullName => Namespace.Length == 0 ? ClassName : Namespace + "." + ClassName;
}

/// <summary>What the generator adds to the compilation for one model: source and diagnostics.</summary>
internal sealed record ModelOutput(string HintName, string? Source, EquatableArray<DiagnosticInfo> Diagnostics)
{
    /// <summary>The GPU plan ({Model}.Gpu.g.cs), when the compilation references DeepNotes.Gpu and every node has a GPU rule.</summary>
    public string? GpuSource { get; init; }

    /// <summary>"DeepNotes.Models.Mlp.Gpu.g.cs" beside "DeepNotes.Models.Mlp.g.cs".</summary>
    public string GpuHintName => HintName.EndsWith(".g.cs", System.StringComparison.Ordinal) ? HintName.Substring(0, HintName.Length - 5) + ".Gpu.g.cs" : HintName + ".Gpu.g.cs";
}
