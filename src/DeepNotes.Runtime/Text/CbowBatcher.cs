namespace DeepNotes.Text;

/// <summary>
/// Continuous-bag-of-words training batches with negative sampling, following the word2vec C tool:
/// each row is one center (target) word with the words of its dynamic window as context, plus
/// <see cref="Negatives"/> noise words. Buffers are allocated once in the constructor; after it
/// <see cref="StartEpoch"/> and <see cref="Next"/> allocate nothing.
/// </summary>
/// <remarks>
/// <para>Layout of a batch of B rows (row-major):</para>
/// <list type="bullet">
/// <item><see cref="Contexts"/> [B, 2·window]: row b holds its <see cref="ContextCounts"/>[b] context
/// words in slots 0..count−1 (left to right in the sentence, the center left out) and
/// <see cref="PaddingId"/> in the remaining slots. Every row has at least one context word.</item>
/// <item><see cref="ContextMask"/> [B, 2·window]: 1 for the valid slots, 0 for padding, the same
/// information as floats, so a model can average the context embeddings as
/// Σ mask·emb / count. word2vec.c averages (its default <c>-cbow 1</c> mean).</item>
/// <item><see cref="Targets"/> [B, 1 + K]: column 0 the center word, columns 1..K noise words;
/// <see cref="Labels"/> [B, 1 + K]: 1 in column 0, 0 elsewhere.</item>
/// </list>
/// <para>Centers, windows, subsampling and noise are as in <see cref="SkipGramBatcher"/>: one row per
/// kept word of a line with at least two kept words, radius r = window − b, b uniform in [0, window);
/// noise words equal to the center are redrawn unless <c>excludePositive</c> is false. Noise counters
/// are the row's index within the epoch, so an epoch's rows do not depend on the batch size.</para>
/// </remarks>
public sealed class CbowBatcher
{
    private readonly ContextWalker _walker;
    private readonly NegativeSampler _sampler;
    private readonly int[] _contexts;
    private readonly int[] _counts;
    private readonly float[] _mask;
    private readonly int[] _targets;
    private readonly float[] _labels;
    private int _current;
    private int _reported;
    private long _rows;

    /// <summary>Creates a batcher; call <see cref="StartEpoch"/> before the first <see cref="Next"/>.</summary>
    /// <param name="corpus">The token ids (load it with <c>dropUnknown: true</c> for word2vec's treatment of rare words).</param>
    /// <param name="batchSize">Centers per batch (the last batch of an epoch may hold fewer).</param>
    /// <param name="window">Maximum distance between center and context (word2vec's <c>-window</c>, 5).</param>
    /// <param name="negatives">Noise words per row, K (word2vec's <c>-negative</c>, 5).</param>
    /// <param name="subsample">Subsampling threshold t (word2vec's <c>-sample</c>, 1e-3); 0 keeps every word.</param>
    /// <param name="seed">Seed of all draws.</param>
    /// <param name="excludePositive">Redraw a noise word equal to the row's center word.</param>
    /// <param name="paddingId">
    /// Fills unused context slots. The default, <see cref="Vocabulary.UnknownId"/>, is a valid row of any
    /// embedding, so a gather over all slots stays in range; the mask and count exclude these slots.
    /// </param>
    /// <param name="sampler">The noise distribution; by default counts^0.75 of <paramref name="corpus"/>'s token counts.</param>
    public CbowBatcher(Corpus corpus, int batchSize, int window = 5, int negatives = 5, double subsample = 1e-3,
        ulong seed = 0, bool excludePositive = true, int paddingId = Vocabulary.UnknownId, NegativeSampler? sampler = null)
    {
        ArgumentNullException.ThrowIfNull(corpus);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        ArgumentOutOfRangeException.ThrowIfNegative(negatives);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(window);
        if ((long)batchSize * Math.Max(2L * window, 1 + negatives) > Array.MaxLength)
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
        PaddingId = paddingId;
        _contexts = new int[batchSize * 2 * window];
        _counts = new int[batchSize];
        _mask = new float[batchSize * 2 * window];
        _targets = new int[batchSize * (1 + negatives)];
        _labels = new float[batchSize * (1 + negatives)];
        for (int b = 0; b < batchSize; b++) _labels[b * (1 + negatives)] = 1f;
    }

    /// <summary>The corpus being batched.</summary>
    public Corpus Corpus { get; }

    /// <summary>Rows per full batch.</summary>
    public int BatchSize { get; }

    /// <summary>Maximum distance between center and context.</summary>
    public int Window => _walker.Window;

    /// <summary>Context slots per row: 2·<see cref="Window"/>.</summary>
    public int ContextWidth => 2 * _walker.Window;

    /// <summary>Noise words per row, K.</summary>
    public int Negatives { get; }

    /// <summary>Columns of <see cref="Targets"/> and <see cref="Labels"/>: 1 + K.</summary>
    public int Columns => 1 + Negatives;

    /// <summary>The id in unused context slots.</summary>
    public int PaddingId { get; }

    /// <summary>The seed of all draws.</summary>
    public ulong Seed => _walker.Seed;

    /// <summary>Whether noise words equal to the center are redrawn.</summary>
    public bool ExcludesPositive { get; }

    /// <summary>The subsampling of frequent words.</summary>
    public Subsampler Subsampler => _walker.Subsampler;

    /// <summary>The noise distribution.</summary>
    public NegativeSampler NegativeSampler => _sampler;

    /// <summary>The epoch started last, or -1 before the first <see cref="StartEpoch"/>.</summary>
    public int Epoch => _walker.Epoch;

    /// <summary>Context words of each row, left-packed and padded with <see cref="PaddingId"/>, [B, 2·window].</summary>
    public ReadOnlySpan<int> Contexts => _contexts.AsSpan(0, _current * ContextWidth);

    /// <summary>Valid context slots of each row, [B], each in [1, 2·window].</summary>
    public ReadOnlySpan<int> ContextCounts => _counts.AsSpan(0, _current);

    /// <summary>1 for valid context slots, 0 for padding, [B, 2·window].</summary>
    public ReadOnlySpan<float> ContextMask => _mask.AsSpan(0, _current * ContextWidth);

    /// <summary>Center word (column 0) and noise words (columns 1..K) of each row, [B, 1 + K].</summary>
    public ReadOnlySpan<int> Targets => _targets.AsSpan(0, _current * Columns);

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

    /// <summary>Rows produced so far this epoch.</summary>
    public long EpochRows => _rows;

    /// <summary>Starts epoch <paramref name="epoch"/> at the beginning of the corpus.</summary>
    public void StartEpoch(int epoch)
    {
        _walker.StartEpoch(epoch);
        _rows = 0;
        _current = 0;
        WordsConsumed = 0;
        _reported = 0;
    }

    /// <summary>Fills the next batch; returns false (with <paramref name="batch"/> = 0) when the epoch is over.</summary>
    public bool Next(out int batch)
    {
        if (_walker.Epoch < 0) throw new InvalidOperationException("Call StartEpoch before Next.");
        int width = ContextWidth, columns = Columns;
        ReadOnlySpan<int> tokens = Corpus.Tokens;
        int b = 0;
        while (b < BatchSize && _walker.HasCenter)
        {
            ReadOnlySpan<int> kept = _walker.Kept;
            int centerIndex = _walker.Center;
            Span<int> contexts = _contexts.AsSpan(b * width, width);
            Span<float> mask = _mask.AsSpan(b * width, width);
            int n = 0;
            for (int j = _walker.WindowStart; j < _walker.WindowEnd; j++)
            {
                if (j == centerIndex) continue;
                contexts[n] = tokens[kept[j]];
                mask[n] = 1f;
                n++;
            }
            contexts[n..].Fill(PaddingId);
            mask[n..].Clear();
            _counts[b] = n;

            int target = tokens[kept[centerIndex]];
            Span<int> row = _targets.AsSpan(b * columns, columns);
            row[0] = target;
            _sampler.Fill(row[1..], target, ExcludesPositive, Seed, _walker.Epoch, (ulong)_rows * (ulong)Negatives);
            _rows++;
            b++;
            _walker.NextCenter();
        }
        _current = b;
        WordsConsumed = _walker.Consumed - _reported;
        _reported = _walker.Consumed;
        batch = b;
        return b > 0;
    }
}
