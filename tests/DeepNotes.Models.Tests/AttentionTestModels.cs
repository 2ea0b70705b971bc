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
