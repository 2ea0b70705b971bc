using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using DeepNotes.Threading;

namespace DeepNotes;

/// <summary>
/// The element loop of <see cref="Sgd.Update"/>: one pass over (w, g, v) per tensor, so a large model
/// reads and writes each array once per step (the update is memory-bound: AlexNet's 46.8 M parameters
/// are 187 MB per array). The rounding is that of the separate steps v = μ·v; v += g; v += λ·w; w += −η·v.
/// Large vectors are split across <see cref="Parallelism.ThreadCount"/> threads by element ranges.
/// </summary>
internal static class SgdStep
{
    /// <summary>Elements per part below which the update stays on one thread.</summary>
    private const int MinElementsPerPart = 1 << 16;

    [ThreadStatic] private static SgdWork? t_work;

    public static unsafe void Run(Span<float> parameters, ReadOnlySpan<float> gradients, Span<float> velocity, ReadOnlySpan<TensorInfo> tensors,
        float learningRate, float momentum, float weightDecay)
    {
        int n = parameters.Length;
        int parts = WorkerPool.PartsFor(n, MinElementsPerPart, n);
        SgdWork work = t_work ??= new SgdWork();
        work.SetTensors(tensors);
        fixed (float* w = parameters)
        fixed (float* g = gradients)
        fixed (float* v = velocity)
        {
            work.Set(w, g, v, n, learningRate, momentum, weightDecay);
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

    private sealed unsafe class SgdWork : ParallelWork
    {
        private float* _w, _g, _v;
        private int _length;
        private float _lr, _momentum, _decay;
        // (offset, length, role) of each tensor: copied per call (a few dozen entries) so the parts need no span.
        private (int Offset, int Length, TensorRole Role)[] _tensors = new (int, int, TensorRole)[16];
        private int _tensorCount;

        public void SetTensors(ReadOnlySpan<TensorInfo> tensors)
        {
            if (_tensors.Length < tensors.Length) _tensors = new (int, int, TensorRole)[tensors.Length];
            for (int i = 0; i < tensors.Length; i++) _tensors[i] = (tensors[i].Offset, tensors[i].Length, tensors[i].Role);
            _tensorCount = tensors.Length;
        }

        public void Set(float* w, float* g, float* v, int length, float lr, float momentum, float decay)
        {
            _w = w; _g = g; _v = v;
            (_length, _lr, _momentum, _decay) = (length, lr, momentum, decay);
        }

        public void Clear()
        {
            _w = _g = _v = null;
        }

        public override void Execute(int part, int parts)
        {
            (int lo, int hi) = Kernels.Gemm.PartRange(_length, 64, part, parts);
            for (int i = 0; i < _tensorCount; i++)
            {
                (int Offset, int Length, TensorRole Role) t = _tensors[i];
                if (t.Role == TensorRole.State) continue;   // running statistics are not trained
                int start = Math.Max(lo, t.Offset), end = Math.Min(hi, t.Offset + t.Length);
                if (start >= end) continue;
                float decay = t.Role == TensorRole.Weight ? _decay : 0f;
                int count = end - start;
                if (_momentum == 0f) Plain(_w + start, _g + start, count, _lr, decay);
                else Momentum(_w + start, _g + start, _v + start, count, _lr, _momentum, decay);
            }
        }
    }

    /// <summary>w = w·(1 − η·λ) (when λ ≠ 0), then w += −η·g.</summary>
    private static unsafe void Plain(float* w, float* g, int n, float lr, float decay)
    {
        float shrink = 1f - lr * decay, step = -lr;
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            Vector256<float> vs = Vector256.Create(shrink), vl = Vector256.Create(step);
            for (; i + 8 <= n; i += 8)
            {
                Vector256<float> wi = Vector256.Load(w + i);
                if (decay != 0f) wi *= vs;
                (wi + Vector256.Load(g + i) * vl).Store(w + i);
            }
        }
        for (; i < n; i++)
        {
            float wi = w[i];
            if (decay != 0f) wi *= shrink;
            w[i] = wi + g[i] * step;
        }
    }

    /// <summary>v = μ·v + g (+ λ·w), w += −η·v, in one pass.</summary>
    private static unsafe void Momentum(float* w, float* g, float* v, int n, float lr, float momentum, float decay)
    {
        float step = -lr;
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            Vector256<float> vm = Vector256.Create(momentum), vd = Vector256.Create(decay), vl = Vector256.Create(step);
            for (; i + 8 <= n; i += 8)
            {
                Vector256<float> wi = Vector256.Load(w + i);
                Vector256<float> vi = Vector256.Load(v + i) * vm + Vector256.Load(g + i);
                if (decay != 0f) vi += wi * vd;
                vi.Store(v + i);
                (wi + vi * vl).Store(w + i);
            }
        }
        for (; i < n; i++)
        {
            float wi = w[i];
            float vi = v[i] * momentum + g[i];
            if (decay != 0f) vi += wi * decay;
            v[i] = vi;
            w[i] = wi + vi * step;
        }
    }
}
