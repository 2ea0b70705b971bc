using System.Runtime.CompilerServices;
using System.Text;

namespace DeepNotes.Text;

/// <summary>Which characters make up a word for <see cref="WordTokenizer"/>; all others separate words.</summary>
public enum WordCharacters
{
    /// <summary>
    /// ASCII letters and digits (<c>[A-Za-z0-9]</c>): exactly how <c>scripts/make-fortunes-corpus.py</c>
    /// and <c>../shared/REFERENCE.md</c> split the corpus, so "don't" is "don" and "t", "café" is "caf".
    /// </summary>
    AsciiLettersAndDigits,

    /// <summary>
    /// Every UTF-16 code unit for which <see cref="char.IsLetterOrDigit(char)"/> holds (any script).
    /// Characters outside the Basic Multilingual Plane and combining marks are separators, so text
    /// should be in composed form (NFC).
    /// </summary>
    LettersAndDigits,
}

/// <summary>
/// Splits text into words: maximal runs of word characters (<see cref="Characters"/>), optionally
/// lower-cased; everything else separates words. With <see cref="PunctuationTokens"/> every
/// character that is neither a word character nor white space is a one-character token of its
/// own instead of being dropped (for sequence tasks where punctuation matters).
/// </summary>
/// <remarks>
/// <see cref="Encode"/> and <see cref="EnumerateTokens"/> allocate nothing: lower-casing goes
/// through a stack buffer and the vocabulary is looked up by span. Instances are immutable and may
/// be shared between threads.
/// </remarks>
public sealed class WordTokenizer
{
    /// <summary>
    /// Words longer than this are looked up in pieces of at most this many characters, like the
    /// word2vec C tool's MAX_STRING of 100 (it truncates them); <see cref="Tokenize(ReadOnlySpan{char})"/>
    /// and <see cref="CountWords"/> split them the same way, so counting and encoding always agree.
    /// </summary>
    public const int MaxTokenLength = 100;

    /// <summary>Creates a tokenizer.</summary>
    /// <param name="lowerCase">Lower-case words (ASCII letters only for <see cref="WordCharacters.AsciiLettersAndDigits"/>, invariant culture otherwise).</param>
    /// <param name="characters">Which characters make words.</param>
    /// <param name="punctuationTokens">Emit each punctuation character as a token of its own instead of dropping it.</param>
    public WordTokenizer(bool lowerCase = true, WordCharacters characters = WordCharacters.AsciiLettersAndDigits, bool punctuationTokens = false)
    {
        if (characters is not (WordCharacters.AsciiLettersAndDigits or WordCharacters.LettersAndDigits))
            throw new ArgumentOutOfRangeException(nameof(characters), characters, "Unknown WordCharacters value.");
        LowerCase = lowerCase;
        Characters = characters;
        PunctuationTokens = punctuationTokens;
    }

    /// <summary>The corpus convention: lower-cased ASCII letters and digits, everything else a separator.</summary>
    public static WordTokenizer Default { get; } = new();

    /// <summary>Whether words are lower-cased.</summary>
    public bool LowerCase { get; }

    /// <summary>Which characters make words.</summary>
    public WordCharacters Characters { get; }

    /// <summary>Whether punctuation characters are tokens (true) or separators (false).</summary>
    public bool PunctuationTokens { get; }

    /// <summary>Whether <paramref name="c"/> is part of a word.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool IsWordCharacter(char c) => Characters == WordCharacters.AsciiLettersAndDigits
        ? char.IsAsciiLetterOrDigit(c)
        : char.IsLetterOrDigit(c);

    /// <summary>The tokens of <paramref name="text"/> as spans of it, before lower-casing. Allocates nothing.</summary>
    public TokenEnumerator EnumerateTokens(ReadOnlySpan<char> text) => new(this, text);

    /// <summary>The tokens of <paramref name="text"/>, normalised (lower-cased if <see cref="LowerCase"/>).</summary>
    public List<string> Tokenize(ReadOnlySpan<char> text)
    {
        List<string> tokens = new();
        Span<char> scratch = stackalloc char[MaxTokenLength];
        foreach (ReadOnlySpan<char> token in EnumerateTokens(text))
            tokens.Add(new string(Normalize(token, scratch)));
        return tokens;
    }

    /// <summary>Adds one to <paramref name="counts"/>[word] for each token of <paramref name="text"/> (normalised).</summary>
    public void CountWords(ReadOnlySpan<char> text, Dictionary<string, long> counts)
    {
        ArgumentNullException.ThrowIfNull(counts);
        Dictionary<string, long>.AlternateLookup<ReadOnlySpan<char>> lookup = counts.GetAlternateLookup<ReadOnlySpan<char>>();
        Span<char> scratch = stackalloc char[MaxTokenLength];
        foreach (ReadOnlySpan<char> token in EnumerateTokens(text))
        {
            ReadOnlySpan<char> word = Normalize(token, scratch);
            ref long count = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(lookup, word, out _);
            count++;
        }
    }

    /// <summary>
    /// Writes the ids of the tokens of <paramref name="text"/> to <paramref name="ids"/> (words not in
    /// the vocabulary as <see cref="Vocabulary.UnknownId"/>) and returns how many there are. If
    /// <paramref name="ids"/> is too short, only its length is written and the return value is still
    /// the full count, so a caller can size a buffer with a first call. Allocates nothing.
    /// </summary>
    public int Encode(ReadOnlySpan<char> text, Vocabulary vocabulary, Span<int> ids)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        Span<char> scratch = stackalloc char[MaxTokenLength];
        int n = 0;
        foreach (ReadOnlySpan<char> token in EnumerateTokens(text))
        {
            if (n < ids.Length) ids[n] = vocabulary.GetId(Normalize(token, scratch));
            n++;
        }
        return n;
    }

    /// <summary>The number of tokens in <paramref name="text"/>.</summary>
    public int CountTokens(ReadOnlySpan<char> text)
    {
        int n = 0;
        foreach (ReadOnlySpan<char> _ in EnumerateTokens(text)) n++;
        return n;
    }

    /// <summary>The words of <paramref name="ids"/> joined by single spaces (the unknown id as <c>&lt;unk&gt;</c>).</summary>
    public static string Decode(ReadOnlySpan<int> ids, Vocabulary vocabulary)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        StringBuilder text = new();
        for (int i = 0; i < ids.Length; i++)
        {
            if (i > 0) text.Append(' ');
            text.Append(vocabulary.GetWord(ids[i]));
        }
        return text.ToString();
    }

    /// <summary>The normalised form of one token (at most <see cref="MaxTokenLength"/> characters), in <paramref name="scratch"/> if lower-casing.</summary>
    private ReadOnlySpan<char> Normalize(ReadOnlySpan<char> token, Span<char> scratch)
    {
        if (!LowerCase) return token;
        Span<char> lower = scratch[..token.Length];
        if (Characters == WordCharacters.AsciiLettersAndDigits)
        {
            for (int i = 0; i < token.Length; i++)
            {
                char c = token[i];
                lower[i] = char.IsAsciiLetterUpper(c) ? (char)(c | 0x20) : c;
            }
        }
        else
        {
            token.ToLowerInvariant(lower);
        }
        return lower;
    }

    /// <summary>Enumerates the tokens of a text as spans of it (raw, not lower-cased); a <c>ref struct</c>, so it allocates nothing.</summary>
    public ref struct TokenEnumerator
    {
        private readonly WordTokenizer _tokenizer;
        private readonly ReadOnlySpan<char> _text;
        private int _next;
        private ReadOnlySpan<char> _current;

        internal TokenEnumerator(WordTokenizer tokenizer, ReadOnlySpan<char> text)
        {
            _tokenizer = tokenizer;
            _text = text;
            _next = 0;
            _current = default;
        }

        /// <summary>The current token.</summary>
        public readonly ReadOnlySpan<char> Current => _current;

        /// <summary>Returns this enumerator, for <c>foreach</c>.</summary>
        public readonly TokenEnumerator GetEnumerator() => this;

        /// <summary>Advances to the next token.</summary>
        public bool MoveNext()
        {
            ReadOnlySpan<char> text = _text;
            int i = _next;
            while (i < text.Length)
            {
                char c = text[i];
                if (_tokenizer.IsWordCharacter(c))
                {
                    int start = i;
                    int end = Math.Min(text.Length, start + MaxTokenLength);
                    while (i < end && _tokenizer.IsWordCharacter(text[i])) i++;
                    _current = text[start..i];
                    _next = i;
                    return true;
                }
                if (_tokenizer.PunctuationTokens && !char.IsWhiteSpace(c) && !char.IsControl(c)
                    && !char.IsSurrogate(c))
                {
                    _current = text.Slice(i, 1);
                    _next = i + 1;
                    return true;
                }
                i++;
            }
            _next = text.Length;
            _current = default;
            return false;
        }
    }
}
