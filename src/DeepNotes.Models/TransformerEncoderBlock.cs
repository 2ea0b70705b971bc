using DeepNotes;
using static DeepNotes.Ops;

namespace DeepNotes.Models;

/// <summary>
/// One Transformer encoder block (post-norm, as in "Attention Is All You Need") with a sequence classifier on
/// top: token embedding + sinusoidal positional encoding; multi-head self-attention (Q, K and V from one
/// projection, cut apart by Split, heads split and merged by Reshape/Permute) whose softmax masks padded keys;
/// residual + LayerNorm; position-wise feed-forward (Linear-ReLU-Linear); residual + LayerNorm; the mean of the
/// unpadded positions; a linear classifier. Inputs: token ids [8] and a padding mask [8] (1 = a token, 0 = padding).
/// </summary>
[Model]
public sealed partial class TransformerEncoderBlock
{
    public const int Vocabulary = 16, Length = 8, Width = 32, Heads = 4, HeadWidth = Width / Heads, Hidden = 64, Classes = 2;
    /// <summary>1/√HeadWidth, the scale of the dot-product scores.</summary>
    private const float Scale = 0.35355339059327373f;

    [Embedding(Vocabulary, Width, Init = Init.Normal)] private partial Tensor Embed(Tokens tokens);
    [Linear(Width, 3 * Width)] private partial Tensor QueryKeyValue(Tensor x);
    [Linear(Width, Width)] private partial Tensor Project(Tensor x);
    [LayerNorm(Width)] private partial Tensor AttentionNorm(Tensor x);
    [Linear(Width, Hidden)] private partial Tensor Expand(Tensor x);
    [Linear(Hidden, Width)] private partial Tensor Contract(Tensor x);
    [LayerNorm(Width)] private partial Tensor FeedForwardNorm(Tensor x);
    [Linear(Width, Classes)] private partial Tensor Classify(Tensor x);

    /// <summary>[8, 32] → [4, 8, 8]: one [8, 8] matrix per head.</summary>
    [Block]
    private Tensor SplitHeads(Tensor x) => Permute(Reshape(x, Length, Heads, HeadWidth), 1, 0, 2);

    [Forward]
    private Tensor Forward([Shape(Length)] Tokens tokens, [Shape(Length)] Tensor mask)
    {
        var x = PositionalEncoding(Embed(tokens));                             // [8, 32]
        var qkv = QueryKeyValue(x);                                            // [8, 96]
        var q = SplitHeads(Split(qkv, 1, 3, 0));                               // [4, 8, 8]
        var k = SplitHeads(Split(qkv, 1, 3, 1));
        var v = SplitHeads(Split(qkv, 1, 3, 2));
        var weights = Softmax(MatMul(q, Transpose(k)) * Scale, mask);          // [4, 8, 8], padded keys 0
        var heads = Reshape(Permute(MatMul(weights, v), 1, 0, 2), Length, Width); // heads merged: [8, 32]
        x = AttentionNorm(x + Project(heads));
        x = FeedForwardNorm(x + Contract(Relu(Expand(x))));
        return Classify(MaskedMean(x, mask));                                  // [2]
    }

    [Loss]
    private Tensor Loss(Tensor logits, Labels label) => CrossEntropy(logits, label);
}
