using static DeepNotes.Ops;

namespace DeepNotes.Models.Tests;

// Small models that put the token ops through the compiler, so their gradients can be checked
// against finite differences: Embedding (plain and fused into a bag), MaskedMean with an input mask
// and with a learned one, OneHot, and MatMul with vector operands.

/// <summary>An embedding lookup of 4 tokens per example, through a Linear layer: repeated ids add up.</summary>
[Model]
public sealed partial class EmbeddingNet
{
    public const int Vocabulary = 7;
    [Embedding(Vocabulary, 3, Init = Init.Normal)] private partial Tensor E(Tokens ids);
    [Linear(12, 2)] private partial Tensor Out(Tensor x);

    [Forward]
    private Tensor Forward([Shape(4)] Tokens ids) => Tanh(Out(Flatten(E(ids))));

    [Loss]
    private Tensor Loss(Tensor y, Tensor targets) => Mse(y, targets);
}

/// <summary>
/// The masked mean without fusion (Tanh sits between the lookup and the mean), and OneHot: classes of the
/// same tokens as floats through a Linear layer.
/// </summary>
[Model]
public sealed partial class MaskedMeanNet
{
    [Embedding(6, 3, Init = Init.Normal)] private partial Tensor E(Tokens ids);
    [Linear(3, 2)] private partial Tensor Out(Tensor x);
    [Linear(6, 2)] private partial Tensor FromOneHot(Tensor x);

    [Forward]
    private Tensor Forward([Shape(5)] Tokens ids, [Shape(5)] Tensor mask, Tokens word)
    {
        var h = MaskedMean(Tanh(E(ids)), mask);  // [3]
        return Out(h) + FromOneHot(OneHot(word, 6));
    }

    [Loss]
    private Tensor Loss(Tensor y, Tensor targets) => Mse(y, targets);
}

/// <summary>A learned mask: the weights of the mean come from the input through a gate, so they get a gradient too.</summary>
[Model]
public sealed partial class LearnedMaskNet
{
    [Linear(3, 1)] private partial Tensor Gate(Tensor x);
    [Linear(3, 2)] private partial Tensor Out(Tensor x);

    [Forward]
    private Tensor Forward([Shape(5, 3)] Tensor x)
    {
        var weights = Sigmoid(Flatten(Gate(x)));  // [5]
        return Out(MaskedMean(x * 2f, weights));  // [2]
    }

    [Loss]
    private Tensor Loss(Tensor y, [Shape(2)] Tensor t) => Mse(y, t);
}

/// <summary>
/// CBOW with one table for both sides: the fused bag of the masked contexts and a plain lookup of the
/// candidates write into the same gradient rows, through MatMul with a vector operand.
/// </summary>
[Model]
public sealed partial class SharedBagNet
{
    [Embedding(9, 4, Init = Init.Normal, Std = 0.5f)] private partial Tensor E(Tokens ids);

    [Forward]
    private Tensor Forward([Shape(4)] Tokens contexts, [Shape(4)] Tensor mask, [Shape(3)] Tokens candidates)
    {
        var h = MaskedMean(E(contexts), mask);  // [4]
        return MatMul(E(candidates), h);         // [3]
    }

    [Loss]
    private Tensor Loss(Tensor scores, Tensor labels) => BinaryCrossEntropy(scores, labels);
}

/// <summary>MatMul with vector operands: [n, k]·[k] → [n], [k]·[k, m] → [m], [k]·[k] → one number per example.</summary>
[Model]
public sealed partial class MatVecNet
{
    [Linear(4, 4)] private partial Tensor A(Tensor x);
    [Linear(4, 1)] private partial Tensor P(Tensor x);
    [Linear(12, 4)] private partial Tensor W(Tensor x);

    [Forward]
    private Tensor Forward([Shape(3, 4)] Tensor x)
    {
        var m = A(x);                    // [3, 4]
        var v = Flatten(P(x));           // [3]
        var w = W(Flatten(x));           // [4]
        var rows = MatMul(m, w);         // [3]
        var columns = MatMul(v, m);      // [4]
        var dot = MatMul(columns, w);    // []
        return rows * Tanh(dot);         // [3]
    }

    [Loss]
    private Tensor Loss(Tensor y, [Shape(3)] Tensor t) => Mse(y, t);
}

/// <summary>Indexed embeddings (Count = 2, named E.0 and E.1), one per input, summed.</summary>
[Model]
public sealed partial class IndexedEmbeddingNet
{
    [Embedding(5, 2, Count = 2, Init = Init.Normal)] private partial Tensor E(int i, Tokens ids);

    [Forward]
    private Tensor Forward([Shape(3)] Tokens first, [Shape(3)] Tokens second) => Sigmoid(E(0, first) + E(1, second) * E(1, first));

    [Loss]
    private Tensor Loss(Tensor y, [Shape(3, 2)] Tensor targets) => Mse(y, targets);
}
