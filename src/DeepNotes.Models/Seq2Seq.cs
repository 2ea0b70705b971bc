using DeepNotes;
using static DeepNotes.Ops;

namespace DeepNotes.Models;

/// <summary>
/// An encoder-decoder Transformer with attention, one block each, for sequence-to-sequence tasks over 10 symbols
/// and 8 positions (the tests reverse a sequence). Encoder: embedding + positional encoding, multi-head
/// self-attention, feed-forward, each with a residual and LayerNorm. Decoder: embedding of the target shifted
/// right (teacher forcing: <see cref="Start"/> first), positional encoding, causal multi-head self-attention,
/// cross-attention (queries from the decoder, keys and values from the encoder's output), feed-forward, each with
/// a residual and LayerNorm; then logits [8, 10], one row per position, against per-position labels.
/// </summary>
[Model]
public sealed partial class Seq2Seq
{
    public const int Symbols = 10, Length = 8, Width = 32, Heads = 4, HeadWidth = Width / Heads, Hidden = 64;
    /// <summary>The decoder's start token: its vocabulary is the symbols and this one.</summary>
    public const int Start = Symbols;
    /// <summary>1/√HeadWidth, the scale of the dot-product scores.</summary>
    private const float Scale = 0.35355339059327373f;

    [Embedding(Symbols, Width, Init = Init.Normal)] private partial Tensor SourceEmbed(Tokens tokens);
    [Embedding(Symbols + 1, Width, Init = Init.Normal)] private partial Tensor TargetEmbed(Tokens tokens);

    [Linear(Width, 3 * Width)] private partial Tensor EncoderQkv(Tensor x);
    [Linear(Width, Width)] private partial Tensor EncoderProject(Tensor x);
    [Linear(Width, 3 * Width)] private partial Tensor DecoderQkv(Tensor x);
    [Linear(Width, Width)] private partial Tensor DecoderProject(Tensor x);
    [Linear(Width, Width)] private partial Tensor CrossQuery(Tensor x);
    [Linear(Width, 2 * Width)] private partial Tensor CrossKeyValue(Tensor x);
    [Linear(Width, Width)] private partial Tensor CrossProject(Tensor x);
    [Linear(Width, Hidden, Count = 2)] private partial Tensor Expand(int i, Tensor x);
    [Linear(Hidden, Width, Count = 2)] private partial Tensor Contract(int i, Tensor x);
    [LayerNorm(Width, Count = 5)] private partial Tensor Norm(int i, Tensor x);
    [Linear(Width, Symbols)] private partial Tensor Logits(Tensor x);

    /// <summary>[8, 32] → [4, 8, 8]: one [8, 8] matrix per head.</summary>
    [Block]
    private Tensor SplitHeads(Tensor x) => Permute(Reshape(x, Length, Heads, HeadWidth), 1, 0, 2);

    /// <summary>[4, 8, 8] → [8, 32]: the heads side by side again.</summary>
    [Block]
    private Tensor MergeHeads(Tensor x) => Reshape(Permute(x, 1, 0, 2), Length, Width);

    [Block]
    private Tensor Attention(Tensor q, Tensor k, Tensor v) => MergeHeads(MatMul(Softmax(MatMul(q, Transpose(k)) * Scale), v));

    [Block]
    private Tensor CausalAttention(Tensor q, Tensor k, Tensor v) => MergeHeads(MatMul(CausalSoftmax(MatMul(q, Transpose(k)) * Scale), v));

    [Block]
    private Tensor FeedForward(Tensor x, int i) => Contract(i, Relu(Expand(i, x)));

    [Forward]
    private Tensor Forward([Shape(Length)] Tokens source, [Shape(Length)] Tokens shifted)
    {
        // Encoder
        var e = PositionalEncoding(SourceEmbed(source));                                  // [8, 32]
        var eqkv = EncoderQkv(e);                                                         // [8, 96]
        var self = Attention(SplitHeads(Split(eqkv, 1, 3, 0)), SplitHeads(Split(eqkv, 1, 3, 1)), SplitHeads(Split(eqkv, 1, 3, 2)));
        e = Norm(0, e + EncoderProject(self));
        var memory = Norm(1, e + FeedForward(e, 0));                                      // the encoder's output, [8, 32]

        // Decoder
        var d = PositionalEncoding(TargetEmbed(shifted));                                 // [8, 32]
        var dqkv = DecoderQkv(d);
        var causal = CausalAttention(SplitHeads(Split(dqkv, 1, 3, 0)), SplitHeads(Split(dqkv, 1, 3, 1)), SplitHeads(Split(dqkv, 1, 3, 2)));
        d = Norm(2, d + DecoderProject(causal));
        var kv = CrossKeyValue(memory);                                                   // [8, 64]
        var cross = Attention(SplitHeads(CrossQuery(d)), SplitHeads(Split(kv, 1, 2, 0)), SplitHeads(Split(kv, 1, 2, 1)));
        d = Norm(3, d + CrossProject(cross));
        d = Norm(4, d + FeedForward(d, 1));
        return Logits(d);                                                                 // [8, 10]
    }

    [Loss]
    private Tensor Loss(Tensor logits, [Shape(Length)] Labels target) => CrossEntropy(logits, target);
}
