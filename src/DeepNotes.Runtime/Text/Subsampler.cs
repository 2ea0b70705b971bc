using System.Runtime.CompilerServices;

namespace DeepNotes.Text;

/// <summary>
/// word2vec's subsampling of frequent words: an occurrence of a word with count f among
/// <see cref="TotalCount"/> words is kept with probability
/// min(1, (√(f / (t·total)) + 1) · (t·total) / f) for threshold t, the formula of word2vec.c
/// (not the paper's 1 − √(t/f)). Frequent words are thinned out; words with f ≤ φ²·t·total
/// (φ² = 2.618…, the golden ratio squared) are always kept; t = 0 keeps everything.
/// </summary>
/// <remarks>
/// The decisions are <see cref="CounterRng"/> draws: occurrence at counter c is kept when
/// <c>CounterRng.Uniform(seed, stream, c) &lt; KeepProbability(id)</c>, so they are a pure function
/// of (seed, stream, counter) and allocate nothing.
/// </remarks>
public sealed class Subsampler
{
    private readonly float[] _keep;

    /// <summary>Creates a subsampler for words with the given counts (indexed by id) and threshold <paramref name="threshold"/> (word2vec's <c>-sample</c>, 1e-3 by default there; 0 disables).</summary>
    public Subsampler(ReadOnlySpan<long> counts, double threshold)
    {
        if (!(threshold >= 0) || double.IsInfinity(threshold))
            throw new ArgumentOutOfRangeException(nameof(threshold), threshold, "The subsampling threshold must be a finite number >= 0 (0 disables subsampling).");
        long total = 0;
        foreach (long c in counts)
        {
            if (c < 0) throw new ArgumentException($"Count {c} is negative.", nameof(counts));
            total = checked(total + c);
        }
        Threshold = threshold;
        TotalCount = total;
        _keep = new float[counts.Length];
        for (int id = 0; id < counts.Length; id++)
            _keep[id] = (float)KeepProbability(counts[id], total, threshold);
    }

    /// <summary>The threshold t.</summary>
    public double Threshold { get; }

    /// <summary>The number of words the frequencies are relative to (the sum of the counts).</summary>
    public long TotalCount { get; }

    /// <summary>The keep probability of every id.</summary>
    public ReadOnlySpan<float> KeepProbabilities => _keep;

    /// <summary>word2vec.c's keep probability, min(1, (√(f/(t·total)) + 1)·(t·total)/f); 1 when t = 0 or f = 0.</summary>
    public static double KeepProbability(long count, long total, double threshold)
    {
        if (threshold == 0 || count <= 0) return 1;
        double scaled = threshold * total;
        double keep = (Math.Sqrt(count / scaled) + 1) * scaled / count;
        return Math.Min(1, keep);
    }

    /// <summary>The keep probability of <paramref name="id"/>.</summary>
    public float GetKeepProbability(int id) => _keep[id];

    /// <summary>Whether the occurrence of <paramref name="id"/> drawn at (seed, stream, counter) is kept.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool Keep(int id, ulong seed, ulong stream, ulong counter)
    {
        float p = _keep[id];
        return p >= 1f || CounterRng.Uniform(seed, stream, counter) < p;
    }
}
