using static DeepNotes.Ops;

namespace DeepNotes.Models.Tests;

// Small models that put the sequence ops through the compiler for the gradient checks and the padding test:
// per-position labels, Concat and Split, the positional encoding, and softmax with a key-padding mask.

/// <summary>Per-position labels: token ids [5] → embedding + positional encoding → logits [5, 4], one label per position.</summary>
[Model]
public sealed partial class PerPositionNet
{
    public const int Length = 5, Vocabulary = 7, Classes = 4;
    [Embedding(Vocabulary, 6, Init = Init.Normal, Std = 0.5f)] private partial Tensor E(Tokens ids);
    [Linear(6, Classes)] private partial Tensor Out(Tensor x);

    [Forward]
    private Tensor Forward([Shape(Length)] Tokens ids) => Out(Tanh(PositionalEncoding(E(ids))));

    [Loss]
    private Tensor Loss(Tensor logits, [Shape(Length)] Labels y) => CrossEntropy(logits, y);
}

/// <summary>
/// Concat and Split along the first, the last (also as -1) and a middle axis, a part used twice and a part
/// never used, and a masked softmax with its scale folded in (the mask an input; one example fully masked in the test).
/// </summary>
[Model]
public sealed partial class ConcatSplitNet
{
    [Linear(6, 9)] private partial Tensor Qkv(Tensor x);
    [Linear(6, 5)] private partial Tensor Out(Tensor x);

    [Forward]
    private Tensor Forward([Shape(4, 6)] Tensor x, [Shape(4)] Tensor mask)
    {
        var qkv = Qkv(x);                                                    // [4, 9]
        var q = Split(qkv, 1, 3, 0);                                         // [4, 3]
        var k = Split(qkv, -1, 3, 1);
        var v = Split(qkv, 1, 3, 2);
        var w = Softmax(MatMul(q, Transpose(k)) * 0.7f, mask);               // [4, 4], masked columns 0
        var o = MatMul(w, v);                                                // [4, 3]
        var both = Concat(1, o, q);                                          // [4, 6]
        var swapped = Concat(0, Split(both, 0, 2, 1), Split(both, 0, 2, 0)); // the two row halves swapped
        var middle = Reshape(Concat(1, Reshape(o, 2, 2, 3), Reshape(q, 2, 2, 3)), 4, 6); // along the middle axis of [2, 2, 3]
        var unused = Split(x, 0, 4, 3);                                      // a Split of the input: nothing to differentiate
        return Out(swapped + both * 0.5f + Tanh(middle)) + Sum(unused) * 0f;
    }

    [Loss]
    private Tensor Loss(Tensor y, Tensor t) => Mse(y, t);
}

/// <summary>Key-padding attention over token sequences of 6: embedding + positional encoding, one head, padded keys masked.</summary>
[Model]
public sealed partial class PaddedAttention6
{
    public const int Length = 6, Vocabulary = 9, Width = 8;
    [Embedding(Vocabulary, Width, Init = Init.Normal)] private partial Tensor E(Tokens ids);
    [Linear(Width, Width)] private partial Tensor Q(Tensor x);
    [Linear(Width, Width)] private partial Tensor K(Tensor x);
    [Linear(Width, Width)] private partial Tensor V(Tensor x);

    [Forward]
    private Tensor Forward([Shape(Length)] Tokens ids, [Shape(Length)] Tensor mask)
    {
        var h = PositionalEncoding(E(ids));
        return MatMul(Softmax(MatMul(Q(h), Transpose(K(h))) * 0.35f, mask), V(h)) + h;
    }

    [Loss]
    private Tensor Loss(Tensor y, Tensor t) => Mse(y, t);
}

/// <summary>The same layers over sequences of 4: the unpadded sequences PaddedAttention6's outputs must match.</summary>
[Model]
public sealed partial class PaddedAttention4
{
    public const int Length = 4, Vocabulary = 9, Width = 8;
    [Embedding(Vocabulary, Width, Init = Init.Normal)] private partial Tensor E(Tokens ids);
    [Linear(Width, Width)] private partial Tensor Q(Tensor x);
    [Linear(Width, Width)] private partial Tensor K(Tensor x);
    [Linear(Width, Width)] private partial Tensor V(Tensor x);

    [Forward]
    private Tensor Forward([Shape(Length)] Tokens ids, [Shape(Length)] Tensor mask)
    {
        var h = PositionalEncoding(E(ids));
        return MatMul(Softmax(MatMul(Q(h), Transpose(K(h))) * 0.35f, mask), V(h)) + h;
    }

    [Loss]
    private Tensor Loss(Tensor y, Tensor t) => Mse(y, t);
}

/// <summary>The positional encoding alone: Predict returns x + P, so a test reads P off a zero input.</summary>
[Model]
public sealed partial class PositionalNet
{
    [Forward]
    private Tensor Forward([Shape(7, 6)] Tensor x) => PositionalEncoding(x);

    [Loss]
    private Tensor Loss(Tensor y, Tensor t) => Mse(y, t);
}

/// <summary>
/// A bag of words of about TransformerEncoderBlock's size (8,930 parameters against its 9,090): the mean of the
/// unpadded tokens' embeddings through a two-layer MLP. It sees which tokens occur, never in what order.
/// </summary>
[Model]
public sealed partial class TokenBag
{
    public const int Vocabulary = TransformerEncoderBlock.Vocabulary, Length = TransformerEncoderBlock.Length;
    [Embedding(Vocabulary, 32, Init = Init.Normal)] private partial Tensor Embed(Tokens tokens);
    [Linear(32, 128)] private partial Tensor Hidden1(Tensor x);
    [Linear(128, 32)] private partial Tensor Hidden2(Tensor x);
    [Linear(32, 2)] private partial Tensor Classify(Tensor x);

    [Forward]
    private Tensor Forward([Shape(Length)] Tokens tokens, [Shape(Length)] Tensor mask)
        => Classify(Relu(Hidden2(Relu(Hidden1(MaskedMean(Embed(tokens), mask))))));

    [Loss]
    private Tensor Loss(Tensor logits, Labels label) => CrossEntropy(logits, label);
}

/// <summary>
/// Per-position labels on a model with one float input: not an IClassifier (its labels are not one per
/// example), so its methods take the input under its own name, then the labels; Nll over a LogSoftmax.
/// </summary>
[Model]
public sealed partial class FloatPositionNet
{
    [Linear(6, 3)] private partial Tensor Out(Tensor x);

    [Forward]
    private Tensor Forward([Shape(5, 6)] Tensor x) => LogSoftmax(Out(x));

    [Loss]
    private Tensor Loss(Tensor logProbabilities, [Shape(5)] Labels tags) => Nll(logProbabilities, tags);
}
