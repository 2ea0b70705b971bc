using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace DeepNotes.Kernels;

// The direct weight gradient for stride-1 convolutions with a shallow GEMM (an image layer such as
// LeNet's first, 1 input channel and 25 taps). There im2col + GEMM per example is all packing: the
// column matrix is KH·KW times the input and the GEMM is 6×25×784. Instead, for every (output
// channel o, input channel c, tap u, v) the gradient is a dot product over the output positions,
//   dW[o, c, u, v] += Σ_{i,j} dy[o, i, j] · xpad[c, i + u, j + v],
// taken 16 columns at a time with four independent accumulators, from a zero-padded copy of the
// input and a copy of dy whose rows are padded with zeros to whole vectors (so the last vector of a
// row multiplies the padding by zero). Parts of a split call take ranges of output channels; each
// builds its copies in its own slot of the scratch.
public static partial class Conv2d
{
    private const int WeightsVector = 16;

    /// <summary>Largest Cin·KH·KW the direct weight gradient takes. Measured on Zen 5 at batch 64, one thread:
    /// LeNet's C1 (depth 25) 1.08 ms with im2col + GEMM, 0.46 ms direct; C3 (depth 150, 10 of 16 lanes used,
    /// one horizontal sum per 10 FMAs) 1.08 ms with im2col, about 3 ms direct.</summary>
    private const int DirectWeightsMaxDepth = 64;

    /// <summary>Floats of one part's slot: the padded input copy, then dy with rows padded to whole vectors.</summary>
    private static int DirectWeightsSlot(in Conv2dShape s)
    {
        int chunks = (s.OutWidth + WeightsVector - 1) / WeightsVector;
        int ldp = chunks * WeightsVector + s.KernelWidth - 1;
        return s.InChannels * (s.OutHeight + s.KernelHeight - 1) * ldp + s.OutChannels * s.OutHeight * chunks * WeightsVector;
    }

    /// <summary>Whether <see cref="BackwardWeights(Span{float}, Span{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, int, in Conv2dShape, Span{float})"/>
    /// takes the direct path for this shape on this machine.</summary>
    internal static bool UsesDirectWeights(in Conv2dShape s)
        => Vector512.IsHardwareAccelerated && s.StrideHeight == 1 && s.StrideWidth == 1 && s.ColumnRows <= DirectWeightsMaxDepth
           && DirectWeightsSlot(s) <= s.ScratchSize;

    /// <summary>Direct weight gradient for output channels [o0, o1) of every example, in scratch slot <paramref name="part"/>.</summary>
    [SkipLocalsInit]
    private static unsafe void BackwardWeightsDirect(float* dw, Span<float> dbias, ReadOnlySpan<float> dy, ReadOnlySpan<float> x,
        Span<float> scratch, int batch, in Conv2dShape s, bool overwrite, int part, int parts)
    {
        (int o0, int o1) = Gemm.PartRange(s.OutChannels, 1, part, parts);
        if (o0 >= o1) return;
        if (overwrite)
        {
            int filter = s.InChannels * s.KernelHeight * s.KernelWidth;
            new Span<float>(dw + (nint)o0 * filter, (o1 - o0) * filter).Clear();
            if (!dbias.IsEmpty) dbias[o0..o1].Clear();
        }
        int oh = s.OutHeight, ow = s.OutWidth, kh = s.KernelHeight, kw = s.KernelWidth, cin = s.InChannels, h = s.InHeight, wd = s.InWidth;
        int chunks = (ow + WeightsVector - 1) / WeightsVector, ldd = chunks * WeightsVector;
        int ldp = ldd + kw - 1, rows = oh + kh - 1, planeP = rows * ldp, n = s.OutSpatial;
        int slot = DirectWeightsSlot(s);
        Span<float> padded = scratch.Slice(part * slot, cin * planeP);
        Span<float> grads = scratch.Slice(part * slot + cin * planeP, s.OutChannels * oh * ldd);
        padded.Clear();
        grads.Clear();
        fixed (float* pp = padded)
        fixed (float* pg = grads)
        {
            for (int b = 0; b < batch; b++)
            {
                ReadOnlySpan<float> xb = x.Slice(b * s.InSize, s.InSize);
                for (int c = 0; c < cin; c++)
                    for (int r = 0; r < h; r++)
                        xb.Slice((c * h + r) * wd, wd).CopyTo(padded.Slice(c * planeP + (r + s.PadHeight) * ldp + s.PadWidth, wd));
                ReadOnlySpan<float> dyb = dy.Slice(b * s.OutSize, s.OutSize);
                for (int o = o0; o < o1; o++)
                    for (int i = 0; i < oh; i++)
                        dyb.Slice((o * oh + i) * ow, ow).CopyTo(grads.Slice((o * oh + i) * ldd, ow));

                for (int o = o0; o < o1; o++)
                {
                    float* g = pg + (nint)o * oh * ldd;
                    for (int c = 0; c < cin; c++)
                    {
                        float* dwoc = dw + ((nint)o * cin + c) * kh * kw;
                        for (int u = 0; u < kh; u++)
                            for (int v = 0; v < kw; v++)
                                dwoc[u * kw + v] += Dot(g, pp + (nint)c * planeP + u * ldp + v, oh, chunks, ldd, ldp);
                    }
                    if (!dbias.IsEmpty) dbias[o] += TensorPrimitives.Sum(dyb.Slice(o * n, n));
                }
            }
        }
    }

    /// <summary>Σ over rows i and columns j &lt; chunks·16 of g[i·ldg + j]·p[i·ldp + j], with four accumulators.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe float Dot(float* g, float* p, int rows, int chunks, int ldg, int ldp)
    {
        Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default;
        int i = 0;
        for (; i + 2 <= rows; i += 2)
        {
            float* g0 = g + (nint)i * ldg, p0 = p + (nint)i * ldp;
            float* g1 = g0 + ldg, p1 = p0 + ldp;
            int k = 0;
            for (; k + 2 <= chunks; k += 2)
            {
                int j = k * WeightsVector;
                a0 = Vector512.FusedMultiplyAdd(Vector512.Load(g0 + j), Vector512.Load(p0 + j), a0);
                a1 = Vector512.FusedMultiplyAdd(Vector512.Load(g0 + j + WeightsVector), Vector512.Load(p0 + j + WeightsVector), a1);
                a2 = Vector512.FusedMultiplyAdd(Vector512.Load(g1 + j), Vector512.Load(p1 + j), a2);
                a3 = Vector512.FusedMultiplyAdd(Vector512.Load(g1 + j + WeightsVector), Vector512.Load(p1 + j + WeightsVector), a3);
            }
            if (k < chunks)
            {
                int j = k * WeightsVector;
                a0 = Vector512.FusedMultiplyAdd(Vector512.Load(g0 + j), Vector512.Load(p0 + j), a0);
                a2 = Vector512.FusedMultiplyAdd(Vector512.Load(g1 + j), Vector512.Load(p1 + j), a2);
            }
        }
        if (i < rows)
        {
            float* g0 = g + (nint)i * ldg, p0 = p + (nint)i * ldp;
            for (int k = 0; k < chunks; k++)
                a1 = Vector512.FusedMultiplyAdd(Vector512.Load(g0 + k * WeightsVector), Vector512.Load(p0 + k * WeightsVector), a1);
        }
        return Vector512.Sum((a0 + a1) + (a2 + a3));
    }
}
