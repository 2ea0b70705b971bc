namespace DeepNotes.Text;

/// <summary>
/// Skip-gram training batches with negative sampling, following the word2vec C tool: each row is
/// one (center, context) pair from a dynamic window over the subsampled corpus plus
/// <see cref="Negatives"/> noise words. Buffers are allocated once in the constructor; after it
/// <see cref="StartEpoch"/> and <see cref="Next"/> allocate nothing.
/// </summary>
/// <remarks>
/// <para>Layout of a batch of B rows (row-major, B = the <c>batch</c> that <see cref="Next"/> returns):
/// <see cref="Centers"/> [B]; <see cref="Contexts"/> [B, 1 + K], column 0 the true context word and
/// columns 1..K the noise words; <see cref="Labels"/> [B, 1 + K], 1 in column 0 and 0 elsewhere.
/// A model scores σ(u_ctx · v_center) for every column and takes binary cross-entropy against the labels.</para>
/// <para>Pairs: the corpus is walked line by line, in order (word2vec does not shuffle either). Each
/// occurrence is kept with <see cref="DeepNotes.Text.Subsampler"/>'s probability; among the kept
/// words of a line, each is a center in turn with a reduced radius r = window − b, b uniform in
/// [0, window), and pairs with every kept word at most r places away in the same line, left to
/// right. word2vec.c makes the same pairs (it trains the context's input vector against the
/// center's output vector, the mirror image, which is the same in expectation).</para>
/// <para>Noise words: drawn from <see cref="NegativeSampler"/> (counts^0.75 of the corpus's own
/// token counts). With <c>excludePositive</c> (the default) a draw equal to the row's true context
/// word is redrawn: word2vec.c skips such a draw (<c>if (target == word) continue;</c>), which a fixed
/// [B, 1 + K] layout cannot express, so it is replaced. With <c>excludePositive: false</c> the draws are
/// left as they come. Unlike word2vec.c there is no line-end token <c>&lt;/s&gt;</c> in the noise
/// distribution, and lines are not cut at 1,000 words.</para>
/// <para>Determinism: every draw is a <see cref="CounterRng"/> value keyed by (seed, epoch) and a
/// counter: the corpus position for subsampling and window radii, the index of the pair within the
/// epoch for the noise words. An epoch's rows are therefore the same for any batch size and
/// whatever epochs ran before; different epochs differ.</para>
/// </remarks>
public sealed class SkipGramBatcher
{
    private readonly ContextWalker _walker;
    private readonly NegativeSampler _sampler;
    private readonly int[] _centers;
    private readonly int[] _contexts;
    private readonly float[] _labels;
    private int _contextIndex;
    private int _current;
    private int _reported;
    private long _pairs;

    /// <summary>Creates a batcher; call <see cref="StartEpoch"/> before the first <see cref="Next"/>.</summary>
    /// <param name="corpus">The token ids (load it with <c>dropUnknown: true</c> for word2vec's treatment of rare words).</param>
    /// <param name="batchSize">Pairs per batch (the last batch of an epoch may hold fewer).</param>
    /// <param name="window">Maximum distance between center and context (word2vec's <c>-window</c>, 5).</param>
    /// <param name="negatives">Noise words per pair, K (word2vec's <c>-negative</c>, 5); 0 gives one column.</param>
    /// <param name="subsample">Subsampling threshold t (word2vec's <c>-sample</c>, 1e-3); 0 keeps every word.</param>
    /// <param name="seed">Seed of all draws.</param>
    /// <param name="excludePositive">Redraw a noise word equal to the row's true context word.</param>
    /// <param name="sampler">The noise distribution; by default counts^0.75 of <paramref name="corpus"/>'s token counts.</param>
    public SkipGramBatcher(Corpus corpus, int batchSize, int window = 5, int negatives = 5, double subsample = 1e-3,
        ulong seed = 0, bool excludePositive = true, NegativeSampler? sampler = null)
    {
        ArgumentNullException.ThrowIfNull(corpus);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        ArgumentOutOfRangeException.ThrowIfNegative(negatives);
        if ((long)batchSize * (1 + negatives) > Array.MaxLength)
            throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "The batch buffers would be too large.");
        _walker = new ContextWalker(corpus, window, subsample, seed);
        _sampler = sampler ?? new NegativeSampler(corpus.TokenCounts);
        if (_sampler.Count != corpus.Vocabulary.Count)
            throw new ArgumentException(
                $"The sampler covers {_sampler.Count} ids but the corpus's vocabulary has {corpus.Vocabulary.Count}.", nameof(sampler));
        Corpus = corpus;
        BatchSize = batchSize;
        Negatives = negatives;
        ExcludesPositive = excludePositive;
        _centers = new int[batchSize];
        _contexts = new int[batchSize * (1 + negatives)];
        _labels = new float[batchSize * (1 + negatives)];
        for (int b = 0; b < batchSize; b++) _labels[b * (1 + negatives)] = 1f;
    }

    /// <summary>The corpus being batched.</summary>
    public Corpus Corpus { get; }

    /// <summary>Rows per full batch.</summary>
    public int BatchSize { get; }

    /// <summary>Maximum distance between center and context.</summary>
    public int Window => _walker.Window;

    /// <summary>Noise words per row, K.</summary>
    public int Negatives { get; }

    /// <summary>Columns of <see cref="Contexts"/> and <see cref="Labels"/>: 1 + K.</summary>
    public int Columns => 1 + Negatives;

    /// <summary>The seed of all draws.</summary>
    public ulong Seed => _walker.Seed;

    /// <summary>Whether noise words equal to the true context are redrawn.</summary>
    public bool ExcludesPositive { get; }

    /// <summary>The subsampling of frequent words.</summary>
    public Subsampler Subsampler => _walker.Subsampler;

    /// <summary>The noise distribution.</summary>
    public NegativeSampler NegativeSampler => _sampler;

    /// <summary>The epoch started last, or -1 before the first <see cref="StartEpoch"/>.</summary>
    public int Epoch => _walker.Epoch;

    /// <summary>Center word of each row of the current batch, [B].</summary>
    public ReadOnlySpan<int> Centers => _centers.AsSpan(0, _current);

    /// <summary>True context (column 0) and noise words (columns 1..K) of each row, [B, 1 + K].</summary>
    public ReadOnlySpan<int> Contexts => _contexts.AsSpan(0, _current * Columns);

    /// <summary>1 in column 0, 0 in columns 1..K, [B, 1 + K].</summary>
    public ReadOnlySpan<float> Labels => _labels.AsSpan(0, _current * Columns);

    /// <summary>
    /// Corpus words (kept or subsampled away) the last <see cref="Next"/> moved past: summed over an
    /// epoch they are <see cref="Corpus.TokenCount"/>, so words / second counts like word2vec's. The
    /// batcher moves on eagerly, so the last batch of an epoch also counts the words after its last
    /// center (only an epoch without any pair reports its words on the <see cref="Next"/> that returns false).
    /// </summary>
    public int WordsConsumed { get; private set; }

    /// <summary>Corpus words consumed so far this epoch.</summary>
    public int EpochWordsConsumed => _walker.Consumed;

    /// <summary>Pairs (rows) produced so far this epoch.</summary>
    public long EpochPairs => _pairs;

    /// <summary>Starts epoch <paramref name="epoch"/> at the beginning of the corpus.</summary>
    public void StartEpoch(int epoch)
    {
        _walker.StartEpoch(epoch);
        _contextIndex = _walker.HasCenter ? FirstContext() : 0;
        _pairs = 0;
        _current = 0;
        WordsConsumed = 0;
        _reported = 0;
    }

    /// <summary>Fills the next batch; returns false (with <paramref name="batch"/> = 0) when the epoch is over.</summary>
    public bool Next(out int batch)
    {
        if (_walker.Epoch < 0) throw new InvalidOperationException("Call StartEpoch before Next.");
        int columns = Columns;
        ReadOnlySpan<int> tokens = Corpus.Tokens;
        int b = 0;
        while (b < BatchSize && _walker.HasCenter)
        {
            ReadOnlySpan<int> kept = _walker.Kept;
            int center = tokens[kept[_walker.Center]];
            int context = tokens[kept[_contextIndex]];
            _centers[b] = center;
            Span<int> row = _contexts.AsSpan(b * columns, columns);
            row[0] = context;
            _sampler.Fill(row[1..], context, ExcludesPositive, Seed, _walker.Epoch, (ulong)_pairs * (ulong)Negatives);
            _pairs++;
            b++;

            // Advance now, so that a batch that ends a line also consumes the words up to the next center.
            _contextIndex++;
            if (_contextIndex == _walker.Center) _contextIndex++;
            if (_contextIndex >= _walker.WindowEnd)
                _contextIndex = _walker.NextCenter() ? FirstContext() : 0;
        }
        _current = b;
        WordsConsumed = _walker.Consumed - _reported;
        _reported = _walker.Consumed;
        batch = b;
        return b > 0;
    }

    private int FirstContext()
    {
        int first = _walker.WindowStart;
        return first == _walker.Center ? first + 1 : first;
    }
}
