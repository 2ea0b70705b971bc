using DeepNotes;
using static DeepNotes.Ops;

namespace DeepNotes.Models;

/// <summary>
/// word2vec's skip-gram with negative sampling (Mikolov et al. 2013; d2l 15.1–15.2): each example is a
/// center word, its true context word and <see cref="Negatives"/> noise words; the center's input vector
/// is scored against the context words' output vectors and the scores are fitted to the labels 1, 0, …, 0
/// by binary cross-entropy (the sigmoid is fused in). The sizes are REFERENCE.md's workload: a vocabulary
/// of 10,000 ids (the shipped fortunes corpus has 7,768 at min-count 5, unknown included, so it fits with
/// room for other settings; rows no batch names cost memory but no time, as the updates are sparse) and
/// 100 dimensions. Batches come from DeepNotes.Text.SkipGramBatcher: Centers [B], Contexts [B, 1 + K],
/// Labels [B, 1 + K]: <c>TrainStep(batcher.Centers, batcher.Contexts, batcher.Labels, batch, ref sgd)</c>.
/// </summary>
[Model]
public sealed partial class SkipGram
{
    public const int Vocabulary = 10_000, Dimension = 100, Negatives = 5;

    /// <summary>Input vectors (the embeddings one keeps): word2vec's U(−0.5/dim, 0.5/dim).</summary>
    [Embedding(Vocabulary, Dimension)] private partial Tensor Center(Tokens word);
    /// <summary>Output vectors: zero at the start, as in word2vec.</summary>
    [Embedding(Vocabulary, Dimension, Init = Init.Zeros)] private partial Tensor Context(Tokens words);

    [Forward]
    private Tensor Forward(Tokens center, [Shape(1 + Negatives)] Tokens contexts)
    {
        var u = Center(center);     // [100]
        var v = Context(contexts);  // [6, 100]
        return MatMul(v, u);        // [6]: the score of each (center, context) pair
    }

    [Loss]
    private Tensor Loss(Tensor scores, Tensor labels) => BinaryCrossEntropy(scores, labels);
}
