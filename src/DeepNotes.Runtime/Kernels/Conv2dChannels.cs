using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace DeepNotes.Kernels;

// Convolutions with at most 16 output channels on small images (LeNet's C3: 6 → 16 channels, 5×5 taps,
// 10×10 outputs), where every other path wastes its work: the GEMM per example is 16×100×150 and is all
// packing, and a row of 10 outputs fills 10 of 16 vector lanes. Here the vector runs over the output
// channels instead: all 16 lanes are one output position's channels (fewer channels leave lanes zero).
//   forward:          yT[p] = Σ_t WT[t] · x[off(t) + base(p)], 16 positions per register block, one
//                     weight vector load per tap, then yT is transposed into y with bias and activation;
//   weight gradient:  dWT[t] += Σ_p dyT[p] · x[off(t) + base(p)], 16 taps per register block, one
//                     gradient vector load per position;
// where t = (c, u, v) runs over the taps, p = (i, j) over the output positions, off(t) and base(p) are
// offsets into the (zero-padded) input and x[…] is broadcast. Nothing is materialised but the
// transposed weights (forward) or gradients (backward), a padded input copy and yT.
public static partial class Conv2d
{
    private const int Lanes = 16, Block = 16;

    /// <summary>Largest Cin·KH·KW and number of output positions the channel-vector path takes (offsets live on the stack).</summary>
    private const int ChannelsMaxTaps = 1024, ChannelsMaxPositions = 4096;

    /// <summary>Floats of one part's slot: transposed weights or gradients (taps or positions × 16), the padded input, yT.</summary>
    private static int ChannelsSlot(in Conv2dShape s)
        => s.ColumnRows * Lanes + PaddedSize(s) + s.OutSpatial * Lanes;

    internal static bool FitsChannels(in Conv2dShape s)
        => Vector512.IsHardwareAccelerated && s.OutChannels <= Lanes && s.ColumnRows <= ChannelsMaxTaps
           && s.OutSpatial <= ChannelsMaxPositions && ChannelsSlot(s) <= s.ScratchSize;

    /// <summary>off(t) for every tap and base(p) for every output position, in the padded input of row length W + 2·PW.</summary>
    private static void Offsets(Span<int> off, Span<int> basePos, in Conv2dShape s)
    {
        int hp = s.InHeight + 2 * s.PadHeight, wp = s.InWidth + 2 * s.PadWidth;
        int t = 0;
        for (int c = 0; c < s.InChannels; c++)
            for (int u = 0; u < s.KernelHeight; u++)
                for (int v = 0; v < s.KernelWidth; v++)
                    off[t++] = (c * hp + u) * wp + v;
        int p = 0;
        for (int i = 0; i < s.OutHeight; i++)
            for (int j = 0; j < s.OutWidth; j++)
                basePos[p++] = i * s.StrideHeight * wp + j * s.StrideWidth;
    }

    /// <summary>The input of one example with its zero border, or the input itself when unpadded.</summary>
    private static ReadOnlySpan<float> PaddedInput(ReadOnlySpan<float> xb, Span<float> padded, in Conv2dShape s)
    {
        if (PaddedSize(s) == 0) return xb;
        int h = s.InHeight, wd = s.InWidth, wp = wd + 2 * s.PadWidth, hp = h + 2 * s.PadHeight;
        padded.Clear();
        for (int c = 0; c < s.InChannels; c++)
            for (int r = 0; r < h; r++)
                xb.Slice((c * h + r) * wd, wd).CopyTo(padded.Slice((c * hp + r + s.PadHeight) * wp + s.PadWidth, wd));
        return padded;
    }

    /// <summary>Forward for examples [b0, b1) of a part, in scratch slot <paramref name="part"/>.</summary>
    [SkipLocalsInit]
    private static unsafe void ForwardChannels(Span<float> y, ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> bias,
        Span<float> scratch, int batch, in Conv2dShape s, Activation activation, int part, int parts)
    {
        (int b0, int b1) = Gemm.PartRange(batch, 1, part, parts);
        if (b0 >= b1) return;
        int taps = s.ColumnRows, positions = s.OutSpatial, cout = s.OutChannels;
        Span<float> slot = scratch.Slice(part * ChannelsSlot(s), ChannelsSlot(s));
        Span<float> wt = slot[..(taps * Lanes)];
        Span<float> padded = slot.Slice(taps * Lanes, PaddedSize(s));
        Span<float> yt = slot.Slice(taps * Lanes + PaddedSize(s), positions * Lanes);
        Span<int> off = stackalloc int[taps];
        Span<int> basePos = stackalloc int[positions];
        Offsets(off, basePos, s);
        // WT[t] = W[0..cout, t], zero in the lanes past cout.
        wt.Clear();
        for (int o = 0; o < cout; o++)
            for (int t = 0; t < taps; t++)
                wt[t * Lanes + o] = w[o * taps + t];

        fixed (float* pwt = wt)
        fixed (float* pyt = yt)
        fixed (int* poff = off)
        fixed (int* pbase = basePos)
        {
            for (int b = b0; b < b1; b++)
            {
                ReadOnlySpan<float> input = PaddedInput(x.Slice(b * s.InSize, s.InSize), padded, s);
                fixed (float* px = input)
                {
                    for (int p0 = 0; p0 < positions; p0 += Block)
                        ForwardBlock(pyt, pwt, px, poff, pbase, taps, Math.Min(p0, Math.Max(0, positions - Block)), Math.Min(Block, positions));
                }
                // yT [positions × 16] → y [cout × positions], with the epilogue.
                Span<float> yb = y.Slice(b * s.OutSize, s.OutSize);
                for (int o = 0; o < cout; o++)
                {
                    Span<float> plane = yb.Slice(o * positions, positions);
                    float add = bias.IsEmpty ? 0f : bias[o];
                    for (int p = 0; p < positions; p++) plane[p] = yt[p * Lanes + o] + add;
                    if (activation != Activation.None) Activations.Forward(plane, plane, activation);
                }
            }
        }
    }

    /// <summary>yT[p0 + k] for k &lt; count (≤ 16): sixteen position accumulators over every tap.</summary>
    [SkipLocalsInit]
    private static unsafe void ForwardBlock(float* yt, float* wt, float* x, int* off, int* basePos, int taps, int p0, int count)
    {
        Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
        Vector512<float> a8 = default, a9 = default, a10 = default, a11 = default, a12 = default, a13 = default, a14 = default, a15 = default;
        // Positions past count repeat the block's last one (their sums are not stored).
        int* bp = basePos + p0;
        int q0 = bp[0], q1 = bp[Math.Min(1, count - 1)], q2 = bp[Math.Min(2, count - 1)], q3 = bp[Math.Min(3, count - 1)];
        int q4 = bp[Math.Min(4, count - 1)], q5 = bp[Math.Min(5, count - 1)], q6 = bp[Math.Min(6, count - 1)], q7 = bp[Math.Min(7, count - 1)];
        int q8 = bp[Math.Min(8, count - 1)], q9 = bp[Math.Min(9, count - 1)], q10 = bp[Math.Min(10, count - 1)], q11 = bp[Math.Min(11, count - 1)];
        int q12 = bp[Math.Min(12, count - 1)], q13 = bp[Math.Min(13, count - 1)], q14 = bp[Math.Min(14, count - 1)], q15 = bp[Math.Min(15, count - 1)];
        for (int t = 0; t < taps; t++)
        {
            Vector512<float> wv = Vector512.Load(wt + t * Lanes);
            float* xt = x + off[t];
            a0 = Vector512.FusedMultiplyAdd(wv, Vector512.Create(xt[q0]), a0);
            a1 = Vector512.FusedMultiplyAdd(wv, Vector512.Create(xt[q1]), a1);
            a2 = Vector512.FusedMultiplyAdd(wv, Vector512.Create(xt[q2]), a2);
            a3 = Vector512.FusedMultiplyAdd(wv, Vector512.Create(xt[q3]), a3);
            a4 = Vector512.FusedMultiplyAdd(wv, Vector512.Create(xt[q4]), a4);
            a5 = Vector512.FusedMultiplyAdd(wv, Vector512.Create(xt[q5]), a5);
            a6 = Vector512.FusedMultiplyAdd(wv, Vector512.Create(xt[q6]), a6);
            a7 = Vector512.FusedMultiplyAdd(wv, Vector512.Create(xt[q7]), a7);
            a8 = Vector512.FusedMultiplyAdd(wv, Vector512.Create(xt[q8]), a8);
            a9 = Vector512.FusedMultiplyAdd(wv, Vector512.Create(xt[q9]), a9);
            a10 = Vector512.FusedMultiplyAdd(wv, Vector512.Create(xt[q10]), a10);
            a11 = Vector512.FusedMultiplyAdd(wv, Vector512.Create(xt[q11]), a11);
            a12 = Vector512.FusedMultiplyAdd(wv, Vector512.Create(xt[q12]), a12);
            a13 = Vector512.FusedMultiplyAdd(wv, Vector512.Create(xt[q13]), a13);
            a14 = Vector512.FusedMultiplyAdd(wv, Vector512.Create(xt[q14]), a14);
            a15 = Vector512.FusedMultiplyAdd(wv, Vector512.Create(xt[q15]), a15);
        }
        float* d = yt + p0 * Lanes;
        a0.Store(d);
        if (count > 1) a1.Store(d + 1 * Lanes);
        if (count > 2) a2.Store(d + 2 * Lanes);
        if (count > 3) a3.Store(d + 3 * Lanes);
        if (count > 4) a4.Store(d + 4 * Lanes);
        if (count > 5) a5.Store(d + 5 * Lanes);
        if (count > 6) a6.Store(d + 6 * Lanes);
        if (count > 7) a7.Store(d + 7 * Lanes);
        if (count > 8) a8.Store(d + 8 * Lanes);
        if (count > 9) a9.Store(d + 9 * Lanes);
        if (count > 10) a10.Store(d + 10 * Lanes);
        if (count > 11) a11.Store(d + 11 * Lanes);
        if (count > 12) a12.Store(d + 12 * Lanes);
        if (count > 13) a13.Store(d + 13 * Lanes);
        if (count > 14) a14.Store(d + 14 * Lanes);
        if (count > 15) a15.Store(d + 15 * Lanes);
    }

    /// <summary>Weight gradient for taps [t0, t1) of a part (all examples), in scratch slot <paramref name="part"/>.</summary>
    [SkipLocalsInit]
    private static unsafe void BackwardWeightsChannels(float* dw, Span<float> dbias, ReadOnlySpan<float> dy, ReadOnlySpan<float> x,
        Span<float> scratch, int batch, in Conv2dShape s, bool overwrite, int part, int parts)
    {
        int taps = s.ColumnRows, positions = s.OutSpatial, cout = s.OutChannels;
        (int t0, int t1) = Gemm.PartRange(taps, Block, part, parts);
        (int o0, int o1) = Gemm.PartRange(cout, 1, part, parts);
        Span<float> slot = scratch.Slice(part * ChannelsSlot(s), ChannelsSlot(s));
        Span<float> gt = slot[..(taps * Lanes)];                    // this part's dWT[t] accumulators, t in [t0, t1)
        Span<float> padded = slot.Slice(taps * Lanes, PaddedSize(s));
        Span<float> dyt = slot.Slice(taps * Lanes + PaddedSize(s), positions * Lanes);
        Span<int> off = stackalloc int[taps];
        Span<int> basePos = stackalloc int[positions];
        Offsets(off, basePos, s);
        gt.Clear();
        dyt.Clear();   // lanes past cout stay zero

        fixed (float* pgt = gt)
        fixed (float* pdyt = dyt)
        fixed (int* poff = off)
        fixed (int* pbase = basePos)
        {
            for (int b = 0; b < batch; b++)
            {
                ReadOnlySpan<float> dyb = dy.Slice(b * s.OutSize, s.OutSize);
                if (t0 < t1)
                {
                    for (int o = 0; o < cout; o++)
                        for (int p = 0; p < positions; p++)
                            dyt[p * Lanes + o] = dyb[o * positions + p];
                    ReadOnlySpan<float> input = PaddedInput(x.Slice(b * s.InSize, s.InSize), padded, s);
                    fixed (float* px = input)
                    {
                        // No overlapping tail block here: the accumulators add, so a short last block repeats its last tap instead.
                        for (int tb = t0; tb < t1; tb += Block)
                            WeightsBlock(pgt, pdyt, px, poff, pbase, positions, tb, Math.Min(Block, t1 - tb));
                    }
                }
                if (!dbias.IsEmpty)
                {
                    for (int o = o0; o < o1; o++)
                    {
                        float sum = System.Numerics.Tensors.TensorPrimitives.Sum(dyb.Slice(o * positions, positions));
                        dbias[o] = overwrite && b == 0 ? sum : dbias[o] + sum;
                    }
                }
            }
            // dW[o, t] (+)= dWT[t][o] for this part's taps.
            for (int t = t0; t < t1; t++)
                for (int o = 0; o < cout; o++)
                    dw[o * taps + t] = overwrite ? pgt[t * Lanes + o] : dw[o * taps + t] + pgt[t * Lanes + o];
        }
        if (overwrite && batch == 0 && !dbias.IsEmpty) dbias[o0..o1].Clear();
    }

    /// <summary>dWT[t0 + k] += Σ_p dyT[p]·x[off(t0 + k) + base(p)] for k &lt; count (≤ 16): sixteen tap accumulators.</summary>
    [SkipLocalsInit]
    private static unsafe void WeightsBlock(float* gt, float* dyt, float* x, int* off, int* basePos, int positions, int t0, int count)
    {
        int* ot = off + t0;
        // Taps past count repeat the block's last one (their sums are not stored).
        float* x0 = x + ot[0], x1 = x + ot[Math.Min(1, count - 1)], x2 = x + ot[Math.Min(2, count - 1)], x3 = x + ot[Math.Min(3, count - 1)];
        float* x4 = x + ot[Math.Min(4, count - 1)], x5 = x + ot[Math.Min(5, count - 1)], x6 = x + ot[Math.Min(6, count - 1)], x7 = x + ot[Math.Min(7, count - 1)];
        float* x8 = x + ot[Math.Min(8, count - 1)], x9 = x + ot[Math.Min(9, count - 1)], x10 = x + ot[Math.Min(10, count - 1)], x11 = x + ot[Math.Min(11, count - 1)];
        float* x12 = x + ot[Math.Min(12, count - 1)], x13 = x + ot[Math.Min(13, count - 1)], x14 = x + ot[Math.Min(14, count - 1)], x15 = x + ot[Math.Min(15, count - 1)];
        float* g = gt + t0 * Lanes;
        Vector512<float> a0 = Vector512.Load(g), a1 = Vector512.Load(g + Lanes * Math.Min(1, count - 1));
        Vector512<float> a2 = Vector512.Load(g + Lanes * Math.Min(2, count - 1)), a3 = Vector512.Load(g + Lanes * Math.Min(3, count - 1));
        Vector512<float> a4 = Vector512.Load(g + Lanes * Math.Min(4, count - 1)), a5 = Vector512.Load(g + Lanes * Math.Min(5, count - 1));
        Vector512<float> a6 = Vector512.Load(g + Lanes * Math.Min(6, count - 1)), a7 = Vector512.Load(g + Lanes * Math.Min(7, count - 1));
        Vector512<float> a8 = Vector512.Load(g + Lanes * Math.Min(8, count - 1)), a9 = Vector512.Load(g + Lanes * Math.Min(9, count - 1));
        Vector512<float> a10 = Vector512.Load(g + Lanes * Math.Min(10, count - 1)), a11 = Vector512.Load(g + Lanes * Math.Min(11, count - 1));
        Vector512<float> a12 = Vector512.Load(g + Lanes * Math.Min(12, count - 1)), a13 = Vector512.Load(g + Lanes * Math.Min(13, count - 1));
        Vector512<float> a14 = Vector512.Load(g + Lanes * Math.Min(14, count - 1)), a15 = Vector512.Load(g + Lanes * Math.Min(15, count - 1));
        for (int p = 0; p < positions; p++)
        {
            Vector512<float> d = Vector512.Load(dyt + p * Lanes);
            int q = basePos[p];
            a0 = Vector512.FusedMultiplyAdd(d, Vector512.Create(x0[q]), a0);
            a1 = Vector512.FusedMultiplyAdd(d, Vector512.Create(x1[q]), a1);
            a2 = Vector512.FusedMultiplyAdd(d, Vector512.Create(x2[q]), a2);
            a3 = Vector512.FusedMultiplyAdd(d, Vector512.Create(x3[q]), a3);
            a4 = Vector512.FusedMultiplyAdd(d, Vector512.Create(x4[q]), a4);
            a5 = Vector512.FusedMultiplyAdd(d, Vector512.Create(x5[q]), a5);
            a6 = Vector512.FusedMultiplyAdd(d, Vector512.Create(x6[q]), a6);
            a7 = Vector512.FusedMultiplyAdd(d, Vector512.Create(x7[q]), a7);
            a8 = Vector512.FusedMultiplyAdd(d, Vector512.Create(x8[q]), a8);
            a9 = Vector512.FusedMultiplyAdd(d, Vector512.Create(x9[q]), a9);
            a10 = Vector512.FusedMultiplyAdd(d, Vector512.Create(x10[q]), a10);
            a11 = Vector512.FusedMultiplyAdd(d, Vector512.Create(x11[q]), a11);
            a12 = Vector512.FusedMultiplyAdd(d, Vector512.Create(x12[q]), a12);
            a13 = Vector512.FusedMultiplyAdd(d, Vector512.Create(x13[q]), a13);
            a14 = Vector512.FusedMultiplyAdd(d, Vector512.Create(x14[q]), a14);
            a15 = Vector512.FusedMultiplyAdd(d, Vector512.Create(x15[q]), a15);
        }
        a0.Store(g);
        if (count > 1) a1.Store(g + 1 * Lanes);
        if (count > 2) a2.Store(g + 2 * Lanes);
        if (count > 3) a3.Store(g + 3 * Lanes);
        if (count > 4) a4.Store(g + 4 * Lanes);
        if (count > 5) a5.Store(g + 5 * Lanes);
        if (count > 6) a6.Store(g + 6 * Lanes);
        if (count > 7) a7.Store(g + 7 * Lanes);
        if (count > 8) a8.Store(g + 8 * Lanes);
        if (count > 9) a9.Store(g + 9 * Lanes);
        if (count > 10) a10.Store(g + 10 * Lanes);
        if (count > 11) a11.Store(g + 11 * Lanes);
        if (count > 12) a12.Store(g + 12 * Lanes);
        if (count > 13) a13.Store(g + 13 * Lanes);
        if (count > 14) a14.Store(g + 14 * Lanes);
        if (count > 15) a15.Store(g + 15 * Lanes);
    }
}
