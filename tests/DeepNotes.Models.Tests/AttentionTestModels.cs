using static DeepNotes.Ops;

namespace DeepNotes.Models.Tests;

// Two models for the "previous symbol" task of AttentionTrainingTests: each position of a sequence of
// symbols (one-hot, with a one-hot position beside it) must name the symbol one step before it.

/// <summary>Single-head attention: a position can look up the one before it by matching positions in Q·Kᵀ.</summary>
[Model]
public sealed partial class PreviousSymbolAttention
{
    public const int Length = 6, Symbols = 4, Features = Symbols + Length;

    [Linear(Features, 16)] private partial Tensor Q(Tensor x);
    [Linear(Features, 16)] private partial Tensor K(Tensor x);
    [Linear(Features, 16)] private partial Tensor V(Tensor x);
    [Linear(16, Symbols)] private partial Tensor Out(Tensor x);

    [Forward]
    private Tensor Forward([Shape(Length, Features)] Tensor x)
    {
        var scores = MatMul(Q(x), Transpose(K(x))) * 0.25f;
        return Out(MatMul(Softmax(scores), V(x)));
    }

    [Loss]
    private Tensor Loss(Tensor y, Tensor target) => Mse(y, target);
}

/// <summary>
/// A bag of words: each position sees its own symbol and position and the mean of the whole sequence's
/// features (MaskedMean with an all-ones mask), which says which symbols occur but not in what order.
/// </summary>
[Model]
public sealed partial class PreviousSymbolBag
{
    public const int Length = 6, Symbols = 4, Features = Symbols + Length;

    [Linear(Features, 32)] private partial Tensor Own(Tensor x);
    [Linear(Features, 32)] private partial Tensor Bag(Tensor x);
    [Linear(32, Symbols)] private partial Tensor Out(Tensor x);

    [Forward]
    private Tensor Forward([Shape(Length, Features)] Tensor x, [Shape(Length)] Tensor ones)
        => Out(Relu(Own(x) + Bag(MaskedMean(x, ones))));

    [Loss]
    private Tensor Loss(Tensor y, Tensor target) => Mse(y, target);
}

/// <summary>
/// Multi-head attention through the layout ops: [4, 6] split into 2 heads of 3 by Reshape and Permute,
/// per-head products over the leading head axis (one through a stored Transpose, one causal), heads merged back;
/// plus a Permute that moves the last axis (the strided copy).
/// </summary>
[Model]
public sealed partial class MultiHeadNet
{
    [Linear(6, 6)] private partial Tensor Q(Tensor x);
    [Linear(6, 6)] private partial Tensor K(Tensor x);
    [Linear(6, 6)] private partial Tensor V(Tensor x);
    [Linear(6, 5)] private partial Tensor Out(Tensor x);

    [Block]
    private Tensor Heads(Tensor x) => Permute(Reshape(x, 4, 2, -1), 1, 0, 2); // [2, 4, 3]

    [Forward]
    private Tensor Forward([Shape(4, 6)] Tensor x)
    {
        var q = Heads(Q(x));
        var k = Heads(K(x));
        var v = Heads(V(x));
        var full = Softmax(MatMul(q, Transpose(k)) * 0.5f);       // [2, 4, 4]
        var kt = Transpose(k);                                      // [2, 3, 4], a copy
        var causal = CausalSoftmax(MatMul(q, kt));                  // [2, 4, 4]
        var o = MatMul(full, v) + MatMul(causal, v);                // [2, 4, 3]
        var merged = Reshape(Permute(o, 1, 0, 2), 4, 6);            // [4, 6]
        var moved = Reshape(Permute(Reshape(V(x), 4, 2, 3), 2, 0, 1), 4, 6);
        return Out(merged + moved * 0.3f);
    }

    [Loss]
    private Tensor Loss(Tensor y, Tensor t) => Mse(y, t);
}

/// <summary>Layout only: [4, 6] → [4, 2, 3] → axes (2, 0, 1) → [3, 4, 2]; Predict shows where each value goes.</summary>
[Model]
public sealed partial class LayoutNet
{
    [Forward]
    private Tensor Forward([Shape(4, 6)] Tensor x) => Transpose(Permute(Reshape(x, 4, 2, 3), 2, 0, 1));

    [Loss]
    private Tensor Loss(Tensor y, Tensor t) => Mse(y, t);
}
