namespace DeepNotes.Text;

/// <summary>
/// Walks a corpus the way word2vec.c's training thread does, for <see cref="SkipGramBatcher"/> and
/// <see cref="CbowBatcher"/>: line by line; in each line the occurrences that survive subsampling
/// form the sentence (windows are counted in that subsampled sentence, as in word2vec.c); every
/// kept word is a center in turn, with a reduced window radius r = window − b, b uniform in
/// [0, window), and its contexts are the kept words at most r places away on either side, inside
/// the line, the center excluded.
/// </summary>
/// <remarks>
/// Randomness, all through <see cref="CounterRng"/> with counters = corpus positions: whether the
/// occurrence at position p is kept is drawn at (seed, <see cref="SubsampleStream"/>(epoch), p); b
/// for the center at position p at (seed, <see cref="WindowStream"/>(epoch), p). So an epoch's
/// pairs depend on (seed, epoch) only, not on the batch size or on earlier epochs.
/// Lines shorter than two kept words give no centers (word2vec.c trains nothing on them either).
/// </remarks>
internal sealed class ContextWalker
{
    private readonly Corpus _corpus;
    private readonly Subsampler _subsampler;
    private readonly int[] _kept;
    private ulong _subsampleStream;
    private ulong _windowStream;
    private int _keptCount;
    private int _line;

    public ContextWalker(Corpus corpus, int window, double subsample, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(corpus);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(window);
        if (corpus.TokenCount == 0)
            throw new ArgumentException("The corpus has no tokens.", nameof(corpus));
        _corpus = corpus;
        Window = window;
        Seed = seed;
        _subsampler = new Subsampler(corpus.TokenCounts, subsample);
        _kept = new int[Math.Max(1, corpus.LongestLine)];
    }

    public int Window { get; }
    public ulong Seed { get; }
    public Subsampler Subsampler => _subsampler;
    public int Epoch { get; private set; } = -1;

    /// <summary>Whether there is a current center (false before the first epoch and after the last center).</summary>
    public bool HasCenter { get; private set; }

    /// <summary>Corpus positions consumed so far this epoch: every position up to the current center's, inclusive; all of them once the epoch is over.</summary>
    public int Consumed { get; private set; }

    /// <summary>The current center's index in <see cref="Kept"/>.</summary>
    public int Center { get; private set; }

    /// <summary>The current center's reduced window radius, in [1, window].</summary>
    public int Radius { get; private set; }

    /// <summary>Corpus positions of the kept occurrences of the current line.</summary>
    public ReadOnlySpan<int> Kept => _kept.AsSpan(0, _keptCount);

    /// <summary>First index in <see cref="Kept"/> of the current center's window.</summary>
    public int WindowStart => Math.Max(0, Center - Radius);

    /// <summary>One past the last index in <see cref="Kept"/> of the current center's window.</summary>
    public int WindowEnd => Math.Min(_keptCount, Center + Radius + 1);

    public static ulong SubsampleStream(int epoch) => 0x5355_4253_0000_0000UL | (uint)epoch; // "SUBS"
    public static ulong WindowStream(int epoch) => 0x5749_4E44_0000_0000UL | (uint)epoch;    // "WIND"

    public void StartEpoch(int epoch)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(epoch);
        Epoch = epoch;
        _subsampleStream = SubsampleStream(epoch);
        _windowStream = WindowStream(epoch);
        _line = -1;
        Consumed = 0;
        HasCenter = MoveToNextLine();
    }

    /// <summary>Moves to the next center; false when the epoch is over.</summary>
    public bool NextCenter()
    {
        if (!HasCenter) return false;
        if (Center + 1 < _keptCount)
        {
            BeginCenter(Center + 1);
            return true;
        }
        Consumed = _corpus.LineStarts[_line + 1];
        return HasCenter = MoveToNextLine();
    }

    private bool MoveToNextLine()
    {
        ReadOnlySpan<int> starts = _corpus.LineStarts;
        ReadOnlySpan<int> tokens = _corpus.Tokens;
        while (++_line < _corpus.LineCount)
        {
            int start = starts[_line], end = starts[_line + 1];
            int kept = 0;
            for (int p = start; p < end; p++)
            {
                if (_subsampler.Keep(tokens[p], Seed, _subsampleStream, (ulong)p)) _kept[kept++] = p;
            }
            _keptCount = kept;
            if (kept >= 2)
            {
                BeginCenter(0);
                return true;
            }
            Consumed = end;
        }
        _keptCount = 0;
        Consumed = _corpus.TokenCount;
        return false;
    }

    private void BeginCenter(int center)
    {
        Center = center;
        int position = _kept[center];
        Radius = Window - CounterRng.NextInt(Seed, _windowStream, (ulong)position, Window);
        Consumed = position + 1;
    }
}
