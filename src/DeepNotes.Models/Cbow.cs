using DeepNotes;
using static DeepNotes.Ops;

namespace DeepNotes.Models;

/// <summary>
/// word2vec's continuous bag of words with negative sampling (Mikolov et al. 2013): each example is the
/// context window of a word (up to 2·<see cref="Window"/> words, the empty slots <see cref="Tokens.Padding"/>),
/// the word itself and <see cref="Negatives"/> noise words. The mean of the context words' input vectors
/// (word2vec's default <c>-cbow 1</c>) is scored against the output vectors of the word and the noise
/// words, fitted to the labels 1, 0, …, 0 by binary cross-entropy. Sizes as <see cref="SkipGram"/>'s.
/// Batches come from DeepNotes.Text.CbowBatcher created with <c>paddingId: Tokens.Padding</c>: Contexts
/// [B, 2·window], Targets [B, 1 + K] (the <c>centers</c> input here), Labels [B, 1 + K].
/// </summary>
[Model]
public sealed partial class Cbow
{
    public const int Vocabulary = 10_000, Dimension = 100, Window = 5, Negatives = 5;

    /// <summary>Input vectors (the embeddings one keeps): word2vec's U(−0.5/dim, 0.5/dim).</summary>
    [Embedding(Vocabulary, Dimension)] private partial Tensor Context(Tokens words);
    /// <summary>Output vectors: zero at the start, as in word2vec.</summary>
    [Embedding(Vocabulary, Dimension, Init = Init.Zeros)] private partial Tensor Center(Tokens words);

    [Forward]
    private Tensor Forward([Shape(2 * Window), Padded] Tokens contexts, [Shape(1 + Negatives)] Tokens centers)
    {
        var h = MaskedMean(Context(contexts), contexts);  // [100]: the mean of the non-padding slots
        return MatMul(Center(centers), h);                // [6]: the score of the word and of each noise word
    }

    [Loss]
    private Tensor Loss(Tensor scores, Tensor labels) => BinaryCrossEntropy(scores, labels);
}
