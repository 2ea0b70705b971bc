namespace DeepNotes.Kernels;

/// <summary>
/// Inverted dropout. The mask is never stored: it is a pure function of (seed, stream, index)
/// through the counter-based RNG, so backward regenerates it and the memory planner keeps
/// nothing for it. The compiler derives the stream from the training step and the op.
/// One 64-bit draw gives four 16-bit uniforms, one per element: p is applied with a resolution
/// of 1/65536, which is far below what training can notice, at a quarter of the hashing cost.
/// </summary>
public static class Dropout
{
    public static void Forward(Span<float> y, ReadOnlySpan<float> x, float p, ulong seed, ulong stream)
        => Apply(y, x, p, seed, stream);

    /// <summary>dx = dy · mask / (1 − p), with the forward pass's mask.</summary>
    public static void Backward(Span<float> dx, ReadOnlySpan<float> dy, float p, ulong seed, ulong stream)
        => Apply(dx, dy, p, seed, stream);

    /// <summary>The stream of one dropout op at one training step.</summary>
    public static ulong Stream(long step, int op) => ((ulong)step << 16) ^ (ulong)op ^ 0xD20F_0000_0000_0000UL;

    // Forward and backward are the same masked scaling; sharing it guarantees the same mask.
    private static void Apply(Span<float> y, ReadOnlySpan<float> x, float p, ulong seed, ulong stream)
    {
        if (!(p >= 0f && p < 1f)) throw new ArgumentOutOfRangeException(nameof(p), p, "dropout probability must be in [0, 1)");
        if (y.Length < x.Length) throw new ArgumentException("output is shorter than input", nameof(y));
        float keepScale = 1f / (1f - p);
        uint threshold = (uint)MathF.Round(p * 65536f);
        int n = x.Length, i = 0;
        for (ulong block = 0; i < n; block++)
        {
            ulong bits = CounterRng.Next64(seed, stream, block);
            for (int lane = 0; lane < 4 && i < n; lane++, i++, bits >>= 16)
                y[i] = (uint)(bits & 0xFFFF) >= threshold ? x[i] * keepScale : 0f;
        }
    }
}
