using System.IO;

namespace DeepNotes.Text;

/// <summary>
/// A tokenized text: the token ids of every line, one after another in <see cref="Tokens"/>, and
/// the line (sentence) boundaries in <see cref="LineStarts"/>. Line i is
/// <c>Tokens[LineStarts[i] .. LineStarts[i + 1]]</c>; a line may be empty.
/// </summary>
/// <remarks>
/// <para>Words not in the vocabulary become <see cref="Vocabulary.UnknownId"/>, or, with
/// <c>dropUnknown</c>, are left out as the word2vec C tool does (it skips words that are not in its
/// vocabulary, so windows reach over them). <see cref="TokenCounts"/> counts the ids actually in the
/// corpus: after dropping, id 0 has count 0, so samplers built from these counts never draw it.</para>
/// <para>Loading reads the whole file into one <c>int[]</c>; nothing in a corpus changes afterwards,
/// so it may be shared between threads and batchers.</para>
/// </remarks>
public sealed class Corpus
{
    private readonly int[] _tokens;
    private readonly int[] _lineStarts;
    private readonly long[] _counts;

    private Corpus(Vocabulary vocabulary, int[] tokens, int[] lineStarts, long droppedUnknown)
    {
        Vocabulary = vocabulary;
        _tokens = tokens;
        _lineStarts = lineStarts;
        DroppedUnknown = droppedUnknown;
        _counts = new long[vocabulary.Count];
        foreach (int id in tokens) _counts[id]++;
        int longest = 0;
        for (int i = 0; i + 1 < lineStarts.Length; i++) longest = Math.Max(longest, lineStarts[i + 1] - lineStarts[i]);
        LongestLine = longest;
    }

    /// <summary>
    /// Reads a text file (plain or gzip, detected by content; UTF-8), tokenizes each line with
    /// <paramref name="tokenizer"/> (default <see cref="WordTokenizer.Default"/>) and maps the words to ids.
    /// </summary>
    /// <param name="path">The file; one sentence (for the shipped corpus, one fortune) per line.</param>
    /// <param name="vocabulary">Maps words to ids.</param>
    /// <param name="tokenizer">Splits lines into words; should be the one the vocabulary was counted with.</param>
    /// <param name="dropUnknown">Leave out words not in the vocabulary instead of writing <see cref="Vocabulary.UnknownId"/>.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is corrupt gzip, not UTF-8, or holds more than <see cref="Array.MaxLength"/> tokens; the message names the file.</exception>
    public static Corpus Load(string path, Vocabulary vocabulary, WordTokenizer? tokenizer = null, bool dropUnknown = false)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        Builder builder = new(vocabulary, tokenizer ?? WordTokenizer.Default, dropUnknown, path);
        TextFiles.ReadLines(path, "corpus file", ref builder, static (ref Builder b, string line, int _) => b.Add(line));
        return builder.Finish();
    }

    /// <summary>A corpus of the given lines (each one sentence); see <see cref="Load"/>.</summary>
    public static Corpus FromLines(IEnumerable<string> lines, Vocabulary vocabulary, WordTokenizer? tokenizer = null, bool dropUnknown = false)
    {
        ArgumentNullException.ThrowIfNull(lines);
        ArgumentNullException.ThrowIfNull(vocabulary);
        Builder builder = new(vocabulary, tokenizer ?? WordTokenizer.Default, dropUnknown, "<lines>");
        foreach (string line in lines)
        {
            ArgumentNullException.ThrowIfNull(line, nameof(lines));
            builder.Add(line);
        }
        return builder.Finish();
    }

    /// <summary>Counts the words of a text file (plain or gzip, UTF-8) as <paramref name="tokenizer"/> splits them, for <see cref="Vocabulary.Build"/>.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is corrupt gzip or not UTF-8.</exception>
    public static Dictionary<string, long> CountWords(string path, WordTokenizer? tokenizer = null)
    {
        (Dictionary<string, long> Counts, WordTokenizer Tokenizer) state = (new Dictionary<string, long>(StringComparer.Ordinal), tokenizer ?? WordTokenizer.Default);
        TextFiles.ReadLines(path, "corpus file", ref state, static (ref (Dictionary<string, long> Counts, WordTokenizer Tokenizer) s, string line, int _) =>
            s.Tokenizer.CountWords(line, s.Counts));
        return state.Counts;
    }

    /// <summary>The vocabulary the ids refer to.</summary>
    public Vocabulary Vocabulary { get; }

    /// <summary>All token ids, line after line.</summary>
    public ReadOnlySpan<int> Tokens => _tokens;

    /// <summary>Total tokens.</summary>
    public int TokenCount => _tokens.Length;

    /// <summary>Number of lines (sentences), empty ones included.</summary>
    public int LineCount => _lineStarts.Length - 1;

    /// <summary><see cref="LineCount"/> + 1 offsets into <see cref="Tokens"/>: line i starts at entry i, and the last entry is <see cref="TokenCount"/>.</summary>
    public ReadOnlySpan<int> LineStarts => _lineStarts;

    /// <summary>Tokens in the longest line.</summary>
    public int LongestLine { get; }

    /// <summary>How many words not in the vocabulary were left out (0 unless loaded with <c>dropUnknown</c>).</summary>
    public long DroppedUnknown { get; }

    /// <summary>How often each id occurs in <see cref="Tokens"/>, indexed by id (<see cref="Vocabulary.Count"/> entries).</summary>
    public ReadOnlySpan<long> TokenCounts => _counts;

    /// <summary>The ids of line <paramref name="line"/>.</summary>
    public ReadOnlySpan<int> Line(int line)
    {
        if ((uint)line >= (uint)LineCount)
            throw new ArgumentOutOfRangeException(nameof(line), line, $"Lines run from 0 to {LineCount - 1}.");
        return _tokens.AsSpan(_lineStarts[line], _lineStarts[line + 1] - _lineStarts[line]);
    }

    /// <summary>The line that holds token <paramref name="position"/> (a binary search of <see cref="LineStarts"/>).</summary>
    public int LineOf(int position)
    {
        if ((uint)position >= (uint)_tokens.Length)
            throw new ArgumentOutOfRangeException(nameof(position), position, $"Positions run from 0 to {_tokens.Length - 1}.");
        // The last line start <= position; with empty lines several starts are equal, and the last of them is the non-empty line.
        int lo = 0, hi = LineCount - 1;
        while (lo < hi)
        {
            int mid = lo + (hi - lo + 1) / 2;
            if (_lineStarts[mid] <= position) lo = mid;
            else hi = mid - 1;
        }
        return lo;
    }

    private struct Builder
    {
        private readonly Vocabulary _vocabulary;
        private readonly WordTokenizer _tokenizer;
        private readonly bool _dropUnknown;
        private readonly string _source;
        private int[] _tokens;
        private int _count;
        private readonly List<int> _lineStarts;
        private long _dropped;

        public Builder(Vocabulary vocabulary, WordTokenizer tokenizer, bool dropUnknown, string source)
        {
            _vocabulary = vocabulary;
            _tokenizer = tokenizer;
            _dropUnknown = dropUnknown;
            _source = source;
            _tokens = new int[1 << 16];
            _count = 0;
            _lineStarts = new List<int> { 0 };
            _dropped = 0;
        }

        public void Add(string line)
        {
            int n = _tokenizer.Encode(line, _vocabulary, Span<int>.Empty);
            if ((long)_count + n > Array.MaxLength)
                throw new InvalidDataException($"Corpus '{_source}' holds more than {Array.MaxLength} tokens, more than one array can index.");
            if (_count + n > _tokens.Length)
                Array.Resize(ref _tokens, (int)Math.Min(Array.MaxLength, Math.Max(2L * _tokens.Length, (long)_count + n)));
            Span<int> ids = _tokens.AsSpan(_count, n);
            _tokenizer.Encode(line, _vocabulary, ids);
            if (_dropUnknown)
            {
                int kept = 0;
                foreach (int id in ids)
                {
                    if (id != Vocabulary.UnknownId) ids[kept++] = id;
                }
                _dropped += n - kept;
                n = kept;
            }
            _count += n;
            _lineStarts.Add(_count);
        }

        public readonly Corpus Finish()
            => new(_vocabulary, _tokens.AsSpan(0, _count).ToArray(), _lineStarts.ToArray(), _dropped);
    }
}
