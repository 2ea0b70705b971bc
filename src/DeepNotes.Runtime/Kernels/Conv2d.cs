using System.Numerics.Tensors;
using System.Runtime.Intrinsics;

namespace DeepNotes.Kernels;

/// <summary>
/// The sizes of one 2-d convolution over NCHW tensors (per example; the batch is a run-time argument).
/// Output sizes use PyTorch's floor rule. Validated by every <see cref="Conv2d"/> entry point.
/// </summary>
public readonly record struct Conv2dShape(int InChannels, int InHeight, int InWidth, int OutChannels,
    int KernelHeight, int KernelWidth, int StrideHeight, int StrideWidth, int PadHeight, int PadWidth)
{
    public int OutHeight => (InHeight + 2 * PadHeight - KernelHeight) / StrideHeight + 1;
    public int OutWidth => (InWidth + 2 * PadWidth - KernelWidth) / StrideWidth + 1;

    /// <summary>Floats per example of the input.</summary>
    public int InSize => InChannels * InHeight * InWidth;

    /// <summary>Floats per example of the output.</summary>
    public int OutSize => OutChannels * OutHeight * OutWidth;

    /// <summary>Floats of the weight, [OutChannels, InChannels, KernelHeight, KernelWidth].</summary>
    public int WeightSize => OutChannels * InChannels * KernelHeight * KernelWidth;

    /// <summary>
    /// Floats of scratch one call needs, independent of the batch: one column matrix
    /// [InChannels·KernelHeight·KernelWidth, OutHeight·OutWidth]. 0 for a 1×1, stride-1, unpadded
    /// convolution, which is a plain GEMM over the input as it lies.
    /// </summary>
    public int ScratchSize
    {
        get { return IsPointwise ? 0 : ColumnRows * OutSpatial; }
    }

    /// <summary>Rows of the column matrix: the GEMM's inner dimension.</summary>
    internal int ColumnRows => InChannels * KernelHeight * KernelWidth;

    internal int OutSpatial => OutHeight * OutWidth;

    internal bool IsPointwise => KernelHeight == 1 && KernelWidth == 1 && StrideHeight == 1 && StrideWidth == 1
                                 && PadHeight == 0 && PadWidth == 0;

    // Prints the ten sizes alone: the derived ones divide by the strides, and ToString must not throw
    // on the invalid shape it is describing.
    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append($"InChannels = {InChannels}, InHeight = {InHeight}, InWidth = {InWidth}, OutChannels = {OutChannels}, ");
        builder.Append($"KernelHeight = {KernelHeight}, KernelWidth = {KernelWidth}, StrideHeight = {StrideHeight}, ");
        builder.Append($"StrideWidth = {StrideWidth}, PadHeight = {PadHeight}, PadWidth = {PadWidth}");
        return true;
    }

    /// <summary>Throws unless every size is positive, strides are positive, padding is not negative, the
    /// kernel fits the padded input and every derived size fits an int.</summary>
    internal void Validate(string name)
    {
        if (InChannels <= 0 || InHeight <= 0 || InWidth <= 0 || OutChannels <= 0 || KernelHeight <= 0 || KernelWidth <= 0)
            throw new ArgumentException($"Convolution sizes must be positive: {this}.", name);
        if (StrideHeight <= 0 || StrideWidth <= 0 || PadHeight < 0 || PadWidth < 0)
            throw new ArgumentException($"Convolution strides must be positive and padding non-negative: {this}.", name);
        if ((long)InHeight + 2L * PadHeight < KernelHeight || (long)InWidth + 2L * PadWidth < KernelWidth)
            throw new ArgumentException($"The {KernelHeight}×{KernelWidth} kernel is larger than the padded input: {this}.", name);
        long oh = ((long)InHeight + 2L * PadHeight - KernelHeight) / StrideHeight + 1;
        long ow = ((long)InWidth + 2L * PadWidth - KernelWidth) / StrideWidth + 1;
        long rows = (long)InChannels * KernelHeight * KernelWidth;
        if ((long)InChannels * InHeight * InWidth > int.MaxValue || OutChannels * oh * ow > int.MaxValue
            || OutChannels * rows > int.MaxValue || rows * oh * ow > int.MaxValue)
            throw new ArgumentException($"Convolution sizes overflow 32-bit indexing: {this}.", name);
    }
}

/// <summary>
/// 2-d convolution (cross-correlation, as PyTorch: the kernel is not flipped) over NCHW tensors.
/// Each example goes through im2col into the caller's scratch, a [Cin·KH·KW, OH·OW] matrix whose
/// row (c, kh, kw) holds the input pixel each output position sees through that tap (0 in the
/// padding); the convolution is then one GEMM with the weight viewed as [Cout, Cin·KH·KW].
/// Backward data is the transposed GEMM followed by col2im (a scatter-add, the adjoint of im2col);
/// backward weights is im2col followed by dy·colᵀ accumulated into dW.
/// A 1×1, stride-1, unpadded convolution skips im2col: each input example already is [Cin, H·W].
/// A stride-1 convolution with a shallow GEMM (few input channels, such as an image layer) runs
/// forward through the direct kernels in Conv2dDirect.cs instead, which read the input in place.
/// </summary>
public static partial class Conv2d
{
    /// <summary>
    /// y[b] = act(W ⋆ x[b] + bias) for every example; overwrites y. w is [Cout, Cin, KH, KW];
    /// bias is [Cout] or empty. <paramref name="scratch"/> holds at least <see cref="Conv2dShape.ScratchSize"/> floats.
    /// </summary>
    public static void Forward(Span<float> y, ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> bias,
        int batch, in Conv2dShape s, Activation activation, Span<float> scratch)
        => Forward(y, x, w, bias, batch, s, activation, scratch, Conv2dPath.Auto);

    /// <summary><see cref="Forward(Span{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, int, in Conv2dShape, Activation, Span{float})"/> on an explicit path.</summary>
    internal static void Forward(Span<float> y, ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> bias,
        int batch, in Conv2dShape s, Activation activation, Span<float> scratch, Conv2dPath path)
    {
        Validate(batch, s);
        Operands.Require(y.Length, (long)batch * s.OutSize, nameof(y));
        Operands.Require(x.Length, (long)batch * s.InSize, nameof(x));
        Operands.Require(w.Length, s.WeightSize, nameof(w));
        if (!bias.IsEmpty) Operands.Require(bias.Length, s.OutChannels, nameof(bias));
        Operands.Require(scratch.Length, s.ScratchSize, nameof(scratch));
        if ((uint)activation > (uint)Activation.Tanh) throw new ArgumentOutOfRangeException(nameof(activation));

        path = s.IsPointwise ? Conv2dPath.Im2Col : Resolve(path, s);
        long work = (long)batch * s.OutChannels * s.OutSpatial * s.ColumnRows;
        int parts = path switch
        {
            Conv2dPath.Im2Col => Parts(work, Tiles(s.OutSpatial, ColumnTile)),
            Conv2dPath.Channels => Parts(work, Math.Min(batch, s.ScratchSize / ChannelsSlot(s))),
            _ => Parts(work, Math.Min(batch, DirectSlots(s))),
        };
        Run(ConvMode.Forward, y[..(batch * s.OutSize)], x[..(batch * s.InSize)], w[..s.WeightSize],
            bias.IsEmpty ? default : bias[..s.OutChannels], scratch[..s.ScratchSize], batch, s, activation, path, parts);
    }

    /// <summary>
    /// dx[b] = Wᵀ ⋆ dy[b], the transposed convolution (the adjoint of <see cref="Forward"/> without bias
    /// and activation); contributions that land in the padding are dropped. Overwrites dx.
    /// </summary>
    public static void BackwardData(Span<float> dx, ReadOnlySpan<float> dy, ReadOnlySpan<float> w, int batch,
        in Conv2dShape s, Span<float> scratch)
    {
        Validate(batch, s);
        Operands.Require(dx.Length, (long)batch * s.InSize, nameof(dx));
        Operands.Require(dy.Length, (long)batch * s.OutSize, nameof(dy));
        Operands.Require(w.Length, s.WeightSize, nameof(w));
        Operands.Require(scratch.Length, s.ScratchSize, nameof(scratch));

        // Split by input channels only where there are many: LeNet's C3 (6 channels, 3 per part) ran 0.86 ms on
        // 2 threads against 0.62 ms on one (cause not found; not prefetching, not the split's balance).
        int parts = s.InChannels >= MinChannelsToSplitBackwardData
            ? Parts((long)batch * s.OutChannels * s.OutSpatial * s.ColumnRows, s.InChannels) : 1;
        Run(ConvMode.BackwardData, dx[..(batch * s.InSize)], dy[..(batch * s.OutSize)], w[..s.WeightSize], default,
            scratch[..s.ScratchSize], batch, s, Activation.None, Conv2dPath.Im2Col, parts);
    }

    /// <summary>
    /// dW += Σ_b dy[b] ⋆ x[b] (as [Cout, Cin·KH·KW] = dy[b]·col(x[b])ᵀ) and dbias += Σ dy over batch and
    /// space. Both accumulate, or with <paramref name="overwrite"/> replace what dW and dbias held (the
    /// compiler passes it for a parameter's first gradient contribution); <paramref name="dbias"/> may be
    /// empty when the layer has no bias.
    /// </summary>
    public static void BackwardWeights(Span<float> dw, Span<float> dbias, ReadOnlySpan<float> dy, ReadOnlySpan<float> x,
        int batch, in Conv2dShape s, Span<float> scratch, bool overwrite = false)
        => BackwardWeights(dw, dbias, dy, x, batch, s, scratch, WeightsPath.Auto, overwrite);

    /// <summary>The weight gradient on a pinned path; a path the shape or the hardware cannot take becomes im2col.</summary>
    internal static void BackwardWeights(Span<float> dw, Span<float> dbias, ReadOnlySpan<float> dy, ReadOnlySpan<float> x,
        int batch, in Conv2dShape s, Span<float> scratch, WeightsPath path, bool overwrite = false)
    {
        Validate(batch, s);
        Operands.Require(dw.Length, s.WeightSize, nameof(dw));
        if (!dbias.IsEmpty) Operands.Require(dbias.Length, s.OutChannels, nameof(dbias));
        Operands.Require(dy.Length, (long)batch * s.OutSize, nameof(dy));
        Operands.Require(x.Length, (long)batch * s.InSize, nameof(x));
        Operands.Require(scratch.Length, s.ScratchSize, nameof(scratch));

        if (overwrite && batch == 0)
        {
            dw[..s.WeightSize].Clear();
            if (!dbias.IsEmpty) dbias[..s.OutChannels].Clear();
            return;
        }
        bool dotFits = s.StrideHeight == 1 && s.StrideWidth == 1 && Vector512.IsHardwareAccelerated && DirectWeightsSlot(s) <= s.ScratchSize;
        path = path switch
        {
            WeightsPath.Auto when UsesDirectWeights(s) => WeightsPath.Dot,        // LeNet's C1: 0.49 ms against 0.62 ms for Channels
            WeightsPath.Auto when FitsChannels(s) => WeightsPath.Channels,       // LeNet's C3: 0.31 ms against 1.08 ms for im2col
            WeightsPath.Dot when dotFits => WeightsPath.Dot,
            WeightsPath.Channels when FitsChannels(s) => WeightsPath.Channels,
            _ => WeightsPath.Im2Col,
        };
        long work = (long)batch * s.OutChannels * s.OutSpatial * s.ColumnRows;
        int parts = path switch
        {
            WeightsPath.Dot => Parts(work, Math.Min(s.OutChannels, s.ScratchSize / DirectWeightsSlot(s))),
            WeightsPath.Channels => Parts(work, Math.Min(Tiles(s.ColumnRows, Block), s.ScratchSize / ChannelsSlot(s))),
            _ => Parts(work, Tiles(s.ColumnRows, RowTile)),
        };
        Conv2dPath kernel = path switch { WeightsPath.Dot => Conv2dPath.Direct512, WeightsPath.Channels => Conv2dPath.Channels, _ => Conv2dPath.Im2Col };
        Run(ConvMode.BackwardWeights, dw[..s.WeightSize], dy[..(batch * s.OutSize)], x[..(batch * s.InSize)],
            dbias.IsEmpty ? default : dbias[..s.OutChannels], scratch[..s.ScratchSize], batch, s, Activation.None, kernel, parts, overwrite);
    }

    private const int MinChannelsToSplitBackwardData = 16;

    /// <summary>The direct seven-loop convolution with double accumulation and no activation: what the tests trust.</summary>
    public static void Reference(Span<float> y, ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> bias,
        int batch, in Conv2dShape s)
    {
        Validate(batch, s);
        Operands.Require(y.Length, (long)batch * s.OutSize, nameof(y));
        Operands.Require(x.Length, (long)batch * s.InSize, nameof(x));
        Operands.Require(w.Length, s.WeightSize, nameof(w));
        if (!bias.IsEmpty) Operands.Require(bias.Length, s.OutChannels, nameof(bias));

        int oh = s.OutHeight, ow = s.OutWidth, h = s.InHeight, wd = s.InWidth, kh = s.KernelHeight, kw = s.KernelWidth;
        for (int b = 0; b < batch; b++)
            for (int o = 0; o < s.OutChannels; o++)
                for (int i = 0; i < oh; i++)
                    for (int j = 0; j < ow; j++)
                    {
                        double sum = bias.IsEmpty ? 0 : bias[o];
                        for (int c = 0; c < s.InChannels; c++)
                            for (int u = 0; u < kh; u++)
                            {
                                int r = i * s.StrideHeight - s.PadHeight + u;
                                if ((uint)r >= (uint)h) continue;
                                for (int v = 0; v < kw; v++)
                                {
                                    int q = j * s.StrideWidth - s.PadWidth + v;
                                    if ((uint)q >= (uint)wd) continue;
                                    sum += (double)w[((o * s.InChannels + c) * kh + u) * kw + v] * x[((b * s.InChannels + c) * h + r) * wd + q];
                                }
                            }
                        y[((b * s.OutChannels + o) * oh + i) * ow + j] = (float)sum;
                    }
    }

    /// <summary>
    /// col[(c·KH + u)·KW + v, i·OW + j] = x[c, i·SH − PH + u, j·SW − PW + v], 0 where that lies in the padding,
    /// for the column-matrix rows [rowLo, rowHi) and output positions i·OW + j in [posLo, posHi) only
    /// (parts of a split call fill disjoint blocks of one matrix).
    /// </summary>
    internal static unsafe void Im2Col(Span<float> col, ReadOnlySpan<float> x, in Conv2dShape s, int rowLo, int rowHi, int posLo, int posHi)
    {
        int h = s.InHeight, wd = s.InWidth, ow = s.OutWidth, sh = s.StrideHeight, sw = s.StrideWidth;
        int kw = s.KernelWidth, taps = s.KernelHeight * kw, n = s.OutSpatial;
        if (posLo >= posHi || rowLo >= rowHi) return;
        if ((long)rowHi * n > col.Length || (long)s.InSize > x.Length) throw new ArgumentException("im2col operands are too short");
        int iFirst = posLo / ow, iLast = (posHi - 1) / ow;
        // Raw pointers: with small images (AlexNet's 12×12, LeNet's 10×10) each output row is a copy of a
        // dozen floats, where span slicing and Clear/CopyTo calls cost more than the copy.
        fixed (float* pcol = col)
        fixed (float* px = x)
        {
            for (int row = rowLo; row < rowHi; row++)
            {
                int c = row / taps, t = row - c * taps, u = t / kw, v = t - u * kw;
                float* plane = px + (nint)c * h * wd;
                float* dst = pcol + (nint)row * n;
                ValidColumns(s, v, out int jLo, out int jHi);
                for (int i = iFirst; i <= iLast; i++)
                {
                    float* d = dst + i * ow;
                    int a = Math.Max(posLo - i * ow, 0), b = Math.Min(posHi - i * ow, ow);
                    int r = i * sh - s.PadHeight + u;
                    int lo = Math.Max(a, jLo), hi = Math.Min(b, jHi);
                    if ((uint)r >= (uint)h || lo >= hi)
                    {
                        Zero(d + a, b - a);
                        continue;
                    }
                    Zero(d + a, lo - a);
                    Zero(d + hi, b - hi);
                    float* src = plane + (nint)r * wd + (lo * sw - s.PadWidth + v);
                    if (sw == 1) Copy(d + lo, src, hi - lo);
                    else for (int j = lo; j < hi; j++, src += sw) d[j] = *src;
                }
            }
        }
    }

    private static unsafe void Copy(float* d, float* s, int n)
    {
        int j = 0;
        for (; j + 8 <= n; j += 8) Vector256.Store(Vector256.Load(s + j), d + j);
        for (; j < n; j++) d[j] = s[j];
    }

    private static unsafe void Zero(float* d, int n)
    {
        int j = 0;
        for (; j + 8 <= n; j += 8) Vector256<float>.Zero.Store(d + j);
        for (; j < n; j++) d[j] = 0f;
    }

    private static unsafe void AddTo(float* d, float* s, int n)
    {
        int j = 0;
        for (; j + 8 <= n; j += 8) (Vector256.Load(d + j) + Vector256.Load(s + j)).Store(d + j);
        for (; j < n; j++) d[j] += s[j];
    }

    /// <summary>
    /// The adjoint of <see cref="Im2Col"/> for input channels [c0, c1):
    /// x[c, i·SH − PH + u, j·SW − PW + v] += col[(c·KH + u)·KW + v, i·OW + j], padding dropped.
    /// </summary>
    internal static unsafe void Col2ImAdd(Span<float> x, ReadOnlySpan<float> col, in Conv2dShape s, int c0, int c1)
    {
        int h = s.InHeight, wd = s.InWidth, oh = s.OutHeight, ow = s.OutWidth, sh = s.StrideHeight, sw = s.StrideWidth;
        int n = oh * ow, taps = s.KernelHeight * s.KernelWidth;
        if (c0 >= c1) return;
        if ((long)c1 * taps * n > col.Length || (long)c1 * h * wd > x.Length) throw new ArgumentException("col2im operands are too short");
        int row = c0 * taps;
        fixed (float* px = x)
        fixed (float* pcol = col)
        {
            for (int c = c0; c < c1; c++)
            {
                float* plane = px + (nint)c * h * wd;
                for (int u = 0; u < s.KernelHeight; u++)
                {
                    for (int v = 0; v < s.KernelWidth; v++, row++)
                    {
                        float* srcRows = pcol + (nint)row * n;
                        ValidColumns(s, v, out int jLo, out int jHi);
                        if (jLo == jHi) continue;
                        int q0 = jLo * sw - s.PadWidth + v;
                        for (int i = 0; i < oh; i++)
                        {
                            int r = i * sh - s.PadHeight + u;
                            if ((uint)r >= (uint)h) continue;
                            float* src = srcRows + i * ow;
                            float* dst = plane + (nint)r * wd;
                            if (sw == 1) AddTo(dst + q0, src + jLo, jHi - jLo);
                            else for (int j = jLo, q = q0; j < jHi; j++, q += sw) dst[q] += src[j];
                        }
                    }
                }
            }
        }
    }

    /// <summary>The output columns j in [lo, hi) whose tap v lands inside the input: 0 ≤ j·SW − PW + v &lt; W.</summary>
    private static void ValidColumns(in Conv2dShape s, int v, out int lo, out int hi)
    {
        int sw = s.StrideWidth;
        lo = CeilDivNonNegative(s.PadWidth - v, sw);
        hi = CeilDivNonNegative(s.InWidth + s.PadWidth - v, sw);
        lo = Math.Min(lo, s.OutWidth);
        hi = Math.Clamp(hi, lo, s.OutWidth);
    }

    private static int CeilDivNonNegative(int a, int b) => a <= 0 ? 0 : (a + b - 1) / b;

    private static void Validate(int batch, in Conv2dShape s)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(batch);
        s.Validate(nameof(s));
    }

}
