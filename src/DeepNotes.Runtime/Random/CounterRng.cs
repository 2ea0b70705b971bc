using System.Runtime.CompilerServices;

namespace DeepNotes;

/// <summary>
/// A counter-based random number generator: every value is a pure function of
/// (seed, stream, counter), so dropout masks, shuffles and initial weights are reproducible
/// from a seed, need no mutable state shared between threads, and allocate nothing.
/// The mixer is two rounds of a 64-bit finaliser (SplitMix64's), keyed by the seed and stream.
/// </summary>
public static class CounterRng
{
    /// <summary>64 well-mixed bits for (seed, stream, counter).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Next64(ulong seed, ulong stream, ulong counter)
    {
        ulong key = Mix(seed ^ 0x9E3779B97F4A7C15UL * (stream + 1));
        return Mix(key ^ Mix(counter + 0xD1B54A32D192ED03UL * (key | 1)));
    }

    /// <summary>A float uniform in [0, 1) with 24 random bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Uniform(ulong seed, ulong stream, ulong counter)
        => (Next64(seed, stream, counter) >> 40) * (1.0f / (1 << 24));

    /// <summary>A standard normal sample (Box–Muller on two uniforms of the same counter).</summary>
    public static float Normal(ulong seed, ulong stream, ulong counter)
    {
        ulong bits = Next64(seed, stream, counter);
        double u1 = ((bits >> 11) + 1.0) * (1.0 / 9007199254740993.0); // (0, 1]
        double u2 = (Next64(seed, stream ^ 0x5851F42D4C957F2DUL, counter) >> 11) * (1.0 / 9007199254740992.0);
        return (float)(Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2));
    }

    /// <summary>An integer uniform in [0, bound) (Lemire's multiply-shift; bias below 2^-32 for bound &lt; 2^32).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int NextInt(ulong seed, ulong stream, ulong counter, int bound)
    {
        if (bound <= 0) throw new ArgumentOutOfRangeException(nameof(bound), bound, "bound must be positive");
        return (int)(((Next64(seed, stream, counter) >> 32) * (ulong)bound) >> 32);
    }

    /// <summary>Fisher–Yates shuffle of <paramref name="items"/> in place, reproducible from (seed, stream).</summary>
    public static void Shuffle(Span<int> items, ulong seed, ulong stream)
    {
        for (int i = items.Length - 1; i > 0; i--)
        {
            int j = NextInt(seed, stream, (ulong)i, i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
