using System.Runtime.CompilerServices;

namespace DeepNotes.Text;

/// <summary>
/// Draws noise words for negative sampling from the unigram distribution raised to a power
/// (word2vec's 0.75): P(w) = count(w)^0.75 / Σ count^0.75. Ids with count 0 are never drawn.
/// </summary>
/// <remarks>
/// <para>word2vec.c fills a table of 10⁸ ints in proportion to these probabilities and indexes it
/// with a random number, which rounds each probability to a multiple of 10⁻⁸ and costs 400 MB.
/// This uses Walker's alias method instead (Vose's construction): two arrays of one entry per
/// word, one 64-bit <see cref="CounterRng"/> draw per sample (the high 32 bits pick a column, the
/// low 32 bits the coin), and the probabilities exact up to 2⁻³² per column.</para>
/// <para>A draw is a pure function of (seed, stream, counter) and allocates nothing; the sampler
/// is immutable and may be shared between threads.</para>
/// </remarks>
public sealed class NegativeSampler
{
    /// <summary>word2vec's exponent.</summary>
    public const double DefaultPower = 0.75;

    private readonly uint[] _threshold;
    private readonly int[] _alias;
    private readonly double[] _probability;

    /// <summary>Builds the sampler for words with the given counts (indexed by id).</summary>
    /// <exception cref="ArgumentException">A count is negative, or none is positive.</exception>
    public NegativeSampler(ReadOnlySpan<long> counts, double power = DefaultPower)
    {
        if (!(power > 0) || double.IsInfinity(power))
            throw new ArgumentOutOfRangeException(nameof(power), power, "The power must be a finite number > 0.");
        int n = counts.Length;
        _probability = new double[n];
        double sum = 0;
        for (int i = 0; i < n; i++)
        {
            if (counts[i] < 0) throw new ArgumentException($"Count {counts[i]} of id {i} is negative.", nameof(counts));
            double w = counts[i] == 0 ? 0 : Math.Pow(counts[i], power);
            _probability[i] = w;
            sum += w;
        }
        if (!(sum > 0)) throw new ArgumentException("No word has a positive count, so there is nothing to sample.", nameof(counts));
        for (int i = 0; i < n; i++) _probability[i] /= sum;
        Power = power;

        // Vose: columns of height 1, each split between its own id (below the threshold) and one alias.
        _threshold = new uint[n];
        _alias = new int[n];
        double[] scaled = new double[n];
        int[] small = new int[n], large = new int[n];
        int smallCount = 0, largeCount = 0;
        for (int i = 0; i < n; i++)
        {
            scaled[i] = _probability[i] * n;
            if (scaled[i] < 1) small[smallCount++] = i;
            else large[largeCount++] = i;
        }
        while (smallCount > 0 && largeCount > 0)
        {
            int s = small[--smallCount];
            int l = large[largeCount - 1];
            _threshold[s] = ToThreshold(scaled[s]);
            _alias[s] = l;
            scaled[l] -= 1 - scaled[s];
            if (scaled[l] < 1)
            {
                largeCount--;
                small[smallCount++] = l;
            }
        }
        // What is left is a full column up to rounding: always its own id.
        while (largeCount > 0) { int l = large[--largeCount]; _threshold[l] = uint.MaxValue; _alias[l] = l; }
        while (smallCount > 0)
        {
            int s = small[--smallCount];
            if (_probability[s] == 0)
                throw new InvalidOperationException("Alias construction left a zero-probability word without an alias."); // cannot happen: the heights sum to n
            _threshold[s] = uint.MaxValue;
            _alias[s] = s;
        }
    }

    /// <summary>The exponent applied to the counts.</summary>
    public double Power { get; }

    /// <summary>Number of ids (including those with probability 0).</summary>
    public int Count => _probability.Length;

    /// <summary>The probability of drawing <paramref name="id"/>: count^power / Σ count^power.</summary>
    public double Probability(int id) => _probability[id];

    /// <summary>One draw at (seed, stream, counter).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Sample(ulong seed, ulong stream, ulong counter)
    {
        ulong bits = CounterRng.Next64(seed, stream, counter);
        int column = (int)(((bits >> 32) * (ulong)_alias.Length) >> 32);
        return (uint)bits < _threshold[column] ? column : _alias[column];
    }

    /// <summary>Redraws allowed per noise word when a draw equals the positive word.</summary>
    internal const int MaxRedraws = 31;

    /// <summary>The RNG stream of the noise words of <paramref name="epoch"/>.</summary>
    internal static ulong NoiseStream(int epoch) => 0x4E45_4753_0000_0000UL | (uint)epoch; // "NEGS"

    /// <summary>The RNG stream of redraws (a draw that hit the positive word) in <paramref name="epoch"/>.</summary>
    internal static ulong RedrawStream(int epoch) => 0x4E45_4752_0000_0000UL | (uint)epoch; // "NEGR"

    /// <summary>
    /// Fills <paramref name="noise"/> with draws at counters first, first + 1, ...; with
    /// <paramref name="excludePositive"/>, a draw equal to <paramref name="positive"/> is redrawn (at
    /// counter c·32 + a of the redraw stream, a = 1..31) until it differs.
    /// </summary>
    internal void Fill(Span<int> noise, int positive, bool excludePositive, ulong seed, int epoch, ulong first)
    {
        ulong stream = NoiseStream(epoch);
        for (int k = 0; k < noise.Length; k++)
        {
            ulong counter = first + (ulong)k;
            int id = Sample(seed, stream, counter);
            if (excludePositive && id == positive)
            {
                ulong redraw = RedrawStream(epoch);
                for (int a = 1; a <= MaxRedraws && id == positive; a++)
                    id = Sample(seed, redraw, counter * 32 + (ulong)a);
            }
            noise[k] = id;
        }
    }

    private static uint ToThreshold(double height)
        => height <= 0 ? 0u : (uint)Math.Min(uint.MaxValue, Math.Round(height * 4294967296.0));
}
