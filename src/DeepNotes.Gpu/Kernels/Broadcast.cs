using System;
using System.Runtime.CompilerServices;
using DeepNotes.Kernels;
using ILGPU;
using ILGPU.Runtime;

namespace DeepNotes.Gpu.Kernels;

/// <summary>
/// Broadcasting element-wise arithmetic and its gradients, the GPU twins of <c>DeepNotes.Kernels.Broadcast</c>.
/// The host copies the <see cref="BroadcastPlan"/> into a <see cref="BroadcastShape"/> (a struct passed by
/// value, right-aligned to <see cref="BroadcastShape.MaxRank"/> dimensions), so a launch allocates nothing.
/// The backward runs one thread per element of the operand's gradient, which sums its whole broadcast
/// preimage itself, in the CPU's order: no atomics, and the same result from run to run.
/// </summary>
public static class Broadcast
{
    private static readonly ElementKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, int, BroadcastShape> s_forward = new(ForwardKernel);
    private static readonly ElementKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, BroadcastShape> s_backward = new(BackwardKernel);

    public static void Forward(GpuDevice device, ArrayView<float> y, ArrayView<float> a, ArrayView<float> b, BinaryOp op, int batch, BroadcastPlan plan)
    {
        BroadcastShape shape = BroadcastShape.Of(plan, batch, operand: 0, aEmpty: false, bEmpty: false);
        long n = (long)shape.Rows * shape.RowSize;
        if (y.Length < n) throw new ArgumentException($"output has {y.Length} elements, {n} are needed", nameof(y));
        if (a.Length < (plan.ABatched ? batch : 1) * (long)plan.ASize) throw new ArgumentException("operand a is too short", nameof(a));
        if (b.Length < (plan.BBatched ? batch : 1) * (long)plan.BSize) throw new ArgumentException("operand b is too short", nameof(b));
        s_forward.Launch(device, n, y, a, b, (int)op, shape);
    }

    /// <summary>
    /// The gradient of one operand (<paramref name="operand"/> 0 for a, 1 for b), overwritten: the upstream
    /// gradient times the local derivative, summed over the broadcast dimensions. <paramref name="a"/> and
    /// <paramref name="b"/> may be empty (<c>default</c>) where the derivative does not read them (add, subtract).
    /// </summary>
    public static void Backward(GpuDevice device, ArrayView<float> grad, int operand, ArrayView<float> dy, ArrayView<float> a, ArrayView<float> b,
                                BinaryOp op, int batch, BroadcastPlan plan)
    {
        if (operand is not (0 or 1)) throw new ArgumentOutOfRangeException(nameof(operand), operand, "operand is 0 (a) or 1 (b)");
        BroadcastShape shape = BroadcastShape.Of(plan, batch, operand, a.Length == 0, b.Length == 0);
        shape.Op = (int)op;
        bool targetBatched = operand == 0 ? plan.ABatched : plan.BBatched;
        long count = (targetBatched ? batch : 1) * (long)(operand == 0 ? plan.ASize : plan.BSize);
        if (grad.Length < count) throw new ArgumentException($"gradient has {grad.Length} elements, {count} are needed", nameof(grad));
        if (dy.Length < (long)shape.Rows * shape.RowSize) throw new ArgumentException("upstream gradient is too short", nameof(dy));
        // An empty operand is never read (the flags say so); dy stands in for it, so every view is valid.
        s_backward.Launch(device, count, grad, dy, a.Length == 0 ? dy : a, b.Length == 0 ? dy : b, shape);
    }

    private static float Apply(int op, float a, float b) => (BinaryOp)op switch
    {
        BinaryOp.Add => a + b,
        BinaryOp.Subtract => a - b,
        BinaryOp.Multiply => a * b,
        _ => a / b,
    };

    private static void ForwardKernel(int count, ArrayView<float> y, ArrayView<float> a, ArrayView<float> b, int op, BroadcastShape s)
    {
        for (int i = Elements.First, step = Elements.Stride; i < count; i += step) ForwardAt(i, y, a, b, op, s);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ForwardAt(int i, ArrayView<float> y, ArrayView<float> a, ArrayView<float> b, int op, BroadcastShape s)
    {
        int r = i / s.RowSize, j = i - r * s.RowSize;
        int i5 = j % s.D5; j /= s.D5;
        int i4 = j % s.D4; j /= s.D4;
        int i3 = j % s.D3; j /= s.D3;
        int i2 = j % s.D2; j /= s.D2;
        int i1 = j % s.D1; j /= s.D1;
        int i0 = j;
        int ai = i0 * s.A0 + i1 * s.A1 + i2 * s.A2 + i3 * s.A3 + i4 * s.A4 + i5 * s.A5;
        int bi = i0 * s.B0 + i1 * s.B1 + i2 * s.B2 + i3 * s.B3 + i4 * s.B4 + i5 * s.B5;
        y[i] = Apply(op, a[(s.ABatched != 0 ? r * s.ASize : 0) + ai], b[(s.BBatched != 0 ? r * s.BSize : 0) + bi]);
    }

    // One thread per element u of the operand's gradient: u fixes the index along the operand's own
    // dimensions; the broadcast ones (stride 0) run over the output's extent, rows outermost, then row-major.
    private static void BackwardKernel(int count, ArrayView<float> grad, ArrayView<float> dy, ArrayView<float> a, ArrayView<float> b, BroadcastShape s)
    {
        for (int u = Elements.First, step = Elements.Stride; u < count; u += step) BackwardAt(u, grad, dy, a, b, s);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void BackwardAt(int u, ArrayView<float> grad, ArrayView<float> dy, ArrayView<float> a, ArrayView<float> b, BroadcastShape s)
    {
        bool first = s.Operand == 0;
        bool targetBatched = (first ? s.ABatched : s.BBatched) != 0;
        int targetSize = first ? s.ASize : s.BSize;
        int r0 = 0, r1 = s.Rows, within = u;
        if (targetBatched) { r0 = u / targetSize; r1 = r0 + 1; within = u - r0 * targetSize; }

        int t0 = first ? s.A0 : s.B0, t1 = first ? s.A1 : s.B1, t2 = first ? s.A2 : s.B2;
        int t3 = first ? s.A3 : s.B3, t4 = first ? s.A4 : s.B4, t5 = first ? s.A5 : s.B5;
        // [lo, hi) along each dimension: one index where the operand has the dimension, all of them where it is broadcast.
        int l0 = t0 == 0 ? 0 : within / t0 % s.D0, h0 = t0 == 0 ? s.D0 : l0 + 1;
        int l1 = t1 == 0 ? 0 : within / t1 % s.D1, h1 = t1 == 0 ? s.D1 : l1 + 1;
        int l2 = t2 == 0 ? 0 : within / t2 % s.D2, h2 = t2 == 0 ? s.D2 : l2 + 1;
        int l3 = t3 == 0 ? 0 : within / t3 % s.D3, h3 = t3 == 0 ? s.D3 : l3 + 1;
        int l4 = t4 == 0 ? 0 : within / t4 % s.D4, h4 = t4 == 0 ? s.D4 : l4 + 1;
        int l5 = t5 == 0 ? 0 : within / t5 % s.D5, h5 = t5 == 0 ? s.D5 : l5 + 1;

        float sum = 0f;
        for (int r = r0; r < r1; r++)
        {
            int aBase = s.ABatched != 0 ? r * s.ASize : 0, bBase = s.BBatched != 0 ? r * s.BSize : 0, yBase = r * s.RowSize;
            for (int i0 = l0; i0 < h0; i0++)
            for (int i1 = l1; i1 < h1; i1++)
            for (int i2 = l2; i2 < h2; i2++)
            for (int i3 = l3; i3 < h3; i3++)
            for (int i4 = l4; i4 < h4; i4++)
            for (int i5 = l5; i5 < h5; i5++)
            {
                float g = dy[yBase + i0 * s.O0 + i1 * s.O1 + i2 * s.O2 + i3 * s.O3 + i4 * s.O4 + i5];
                float av = s.AEmpty != 0 ? 0f : a[aBase + i0 * s.A0 + i1 * s.A1 + i2 * s.A2 + i3 * s.A3 + i4 * s.A4 + i5 * s.A5];
                float bv = s.BEmpty != 0 ? 0f : b[bBase + i0 * s.B0 + i1 * s.B1 + i2 * s.B2 + i3 * s.B3 + i4 * s.B4 + i5 * s.B5];
                sum += first
                    ? (BinaryOp)s.Op switch
                    {
                        BinaryOp.Add or BinaryOp.Subtract => g,
                        BinaryOp.Multiply => g * bv,
                        _ => g / bv,
                    }
                    : (BinaryOp)s.Op switch
                    {
                        BinaryOp.Add => g,
                        BinaryOp.Subtract => -g,
                        BinaryOp.Multiply => g * av,
                        _ => -g * av / (bv * bv),
                    };
            }
        }
        grad[u] = sum;
    }
}

/// <summary>
/// A <see cref="BroadcastPlan"/> as a kernel argument: the per-example output dims D, their row-major
/// strides O, and a's and b's strides A and B (0 where broadcast), right-aligned to six dimensions
/// (leading dims 1), plus the sizes and the rows of this call.
/// </summary>
internal struct BroadcastShape
{
    public const int MaxRank = 6;

    public int D0, D1, D2, D3, D4, D5;
    public int O0, O1, O2, O3, O4;
    public int A0, A1, A2, A3, A4, A5;
    public int B0, B1, B2, B3, B4, B5;
    public int RowSize, ASize, BSize, Rows;
    public int ABatched, BBatched, AEmpty, BEmpty, Operand, Op;

    public static BroadcastShape Of(BroadcastPlan plan, int batch, int operand, bool aEmpty, bool bEmpty)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentOutOfRangeException.ThrowIfNegative(batch);
        int rank = plan.Dims.Length;
        if (rank > MaxRank) throw new NotSupportedException($"the GPU broadcast handles up to {MaxRank} per-example dimensions, this one has {rank}");
        Span<int> d = stackalloc int[MaxRank], a = stackalloc int[MaxRank], b = stackalloc int[MaxRank], o = stackalloc int[MaxRank];
        d.Fill(1);
        for (int i = 0; i < rank; i++)
        {
            d[MaxRank - rank + i] = plan.Dims[i];
            a[MaxRank - rank + i] = plan.AStrides[i];
            b[MaxRank - rank + i] = plan.BStrides[i];
        }
        int stride = 1;
        for (int i = MaxRank - 1; i >= 0; i--) { o[i] = stride; stride *= d[i]; }
        return new BroadcastShape
        {
            D0 = d[0], D1 = d[1], D2 = d[2], D3 = d[3], D4 = d[4], D5 = d[5],
            O0 = o[0], O1 = o[1], O2 = o[2], O3 = o[3], O4 = o[4],
            A0 = a[0], A1 = a[1], A2 = a[2], A3 = a[3], A4 = a[4], A5 = a[5],
            B0 = b[0], B1 = b[1], B2 = b[2], B3 = b[3], B4 = b[4], B5 = b[5],
            RowSize = plan.RowSize, ASize = plan.ASize, BSize = plan.BSize,
            Rows = plan.ABatched || plan.BBatched ? batch : 1,
            ABatched = plan.ABatched ? 1 : 0, BBatched = plan.BBatched ? 1 : 0,
            AEmpty = aEmpty ? 1 : 0, BEmpty = bEmpty ? 1 : 0, Operand = operand,
        };
    }
}
