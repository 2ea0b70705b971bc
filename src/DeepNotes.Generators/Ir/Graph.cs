using System.Collections.Generic;
using System.Linq;
using DeepNotes.Generators.Model;

namespace DeepNotes.Generators.Ir;

/// <summary>
/// A static per-example shape. The batch is implicit: a batched tensor has the run-time batch in
/// front of <see cref="Dims"/>; an unbatched one (a loss, a Sum) is exactly Dims (a scalar when empty).
/// </summary>
internal sealed class Shape
{
    public Shape(bool batched, params int[] dims) { Batched = batched; Dims = dims; }

    public bool Batched { get; }
    public int[] Dims { get; }
    public int Rank => Dims.Length;
    public int Size => Dims.Aggregate(1, (a, b) => a * b);
    public bool IsScalar => !Batched && Size == 1;

    public static readonly Shape Scalar = new(false);

    public bool SameAs(Shape other) => Batched == other.Batched && Dims.SequenceEqual(other.Dims);

    public override string ToString()
    {
        var parts = new List<string>();
        if (Batched) parts.Add("B");
        parts.AddRange(Dims.Select(d => d.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        return "[" + string.Join(", ", parts) + "]";
    }
}

/// <summary>Where a value's floats live at run time.</summary>
internal enum StorageKind { Arena, Input, Output, Targets }

/// <summary>An SSA value: written once by its producer, read by its users.</summary>
internal sealed class Value
{
    public Value(int id, Shape shape, string name) { Id = id; Shape = shape; Name = name; }

    public int Id { get; }
    public Shape Shape { get; }
    public string Name { get; set; }
    public Node? Producer { get; set; }
    public List<Node> Users { get; } = new();
    /// <summary>A view of another value's memory (Flatten, and dropout at inference).</summary>
    public Value? AliasOf { get; set; }
    public bool RequiresGrad { get; set; }
    public bool IsGradient { get; set; }
    public StorageKind Storage { get; set; } = StorageKind.Arena;
    /// <summary>Token ids (a Tokens input of [Forward]): ints in the caller's span, never floats, never differentiated.</summary>
    public bool IsTokens { get; set; }

    // Filled by the memory planner: offset in floats per batch row (batched) or in floats (unbatched).
    public int Offset { get; set; } = -1;

    public Value Root => AliasOf is null ? this : AliasOf.Root;
}

internal enum NodeKind
{
    // Forward.
    Dense, Chain, Binary, Softmax, LogSoftmax, MatMul, Transpose, Permute, Flatten, Sum, Mean, Dropout,
    CrossEntropy, Nll, Mse, BinaryCrossEntropy,
    Conv2d, MaxPool, AvgPool, GlobalAvgPool, BatchNorm,
    Embedding, OneHot, MaskedMean, EmbeddingBag, LayerNorm,
    Concat, Split, PositionalEncoding, MaskedSoftmax,
    // Backward.
    SeedOne, ActivationBackward, DenseBackwardWeights, DenseBackwardData, ChainBackward, BinaryBackward,
    SoftmaxBackward, LogSoftmaxBackward, MatMulBackwardA, MatMulBackwardB, ReduceBackward, DropoutBackward,
    CrossEntropyBackward, NllBackward, MseBackward, BinaryCrossEntropyBackward, Accumulate,
    Conv2dBackwardWeights, Conv2dBackwardData, MaxPoolBackward, AvgPoolBackward, GlobalAvgPoolBackward, BatchNormBackward,
    EmbeddingBackward, MaskedMeanBackward, EmbeddingBagBackward, TransposeBackward, LayerNormBackward, PermuteBackward,
    ConcatBackward, SplitBackward,
}

internal enum Phase { Forward, Loss, Backward }

/// <summary>Activation folded into a Dense epilogue; mirrors DeepNotes.Kernels.Activation.</summary>
internal enum Act { None = 0, Relu, Sigmoid, Tanh }

internal enum StepKind { Relu, Sigmoid, Tanh, Exp, Log, Affine, Reciprocal }

/// <summary>One step of a fused element-wise chain: y = f(x) (Affine: A·x + B; Reciprocal: A / x).</summary>
internal sealed record ChainStep(StepKind Kind, float A, float B);

internal enum BinOp { Add, Subtract, Multiply, Divide }

/// <summary>An operation of the forward or backward graph.</summary>
internal sealed class Node
{
    public Node(int id, NodeKind kind, Value[] inputs, Value? output, string text)
    {
        Id = id; Kind = kind; Inputs = inputs; Output = output; Text = text;
    }

    public int Id { get; }
    public NodeKind Kind { get; set; }
    /// <summary>Values read. Order is per kind (see the emitter).</summary>
    public Value[] Inputs { get; set; }
    public Value? Output { get; }
    /// <summary>A second output (the probabilities kept by fused softmax cross-entropy; a batch norm's saved mean).</summary>
    public Value? Aux { get; set; }
    /// <summary>A third output (a batch norm's saved inverse standard deviation).</summary>
    public Value? Aux2 { get; set; }
    /// <summary>Memory the kernel needs only while it runs (im2col columns); planned like a value that dies at once.</summary>
    public Value? Scratch { get; set; }
    /// <summary>Pooling window: kernel, stride, padding per axis.</summary>
    public int KernelH { get; set; }
    public int KernelW { get; set; }
    public int StrideH { get; set; }
    public int StrideW { get; set; }
    public int PadH { get; set; }
    public int PadW { get; set; }
    /// <summary>The source expression, shown as a comment beside the kernel call.</summary>
    public string Text { get; set; }
    public Phase Phase { get; set; }
    public LayerSpec? Layer { get; set; }
    /// <summary>The tensors of the layer instance this node uses (one of several for an indexed layer).</summary>
    public LayerParams? Params { get; set; }
    public Act Act { get; set; }
    public List<ChainStep> Steps { get; set; } = new();
    public BinOp Op { get; set; }
    /// <summary>MatMul: the second operand is stored [m, k] and read transposed (MatMul(a, Transpose(b))).</summary>
    public bool TransposeB { get; set; }
    /// <summary>Permute: the new order of the per-example axes.</summary>
    public int[] Axes { get; set; } = new int[0];
    /// <summary>Softmax: the factor of a constant scaling of its input folded in, softmax(Scale·x) (Fusion).</summary>
    public float Scale { get; set; } = 1f;
    /// <summary>Softmax: with a causal mask (CausalSoftmax).</summary>
    public bool Causal { get; set; }
    public int Operand { get; set; }
    public float P { get; set; }
    /// <summary>For backward nodes, the forward node they differentiate.</summary>
    public Node? Forward { get; set; }
    public bool Dead { get; set; }
    /// <summary>Whether the output may share memory with input 0 exactly (element-wise, in place).</summary>
    public bool InPlace { get; set; }
}

/// <summary>The lowered model: forward nodes, loss nodes and (after autodiff) backward nodes.</summary>
internal sealed class Graph
{
    private int _nextValue, _nextNode;

    public List<Node> Nodes { get; } = new();
    public List<LayerParams> Parameters { get; } = new();
    /// <summary>The [Forward] parameters in order: float tensors and token ids.</summary>
    public List<Value> Inputs { get; } = new();
    /// <summary>
    /// The one float input of a model with exactly one input that is a Tensor (the IModel shape: Predict(input, ...));
    /// null for models with token inputs or several inputs, whose methods take one span per input.
    /// </summary>
    public Value? Input => Inputs.Count == 1 && !Inputs[0].IsTokens && LabelDims is null ? Inputs[0] : null;
    public Value? Output { get; set; }
    public Value? Targets { get; set; }
    public bool TargetsAreLabels { get; set; }
    /// <summary>
    /// Per-position labels, <c>[Shape(T)] Labels y</c>: their per-example dims (null for one label per example).
    /// A model with them is never an IClassifier (whose contract is one label per example): it takes one span per input.
    /// </summary>
    public int[]? LabelDims { get; set; }
    /// <summary>Labels per example: the product of <see cref="LabelDims"/>, 1 without them.</summary>
    public int LabelsPerExample => LabelDims is null ? 1 : LabelDims.Aggregate(1, (a, b) => a * b);
    /// <summary>The name of the [Loss]'s targets parameter: the name of the generated methods' targets span for models with token or several inputs.</summary>
    public string TargetName { get; set; } = "targets";
    public Value? Loss { get; set; }
    /// <summary>Phase given to the nodes added from now on.</summary>
    public Phase Phase { get; set; }
    /// <summary>Index of the first loss node (= count of forward nodes).</summary>
    public int LossStart => Index(n => n.Phase != Phase.Forward);
    /// <summary>Index of the first backward node.</summary>
    public int BackwardStart => Index(n => n.Phase == Phase.Backward);

    private int Index(System.Func<Node, bool> predicate)
    {
        int i = Nodes.FindIndex(n => predicate(n));
        return i < 0 ? Nodes.Count : i;
    }

    public Value NewValue(Shape shape, string name) => new(_nextValue++, shape, name);

    public Node Add(NodeKind kind, Value[] inputs, Value? output, string text)
    {
        var node = new Node(_nextNode++, kind, inputs, output, text) { Phase = Phase };
        foreach (Value v in inputs) v.Users.Add(node);
        if (output is not null) output.Producer = node;
        Nodes.Add(node);
        return node;
    }

    public void Remove(Node node)
    {
        node.Dead = true;
        foreach (Value v in node.Inputs) v.Users.Remove(node);
    }

    public void SetInputs(Node node, Value[] inputs)
    {
        foreach (Value v in node.Inputs) v.Users.Remove(node);
        node.Inputs = inputs;
        foreach (Value v in inputs) v.Users.Add(node);
    }

    public void Compact() => Nodes.RemoveAll(n => n.Dead);
}

/// <summary>A layer's tensors inside the parameter vector.</summary>
internal sealed class LayerParams
{
    public LayerParams(LayerSpec layer, string name, int weightOffset, int biasOffset)
    {
        Layer = layer; Name = name; WeightOffset = weightOffset; BiasOffset = biasOffset;
    }
    public LayerSpec Layer { get; }
    /// <summary>The PyTorch module name: "Hidden", or "Conv.2" for an indexed layer.</summary>
    public string Name { get; }
    public int WeightOffset { get; }
    public int BiasOffset { get; }
    public int WeightLength => WeightLengthOf(Layer);
    public int BiasLength => BiasLengthOf(Layer);
    public bool IsBatchNorm => Layer.Kind is LayerKind.BatchNorm2d or LayerKind.BatchNorm1d;
    /// <summary>An embedding table [vocabulary, dimension]: sparse gradients and sparse updates.</summary>
    public bool IsEmbedding => Layer.Kind == LayerKind.Embedding;
    /// <summary>A batch norm's or layer norm's weight (γ, initially 1) and bias (β, 0), one per feature.</summary>
    public bool IsNorm => IsBatchNorm || Layer.Kind == LayerKind.LayerNorm;

    public static int WeightLengthOf(LayerSpec layer) => layer.Kind switch
    {
        LayerKind.Conv2d => layer.Out * layer.In * layer.KernelH * layer.KernelW,
        LayerKind.BatchNorm2d or LayerKind.BatchNorm1d or LayerKind.LayerNorm => layer.Out,
        _ => layer.In * layer.Out,
    };

    public static int BiasLengthOf(LayerSpec layer) =>
        layer.Bias || layer.Kind is LayerKind.BatchNorm2d or LayerKind.BatchNorm1d or LayerKind.LayerNorm ? layer.Out : 0;
    /// <summary>Batch norm: running_mean at StateOffset, running_var right after it (model state, not trained).</summary>
    public int StateOffset { get; set; } = -1;
    public int StateLength => IsBatchNorm ? 2 * Layer.Out : 0;
    /// <summary>Weight fan-in and fan-out for the initialisers.</summary>
    public int FanIn => Layer.Kind == LayerKind.Conv2d ? Layer.In * Layer.KernelH * Layer.KernelW : Layer.In;
    public int FanOut => Layer.Kind == LayerKind.Conv2d ? Layer.Out * Layer.KernelH * Layer.KernelW : Layer.Out;
    /// <summary>The initialiser after resolving Auto (He when a ReLU follows).</summary>
    public InitKind Init { get; set; }
}
