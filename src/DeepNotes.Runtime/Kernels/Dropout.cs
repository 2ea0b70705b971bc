namespace DeepNotes.Kernels;

/// <summary>
/// Inverted dropout. The mask is never stored: it is a pure function of (seed, stream, index)
/// through the counter-based RNG, so backward regenerates it and the memory planner keeps
/// nothing for it. The compiler derives the stream from the training step and the op.
/// </summary>
public static class Dropout
{
    public static void Forward(Span<float> y, ReadOnlySpan<float> x, float p, ulong seed, ulong stream)
    {
        float keepScale = 1f / (1f - p);
        for (int i = 0; i < x.Length; i++)
            y[i] = Keep(p, seed, stream, i) ? x[i] * keepScale : 0f;
    }

    public static void Backward(Span<float> dx, ReadOnlySpan<float> dy, float p, ulong seed, ulong stream)
    {
        float keepScale = 1f / (1f - p);
        for (int i = 0; i < dy.Length; i++)
            dx[i] = Keep(p, seed, stream, i) ? dy[i] * keepScale : 0f;
    }

    /// <summary>The stream of one dropout op at one training step.</summary>
    public static ulong Stream(long step, int op) => ((ulong)step << 16) ^ (ulong)op ^ 0xD20F_0000_0000_0000UL;

    private static bool Keep(float p, ulong seed, ulong stream, int i) => CounterRng.Uniform(seed, stream, (ulong)i) >= p;
}
