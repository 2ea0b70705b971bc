using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace DeepNotes.Kernels;

/// <summary>
/// The sizes of one 2-d pooling over NCHW tensors (per example). Output sizes use PyTorch's floor rule
/// (ceil_mode = False). Padding is at most half the kernel, as PyTorch requires, so every window
/// overlaps the input.
/// </summary>
public readonly record struct Pool2dShape(int Channels, int InHeight, int InWidth, int KernelHeight, int KernelWidth,
    int StrideHeight, int StrideWidth, int PadHeight, int PadWidth)
{
    public int OutHeight => (InHeight + 2 * PadHeight - KernelHeight) / StrideHeight + 1;
    public int OutWidth => (InWidth + 2 * PadWidth - KernelWidth) / StrideWidth + 1;

    /// <summary>Floats per example of the input.</summary>
    public int InSize => Channels * InHeight * InWidth;

    /// <summary>Floats per example of the output.</summary>
    public int OutSize => Channels * OutHeight * OutWidth;

    // Prints the nine sizes alone: ToString must not divide by a zero stride of the shape it describes.
    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append($"Channels = {Channels}, InHeight = {InHeight}, InWidth = {InWidth}, KernelHeight = {KernelHeight}, ");
        builder.Append($"KernelWidth = {KernelWidth}, StrideHeight = {StrideHeight}, StrideWidth = {StrideWidth}, ");
        builder.Append($"PadHeight = {PadHeight}, PadWidth = {PadWidth}");
        return true;
    }

    internal void Validate(string name)
    {
        if (Channels <= 0 || InHeight <= 0 || InWidth <= 0 || KernelHeight <= 0 || KernelWidth <= 0)
            throw new ArgumentException($"Pooling sizes must be positive: {this}.", name);
        if (StrideHeight <= 0 || StrideWidth <= 0 || PadHeight < 0 || PadWidth < 0)
            throw new ArgumentException($"Pooling strides must be positive and padding non-negative: {this}.", name);
        if (2L * PadHeight > KernelHeight || 2L * PadWidth > KernelWidth)
            throw new ArgumentException($"Pooling padding must be at most half the kernel: {this}.", name);
        if ((long)InHeight + 2L * PadHeight < KernelHeight || (long)InWidth + 2L * PadWidth < KernelWidth)
            throw new ArgumentException($"The {KernelHeight}×{KernelWidth} window is larger than the padded input: {this}.", name);
        long oh = ((long)InHeight + 2L * PadHeight - KernelHeight) / StrideHeight + 1;
        long ow = ((long)InWidth + 2L * PadWidth - KernelWidth) / StrideWidth + 1;
        if ((long)Channels * InHeight * InWidth > int.MaxValue || Channels * oh * ow > int.MaxValue
            || (long)InWidth + 2L * PadWidth + RowSlack > int.MaxValue)
            throw new ArgumentException($"Pooling sizes overflow 32-bit indexing: {this}.", name);
    }

    internal const int RowSlack = 16;
}

/// <summary>
/// Max, average and global-average pooling over NCHW tensors, forward and backward.
/// Forward is separable: the window's rows are first reduced into one padded row buffer (whole-row
/// vector operations), then each output takes the reduction of its KW-wide stretch of that row
/// (vectorised for strides 1 and 2). Max backward recomputes each window's maximum the same way and
/// routes dy to the first element equal to it (ties go to the first maximum in row-major window order,
/// as in PyTorch), so no index tensor is stored.
/// </summary>
public static partial class Pooling
{
    /// <summary>y = the maximum of each window; padding counts as −∞. Overwrites y.</summary>
    public static void MaxForward(Span<float> y, ReadOnlySpan<float> x, int batch, in Pool2dShape s)
    {
        Check(y.Length, x.Length, batch, s, nameof(y), nameof(x));
        Split(PoolMode.MaxForward, y[..(batch * s.OutSize)], x[..(batch * s.InSize)], default, batch, s);
    }

    /// <summary>dx[argmax of each window] += dy, the arg-max recomputed from x (first maximum wins ties). Overwrites dx.</summary>
    public static void MaxBackward(Span<float> dx, ReadOnlySpan<float> dy, ReadOnlySpan<float> x, int batch, in Pool2dShape s)
    {
        Check(dy.Length, dx.Length, batch, s, nameof(dy), nameof(dx));
        Operands.Require(x.Length, (long)batch * s.InSize, nameof(x));
        Split(PoolMode.MaxBackward, dx[..(batch * s.InSize)], dy[..(batch * s.OutSize)], x[..(batch * s.InSize)], batch, s);
    }

    [SkipLocalsInit]
    private static void MaxBackwardSerial(Span<float> dx, ReadOnlySpan<float> dy, ReadOnlySpan<float> x, int batch, in Pool2dShape s)
    {
        int h = s.InHeight, w = s.InWidth, oh = s.OutHeight, ow = s.OutWidth;
        int len = w + 2 * s.PadWidth + Pool2dShape.RowSlack;
        Span<float> t = len <= StackFloats ? stackalloc float[StackFloats] : RowScratch(len);
        Span<float> max = ow <= StackFloats ? stackalloc float[StackFloats] : GradScratch(ow);
        t = t[..len];
        max = max[..ow];
        t.Fill(float.NegativeInfinity);
        int planes = batch * s.Channels;
        bool vectorRoute = Avx2.IsSupported && s.StrideWidth == 2 && s.PadWidth == 0 && ow >= 8;
        dx[..(planes * h * w)].Clear();
        for (int p = 0; p < planes; p++)
        {
            ReadOnlySpan<float> xp = x.Slice(p * h * w, h * w);
            Span<float> dxp = dx.Slice(p * h * w, h * w);
            for (int i = 0; i < oh; i++)
            {
                // Each window's maximum comes from the vectorised forward; its arg-max is then the first element
                // equal to it, found without data-dependent branches (a running arg-max comparison mispredicts
                // on every new maximum of random data, which made this loop ten times slower than forward).
                int r0 = i * s.StrideHeight - s.PadHeight;
                int rLo = Math.Max(r0, 0), rHi = Math.Min(r0 + s.KernelHeight, h);
                Row<MaxOp>(max, t, xp, rLo, rHi, s);
                ReadOnlySpan<float> dyr = dy.Slice((p * oh + i) * ow, ow);
                if (vectorRoute)
                {
                    RouteStride2(dxp, xp, max, dyr, rLo, rHi, s.KernelWidth, w);
                    continue;
                }
                for (int j = 0; j < ow; j++)
                {
                    int q0 = j * s.StrideWidth - s.PadWidth;
                    int qLo = Math.Max(q0, 0), qHi = Math.Min(q0 + s.KernelWidth, w);
                    dxp[FirstIndexOf(max[j], xp, w, rLo, rHi, qLo, qHi)] += dyr[j];
                }
            }
        }
    }

    /// <summary>The row-major index of the first element of the window rows [rLo, rHi) × columns [qLo, qHi) equal to
    /// <paramref name="target"/>, its maximum (a NaN matches a NaN: forward makes any NaN the maximum).
    /// The scan runs backwards over the whole window with a branch-free select, so random data costs
    /// no mispredicted branches; the last match it sees is the first in row-major order.</summary>
    private static int FirstIndexOf(float target, ReadOnlySpan<float> plane, int w, int rLo, int rHi, int qLo, int qHi)
    {
        bool nan = float.IsNaN(target);
        int found = 0;
        for (int r = rHi - 1; r >= rLo; r--)
        {
            int start = r * w + qLo;
            ReadOnlySpan<float> row = plane.Slice(start, qHi - qLo);
            for (int q = row.Length - 1; q >= 0; q--)
            {
                float v = row[q];
                bool hit = v == target | (nan & float.IsNaN(v));
                int mask = -Unsafe.BitCast<bool, byte>(hit);
                found = (found & ~mask) | ((start + q) & mask);
            }
        }
        return found;
    }

    /// <summary>
    /// Max backward for one output row with horizontal stride 2 and no horizontal padding (AVX2), eight
    /// windows at a time: for each tap, in reverse row-major order, the even elements of a 16-float stretch
    /// are the eight windows' values there; lanes equal to their window's maximum take that tap's index, so
    /// the first maximum's index is the one left. Lanes run in the shuffle's order [0 1 4 5 | 2 3 6 7]
    /// throughout, and one permute restores the order of the indices. A row whose width is not a multiple
    /// of 8 ends with a block that overlaps the one before it, routing only its new lanes.
    /// </summary>
    [SkipLocalsInit]
    private static unsafe void RouteStride2(Span<float> dxp, ReadOnlySpan<float> xp, ReadOnlySpan<float> max, ReadOnlySpan<float> dyr,
        int rLo, int rHi, int kw, int w)
    {
        int ow = max.Length;
        Vector256<int> laneColumns = Vector256.Create(0, 2, 8, 10, 4, 6, 12, 14);
        // The 16th float is an odd element no window needs, and may lie past the end of x: never load it.
        Vector256<float> first7 = Vector256.Create(-1, -1, -1, -1, -1, -1, -1, 0).AsSingle();
        int* index = stackalloc int[8];
        fixed (float* px = xp)
        fixed (float* pmax = max)
        fixed (float* pdx = dxp)
        fixed (float* pdy = dyr)
        {
            for (int j = 0; j < ow; j += 8)
            {
                int jb = Math.Min(j, ow - 8);
                Vector256<float> m = Avx2.Permute4x64(Vector256.Load(pmax + jb).AsDouble(), 0b11_01_10_00).AsSingle();
                Vector256<float> mNaN = ~Vector256.Equals(m, m);
                Vector256<int> found = Vector256<int>.Zero;
                for (int r = rHi - 1; r >= rLo; r--)
                {
                    for (int v = kw - 1; v >= 0; v--)
                    {
                        int start = r * w + 2 * jb + v;
                        float* src = px + start;
                        Vector256<float> values = Avx.Shuffle(Vector256.Load(src), Avx.MaskLoad(src + 8, first7), 0b10_00_10_00);
                        Vector256<float> hit = Vector256.Equals(values, m) | (~Vector256.Equals(values, values) & mNaN);
                        found = Vector256.ConditionalSelect(hit.AsInt32(), Vector256.Create(start) + laneColumns, found);
                    }
                }
                Avx2.Permute4x64(found.AsInt64(), 0b11_01_10_00).AsInt32().Store(index);
                for (int l = j - jb; l < 8; l++) pdx[index[l]] += pdy[jb + l];
            }
        }
    }

    /// <summary>y = the mean of each window, padding included as zeros (count_include_pad: divide by KH·KW). Overwrites y.</summary>
    public static void AvgForward(Span<float> y, ReadOnlySpan<float> x, int batch, in Pool2dShape s)
    {
        Check(y.Length, x.Length, batch, s, nameof(y), nameof(x));
        Split(PoolMode.AvgForward, y[..(batch * s.OutSize)], x[..(batch * s.InSize)], default, batch, s);
    }

    /// <summary>dx = the adjoint of <see cref="AvgForward"/>: each dy spread evenly over its window, padding dropped. Overwrites dx.</summary>
    public static void AvgBackward(Span<float> dx, ReadOnlySpan<float> dy, int batch, in Pool2dShape s)
    {
        Check(dy.Length, dx.Length, batch, s, nameof(dy), nameof(dx));
        Split(PoolMode.AvgBackward, dx[..(batch * s.InSize)], dy[..(batch * s.OutSize)], default, batch, s);
    }

    [SkipLocalsInit]
    private static void AvgBackwardSerial(Span<float> dx, ReadOnlySpan<float> dy, int batch, in Pool2dShape s)
    {
        int h = s.InHeight, w = s.InWidth, oh = s.OutHeight, ow = s.OutWidth, kw = s.KernelWidth, sw = s.StrideWidth;
        int planes = batch * s.Channels;
        float scale = 1f / (s.KernelHeight * kw);
        int len = w + 2 * s.PadWidth + Pool2dShape.RowSlack;
        Span<float> t = len <= StackFloats ? stackalloc float[StackFloats] : RowScratch(len);
        Span<float> g = ow <= StackFloats ? stackalloc float[StackFloats] : GradScratch(ow);
        t = t[..len];
        g = g[..ow];
        ReadOnlySpan<float> mid = t.Slice(s.PadWidth, w);
        dx[..(planes * h * w)].Clear();
        for (int p = 0; p < planes; p++)
        {
            Span<float> dxp = dx.Slice(p * h * w, h * w);
            for (int i = 0; i < oh; i++)
            {
                // Spread the scaled output row over the padded row buffer, then add it to every input row of the window.
                TensorPrimitives.Multiply(dy.Slice((p * oh + i) * ow, ow), scale, g);
                t.Clear();
                if (sw == 1)
                {
                    for (int v = 0; v < kw; v++)
                    {
                        Span<float> d = t.Slice(v, ow);
                        TensorPrimitives.Add(d, g, d);
                    }
                }
                else
                {
                    for (int j = 0; j < ow; j++)
                    {
                        Span<float> d = t.Slice(j * sw, kw);
                        for (int v = 0; v < kw; v++) d[v] += g[j];
                    }
                }
                int r0 = i * s.StrideHeight - s.PadHeight;
                int rHi = Math.Min(r0 + s.KernelHeight, h);
                for (int r = Math.Max(r0, 0); r < rHi; r++)
                {
                    Span<float> row = dxp.Slice(r * w, w);
                    TensorPrimitives.Add(row, mid, row);
                }
            }
        }
    }

    /// <summary>y[b, c] = the mean of x[b, c, ·] over its <paramref name="spatial"/> positions ([B, C, H, W] → [B, C]). Overwrites y.</summary>
    public static void GlobalAvgForward(Span<float> y, ReadOnlySpan<float> x, int batch, int channels, int spatial)
    {
        CheckGlobal(y.Length, x.Length, batch, channels, spatial, nameof(y), nameof(x));
        float scale = 1f / spatial;
        for (int p = 0; p < batch * channels; p++)
            y[p] = TensorPrimitives.Sum(x.Slice(p * spatial, spatial)) * scale;
    }

    /// <summary>dx[b, c, ·] = dy[b, c] / spatial. Overwrites dx.</summary>
    public static void GlobalAvgBackward(Span<float> dx, ReadOnlySpan<float> dy, int batch, int channels, int spatial)
    {
        CheckGlobal(dy.Length, dx.Length, batch, channels, spatial, nameof(dy), nameof(dx));
        float scale = 1f / spatial;
        for (int p = 0; p < batch * channels; p++)
            dx.Slice(p * spatial, spatial).Fill(dy[p] * scale);
    }

    /// <summary>The separable forward: rows of each window reduced into a padded row buffer, then across each window's columns.</summary>
    [SkipLocalsInit]
    private static void Forward<TOp>(Span<float> y, ReadOnlySpan<float> x, int batch, in Pool2dShape s, float scale)
        where TOp : struct, IPoolOp
    {
        int h = s.InHeight, w = s.InWidth, oh = s.OutHeight, ow = s.OutWidth;
        int len = w + 2 * s.PadWidth + Pool2dShape.RowSlack;
        Span<float> t = len <= StackFloats ? stackalloc float[StackFloats] : RowScratch(len);
        t = t[..len];
        t.Fill(TOp.Identity);               // the padding and the slack stay at the identity: only the middle is written
        int planes = batch * s.Channels;
        for (int p = 0; p < planes; p++)
        {
            ReadOnlySpan<float> xp = x.Slice(p * h * w, h * w);
            for (int i = 0; i < oh; i++)
            {
                int r0 = i * s.StrideHeight - s.PadHeight;
                Span<float> yr = y.Slice((p * oh + i) * ow, ow);
                Row<TOp>(yr, t, xp, Math.Max(r0, 0), Math.Min(r0 + s.KernelHeight, h), s);
                if (scale != 1f) TensorPrimitives.Multiply(yr, scale, yr);
            }
        }
    }

    /// <summary>
    /// One output row: input rows [rLo, rHi) reduced into the middle of the padded row buffer t (whose padding
    /// and slack hold the identity), then each window's columns reduced into dst.
    /// </summary>
    private static void Row<TOp>(Span<float> dst, Span<float> t, ReadOnlySpan<float> plane, int rLo, int rHi, in Pool2dShape s)
        where TOp : struct, IPoolOp
    {
        int w = s.InWidth;
        Span<float> mid = t.Slice(s.PadWidth, w);
        plane.Slice(rLo * w, w).CopyTo(mid);
        for (int r = rLo + 1; r < rHi; r++) TOp.Invoke(mid, plane.Slice(r * w, w), mid);
        AcrossColumns<TOp>(dst, t, s.KernelWidth, s.StrideWidth);
    }

    /// <summary>dst[j] = op over v &lt; kw of t[j·stride + v]. t holds at least RowSlack floats past the last window.</summary>
    private static unsafe void AcrossColumns<TOp>(Span<float> dst, ReadOnlySpan<float> t, int kw, int stride)
        where TOp : struct, IPoolOp
    {
        int n = dst.Length;
        if (stride == 1)
        {
            t[..n].CopyTo(dst);
            for (int v = 1; v < kw; v++) TOp.Invoke(dst, t.Slice(v, n), dst);
            return;
        }
        int j = 0;
        if (stride == 2 && Avx2.IsSupported)
        {
            fixed (float* pt = t)
            fixed (float* pd = dst)
            {
                // Eight outputs at a time: for each tap v, the even elements of t[2j + v .. 2j + v + 16).
                // The shuffle leaves them as [0 1 4 5 | 2 3 6 7]; one permute of the result restores the order.
                for (; j + 8 <= n; j += 8)
                {
                    float* src = pt + 2 * j;
                    Vector256<float> acc = Avx.Shuffle(Vector256.Load(src), Vector256.Load(src + 8), 0b10_00_10_00);
                    for (int v = 1; v < kw; v++)
                        acc = TOp.Invoke(acc, Avx.Shuffle(Vector256.Load(src + v), Vector256.Load(src + v + 8), 0b10_00_10_00));
                    Avx2.Permute4x64(acc.AsDouble(), 0b11_01_10_00).AsSingle().Store(pd + j);
                }
            }
        }
        for (; j < n; j++)
        {
            ReadOnlySpan<float> win = t.Slice(j * stride, kw);
            float a = win[0];
            for (int v = 1; v < kw; v++) a = TOp.Invoke(a, win[v]);
            dst[j] = a;
        }
    }

    private interface IPoolOp
    {
        static abstract float Identity { get; }
        static abstract float Invoke(float a, float b);
        static abstract Vector256<float> Invoke(Vector256<float> a, Vector256<float> b);
        static abstract void Invoke(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> destination);
    }

    /// <summary>Maximum; NaN propagates (a NaN in a window is its maximum).</summary>
    private readonly struct MaxOp : IPoolOp
    {
        public static float Identity => float.NegativeInfinity;
        public static float Invoke(float a, float b) => MathF.Max(a, b);
        public static Vector256<float> Invoke(Vector256<float> a, Vector256<float> b) => Vector256.Max(a, b);
        public static void Invoke(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> destination) => TensorPrimitives.Max(a, b, destination);
    }

    private readonly struct SumOp : IPoolOp
    {
        public static float Identity => 0f;
        public static float Invoke(float a, float b) => a + b;
        public static Vector256<float> Invoke(Vector256<float> a, Vector256<float> b) => a + b;
        public static void Invoke(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> destination) => TensorPrimitives.Add(a, b, destination);
    }

    // Row buffers: on the stack up to 8 KiB, otherwise a thread-static array that grows once.
    private const int StackFloats = 2048;
    private static Span<float> RowScratch(int n) => DeepNotes.Threading.ThreadScratch.Span(DeepNotes.Threading.ScratchKind.PoolRow, n);
    private static Span<float> GradScratch(int n) => DeepNotes.Threading.ThreadScratch.Span(DeepNotes.Threading.ScratchKind.PoolGrad, n);

    /// <summary>The operand checks of the pooling kernels, on lengths (the GPU twins make them too).</summary>
    internal static void Check(long outLength, long inLength, int batch, in Pool2dShape s, string outName, string inName)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(batch);
        s.Validate(nameof(s));
        Operands.Require(outLength, (long)batch * s.OutSize, outName);
        Operands.Require(inLength, (long)batch * s.InSize, inName);
    }

    /// <summary>The operand checks of global average pooling, on lengths (the GPU twins make them too).</summary>
    internal static void CheckGlobal(long pooledLength, long fullLength, int batch, int channels, int spatial, string pooledName, string fullName)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(batch);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(channels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(spatial);
        Operands.Require(pooledLength, (long)batch * channels, pooledName);
        Operands.Require(fullLength, (long)batch * channels * spatial, fullName);
    }

}
