using DeepNotes.Threading;

namespace DeepNotes.Kernels;

// Pooling splits across threads by examples: every plane is independent, so each part runs the
// one-thread kernel on its own range of the batch (with its own thread's row buffers).
public static partial class Pooling
{
    /// <summary>Input floats per part below which a pooling call stays on one thread (a quarter of a GEMM part's
    /// multiply-adds: pooling does a few operations per float).</summary>
    private static long MinFloatsPerPart => Math.Max(1, Gemm.MinWorkPerPart / 4);

    private enum PoolMode { MaxForward, MaxBackward, AvgForward, AvgBackward }

    [ThreadStatic] private static PoolWork? t_work;

    private static unsafe void Split(PoolMode mode, Span<float> output, ReadOnlySpan<float> input, ReadOnlySpan<float> x, int batch, in Pool2dShape s)
    {
        PoolWork work = t_work ??= new PoolWork();   // made on a thread's first call, split or not (see Gemm)
        int parts = WorkerPool.PartsFor((long)batch * s.InSize, MinFloatsPerPart, batch);
        if (parts == 1)
        {
            Serial(mode, output, input, x, batch, s);
            return;
        }
        fixed (float* po = output)
        fixed (float* pi = input)
        fixed (float* px = x)
        {
            work.Set(mode, po, pi, px, batch, s);
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

    private static void Serial(PoolMode mode, Span<float> output, ReadOnlySpan<float> input, ReadOnlySpan<float> x, int batch, in Pool2dShape s)
    {
        switch (mode)
        {
            case PoolMode.MaxForward when Is2x2(s): Max2x2Forward(output, input, batch, s); break;
            case PoolMode.MaxForward: Forward<MaxOp>(output, input, batch, s, 1f); break;
            case PoolMode.MaxBackward when Is2x2(s): Max2x2Backward(output, input, x, batch, s); break;
            case PoolMode.AvgForward: Forward<SumOp>(output, input, batch, s, 1f / (s.KernelHeight * s.KernelWidth)); break;
            case PoolMode.MaxBackward: MaxBackwardSerial(output, input, x, batch, s); break;
            default: AvgBackwardSerial(output, input, batch, s); break;
        }
    }

    /// <summary>A range of examples of one pooling call (pointers pinned by <see cref="Split"/> for the run).</summary>
    private sealed unsafe class PoolWork : ParallelWork
    {
        private PoolMode _mode;
        private float* _output, _input, _x;
        private int _batch;
        private Pool2dShape _s;

        public void Set(PoolMode mode, float* output, float* input, float* x, int batch, in Pool2dShape s)
        {
            _mode = mode;
            _output = output; _input = input; _x = x;
            (_batch, _s) = (batch, s);
        }

        public void Clear()
        {
            _output = _input = _x = null;
        }

        public override void Execute(int part, int parts)
        {
            (int b0, int b1) = Gemm.PartRange(_batch, 1, part, parts);
            if (b0 >= b1) return;
            int n = b1 - b0;
            bool forward = _mode is PoolMode.MaxForward or PoolMode.AvgForward;
            int outSize = forward ? _s.OutSize : _s.InSize, inSize = forward ? _s.InSize : _s.OutSize;
            var output = new Span<float>(_output + (nint)b0 * outSize, n * outSize);
            var input = new ReadOnlySpan<float>(_input + (nint)b0 * inSize, n * inSize);
            var x = _x == null ? default : new ReadOnlySpan<float>(_x + (nint)b0 * _s.InSize, n * _s.InSize);
            Serial(_mode, output, input, x, n, _s);
        }
    }
}
