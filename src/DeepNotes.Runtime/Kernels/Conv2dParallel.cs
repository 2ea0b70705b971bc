using System.Numerics.Tensors;
using DeepNotes.Threading;

namespace DeepNotes.Kernels;

// How a convolution call is split across threads. Each part takes a slice of every example of the
// batch, so one call is one parallel run however large the batch, and the parts write disjoint
// memory (the one scratch matrix included), computing each element exactly as one thread would:
//   forward (im2col):   a range of output positions: its columns of the column matrix, then its
//                       columns of W·col and of the epilogue;
//   forward (direct):   a range of examples, each part with its own slot of the scratch for the
//                       zero-padded copy of its input;
//   backward data:      a range of input channels: its rows of Wᵀ·dy, then col2im into those
//                       channels only;
//   backward weights:   a range of rows of the column matrix, i.e. of columns of dW; the bias
//                       gradient by ranges of output channels (the direct path: ranges of output
//                       channels, each part in its own slot of the scratch).
public static partial class Conv2d
{
    private const int ColumnTile = 32, RowTile = 32;

    private enum ConvMode { Forward, BackwardData, BackwardWeights }

    [ThreadStatic] private static ConvWork? t_work;

    /// <summary>Parts worth a thread each: at most one per thread, per unit of the split dimension and per
    /// <see cref="Gemm.MinWorkPerPart"/> multiply-adds.</summary>
    private static int Parts(long multiplyAdds, int units) => WorkerPool.PartsFor(multiplyAdds, Gemm.MinWorkPerPart, units);

    private static int Tiles(int extent, int tile) => (extent + tile - 1) / tile;

    /// <summary>Floats of one zero-padded input copy of the direct path (0 when unpadded).</summary>
    private static int PaddedSize(in Conv2dShape s) => s.PadHeight == 0 && s.PadWidth == 0 ? 0
        : s.InChannels * (s.InHeight + 2 * s.PadHeight) * (s.InWidth + 2 * s.PadWidth);

    /// <summary>How many padded copies the scratch holds side by side (at least one at stride 1).</summary>
    private static int DirectSlots(in Conv2dShape s)
    {
        int padded = PaddedSize(s);
        return padded == 0 ? int.MaxValue : s.ScratchSize / padded;
    }

    private static unsafe void Run(ConvMode mode, Span<float> output, ReadOnlySpan<float> input0, ReadOnlySpan<float> input1,
        ReadOnlySpan<float> vector, Span<float> scratch, int batch, in Conv2dShape s, Activation activation, Conv2dPath path, int parts,
        bool overwrite = false)
    {
        fixed (float* po = output)
        fixed (float* p0 = input0)
        fixed (float* p1 = input1)
        fixed (float* pv = vector)
        fixed (float* ps = scratch)
        {
            ConvWork work = t_work ??= new ConvWork();
            work.Set(mode, po, output.Length, p0, input0.Length, p1, input1.Length, pv, vector.Length, ps, scratch.Length,
                batch, s, activation, path, overwrite);
            try
            {
                WorkerPool.Shared.Run(work, parts);
            }
            finally
            {
                work.Clear();
            }
        }
    }

    /// <summary>One call's operands as pointers (pinned by <see cref="Run"/> for the length of the run).</summary>
    private sealed unsafe class ConvWork : ParallelWork
    {
        private ConvMode _mode;
        private float* _out, _in0, _in1, _vec, _scratch;
        private int _outLength, _in0Length, _in1Length, _vecLength, _scratchLength, _batch;
        private Conv2dShape _s;
        private Activation _activation;
        private Conv2dPath _path;
        private bool _overwrite;

        public void Set(ConvMode mode, float* output, int outLength, float* in0, int in0Length, float* in1, int in1Length,
            float* vec, int vecLength, float* scratch, int scratchLength, int batch, in Conv2dShape s, Activation activation, Conv2dPath path,
            bool overwrite)
        {
            _overwrite = overwrite;
            _mode = mode;
            _out = output; _in0 = in0; _in1 = in1; _vec = vec; _scratch = scratch;
            (_outLength, _in0Length, _in1Length, _vecLength, _scratchLength) = (outLength, in0Length, in1Length, vecLength, scratchLength);
            (_batch, _s, _activation, _path) = (batch, s, activation, path);
        }

        public void Clear()
        {
            _out = _in0 = _in1 = _vec = _scratch = null;
        }

        public override void Execute(int part, int parts)
        {
            var output = new Span<float>(_out, _outLength);
            var in0 = new ReadOnlySpan<float>(_in0, _in0Length);
            var in1 = new ReadOnlySpan<float>(_in1, _in1Length);
            var scratch = new Span<float>(_scratch, _scratchLength);
            switch (_mode)
            {
                case ConvMode.Forward:
                    if (_path == Conv2dPath.Channels)
                        ForwardChannels(output, in0, in1, new ReadOnlySpan<float>(_vec, _vecLength), scratch, _batch, _s, _activation, part, parts);
                    else if (_path == Conv2dPath.Im2Col)
                        ForwardColumns(output, in0, _in1, new ReadOnlySpan<float>(_vec, _vecLength), _scratch, scratch, _batch, _s, _activation, part, parts);
                    else
                        ForwardExamples(output, in0, in1, new ReadOnlySpan<float>(_vec, _vecLength), scratch, _batch, _s, _activation,
                            _path == Conv2dPath.Direct512, part, parts);
                    break;
                case ConvMode.BackwardData:
                    BackwardDataChannels(output, _out, _in0, _in1, _scratch, scratch, _batch, _s, part, parts);
                    break;
                default:
                    if (_path == Conv2dPath.Channels)
                    {
                        BackwardWeightsChannels(_out, new Span<float>(_vec, _vecLength), in0, in1, scratch, _batch, _s, _overwrite, part, parts);
                        break;
                    }
                    if (_path == Conv2dPath.Direct512)
                    {
                        BackwardWeightsDirect(_out, new Span<float>(_vec, _vecLength), in0, in1, scratch, _batch, _s, _overwrite, part, parts);
                        break;
                    }
                    BackwardWeightsRows(_out, new Span<float>(_vec, _vecLength), in0, _in0, in1, _in1, _scratch, scratch, _batch, _s, _overwrite, part, parts);
                    break;
            }
        }
    }

    /// <summary>Forward, im2col path: output positions [n0, n1) of every example.</summary>
    private static unsafe void ForwardColumns(Span<float> y, ReadOnlySpan<float> x, float* w, ReadOnlySpan<float> bias,
        float* scratch, Span<float> columns, int batch, in Conv2dShape s, Activation activation, int part, int parts)
    {
        int m = s.OutChannels, n = s.OutSpatial, k = s.ColumnRows;
        (int n0, int n1) = Gemm.PartRange(n, ColumnTile, part, parts);
        if (n0 >= n1) return;
        // The weight is op(A) of every example's GEMM: packed once here, not once per example.
        float* packed = ThreadScratch.Pointer(ScratchKind.ConvPackedWeight, Gemm.PackedASize(m, k));
        Gemm.PackWhole(packed, w, k, transA: false, m, k);
        fixed (float* py = y)
        fixed (float* px = x)
        {
            for (int b = 0; b < batch; b++)
            {
                float* cols;
                if (s.IsPointwise)
                {
                    cols = px + (nint)b * s.InSize;
                }
                else
                {
                    Im2Col(columns, x.Slice(b * s.InSize, s.InSize), s, 0, k, n0, n1);
                    cols = scratch;
                }
                float* yb = py + (nint)b * s.OutSize;
                Gemm.SerialPackedA(yb + n0, n, packed, cols + n0, n, m, n1 - n0, k, transB: false, beta: 0f);
                // The epilogue runs on this part's columns while they are still in cache.
                for (int o = 0; o < m; o++)
                {
                    Span<float> segment = y.Slice(b * s.OutSize + o * n + n0, n1 - n0);
                    if (!bias.IsEmpty) TensorPrimitives.Add(segment, bias[o], segment);
                    if (activation != Activation.None) Activations.Forward(segment, segment, activation);
                }
            }
        }
    }

    /// <summary>Forward, direct path: examples [b0, b1), with slot <paramref name="part"/> of the scratch for padded copies.</summary>
    private static void ForwardExamples(Span<float> y, ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> bias,
        Span<float> scratch, int batch, in Conv2dShape s, Activation activation, bool wide, int part, int parts)
    {
        (int b0, int b1) = Gemm.PartRange(batch, 1, part, parts);
        int padded = PaddedSize(s);
        Span<float> slot = padded == 0 ? scratch : scratch.Slice(part * padded, padded);
        int n = s.OutSpatial;
        for (int b = b0; b < b1; b++)
        {
            Span<float> yb = y.Slice(b * s.OutSize, s.OutSize);
            ForwardDirect(yb, x.Slice(b * s.InSize, s.InSize), w, s, slot, wide);
            if (!bias.IsEmpty)
            {
                for (int o = 0; o < s.OutChannels; o++)
                {
                    Span<float> plane = yb.Slice(o * n, n);
                    TensorPrimitives.Add(plane, bias[o], plane);
                }
            }
            if (activation != Activation.None) Activations.Forward(yb, yb, activation);
        }
    }

    /// <summary>Backward data: input channels [c0, c1) of every example.</summary>
    private static unsafe void BackwardDataChannels(Span<float> dx, float* pdx, float* dy, float* w, float* scratch, Span<float> columns,
        int batch, in Conv2dShape s, int part, int parts)
    {
        int m = s.OutChannels, n = s.OutSpatial, k = s.ColumnRows, taps = s.KernelHeight * s.KernelWidth;
        (int c0, int c1) = Gemm.PartRange(s.InChannels, 1, part, parts);
        if (c0 >= c1) return;
        int r0 = c0 * taps, r1 = c1 * taps, planeSize = s.InHeight * s.InWidth;
        // op(A) = rows [r0, r1) of Wᵀ, the same for every example: packed once.
        float* packed = ThreadScratch.Pointer(ScratchKind.ConvPackedWeight, Gemm.PackedASize(r1 - r0, m));
        Gemm.PackWhole(packed, w + r0, k, transA: true, r1 - r0, m);
        for (int b = 0; b < batch; b++)
        {
            float* dyb = dy + (nint)b * s.OutSize;
            if (s.IsPointwise)
            {
                // dx[c0..c1] = W[:, c0..c1]ᵀ·dy: rows r of op(A) = Wᵀ start at column r of the stored W.
                Gemm.SerialPackedA(pdx + (nint)b * s.InSize + (nint)c0 * n, n, packed, dyb, n, r1 - r0, n, m, transB: false, beta: 0f);
            }
            else
            {
                Gemm.SerialPackedA(scratch + (nint)r0 * n, n, packed, dyb, n, r1 - r0, n, m, transB: false, beta: 0f);
                Span<float> dxb = dx.Slice(b * s.InSize, s.InSize);
                dxb.Slice(c0 * planeSize, (c1 - c0) * planeSize).Clear();
                Col2ImAdd(dxb, columns, s, c0, c1);
            }
        }
    }

    /// <summary>Backward weights: columns [r0, r1) of dW (rows of the column matrix), and dbias for a range of output channels.</summary>
    private static unsafe void BackwardWeightsRows(float* dw, Span<float> dbias, ReadOnlySpan<float> dy, float* pdy,
        ReadOnlySpan<float> x, float* px, float* scratch, Span<float> columns, int batch, in Conv2dShape s, bool overwrite, int part, int parts)
    {
        int m = s.OutChannels, n = s.OutSpatial, k = s.ColumnRows;
        (int r0, int r1) = Gemm.PartRange(k, RowTile, part, parts);
        (int o0, int o1) = Gemm.PartRange(m, 1, part, parts);
        for (int b = 0; b < batch; b++)
        {
            if (r0 < r1)
            {
                float* rows;
                if (s.IsPointwise)
                {
                    rows = px + (nint)b * s.InSize;
                }
                else
                {
                    Im2Col(columns, x.Slice(b * s.InSize, s.InSize), s, r0, r1, 0, n);
                    rows = scratch;
                }
                // dW[:, r0..r1] += dy[b]·col[r0..r1]ᵀ
                Gemm.Serial(dw + r0, k, pdy + (nint)b * s.OutSize, n, rows + (nint)r0 * n, n, m, r1 - r0, n,
                    transA: false, transB: true, beta: overwrite && b == 0 ? 0f : 1f);
            }
            if (!dbias.IsEmpty)
            {
                ReadOnlySpan<float> dyb = dy.Slice(b * s.OutSize, s.OutSize);
                for (int o = o0; o < o1; o++)
                {
                    float sum = TensorPrimitives.Sum(dyb.Slice(o * n, n));
                    dbias[o] = overwrite && b == 0 ? sum : dbias[o] + sum;
                }
            }
        }
    }
}
