using System.IO;
using System.Text;

namespace DeepNotes.Text;

/// <summary>
/// Character-level tokenization: every Unicode scalar value (<see cref="Rune"/>) is a token, with
/// a <see cref="Vocabulary"/> of the characters seen (one-character words, same ordering and unknown
/// id 0). Nothing is normalised: case, white space and punctuation are characters like any other;
/// preprocess the text first if the model should not see them (the d2l notes keep a-z and space).
/// </summary>
/// <remarks>
/// An invalid UTF-16 sequence (an unpaired surrogate) encodes as the unknown id, and the unknown id
/// decodes as U+FFFD, the replacement character. <see cref="Encode"/> allocates nothing.
/// </remarks>
public sealed class CharTokenizer
{
    /// <summary>What <see cref="Decode"/> writes for <see cref="Vocabulary.UnknownId"/>.</summary>
    public const char UnknownCharacter = '\uFFFD';

    private readonly int[] _asciiIds = new int[128];
    private readonly Dictionary<int, int> _ids = new();
    private readonly Rune[] _runes;

    private CharTokenizer(Vocabulary vocabulary)
    {
        Vocabulary = vocabulary;
        _runes = new Rune[vocabulary.Count];
        _runes[0] = new Rune(UnknownCharacter);
        for (int id = 1; id < vocabulary.Count; id++)
        {
            Rune rune = Rune.GetRuneAt(vocabulary.GetWord(id), 0);
            _runes[id] = rune;
            if (rune.IsAscii) _asciiIds[rune.Value] = id;
            else _ids.Add(rune.Value, id);
        }
    }

    /// <summary>The character vocabulary (entry 0 is <c>&lt;unk&gt;</c>, every other entry one character).</summary>
    public Vocabulary Vocabulary { get; }

    /// <summary>Builds a tokenizer from the characters of <paramref name="texts"/> seen at least <paramref name="minCount"/> times.</summary>
    public static CharTokenizer Build(IEnumerable<string> texts, int minCount = 1, int maxSize = int.MaxValue)
    {
        ArgumentNullException.ThrowIfNull(texts);
        Dictionary<int, long> counts = new();
        foreach (string text in texts)
        {
            ArgumentNullException.ThrowIfNull(text, nameof(texts));
            Count(text, counts);
        }
        return FromCounts(counts, minCount, maxSize);
    }

    /// <summary>
    /// Builds a tokenizer from the characters of a text file (plain or gzip, UTF-8) seen at least
    /// <paramref name="minCount"/> times; line ends are not characters of it.
    /// </summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is corrupt gzip or not UTF-8.</exception>
    public static CharTokenizer FromFile(string path, int minCount = 1, int maxSize = int.MaxValue)
    {
        Dictionary<int, long> counts = new();
        TextFiles.ReadLines(path, "text file", ref counts, static (ref Dictionary<int, long> c, string line, int _) => Count(line, c));
        return FromCounts(counts, minCount, maxSize);
    }

    private static void Count(string text, Dictionary<int, long> counts)
    {
        foreach (Rune rune in text.EnumerateRunes())
        {
            if (rune.Value == UnknownCharacter) continue; // what invalid UTF-16 enumerates as; never a vocabulary entry
            counts[rune.Value] = counts.GetValueOrDefault(rune.Value) + 1;
        }
    }

    private static CharTokenizer FromCounts(Dictionary<int, long> counts, int minCount, int maxSize)
    {
        List<KeyValuePair<string, long>> words = new(counts.Count);
        foreach (KeyValuePair<int, long> entry in counts)
            words.Add(new(new Rune(entry.Key).ToString(), entry.Value));
        return new CharTokenizer(Vocabulary.Build(words, minCount, maxSize));
    }

    /// <summary>
    /// Writes the id of each character of <paramref name="text"/> to <paramref name="ids"/> and returns
    /// how many characters there are; if <paramref name="ids"/> is too short only its length is written
    /// and the return value is still the full count.
    /// </summary>
    public int Encode(ReadOnlySpan<char> text, Span<int> ids)
    {
        int n = 0;
        while (!text.IsEmpty)
        {
            int id;
            char c = text[0];
            if (c < 128)
            {
                id = _asciiIds[c];
                text = text[1..];
            }
            else
            {
                Rune.DecodeFromUtf16(text, out Rune rune, out int used);
                id = rune.Value != UnknownCharacter && _ids.TryGetValue(rune.Value, out int found) ? found : Vocabulary.UnknownId;
                text = text[used..];
            }
            if (n < ids.Length) ids[n] = id;
            n++;
        }
        return n;
    }

    /// <summary>The ids of the characters of <paramref name="text"/>.</summary>
    public int[] Encode(ReadOnlySpan<char> text)
    {
        int[] ids = new int[Encode(text, Span<int>.Empty)];
        Encode(text, ids);
        return ids;
    }

    /// <summary>The text of <paramref name="ids"/> (the unknown id as <see cref="UnknownCharacter"/>).</summary>
    public string Decode(ReadOnlySpan<int> ids)
    {
        StringBuilder text = new(ids.Length);
        Span<char> pair = stackalloc char[2];
        foreach (int id in ids)
        {
            if ((uint)id >= (uint)_runes.Length)
                throw new ArgumentOutOfRangeException(nameof(ids), id, $"Ids run from 0 to {_runes.Length - 1}.");
            int written = _runes[id].EncodeToUtf16(pair);
            text.Append(pair[..written]);
        }
        return text.ToString();
    }

    /// <summary>Writes the character vocabulary to <paramref name="path"/> atomically (format of <see cref="Vocabulary"/>, kind <c>characters</c>).</summary>
    public void Save(string path) => Vocabulary.Save(path, Vocabulary.CharactersKind);

    /// <summary>Reads a tokenizer written by <see cref="Save"/>, checking every line.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is malformed, or is a word vocabulary; the message names the line and the problem.</exception>
    public static CharTokenizer Load(string path) => new(Vocabulary.Load(path, Vocabulary.CharactersKind));
}
