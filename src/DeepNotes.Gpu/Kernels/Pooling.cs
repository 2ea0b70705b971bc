using System;
using System.Runtime.CompilerServices;
using DeepNotes.Kernels;
using ILGPU;
using ILGPU.Runtime;

namespace DeepNotes.Gpu.Kernels;

/// <summary>
/// The GPU twin of DeepNotes.Kernels.Pooling: max, average and global-average pooling over NCHW,
/// forward and backward, with the CPU's semantics. Windows are clipped to the input (padding is −∞ for
/// max, 0 for average, whose divisor stays KH·KW: count_include_pad). Every kernel is a gather, one
/// thread per element it writes, so backward needs no atomics: max backward recomputes, for each input
/// element, the arg-max of every window that covers it (the first maximum in row-major window order
/// wins ties, a NaN is the maximum, as on the CPU) and sums the dy of the windows it won, in the
/// CPU's order.
/// </summary>
public static class Pooling
{
    private static readonly ElementKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, Geometry>
        s_maxForward = new(MaxForwardKernel), s_maxBackward = new(MaxBackwardKernel), s_avgForward = new(AvgForwardKernel), s_avgBackward = new(AvgBackwardKernel);
    private static readonly ElementKernel<ArrayView<float>, ArrayView<float>, int> s_globalForward = new(GlobalForwardKernel), s_globalBackward = new(GlobalBackwardKernel);

    /// <summary>y = the maximum of each window; padding counts as −∞. Overwrites y.</summary>
    public static void MaxForward(GpuDevice device, ArrayView<float> y, ArrayView<float> x, int batch, in Pool2dShape s)
    {
        var g = Geometry.Of(y.Length, x.Length, batch, s, nameof(y), nameof(x));
        s_maxForward.Launch(device, batch * g.OutSize, y, x, default, g);
    }

    /// <summary>dx[argmax of each window] += dy, the arg-max recomputed from x (first maximum wins ties). Overwrites dx.</summary>
    public static void MaxBackward(GpuDevice device, ArrayView<float> dx, ArrayView<float> dy, ArrayView<float> x, int batch, in Pool2dShape s)
    {
        var g = Geometry.Of(dy.Length, dx.Length, batch, s, nameof(dy), nameof(dx));
        Operands.Require(x.Length, (long)batch * g.InSize, nameof(x));
        s_maxBackward.Launch(device, batch * g.InSize, dx, dy, x, g);
    }

    /// <summary>y = the mean of each window, padding included as zeros (divide by KH·KW). Overwrites y.</summary>
    public static void AvgForward(GpuDevice device, ArrayView<float> y, ArrayView<float> x, int batch, in Pool2dShape s)
    {
        var g = Geometry.Of(y.Length, x.Length, batch, s, nameof(y), nameof(x));
        s_avgForward.Launch(device, batch * g.OutSize, y, x, default, g);
    }

    /// <summary>dx = the adjoint of <see cref="AvgForward"/>: each dy spread evenly over its window, padding dropped. Overwrites dx.</summary>
    public static void AvgBackward(GpuDevice device, ArrayView<float> dx, ArrayView<float> dy, int batch, in Pool2dShape s)
    {
        var g = Geometry.Of(dy.Length, dx.Length, batch, s, nameof(dy), nameof(dx));
        s_avgBackward.Launch(device, batch * g.InSize, dx, dy, default, g);
    }

    /// <summary>y[b, c] = the mean of x[b, c, ·] over its <paramref name="spatial"/> positions. Overwrites y.</summary>
    public static void GlobalAvgForward(GpuDevice device, ArrayView<float> y, ArrayView<float> x, int batch, int channels, int spatial)
    {
        int planes = CheckGlobal(y.Length, x.Length, batch, channels, spatial, nameof(y), nameof(x));
        if (planes == 0) return;
        s_globalForward.Launch(device, planes, y, x, spatial);
    }

    /// <summary>dx[b, c, ·] = dy[b, c] / spatial. Overwrites dx.</summary>
    public static void GlobalAvgBackward(GpuDevice device, ArrayView<float> dx, ArrayView<float> dy, int batch, int channels, int spatial)
    {
        int planes = CheckGlobal(dy.Length, dx.Length, batch, channels, spatial, nameof(dy), nameof(dx));
        if (planes == 0) return;
        s_globalBackward.Launch(device, (long)planes * spatial, dx, dy, spatial);
    }

    // One thread per output: the window's maximum, NaN winning.
    private static void MaxForwardKernel(int count, ArrayView<float> y, ArrayView<float> x, ArrayView<float> unused, Geometry g)
    {
        for (int index = Elements.First, step = Elements.Stride; index < count; index += step) MaxForwardAt(index, y, x, unused, g);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void MaxForwardAt(int index, ArrayView<float> y, ArrayView<float> x, ArrayView<float> unused, Geometry g)
    {
        int plane = index / g.OutPlane, e = index - plane * g.OutPlane, i = e / g.OW, j = e - i * g.OW;
        y[index] = x[plane * g.InPlane + ArgMax(x, plane * g.InPlane, g, i, j)];
    }

    // One thread per input element: the sum of dy over the windows whose arg-max it is, rows then columns.
    private static void MaxBackwardKernel(int count, ArrayView<float> dx, ArrayView<float> dy, ArrayView<float> x, Geometry g)
    {
        for (int index = Elements.First, step = Elements.Stride; index < count; index += step) MaxBackwardAt(index, dx, dy, x, g);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void MaxBackwardAt(int index, ArrayView<float> dx, ArrayView<float> dy, ArrayView<float> x, Geometry g)
    {
        int plane = index / g.InPlane, e = index - plane * g.InPlane, h = e / g.W, w = e - h * g.W;
        g.Windows(h, w, out int iLo, out int iHi, out int jLo, out int jHi);
        float sum = 0f;
        for (int i = iLo; i < iHi; i++)
            for (int j = jLo; j < jHi; j++)
                if (ArgMax(x, plane * g.InPlane, g, i, j) == e) sum += dy[plane * g.OutPlane + i * g.OW + j];
        dx[index] = sum;
    }

    // One thread per output: the window's sum (padding as zeros) over KH·KW.
    private static void AvgForwardKernel(int count, ArrayView<float> y, ArrayView<float> x, ArrayView<float> unused, Geometry g)
    {
        for (int index = Elements.First, step = Elements.Stride; index < count; index += step) AvgForwardAt(index, y, x, unused, g);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AvgForwardAt(int index, ArrayView<float> y, ArrayView<float> x, ArrayView<float> unused, Geometry g)
    {
        int plane = index / g.OutPlane, e = index - plane * g.OutPlane, i = e / g.OW, j = e - i * g.OW;
        int r0 = i * g.SH - g.PH, q0 = j * g.SW - g.PW;
        int rLo = Math.Max(r0, 0), rHi = Math.Min(r0 + g.KH, g.H), qLo = Math.Max(q0, 0), qHi = Math.Min(q0 + g.KW, g.W);
        float sum = 0f;
        for (int r = rLo; r < rHi; r++)
            for (int q = qLo; q < qHi; q++)
                sum += x[plane * g.InPlane + r * g.W + q];
        y[index] = sum * (1f / (g.KH * g.KW));
    }

    // One thread per input element: the sum of dy/(KH·KW) over the windows that cover it.
    private static void AvgBackwardKernel(int count, ArrayView<float> dx, ArrayView<float> dy, ArrayView<float> unused, Geometry g)
    {
        for (int index = Elements.First, step = Elements.Stride; index < count; index += step) AvgBackwardAt(index, dx, dy, unused, g);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AvgBackwardAt(int index, ArrayView<float> dx, ArrayView<float> dy, ArrayView<float> unused, Geometry g)
    {
        int plane = index / g.InPlane, e = index - plane * g.InPlane, h = e / g.W, w = e - h * g.W;
        g.Windows(h, w, out int iLo, out int iHi, out int jLo, out int jHi);
        float scale = 1f / (g.KH * g.KW), sum = 0f;
        for (int i = iLo; i < iHi; i++)
            for (int j = jLo; j < jHi; j++)
                sum += dy[plane * g.OutPlane + i * g.OW + j] * scale;
        dx[index] = sum;
    }

    private static void GlobalForwardKernel(int count, ArrayView<float> y, ArrayView<float> x, int spatial)
    {
        for (int p = Elements.First, step = Elements.Stride; p < count; p += step) GlobalForwardAt(p, y, x, spatial);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void GlobalForwardAt(int p, ArrayView<float> y, ArrayView<float> x, int spatial)
    {
        float sum = 0f;
        for (int e = 0; e < spatial; e++) sum += x[p * spatial + e];
        y[p] = sum * (1f / spatial);
    }

    private static void GlobalBackwardKernel(int count, ArrayView<float> dx, ArrayView<float> dy, int spatial)
    {
        for (int i = Elements.First, step = Elements.Stride; i < count; i += step) GlobalBackwardAt(i, dx, dy, spatial);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void GlobalBackwardAt(int i, ArrayView<float> dx, ArrayView<float> dy, int spatial) => dx[i] = dy[i / spatial] * (1f / spatial);

    /// <summary>
    /// The in-plane index of the maximum of window (i, j), clipped to the input: the first in row-major
    /// order among equals; the first NaN if there is one (a NaN is the maximum, as MathF.Max makes it).
    /// </summary>
    private static int ArgMax(ArrayView<float> x, int planeStart, Geometry g, int i, int j)
    {
        int r0 = i * g.SH - g.PH, q0 = j * g.SW - g.PW;
        int rLo = Math.Max(r0, 0), rHi = Math.Min(r0 + g.KH, g.H), qLo = Math.Max(q0, 0), qHi = Math.Min(q0 + g.KW, g.W);
        int best = rLo * g.W + qLo;
        float max = x[planeStart + best];
        for (int r = rLo; r < rHi; r++)
            for (int q = qLo; q < qHi; q++)
            {
                float v = x[planeStart + r * g.W + q];
                if (!float.IsNaN(max) && (v > max || float.IsNaN(v)))
                {
                    max = v;
                    best = r * g.W + q;
                }
            }
        return best;
    }

    /// <summary>A validated <see cref="Pool2dShape"/> with its derived sizes, as the kernels read it.</summary>
    internal readonly struct Geometry
    {
        public readonly int C, H, W, KH, KW, SH, SW, PH, PW, OH, OW;

        private Geometry(in Pool2dShape s)
        {
            C = s.Channels; H = s.InHeight; W = s.InWidth; KH = s.KernelHeight; KW = s.KernelWidth;
            SH = s.StrideHeight; SW = s.StrideWidth; PH = s.PadHeight; PW = s.PadWidth;
            OH = (H + 2 * PH - KH) / SH + 1;
            OW = (W + 2 * PW - KW) / SW + 1;
        }

        public int InPlane => H * W;
        public int OutPlane => OH * OW;
        public int InSize => C * H * W;
        public int OutSize => C * OH * OW;

        /// <summary>The output rows [iLo, iHi) and columns [jLo, jHi) whose windows cover input element (h, w).</summary>
        public void Windows(int h, int w, out int iLo, out int iHi, out int jLo, out int jHi)
        {
            // Window i covers rows [i·SH − PH, i·SH − PH + KH): h is inside when (h + PH − KH)/SH < i ≤ (h + PH)/SH.
            iLo = h + PH - KH < 0 ? 0 : (h + PH - KH) / SH + 1;
            iHi = Math.Min((h + PH) / SH + 1, OH);
            jLo = w + PW - KW < 0 ? 0 : (w + PW - KW) / SW + 1;
            jHi = Math.Min((w + PW) / SW + 1, OW);
        }

        /// <summary>The CPU kernel's checks (DeepNotes.Kernels.Pooling.Check), and 32-bit indices over the whole batch.</summary>
        public static Geometry Of(long outLength, long inLength, int batch, in Pool2dShape s, string outName, string inName)
        {
            DeepNotes.Kernels.Pooling.Check(outLength, inLength, batch, s, outName, inName);
            var g = new Geometry(s);
            if ((long)batch * g.InSize > int.MaxValue || (long)batch * g.OutSize > int.MaxValue)
                throw new ArgumentException($"Pooling sizes overflow 32-bit indexing at batch {batch}: {s}.", nameof(s));
            return g;
        }
    }

    private static int CheckGlobal(long pooledLength, long fullLength, int batch, int channels, int spatial, string pooledName, string fullName)
    {
        DeepNotes.Kernels.Pooling.CheckGlobal(pooledLength, fullLength, batch, channels, spatial, pooledName, fullName);
        if ((long)batch * channels * spatial > int.MaxValue) throw new ArgumentException("Global pooling sizes overflow 32-bit indexing.", fullName);
        return batch * channels;
    }
}
