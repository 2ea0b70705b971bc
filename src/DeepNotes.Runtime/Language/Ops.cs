namespace DeepNotes;

/// <summary>
/// The operations of the model language. Each is a compile-time symbol: the generator turns a call
/// into a kernel call with its shapes checked; calling one at run time throws.
/// See docs/ops.md for shapes and gradients.
/// </summary>
public static class Ops
{
    internal static NotSupportedException SpecOnly() =>
        new("DeepNotes spec methods describe a model to the compiler and are never run; call the generated Predict/TrainStep instead.");

    /// <summary>max(x, 0), element-wise.</summary>
    public static Tensor Relu(Tensor x) => throw SpecOnly();
    /// <summary>1 / (1 + e^-x), element-wise.</summary>
    public static Tensor Sigmoid(Tensor x) => throw SpecOnly();
    /// <summary>tanh(x), element-wise.</summary>
    public static Tensor Tanh(Tensor x) => throw SpecOnly();
    /// <summary>e^x, element-wise.</summary>
    public static Tensor Exp(Tensor x) => throw SpecOnly();
    /// <summary>Natural logarithm, element-wise.</summary>
    public static Tensor Log(Tensor x) => throw SpecOnly();
    /// <summary>Softmax over the last axis.</summary>
    public static Tensor Softmax(Tensor x) => throw SpecOnly();
    /// <summary>
    /// Softmax over the last axis of scores [..., n, m] with a key-padding mask: <paramref name="mask"/> is a
    /// per-example [m] input of [Forward] (1 keeps a column, 0 masks it) shared by every row of the example.
    /// Masked entries are exactly 0; a row with every column masked is all zeros. The mask gets no gradient.
    /// </summary>
    public static Tensor Softmax(Tensor scores, Tensor mask) => throw SpecOnly();
    /// <summary>
    /// Softmax over the last axis of per-example matrices [..., n, m] with a causal mask: row i sees columns
    /// 0..i only (PyTorch's <c>is_causal</c>); the masked entries are 0.
    /// </summary>
    public static Tensor CausalSoftmax(Tensor x) => throw SpecOnly();
    /// <summary>log(softmax(x)) over the last axis, computed stably.</summary>
    public static Tensor LogSoftmax(Tensor x) => throw SpecOnly();
    /// <summary>
    /// Matrix product per example: [n, k] x [k, m] gives [n, m]. A vector operand works as in NumPy's
    /// <c>matmul</c>: [n, k] x [k] gives [n] (e.g. word2vec's scores of a word against its contexts),
    /// [k] x [k, m] gives [m], [k] x [k] gives one number per example.
    /// </summary>
    /// <remarks>
    /// Operands with leading axes, [..., n, k] x [..., k, m] with the same leading axes, are a product per
    /// leading index: multi-head attention's [h, n, d] x [h, d, n] → [h, n, n].
    /// </remarks>
    public static Tensor MatMul(Tensor a, Tensor b) => throw SpecOnly();
    /// <summary>
    /// The per-example matrix [..., n, m] transposed (its last two axes swapped): [..., m, n]. As the second operand of <see cref="MatMul"/>,
    /// <c>MatMul(q, Transpose(k))</c>, it costs nothing: the product reads k's rows as they are (attention's
    /// Q·Kᵀ); anywhere else it is a copy.
    /// </summary>
    public static Tensor Transpose(Tensor x) => throw SpecOnly();
    /// <summary>
    /// The same elements, in the same order, as per-example dims <paramref name="shape"/> (one of them may be -1:
    /// whatever the others leave). Free: a view of the same memory. [n, h·d] → [n, h, d] splits attention heads.
    /// </summary>
    public static Tensor Reshape(Tensor x, params int[] shape) => throw SpecOnly();
    /// <summary>
    /// The per-example axes in the order <paramref name="axes"/> (a permutation of 0..rank−1, at most 4 axes), as
    /// PyTorch's <c>permute(...).contiguous()</c>: a copy. [n, h, d] with (1, 0, 2) gives [h, n, d].
    /// </summary>
    public static Tensor Permute(Tensor x, params int[] axes) => throw SpecOnly();
    /// <summary>
    /// The tensors joined along per-example <paramref name="axis"/> (negative counts from the end), as
    /// <c>torch.cat(tensors, axis)</c>: every other axis must agree; the result's axis is the sum of theirs.
    /// [n, 32] and [n, 32] along 1 give [n, 64]. A copy; backward slices the gradient back out.
    /// </summary>
    public static Tensor Concat(int axis, params Tensor[] tensors) => throw SpecOnly();
    /// <summary>
    /// Part <paramref name="index"/> of <paramref name="parts"/> equal slices of <paramref name="x"/> along per-example
    /// <paramref name="axis"/>, as <c>torch.chunk(x, parts, axis)[index]</c> with a size that <paramref name="parts"/>
    /// divides: [n, 96] split along 1 into 3 gives three [n, 32] (a fused Q/K/V projection). A copy; backward places
    /// the gradient into zeros.
    /// </summary>
    public static Tensor Split(Tensor x, int axis, int parts, int index) => throw SpecOnly();
    /// <summary>
    /// x + P for per-example sequences x [n, d], P the sinusoidal positional encoding of the notes:
    /// P[i, 2j] = sin(i / 10000^(2j/d)), P[i, 2j+1] = cos(i / 10000^(2j/d)). The table is a constant computed
    /// once; the gradient passes through unchanged.
    /// </summary>
    public static Tensor PositionalEncoding(Tensor x) => throw SpecOnly();
    /// <summary>All per-example axes into one: [c, h, w] becomes [c*h*w]. Free: a view of the same memory.</summary>
    public static Tensor Flatten(Tensor x) => throw SpecOnly();
    /// <summary>Sum of every element, batch included: a scalar.</summary>
    public static Tensor Sum(Tensor x) => throw SpecOnly();
    /// <summary>Mean of every element, batch included: a scalar.</summary>
    public static Tensor Mean(Tensor x) => throw SpecOnly();
    /// <summary>Inverted dropout: zeroes each element with probability p and scales the rest by 1/(1-p) in training; identity in Predict.</summary>
    public static Tensor Dropout(Tensor x, float p) => throw SpecOnly();

    /// <summary>Max pooling over [C, H, W]: windows of kernel × kernel, moved by stride (default: the kernel), padding counts as −∞.</summary>
    public static Tensor MaxPool2d(Tensor x, int kernel, int stride = 0, int padding = 0) => throw SpecOnly();
    /// <summary>Average pooling over [C, H, W] (padding counts in the divisor, as PyTorch's default).</summary>
    public static Tensor AvgPool2d(Tensor x, int kernel, int stride = 0, int padding = 0) => throw SpecOnly();
    /// <summary>The mean of each channel: [C, H, W] becomes [C].</summary>
    public static Tensor GlobalAvgPool2d(Tensor x) => throw SpecOnly();

    /// <summary>Token ids [...] as one-hot floats [..., classes]. Ids are checked against [0, classes) when the generated methods are called.</summary>
    public static Tensor OneHot(Tokens tokens, int classes) => throw SpecOnly();
    /// <summary>
    /// The mean of <paramref name="x"/> [n, ...] over its first axis weighted by <paramref name="mask"/> [n]:
    /// Σₛ mask[s]·x[s] / Σₛ mask[s], giving [...]; zeros where the mask sums to 0. With a 0/1 mask it is the
    /// mean of the valid slots: CBOW's average of its context vectors, with the mask of
    /// <c>CbowBatcher.ContextMask</c>. <c>MaskedMean(Embedding(tokens), mask)</c> with a mask that is an
    /// input of [Forward] compiles to one fused bag-of-embeddings kernel that reads only the rows whose weight is not 0.
    /// </summary>
    public static Tensor MaskedMean(Tensor x, Tensor mask) => throw SpecOnly();

    /// <summary>Softmax cross-entropy from logits [C] and labels, averaged over the batch (softmax fused in).</summary>
    public static Tensor CrossEntropy(Tensor logits, Labels labels) => throw SpecOnly();
    /// <summary>Negative log-likelihood from log-probabilities [C] and labels, averaged over the batch.</summary>
    public static Tensor Nll(Tensor logProbabilities, Labels labels) => throw SpecOnly();
    /// <summary>Mean squared error over every element: mean((y - t)²).</summary>
    public static Tensor Mse(Tensor prediction, Tensor target) => throw SpecOnly();
    /// <summary>Binary cross-entropy from logits (sigmoid fused in) against targets in [0, 1], averaged over every element; multi-label.</summary>
    public static Tensor BinaryCrossEntropy(Tensor logits, Tensor targets) => throw SpecOnly();
}
