using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace DeepNotes.Kernels;

/// <summary>Which forward path <see cref="Conv2d"/> runs (internal, so tests and benchmarks can pin each one).</summary>
internal enum Conv2dPath
{
    /// <summary>Direct for stride 1 with a shallow GEMM depth Cin·KH·KW, otherwise im2col.</summary>
    Auto = 0,
    /// <summary>im2col into scratch, then one GEMM per example.</summary>
    Im2Col = 1,
    /// <summary>The direct path with 8-float vectors.</summary>
    Direct256 = 2,
    /// <summary>The direct path with 16-float vectors.</summary>
    Direct512 = 3,
    /// <summary>Vectors over (at most 16) output channels: small images with few output channels (Conv2dChannels.cs).</summary>
    Channels = 4,
}

/// <summary>Which weight-gradient path <see cref="Conv2d"/> runs (internal, so tests can pin each one).</summary>
internal enum WeightsPath
{
    /// <summary>The fastest the shape and hardware allow: Dot, then Channels, then Im2Col.</summary>
    Auto = 0,
    /// <summary>im2col into scratch, then GEMMs by columns of dW.</summary>
    Im2Col = 1,
    /// <summary>One dot product per weight over the output positions (Conv2dDirectWeights.cs).</summary>
    Dot = 2,
    /// <summary>Vectors over the output channels (Conv2dChannels.cs).</summary>
    Channels = 3,
}

// The direct forward path for stride-1 convolutions with a shallow GEMM (an image layer such as
// LeNet's first). There the GEMM's depth Cin·KH·KW is small while the column matrix is KH·KW times
// the input, so building and packing columns costs more than the arithmetic. Instead a register
// tile of (8 output channels, 4 with 8-wide vectors) × (2 output rows) × (one vector of columns) is
// accumulated straight from the zero-padded input: each input load feeds 8 (4) FMAs and each weight
// broadcast feeds 2. A row's last vector overlaps the one before it, so the output width must be at
// least one vector; an odd last row is recomputed with the row above it.
public static partial class Conv2d
{
    // The direct path pays off while the GEMM would be shallow. Measured on Zen 5 against im2col with
    // the 8×32 AVX-512 GEMM: the 16-wide kernel won from Cin·KH·KW = 9 up to 576 (64 channels, 3×3) and
    // lost at 1152; the 8-wide kernel won up to 150 (LeNet's 6→16 5×5), tied at 72 and 288, lost at 576.
    private const int DirectMaxDepth512 = 576, DirectMaxDepth256 = 160;

    /// <summary>The path <paramref name="requested"/> resolves to for this shape on this machine; a direct path
    /// the shape cannot take (stride ≠ 1, fewer than 2 output rows or one vector of output columns) becomes im2col.</summary>
    internal static Conv2dPath Resolve(Conv2dPath requested, in Conv2dShape s)
    {
        bool fits = s.StrideHeight == 1 && s.StrideWidth == 1 && s.OutHeight >= 2;
        bool fits512 = fits && s.OutWidth >= Vector512<float>.Count, fits256 = fits && s.OutWidth >= Vector256<float>.Count;
        return requested switch
        {
            Conv2dPath.Auto when s.ColumnRows <= DirectMaxDepth512 && fits512 && Vector512.IsHardwareAccelerated => Conv2dPath.Direct512,
            Conv2dPath.Auto when FitsChannels(s) => Conv2dPath.Channels,
            Conv2dPath.Channels when FitsChannels(s) => Conv2dPath.Channels,
            Conv2dPath.Auto when s.ColumnRows <= DirectMaxDepth256 && fits256 && Vector256.IsHardwareAccelerated => Conv2dPath.Direct256,
            Conv2dPath.Direct512 when fits512 => Conv2dPath.Direct512,
            Conv2dPath.Direct256 when fits256 => Conv2dPath.Direct256,
            _ => Conv2dPath.Im2Col,
        };
    }

    /// <summary>
    /// y[o, i, j] = Σ_{c,u,v} w[o, c, u, v]·x[c, i − PH + u, j − PW + v] for one example (no bias, no activation).
    /// A padded convolution first copies the input into <paramref name="scratch"/> with its zero border:
    /// Cin·(OH + KH − 1)·(OW + KW − 1) floats, within <see cref="Conv2dShape.ScratchSize"/> = Cin·KH·KW·OH·OW at stride 1.
    /// </summary>
    private static unsafe void ForwardDirect(Span<float> y, ReadOnlySpan<float> x, ReadOnlySpan<float> w,
        in Conv2dShape s, Span<float> scratch, bool wide)
    {
        int h = s.InHeight, wd = s.InWidth;
        bool padded = s.PadHeight != 0 || s.PadWidth != 0;
        int ld = wd + 2 * s.PadWidth, ldPlane = (h + 2 * s.PadHeight) * ld;
        if (padded)
        {
            Span<float> p = scratch[..(s.InChannels * ldPlane)];
            p.Clear();
            for (int c = 0; c < s.InChannels; c++)
                for (int r = 0; r < h; r++)
                    x.Slice((c * h + r) * wd, wd).CopyTo(p.Slice(c * ldPlane + (r + s.PadHeight) * ld + s.PadWidth, wd));
        }
        fixed (float* py = y)
        fixed (float* px = padded ? (ReadOnlySpan<float>)scratch : x)
        fixed (float* pw = w)
        {
            for (int ob = 0; ob < s.OutChannels; ob += 8)
            {
                int cb = Math.Min(8, s.OutChannels - ob);
                if (wide) Direct512(py, px, ld, ldPlane, pw, ob, cb, s);
                else Direct256(py, px, ld, ldPlane, pw, ob, cb, s);
            }
        }
    }

    /// <summary>Output channels ob..ob+cb (cb ≤ 8) with 16-wide vectors: 16 zmm accumulators.</summary>
    [SkipLocalsInit]
    private static unsafe void Direct512(float* y, float* x, int ld, int ldPlane, float* w, int ob, int cb, in Conv2dShape s)
    {
        int oh = s.OutHeight, ow = s.OutWidth, kh = s.KernelHeight, kw = s.KernelWidth, cin = s.InChannels;
        int taps = kh * kw, plane = oh * ow, filter = cin * taps;
        const int V = 16;
        // Channels past cb repeat the last one; their sums are never stored.
        float* w0 = w + (ob + Math.Min(0, cb - 1)) * filter, w1 = w + (ob + Math.Min(1, cb - 1)) * filter;
        float* w2 = w + (ob + Math.Min(2, cb - 1)) * filter, w3 = w + (ob + Math.Min(3, cb - 1)) * filter;
        float* w4 = w + (ob + Math.Min(4, cb - 1)) * filter, w5 = w + (ob + Math.Min(5, cb - 1)) * filter;
        float* w6 = w + (ob + Math.Min(6, cb - 1)) * filter, w7 = w + (ob + Math.Min(7, cb - 1)) * filter;
        for (int i0 = 0; i0 < oh; i0 += 2)
        {
            int i = Math.Min(i0, oh - 2);          // an odd last row recomputes the one above it
            for (int j0 = 0; j0 < ow; j0 += V)
            {
                int j = Math.Min(j0, ow - V);      // the last vector of a row overlaps the one before it
                Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default;
                Vector512<float> a4 = default, a5 = default, a6 = default, a7 = default;
                Vector512<float> b0 = default, b1 = default, b2 = default, b3 = default;
                Vector512<float> b4 = default, b5 = default, b6 = default, b7 = default;
                for (int c = 0; c < cin; c++)
                {
                    int t = c * taps;
                    for (int u = 0; u < kh; u++)
                    {
                        float* row = x + (nint)c * ldPlane + (nint)(i + u) * ld + j;
                        for (int v = 0; v < kw; v++, t++)
                        {
                            Vector512<float> x0 = Vector512.Load(row + v), x1 = Vector512.Load(row + ld + v);
                            Vector512<float> k = Vector512.Create(w0[t]);
                            a0 = Vector512.FusedMultiplyAdd(k, x0, a0); b0 = Vector512.FusedMultiplyAdd(k, x1, b0);
                            k = Vector512.Create(w1[t]);
                            a1 = Vector512.FusedMultiplyAdd(k, x0, a1); b1 = Vector512.FusedMultiplyAdd(k, x1, b1);
                            k = Vector512.Create(w2[t]);
                            a2 = Vector512.FusedMultiplyAdd(k, x0, a2); b2 = Vector512.FusedMultiplyAdd(k, x1, b2);
                            k = Vector512.Create(w3[t]);
                            a3 = Vector512.FusedMultiplyAdd(k, x0, a3); b3 = Vector512.FusedMultiplyAdd(k, x1, b3);
                            k = Vector512.Create(w4[t]);
                            a4 = Vector512.FusedMultiplyAdd(k, x0, a4); b4 = Vector512.FusedMultiplyAdd(k, x1, b4);
                            k = Vector512.Create(w5[t]);
                            a5 = Vector512.FusedMultiplyAdd(k, x0, a5); b5 = Vector512.FusedMultiplyAdd(k, x1, b5);
                            k = Vector512.Create(w6[t]);
                            a6 = Vector512.FusedMultiplyAdd(k, x0, a6); b6 = Vector512.FusedMultiplyAdd(k, x1, b6);
                            k = Vector512.Create(w7[t]);
                            a7 = Vector512.FusedMultiplyAdd(k, x0, a7); b7 = Vector512.FusedMultiplyAdd(k, x1, b7);
                        }
                    }
                }
                float* d = y + (nint)ob * plane + i * ow + j;
                a0.Store(d); b0.Store(d + ow);
                if (cb > 1) { a1.Store(d + plane); b1.Store(d + plane + ow); }
                if (cb > 2) { a2.Store(d + 2 * plane); b2.Store(d + 2 * plane + ow); }
                if (cb > 3) { a3.Store(d + 3 * plane); b3.Store(d + 3 * plane + ow); }
                if (cb > 4) { a4.Store(d + 4 * plane); b4.Store(d + 4 * plane + ow); }
                if (cb > 5) { a5.Store(d + 5 * plane); b5.Store(d + 5 * plane + ow); }
                if (cb > 6) { a6.Store(d + 6 * plane); b6.Store(d + 6 * plane + ow); }
                if (cb > 7) { a7.Store(d + 7 * plane); b7.Store(d + 7 * plane + ow); }
            }
        }
    }

    /// <summary>Output channels ob..ob+cb (cb ≤ 8) with 8-wide vectors, four channels at a time: 8 of the 16 ymm registers accumulate.</summary>
    [SkipLocalsInit]
    private static unsafe void Direct256(float* y, float* x, int ld, int ldPlane, float* w, int ob, int cb, in Conv2dShape s)
    {
        int oh = s.OutHeight, ow = s.OutWidth, kh = s.KernelHeight, kw = s.KernelWidth, cin = s.InChannels;
        int taps = kh * kw, plane = oh * ow, filter = cin * taps;
        const int V = 8;
        for (int q = 0; q < cb; q += 4)
        {
            int qb = Math.Min(4, cb - q), o = ob + q;
            float* w0 = w + (o + Math.Min(0, qb - 1)) * filter, w1 = w + (o + Math.Min(1, qb - 1)) * filter;
            float* w2 = w + (o + Math.Min(2, qb - 1)) * filter, w3 = w + (o + Math.Min(3, qb - 1)) * filter;
            for (int i0 = 0; i0 < oh; i0 += 2)
            {
                int i = Math.Min(i0, oh - 2);
                for (int j0 = 0; j0 < ow; j0 += V)
                {
                    int j = Math.Min(j0, ow - V);
                    Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default;
                    Vector256<float> b0 = default, b1 = default, b2 = default, b3 = default;
                    for (int c = 0; c < cin; c++)
                    {
                        int t = c * taps;
                        for (int u = 0; u < kh; u++)
                        {
                            float* row = x + (nint)c * ldPlane + (nint)(i + u) * ld + j;
                            for (int v = 0; v < kw; v++, t++)
                            {
                                Vector256<float> x0 = Vector256.Load(row + v), x1 = Vector256.Load(row + ld + v);
                                Vector256<float> k = Vector256.Create(w0[t]);
                                a0 = Vector256.FusedMultiplyAdd(k, x0, a0); b0 = Vector256.FusedMultiplyAdd(k, x1, b0);
                                k = Vector256.Create(w1[t]);
                                a1 = Vector256.FusedMultiplyAdd(k, x0, a1); b1 = Vector256.FusedMultiplyAdd(k, x1, b1);
                                k = Vector256.Create(w2[t]);
                                a2 = Vector256.FusedMultiplyAdd(k, x0, a2); b2 = Vector256.FusedMultiplyAdd(k, x1, b2);
                                k = Vector256.Create(w3[t]);
                                a3 = Vector256.FusedMultiplyAdd(k, x0, a3); b3 = Vector256.FusedMultiplyAdd(k, x1, b3);
                            }
                        }
                    }
                    float* d = y + (nint)o * plane + i * ow + j;
                    a0.Store(d); b0.Store(d + ow);
                    if (qb > 1) { a1.Store(d + plane); b1.Store(d + plane + ow); }
                    if (qb > 2) { a2.Store(d + 2 * plane); b2.Store(d + 2 * plane + ow); }
                    if (qb > 3) { a3.Store(d + 3 * plane); b3.Store(d + 3 * plane + ow); }
                }
            }
        }
    }
}
