using System.Globalization;
using System.IO;
using System.Text;

namespace DeepNotes.Text;

/// <summary>
/// A mapping between words and ids 0..<see cref="Count"/>-1 with each word's count: id 0 is the
/// unknown token <c>&lt;unk&gt;</c>, then the words in a deterministic order, by count descending
/// and ordinal string order among equal counts (so the most frequent word is id 1).
/// </summary>
/// <remarks>
/// <para>The count of <c>&lt;unk&gt;</c> is the total count of the words left out (below the
/// minimum count or beyond the maximum size), i.e. how often the unknown id stands in for a word
/// of the text the vocabulary was built from.</para>
/// <para>File format (<see cref="Save"/>, <see cref="Load"/>): UTF-8 text, <c>\n</c> line ends. Line 1
/// is the header <c>deepnotes-vocabulary&lt;TAB&gt;1&lt;TAB&gt;KIND&lt;TAB&gt;SIZE</c> (KIND is
/// <c>words</c>, or <c>characters</c> for <see cref="CharTokenizer"/>); then SIZE lines
/// <c>WORD&lt;TAB&gt;COUNT</c> in id order, the first being <c>&lt;unk&gt;</c>. In WORD, a backslash,
/// tab, line feed and carriage return are written <c>\\</c>, <c>\t</c>, <c>\n</c>, <c>\r</c>, and other
/// control characters <c>\uXXXX</c>, so any word survives the round trip.</para>
/// <para>Lookups allocate nothing (<see cref="GetId(ReadOnlySpan{char})"/> looks a span up directly);
/// a vocabulary is immutable and may be shared between threads.</para>
/// </remarks>
public sealed class Vocabulary
{
    /// <summary>The unknown token's text.</summary>
    public const string UnknownToken = "<unk>";

    /// <summary>The unknown token's id.</summary>
    public const int UnknownId = 0;

    internal const string Magic = "deepnotes-vocabulary";
    internal const string WordsKind = "words";
    internal const string CharactersKind = "characters";

    private readonly string[] _words;
    private readonly long[] _counts;
    private readonly Dictionary<string, int> _ids;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _spanIds;

    private Vocabulary(string[] words, long[] counts)
    {
        _words = words;
        _counts = counts;
        _ids = new Dictionary<string, int>(words.Length, StringComparer.Ordinal);
        for (int i = 0; i < words.Length; i++) _ids.Add(words[i], i);
        _spanIds = _ids.GetAlternateLookup<ReadOnlySpan<char>>();
        long total = 0;
        foreach (long c in counts) total += c;
        TotalCount = total;
    }

    /// <summary>
    /// Builds a vocabulary from word counts: the words counted at least <paramref name="minCount"/>
    /// times, at most <paramref name="maxSize"/> entries including <c>&lt;unk&gt;</c> (the most
    /// frequent win), ordered by count descending then ordinal string order.
    /// </summary>
    /// <exception cref="ArgumentException">A word is empty, is <c>&lt;unk&gt;</c>, holds an unpaired surrogate, or has a negative count.</exception>
    public static Vocabulary Build(IEnumerable<KeyValuePair<string, long>> counts, int minCount = 1, int maxSize = int.MaxValue)
    {
        ArgumentNullException.ThrowIfNull(counts);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(minCount);
        if (maxSize < 1) throw new ArgumentOutOfRangeException(nameof(maxSize), maxSize, "The vocabulary holds at least <unk>.");

        List<KeyValuePair<string, long>> kept = new();
        long unknown = 0;
        foreach (KeyValuePair<string, long> entry in counts)
        {
            ValidateWord(entry.Key, nameof(counts));
            if (entry.Value < 0)
                throw new ArgumentException($"Word '{entry.Key}' has negative count {entry.Value}.", nameof(counts));
            if (entry.Value >= minCount) kept.Add(entry);
            else unknown += entry.Value;
        }
        kept.Sort(static (a, b) => a.Value != b.Value ? b.Value.CompareTo(a.Value) : string.CompareOrdinal(a.Key, b.Key));
        for (int i = 1; i < kept.Count; i++)
        {
            if (string.Equals(kept[i].Key, kept[i - 1].Key, StringComparison.Ordinal))
                throw new ArgumentException($"Word '{kept[i].Key}' is counted twice.", nameof(counts));
        }

        int size = (int)Math.Min(kept.Count + 1L, maxSize);
        string[] words = new string[size];
        long[] wordCounts = new long[size];
        words[0] = UnknownToken;
        for (int i = size - 1; i < kept.Count; i++) unknown += kept[i].Value;
        wordCounts[0] = unknown;
        for (int i = 1; i < size; i++)
        {
            words[i] = kept[i - 1].Key;
            wordCounts[i] = kept[i - 1].Value;
        }
        return new Vocabulary(words, wordCounts);
    }

    /// <summary>Counts the words of a text file (plain or gzip, UTF-8) with <paramref name="tokenizer"/> and builds a vocabulary from them.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is corrupt gzip or not UTF-8.</exception>
    public static Vocabulary FromFile(string path, int minCount = 1, WordTokenizer? tokenizer = null, int maxSize = int.MaxValue)
        => Build(Corpus.CountWords(path, tokenizer), minCount, maxSize);

    /// <summary>Entries, <c>&lt;unk&gt;</c> included.</summary>
    public int Count => _words.Length;

    /// <summary>The sum of all counts, <c>&lt;unk&gt;</c>'s included.</summary>
    public long TotalCount { get; }

    /// <summary>The words by id; entry 0 is <c>&lt;unk&gt;</c>.</summary>
    public ReadOnlySpan<string> Words => _words;

    /// <summary>The counts by id.</summary>
    public ReadOnlySpan<long> Counts => _counts;

    /// <summary>The word of <paramref name="id"/>.</summary>
    public string GetWord(int id)
    {
        if ((uint)id >= (uint)_words.Length)
            throw new ArgumentOutOfRangeException(nameof(id), id, $"Ids run from 0 to {_words.Length - 1}.");
        return _words[id];
    }

    /// <summary>The count of <paramref name="id"/>.</summary>
    public long GetCount(int id)
    {
        if ((uint)id >= (uint)_counts.Length)
            throw new ArgumentOutOfRangeException(nameof(id), id, $"Ids run from 0 to {_counts.Length - 1}.");
        return _counts[id];
    }

    /// <summary>The id of <paramref name="word"/>, or <see cref="UnknownId"/> if it is not in the vocabulary.</summary>
    public int GetId(ReadOnlySpan<char> word) => _spanIds.TryGetValue(word, out int id) ? id : UnknownId;

    /// <summary>The id of <paramref name="word"/>, or <see cref="UnknownId"/> if it is not in the vocabulary.</summary>
    public int GetId(string word)
    {
        ArgumentNullException.ThrowIfNull(word);
        return GetId(word.AsSpan());
    }

    /// <summary>Whether <paramref name="word"/> has an id of its own (<c>&lt;unk&gt;</c> itself counts as one, id 0).</summary>
    public bool TryGetId(ReadOnlySpan<char> word, out int id) => _spanIds.TryGetValue(word, out id);

    /// <summary>Writes the vocabulary to <paramref name="path"/> atomically (a temporary file, then a rename).</summary>
    public void Save(string path) => Save(path, WordsKind);

    internal void Save(string path, string kind)
    {
        StringBuilder text = new();
        text.Append(Magic).Append('\t').Append('1').Append('\t').Append(kind).Append('\t')
            .Append(_words.Length.ToString(CultureInfo.InvariantCulture)).Append('\n');
        for (int i = 0; i < _words.Length; i++)
        {
            Escape(_words[i], text);
            text.Append('\t').Append(_counts[i].ToString(CultureInfo.InvariantCulture)).Append('\n');
        }
        TextFiles.WriteAtomically(path, text.ToString());
    }

    /// <summary>Reads a vocabulary written by <see cref="Save"/>, checking every line.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is malformed; the message names the file, the line and the problem.</exception>
    public static Vocabulary Load(string path) => Load(path, WordsKind);

    internal static Vocabulary Load(string path, string expectedKind)
    {
        LoadState state = new(path, expectedKind);
        TextFiles.ReadLines(path, "vocabulary file", ref state, static (ref LoadState s, string line, int number) => s.Add(line, number));
        return state.Finish();
    }

    private struct LoadState
    {
        private readonly string _path;
        private readonly string _expectedKind;
        private int _size;
        private int _lastLine;
        private string[]? _words;
        private long[]? _counts;
        private Dictionary<string, int>? _seen;

        public LoadState(string path, string expectedKind)
        {
            _path = path;
            _expectedKind = expectedKind;
            _size = -1;
        }

        public void Add(string line, int number)
        {
            _lastLine = number;
            if (number == 1)
            {
                ParseHeader(line);
                return;
            }
            int index = number - 2;
            if (index >= _size)
            {
                if (line.Length == 0) return; // tolerated: blank lines after the last entry, checked in Finish
                throw Bad(number, $"the header announces {_size} entries but the file has more lines.");
            }
            if (_words is null) return;
            int tab = line.IndexOf('\t');
            if (tab < 0)
                throw Bad(number, $"expected 'WORD<TAB>COUNT', found no tab in \"{Shorten(line)}\".");
            if (line.IndexOf('\t', tab + 1) >= 0)
                throw Bad(number, $"expected 'WORD<TAB>COUNT', found more than one tab in \"{Shorten(line)}\".");
            string word = Unescape(line.AsSpan(0, tab), number);
            if (HasUnpairedSurrogate(word))
                throw Bad(number, $"word \"{Shorten(word)}\" holds an unpaired surrogate (an escape \\uD800-\\uDFFF).");
            ReadOnlySpan<char> countText = line.AsSpan(tab + 1);
            if (!long.TryParse(countText, NumberStyles.None, CultureInfo.InvariantCulture, out long count))
                throw Bad(number, $"count \"{Shorten(countText.ToString())}\" of word \"{Shorten(word)}\" is not a non-negative integer.");
            if (index == 0)
            {
                if (word != UnknownToken)
                    throw Bad(number, $"the first entry (id 0) must be {UnknownToken}, found \"{Shorten(word)}\".");
            }
            else
            {
                if (word.Length == 0) throw Bad(number, "the word is empty.");
                if (word == UnknownToken) throw Bad(number, $"{UnknownToken} appears again (id {index}); it is id 0 only.");
                if (_expectedKind == CharactersKind && !IsSingleRune(word))
                    throw Bad(number, $"\"{Shorten(word)}\" is not a single character (a character vocabulary holds one Unicode scalar per entry).");
                if (_seen!.TryGetValue(word, out int first))
                    throw Bad(number, $"word \"{Shorten(word)}\" is listed twice (first at line {first + 2}).");
                if (index > 1)
                {
                    long previous = _counts![index - 1];
                    if (count > previous || (count == previous && string.CompareOrdinal(word, _words[index - 1]) < 0))
                        throw Bad(number, $"entries are out of order: \"{Shorten(word)}\" (count {count}) follows \"{Shorten(_words[index - 1])}\" " +
                            $"(count {previous}); a vocabulary is sorted by count descending, then by ordinal string order.");
                }
            }
            _seen!.Add(word, index);
            _words[index] = word;
            _counts![index] = count;
        }

        private void ParseHeader(string line)
        {
            string[] fields = line.Split('\t');
            if (fields.Length != 4 || fields[0] != Magic)
                throw Bad(1, $"expected the header '{Magic}<TAB>1<TAB>KIND<TAB>SIZE', found \"{Shorten(line)}\"; this is not a DeepNotes vocabulary file.");
            if (fields[1] != "1")
                throw Bad(1, $"format version \"{Shorten(fields[1])}\" is not supported (only 1).");
            if (fields[2] != WordsKind && fields[2] != CharactersKind)
                throw Bad(1, $"kind \"{Shorten(fields[2])}\" is neither '{WordsKind}' nor '{CharactersKind}'.");
            if (fields[2] != _expectedKind)
                throw Bad(1, fields[2] == CharactersKind
                    ? "this is a character vocabulary; load it with CharTokenizer.Load."
                    : "this is a word vocabulary; load it with Vocabulary.Load.");
            if (!int.TryParse(fields[3], NumberStyles.None, CultureInfo.InvariantCulture, out int size) || size < 1)
                throw Bad(1, $"size \"{Shorten(fields[3])}\" is not a positive integer (the vocabulary holds at least {UnknownToken}).");
            if (size > Array.MaxLength)
                throw Bad(1, $"size {size} is too large.");
            _size = size;
            _words = new string[size];
            _counts = new long[size];
            _seen = new Dictionary<string, int>(StringComparer.Ordinal);
        }

        public readonly Vocabulary Finish()
        {
            if (_lastLine == 0) throw Bad(1, "the file is empty.");
            if (_seen!.Count < _size)
                throw Bad(_lastLine, $"the file ends after {_seen.Count} entries, but the header announces {_size} (truncated?).");
            return new Vocabulary(_words!, _counts!);
        }

        private readonly InvalidDataException Bad(int line, string problem)
            => new($"Vocabulary file '{_path}', line {line}: {problem}");

        private readonly string Unescape(ReadOnlySpan<char> text, int number)
        {
            if (text.IndexOf('\\') < 0) return new string(text);
            StringBuilder word = new(text.Length);
            for (int i = 0; i < text.Length; i++)
            {
                char c = text[i];
                if (c != '\\') { word.Append(c); continue; }
                if (i + 1 >= text.Length) throw Bad(number, "the word ends in a lone backslash.");
                char e = text[++i];
                switch (e)
                {
                    case '\\': word.Append('\\'); break;
                    case 't': word.Append('\t'); break;
                    case 'n': word.Append('\n'); break;
                    case 'r': word.Append('\r'); break;
                    case 'u':
                        if (i + 4 >= text.Length
                            || !ushort.TryParse(text.Slice(i + 1, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out ushort code))
                            throw Bad(number, "'\\u' is not followed by four hexadecimal digits.");
                        word.Append((char)code);
                        i += 4;
                        break;
                    default:
                        throw Bad(number, $"unknown escape '\\{e}' (known: \\\\ \\t \\n \\r \\uXXXX).");
                }
            }
            return word.ToString();
        }
    }

    private static void Escape(string word, StringBuilder text)
    {
        foreach (char c in word)
        {
            switch (c)
            {
                case '\\': text.Append(@"\\"); break;
                case '\t': text.Append(@"\t"); break;
                case '\n': text.Append(@"\n"); break;
                case '\r': text.Append(@"\r"); break;
                default:
                    if (char.IsControl(c)) text.Append(@"\u").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));
                    else text.Append(c);
                    break;
            }
        }
    }

    internal static void ValidateWord(string? word, string parameter)
    {
        if (string.IsNullOrEmpty(word)) throw new ArgumentException("A word is null or empty.", parameter);
        if (word == UnknownToken) throw new ArgumentException($"'{UnknownToken}' is reserved for the unknown token (id 0).", parameter);
        if (HasUnpairedSurrogate(word))
            throw new ArgumentException($"Word '{word}' holds an unpaired surrogate; it cannot be saved as UTF-8.", parameter);
    }

    private static bool HasUnpairedSurrogate(string word)
    {
        for (int i = 0; i < word.Length; i++)
        {
            if (char.IsHighSurrogate(word[i]) && i + 1 < word.Length && char.IsLowSurrogate(word[i + 1])) { i++; continue; }
            if (char.IsSurrogate(word[i])) return true;
        }
        return false;
    }

    private static bool IsSingleRune(string word)
        => Rune.DecodeFromUtf16(word, out _, out int used) == System.Buffers.OperationStatus.Done && used == word.Length;

    private static string Shorten(string text) => text.Length <= 60 ? text : text[..57] + "...";
}
