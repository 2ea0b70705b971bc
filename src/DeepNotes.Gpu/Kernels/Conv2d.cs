using System;
using DeepNotes.Kernels;
using ILGPU;
using ILGPU.Runtime;

namespace DeepNotes.Gpu.Kernels;

/// <summary>
/// The GPU twin of DeepNotes.Kernels.Conv2d (cross-correlation over NCHW, PyTorch's layout and floor
/// rule), as three implicit GEMMs on the device's ILGPU GEMM kernel (<see cref="Gemm"/>: tiled on a GPU,
/// direct on the CPU accelerator). No column matrix is ever stored: the operand loaders compute, for
/// each element the kernel reads (the tiled one stages it in shared memory), which
/// input or gradient element it is (0 in the padding). So the CPU signature's scratch view is
/// ignored; the only device memory used beyond the operands is the per-device workspace of a split
/// weight gradient (<see cref="Gemm.Workspace"/>), allocated once and grown only for a larger shape.
/// <list type="bullet">
/// <item>forward: y[:, b] = W [Cout, Cin·KH·KW] × cols(x) [Cin·KH·KW, B·OH·OW], bias and activation
/// in the epilogue, which also scatters the [Cout, B·OH·OW] product into NCHW;</item>
/// <item>weight gradient: dW (+)= dy [Cout, B·OH·OW] × cols(x)ᵀ, one GEMM whose inner dimension runs
/// over the whole batch, split along it (split-K) when it has too few output tiles to fill the
/// device; the bias gradient is a per-channel sum;</item>
/// <item>data gradient: dx [Cin, B·H·W] = Wᵀ-by-input-channel [Cin, Cout·KH·KW] × the gathered dy,
/// whose entry (o, u, v; b, h, w) is dy[b, o, (h + PH − u)/SH, (w + PW − v)/SW] where those divide
/// exactly and land inside dy, else 0: col2im as a gather, so no atomics and every dx element is
/// written once (overwrite). With a stride above 1, most of those entries are zeros: the data
/// gradient then does SH·SW times the arithmetic it needs.</item>
/// </list>
/// </summary>
public static partial class Conv2d
{
    /// <summary>y[b] = act(W ⋆ x[b] + bias) for every example; overwrites y. bias is [Cout] or empty; scratch is ignored.</summary>
    public static void Forward(GpuDevice device, ArrayView<float> y, ArrayView<float> x, ArrayView<float> w, ArrayView<float> bias,
        int batch, in Conv2dShape s, Activation activation, ArrayView<float> scratch)
    {
        var g = Geometry.Of(batch, s);
        if ((uint)activation > (uint)Activation.Tanh) throw new ArgumentOutOfRangeException(nameof(activation));
        Operands.Require(y.Length, (long)batch * g.OutChannels * g.OutPlane, nameof(y));
        Operands.Require(x.Length, (long)batch * g.InChannels * g.InPlane, nameof(x));
        Operands.Require(w.Length, (long)g.OutChannels * g.ColumnRows, nameof(w));
        if (bias.Length != 0) Operands.Require(bias.Length, g.OutChannels, nameof(bias));
        if (UseColumns(device, batch, g))
        {
            ForwardColumns(device, y, x, w, bias, batch, g, activation);
            return;
        }
        Gemm.Run(device, new Gemm.Strided(w, g.ColumnRows, 0, false), new Columns(x, g),
            new PlanarStore(y, g.OutChannels, g.OutPlane, bias, activation),
            1, g.OutChannels, batch * g.OutPlane, g.ColumnRows);
    }

    /// <summary>dx[b] = Wᵀ ⋆ dy[b], the transposed convolution; contributions in the padding are dropped. Overwrites dx.</summary>
    public static void BackwardData(GpuDevice device, ArrayView<float> dx, ArrayView<float> dy, ArrayView<float> w, int batch,
        in Conv2dShape s, ArrayView<float> scratch)
    {
        var g = Geometry.Of(batch, s);
        Operands.Require(dx.Length, (long)batch * g.InChannels * g.InPlane, nameof(dx));
        Operands.Require(dy.Length, (long)batch * g.OutChannels * g.OutPlane, nameof(dy));
        Operands.Require(w.Length, (long)g.OutChannels * g.ColumnRows, nameof(w));
        if (UseColumns(device, batch, g))
        {
            BackwardDataColumns(device, dx, dy, w, batch, g);
            return;
        }
        Gemm.Run(device, new WeightsByInput(w, g), new GatheredGradient(dy, g),
            new PlanarStore(dx, g.InChannels, g.InPlane, default, Activation.None),
            1, g.InChannels, batch * g.InPlane, g.OutChannels * g.KH * g.KW);
    }

    /// <summary>
    /// dW += Σ_b dy[b] ⋆ x[b] and dbias += Σ dy over batch and space, or with <paramref name="overwrite"/>
    /// replacing what they held; dbias may be empty. scratch is ignored.
    /// </summary>
    public static void BackwardWeights(GpuDevice device, ArrayView<float> dw, ArrayView<float> dbias, ArrayView<float> dy, ArrayView<float> x,
        int batch, in Conv2dShape s, ArrayView<float> scratch, bool overwrite = false)
    {
        var g = Geometry.Of(batch, s);
        BackwardWeights(device, dw, dbias, dy, x, batch, s, overwrite,
            Gemm.SplitsFor(device, g.OutChannels, g.ColumnRows, batch * g.OutPlane));
    }

    /// <summary>
    /// The weight gradient with its inner dimension (batch·OH·OW) cut into <paramref name="splits"/>
    /// slices (split-K): with more than one, each slice writes its partial product into the device's
    /// GEMM workspace (at most <see cref="MaxPartials"/> floats: fewer slices for a larger weight) and
    /// one more pass sums the slices in order into dW, so the result is the same on every run.
    /// </summary>
    internal static void BackwardWeights(GpuDevice device, ArrayView<float> dw, ArrayView<float> dbias, ArrayView<float> dy, ArrayView<float> x,
        int batch, in Conv2dShape s, bool overwrite, int splits)
    {
        var g = Geometry.Of(batch, s);
        Operands.Require(dw.Length, (long)g.OutChannels * g.ColumnRows, nameof(dw));
        if (dbias.Length != 0) Operands.Require(dbias.Length, g.OutChannels, nameof(dbias));
        Operands.Require(dy.Length, (long)batch * g.OutChannels * g.OutPlane, nameof(dy));
        Operands.Require(x.Length, (long)batch * g.InChannels * g.InPlane, nameof(x));
        if (UseColumns(device, batch, g)) BackwardWeightsColumns(device, dw, dy, x, batch, g, overwrite);
        else BackwardWeightsImplicit(device, dw, dy, x, batch, g, overwrite, splits);
        if (dbias.Length != 0) BiasGradient.Sum(device, dbias, dy, g.OutChannels, g.OutPlane, batch * g.OutPlane, overwrite);
    }

    /// <summary>The weight gradient as one implicit GEMM on the ILGPU kernel, cut into <paramref name="splits"/> slices along its inner dimension.</summary>
    private static void BackwardWeightsImplicit(GpuDevice device, ArrayView<float> dw, ArrayView<float> dy, ArrayView<float> x, int batch,
        Geometry g, bool overwrite, int splits)
    {
        var dyRows = new Planar(dy, g.OutChannels, g.OutPlane);
        var columns = new Gemm.Transposed<Columns>(new Columns(x, g));
        int inner = batch * g.OutPlane, size = g.OutChannels * g.ColumnRows;
        int slices = Gemm.Slices(inner, Math.Min(splits, MaxPartials / size), out _);
        if (slices > 1)
        {
            ArrayView<float> partials = Gemm.Workspace(device, (long)slices * size);
            Gemm.Run(device, dyRows, columns, new Gemm.Scaled(partials, g.ColumnRows, size, 1f, 0f), 1, g.OutChannels, g.ColumnRows, inner, slices);
            Gemm.SumSlices(device, dw, partials, size, slices, overwrite ? 0f : 1f);
        }
        else
        {
            Gemm.Run(device, dyRows, columns, new Gemm.Scaled(dw, g.ColumnRows, 0, 1f, overwrite ? 0f : 1f), 1, g.OutChannels, g.ColumnRows, inner);
        }
    }

    /// <summary>The most floats the slices of a split weight gradient may hold in the workspace (128 MiB).</summary>
    internal const int MaxPartials = 1 << 25;

    /// <summary>A validated <see cref="Conv2dShape"/> with its derived sizes, as the kernels read it.</summary>
    internal readonly struct Geometry
    {
        public readonly int InChannels, H, W, OutChannels, KH, KW, SH, SW, PH, PW, OH, OW;

        private Geometry(in Conv2dShape s)
        {
            InChannels = s.InChannels; H = s.InHeight; W = s.InWidth; OutChannels = s.OutChannels;
            KH = s.KernelHeight; KW = s.KernelWidth; SH = s.StrideHeight; SW = s.StrideWidth; PH = s.PadHeight; PW = s.PadWidth;
            OH = (H + 2 * PH - KH) / SH + 1;
            OW = (W + 2 * PW - KW) / SW + 1;
        }

        public int InPlane => H * W;
        public int OutPlane => OH * OW;
        public int ColumnRows => InChannels * KH * KW;

        /// <summary>The CPU kernel's checks (Conv2dShape.Validate), and 32-bit indices over the whole batch.</summary>
        public static Geometry Of(int batch, in Conv2dShape s)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(batch);
            s.Validate(nameof(s));
            var g = new Geometry(s);
            if ((long)batch * Math.Max(g.InChannels * (long)g.InPlane, g.OutChannels * (long)g.OutPlane) > int.MaxValue
                || (long)batch * g.OutPlane * g.ColumnRows > int.MaxValue || (long)g.OutChannels * g.ColumnRows > int.MaxValue)
                throw new ArgumentException($"Convolution sizes overflow 32-bit indexing at batch {batch}: {s}.", nameof(s));
            return g;
        }
    }

    /// <summary>The column matrix of im2col, read in place: row (c, u, v), column (b, i, j) is x[b, c, i·SH − PH + u, j·SW − PW + v], 0 in the padding.</summary>
    internal readonly struct Columns(ArrayView<float> x, Geometry g) : Gemm.IOperand
    {
        private readonly ArrayView<float> _x = x;
        private readonly Geometry _g = g;

        public float Load(int z, int row, int col)
        {
            int taps = _g.KH * _g.KW, c = row / taps, t = row - c * taps, u = t / _g.KW, v = t - u * _g.KW;
            int plane = _g.OutPlane, b = col / plane, p = col - b * plane, i = p / _g.OW, j = p - i * _g.OW;
            int r = i * _g.SH - _g.PH + u, q = j * _g.SW - _g.PW + v;
            return (uint)r < (uint)_g.H && (uint)q < (uint)_g.W ? _x[((b * _g.InChannels + c) * _g.H + r) * _g.W + q] : 0f;
        }
    }

    /// <summary>An NCHW tensor read as the matrix [C, B·plane]: row c, column b·plane + p.</summary>
    internal readonly struct Planar(ArrayView<float> view, int channels, int plane) : Gemm.IOperand
    {
        private readonly ArrayView<float> _view = view;
        private readonly int _channels = channels, _plane = plane;

        public float Load(int z, int row, int col)
        {
            int b = col / _plane;
            return _view[(b * _channels + row) * _plane + col - b * _plane];
        }
    }

    /// <summary>The weight [Cout, Cin, KH, KW] read as [Cin, Cout·KH·KW]: row c, column (o, u, v).</summary>
    internal readonly struct WeightsByInput(ArrayView<float> w, Geometry g) : Gemm.IOperand
    {
        private readonly ArrayView<float> _w = w;
        private readonly Geometry _g = g;

        public float Load(int z, int row, int col)
        {
            int taps = _g.KH * _g.KW, o = col / taps;
            return _w[(o * _g.InChannels + row) * taps + col - o * taps];
        }
    }

    /// <summary>
    /// The output gradient seen from the input: row (o, u, v), column (b, h, w) is dy[b, o, i, j] where
    /// i·SH − PH + u = h and j·SW − PW + v = w, 0 where no such output position exists.
    /// </summary>
    internal readonly struct GatheredGradient(ArrayView<float> dy, Geometry g) : Gemm.IOperand
    {
        private readonly ArrayView<float> _dy = dy;
        private readonly Geometry _g = g;

        public float Load(int z, int row, int col)
        {
            int taps = _g.KH * _g.KW, o = row / taps, t = row - o * taps, u = t / _g.KW, v = t - u * _g.KW;
            int plane = _g.InPlane, b = col / plane, e = col - b * plane, h = e / _g.W, w = e - h * _g.W;
            int ti = h + _g.PH - u, tj = w + _g.PW - v;
            if (ti < 0 || tj < 0) return 0f;
            int i = ti / _g.SH, j = tj / _g.SW;
            if (i * _g.SH != ti || j * _g.SW != tj || i >= _g.OH || j >= _g.OW) return 0f;
            return _dy[((b * _g.OutChannels + o) * _g.OH + i) * _g.OW + j];
        }
    }

    /// <summary>Writes the product [C, B·plane] into NCHW, adding bias[c] (when the bias view is not empty) and applying the activation.</summary>
    internal readonly struct PlanarStore(ArrayView<float> view, int channels, int plane, ArrayView<float> bias, Activation activation) : Gemm.IEpilogue
    {
        private readonly ArrayView<float> _view = view, _bias = bias;
        private readonly int _channels = channels, _plane = plane, _hasBias = bias.Length == 0 ? 0 : 1;
        private readonly Activation _activation = activation;

        public void Store(int z, int row, int col, float value)
        {
            int b = col / _plane;
            if (_hasBias != 0) value += _bias[row];
            _view[(b * _channels + row) * _plane + col - b * _plane] = Gemm.Activate(_activation, value);
        }
    }
}
