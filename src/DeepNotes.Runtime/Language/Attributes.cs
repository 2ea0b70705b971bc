namespace DeepNotes;

/// <summary>Marks a <c>partial</c> class as a model: the DeepNotes generator compiles it at build time.</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class ModelAttribute : Attribute;

/// <summary>Marks the method whose body is the model's forward computation (the spec language subset).</summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class ForwardAttribute : Attribute;

/// <summary>Marks the method that turns the forward output and the targets into a scalar loss.</summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class LossAttribute : Attribute;

/// <summary>
/// A helper method of the model whose body is in the model language; each call is inlined by the
/// compiler. Its parameters are tensors and constant ints (e.g. the index of the indexed layers a
/// block uses), so one block is declared once and used several times.
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class BlockAttribute : Attribute;

/// <summary>
/// The per-example shape of a <see cref="Tensor"/> or <see cref="Tokens"/> parameter; the batch dimension is
/// implicit. A <see cref="Tokens"/> input without one holds one token per example.
/// </summary>
[AttributeUsage(AttributeTargets.Parameter, Inherited = false)]
public sealed class ShapeAttribute(params int[] dims) : Attribute
{
    public int[] Dims { get; } = dims;
}

/// <summary>How a layer's weights are initialised (biases always start at zero).</summary>
public enum Init
{
    /// <summary>He (Kaiming) uniform when the layer's output goes straight into <c>Relu</c>, Xavier uniform otherwise.</summary>
    Auto = 0,
    XavierUniform,
    XavierNormal,
    HeUniform,
    HeNormal,
    /// <summary>N(0, Std²), the notes' <c>normal(0, 0.01)</c>; set <see cref="LinearAttribute.Std"/>.</summary>
    Normal,
    Zeros,
    /// <summary>
    /// U(−0.5/dim, 0.5/dim) with dim the layer's output width (an embedding's dimension): the original
    /// word2vec tool's initialisation of its input vectors. The default of <see cref="EmbeddingAttribute"/>.
    /// </summary>
    Word2Vec,
}

/// <summary>A fully connected layer y = x·Wᵀ + b over the last axis; W is [out, in] (PyTorch's layout).</summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class LinearAttribute(int inFeatures, int outFeatures) : Attribute
{
    /// <summary>
    /// Declares <c>Count</c> layers of this kind at once, like PyTorch's ModuleList: the method then
    /// takes a constant index first, <c>Tensor Conv(int i, Tensor x)</c>, and the tensors are named
    /// <c>Conv.0.weight</c>, <c>Conv.1.weight</c>, …
    /// </summary>
    public int Count { get; set; }

    public int InFeatures { get; } = inFeatures;
    public int OutFeatures { get; } = outFeatures;
    public bool Bias { get; set; } = true;
    public Init Init { get; set; } = Init.Auto;
    /// <summary>Standard deviation for <see cref="Init.Normal"/>.</summary>
    public float Std { get; set; } = 0.01f;
}

/// <summary>Dropout with drop probability <paramref name="p"/> as a layer method; identity in <c>Predict</c>.</summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class DropoutAttribute(float p) : Attribute
{
    /// <summary>
    /// Declares <c>Count</c> layers of this kind at once, like PyTorch's ModuleList: the method then
    /// takes a constant index first, <c>Tensor Conv(int i, Tensor x)</c>, and the tensors are named
    /// <c>Conv.0.weight</c>, <c>Conv.1.weight</c>, …
    /// </summary>
    public int Count { get; set; }

    public float P { get; } = p;
}

/// <summary>
/// A 2-d convolution layer over [C, H, W] inputs: PyTorch's Conv2d (cross-correlation, no kernel
/// flip), weight [out, in, kh, kw], bias [out]. Kernel, Stride and Padding set both axes; the
/// Height/Width forms override one axis. 1×1 kernels mix channels.
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class Conv2dAttribute(int inChannels, int outChannels) : Attribute
{
    /// <summary>
    /// Declares <c>Count</c> layers of this kind at once, like PyTorch's ModuleList: the method then
    /// takes a constant index first, <c>Tensor Conv(int i, Tensor x)</c>, and the tensors are named
    /// <c>Conv.0.weight</c>, <c>Conv.1.weight</c>, …
    /// </summary>
    public int Count { get; set; }

    public int InChannels { get; } = inChannels;
    public int OutChannels { get; } = outChannels;
    public int Kernel { get; set; } = 1;
    public int Stride { get; set; } = 1;
    public int Padding { get; set; }
    /// <summary>Overrides <see cref="Kernel"/> for the height axis (0: use Kernel).</summary>
    public int KernelHeight { get; set; }
    public int KernelWidth { get; set; }
    public int StrideHeight { get; set; }
    public int StrideWidth { get; set; }
    /// <summary>Overrides <see cref="Padding"/> for the height axis (-1: use Padding).</summary>
    public int PaddingHeight { get; set; } = -1;
    public int PaddingWidth { get; set; } = -1;
    public bool Bias { get; set; } = true;
    public Init Init { get; set; } = Init.Auto;
    public float Std { get; set; } = 0.01f;
}

/// <summary>
/// Batch normalisation over the channels of [C, H, W] inputs (PyTorch's BatchNorm2d): batch
/// statistics in training, running statistics in Predict. weight (γ) and bias (β) are trained and
/// not decayed; running_mean and running_var are model state, saved in checkpoints.
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class BatchNorm2dAttribute(int channels) : Attribute
{
    /// <summary>
    /// Declares <c>Count</c> layers of this kind at once, like PyTorch's ModuleList: the method then
    /// takes a constant index first, <c>Tensor Conv(int i, Tensor x)</c>, and the tensors are named
    /// <c>Conv.0.weight</c>, <c>Conv.1.weight</c>, …
    /// </summary>
    public int Count { get; set; }

    public int Channels { get; } = channels;
    public float Momentum { get; set; } = 0.1f;
    public float Epsilon { get; set; } = 1e-5f;
}

/// <summary>
/// Layer normalisation over the last axis (PyTorch's <c>nn.LayerNorm(features)</c>): tensors
/// <c>Name.weight</c> [features] (1) and <c>Name.bias</c> [features] (0); each row [..., features] is
/// normalised by its own mean and (biased) variance, in training and inference alike.
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class LayerNormAttribute(int features) : Attribute
{
    /// <summary>
    /// Declares <c>Count</c> layers of this kind at once, like PyTorch's ModuleList: the method then
    /// takes a constant index first, <c>Tensor Norm(int i, Tensor x)</c>, and the tensors are named
    /// <c>Norm.0.weight</c>, <c>Norm.1.weight</c>, …
    /// </summary>
    public int Count { get; set; }

    public int Features { get; } = features;
    public float Epsilon { get; set; } = 1e-5f;
}

/// <summary>Batch normalisation over the features of [C] inputs (PyTorch's BatchNorm1d).</summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class BatchNorm1dAttribute(int features) : Attribute
{
    /// <summary>
    /// Declares <c>Count</c> layers of this kind at once, like PyTorch's ModuleList: the method then
    /// takes a constant index first, <c>Tensor Conv(int i, Tensor x)</c>, and the tensors are named
    /// <c>Conv.0.weight</c>, <c>Conv.1.weight</c>, …
    /// </summary>
    public int Count { get; set; }

    public int Features { get; } = features;
    public float Momentum { get; set; } = 0.1f;
    public float Epsilon { get; set; } = 1e-5f;
}

/// <summary>
/// A lookup table of <paramref name="vocabulary"/> vectors of <paramref name="dimension"/> floats, PyTorch's
/// <c>nn.Embedding</c> (<c>Name.weight</c> [vocabulary, dimension]). The layer method takes token ids,
/// <c>Tensor Center(Tokens t)</c>: tokens of per-example shape [...] give [..., dimension]. Forward gathers
/// rows; backward adds into the rows the batch touched and only those, and <c>TrainStep</c> updates only
/// those rows (see docs/ops.md, "Sparse updates"), so a step costs what the batch touches, not
/// vocabulary × dimension.
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class EmbeddingAttribute(int vocabulary, int dimension) : Attribute
{
    /// <summary>
    /// Declares <c>Count</c> layers of this kind at once, like PyTorch's ModuleList: the method then
    /// takes a constant index first, <c>Tensor Emb(int i, Tokens t)</c>, and the tensors are named
    /// <c>Emb.0.weight</c>, <c>Emb.1.weight</c>, …
    /// </summary>
    public int Count { get; set; }

    public int Vocabulary { get; } = vocabulary;
    public int Dimension { get; } = dimension;
    /// <summary>
    /// <see cref="Init.Auto"/> is <see cref="Init.Word2Vec"/>, U(−0.5/dim, 0.5/dim), word2vec's input vectors.
    /// word2vec starts its output (context) vectors at zero: <see cref="Init.Zeros"/>. <see cref="Init.Normal"/>
    /// is PyTorch's <c>nn.Embedding</c> default, N(0, 1) (set <see cref="Std"/> for another width).
    /// </summary>
    public Init Init { get; set; } = Init.Auto;
    /// <summary>Standard deviation for <see cref="Init.Normal"/>; 1 as in PyTorch.</summary>
    public float Std { get; set; } = 1f;
}
