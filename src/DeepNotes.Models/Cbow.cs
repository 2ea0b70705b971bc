using DeepNotes;
using static DeepNotes.Ops;

namespace DeepNotes.Models;

/// <summary>
/// word2vec's continuous bag of words with negative sampling (Mikolov et al. 2013): each example is the
/// context window of a word (up to 2·<see cref="Window"/> words), the word itself and <see cref="Negatives"/>
/// noise words. The mean of the context words' input vectors (word2vec's default <c>-cbow 1</c>) is scored
/// against the output vectors of the word and the noise words, and the scores are fitted to the labels
/// 1, 0, …, 0 by binary cross-entropy (the sigmoid is fused in). Sizes as <see cref="SkipGram"/>'s.
/// The inputs are DeepNotes.Text.CbowBatcher's buffers as they come: Contexts [B, 2·window] (valid words
/// first, then padding, which may be a real id such as &lt;unk&gt;'s 0), ContextMask [B, 2·window] (1 for
/// the valid slots, 0 for padding: the mean counts only those), Targets [B, 1 + K] and Labels [B, 1 + K].
/// The mean of looked-up rows compiles to one fused bag-of-embeddings kernel that reads, and updates,
/// only the rows of the valid slots.
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
    private Tensor Forward([Shape(2 * Window)] Tokens contexts, [Shape(2 * Window)] Tensor contextMask, [Shape(1 + Negatives)] Tokens targets)
    {
        var h = MaskedMean(Context(contexts), contextMask);  // [100]: the mean of the valid context slots
        var w = Center(targets);                             // [6, 100]
        return MatMul(w, h);                                 // [6]: the score of the word and of each noise word
    }

    [Loss]
    private Tensor Loss(Tensor scores, Tensor labels) => BinaryCrossEntropy(scores, labels);
}
