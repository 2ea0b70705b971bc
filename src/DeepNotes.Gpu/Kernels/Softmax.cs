using System;
using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Runtime;

namespace DeepNotes.Gpu.Kernels;

/// <summary>
/// Softmax and log-softmax over the last axis of [rows, cols], the GPU twins of <c>DeepNotes.Kernels.Softmax</c>:
/// one group per row, max and sum reduced in shared memory. The output may be the input (each element is
/// written only after the group has finished reading the row). A row's kept columns are a prefix (causal) or
/// those its example's key-padding mask keeps (masked); the others are written as exact zeros.
/// </summary>
public static class Softmax
{
    /// <summary>What a row kernel writes: softmax(scale·x), log-softmax, or exp(log-softmax) (cross-entropy's probabilities).</summary>
    internal enum RowMode { Softmax, Log, ExpLog }

    internal struct RowArgs
    {
        public int Cols, Causal, Mode, RowsPerExample;
        public float Scale;
    }

    private static readonly GroupKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, RowArgs> s_forward = new(ForwardKernel);
    private static readonly GroupKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, RowArgs> s_backward = new(BackwardKernel);

    public static void Forward(GpuDevice device, ArrayView<float> y, ArrayView<float> x, int rows, int cols, float scale = 1f)
        => Rows(device, y, x, rows, cols, 0, scale, RowMode.Softmax);

    /// <summary>
    /// Causal softmax over per-example matrices [..., n, cols]: row r sees columns 0..(r mod n) only; the masked
    /// entries are exactly 0, so <see cref="Backward"/> serves it unchanged.
    /// </summary>
    public static void CausalForward(GpuDevice device, ArrayView<float> y, ArrayView<float> x, int rows, int cols, int n, float scale = 1f)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(n);
        Rows(device, y, x, rows, cols, n, scale, RowMode.Softmax);
    }

    /// <summary>
    /// Softmax over the last axis with a key-padding mask: <paramref name="mask"/> holds <paramref name="cols"/>
    /// floats per example (non-zero keeps a column, 0 masks it), shared by the example's
    /// <paramref name="rowsPerExample"/> rows. Masked entries are exactly 0, so <see cref="Backward"/> serves it
    /// unchanged; a row whose columns are all masked is all zeros (not NaN). y may be x.
    /// </summary>
    public static void MaskedForward(GpuDevice device, ArrayView<float> y, ArrayView<float> x, ArrayView<float> mask, int batch, int rowsPerExample, int cols, float scale = 1f)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(batch);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rowsPerExample);
        int rows = checked(batch * rowsPerExample);
        CheckRows(rows, cols, (nameof(y), y.Length), (nameof(x), x.Length));
        if (mask.Length < (long)batch * cols) throw new ArgumentException($"'mask' has {mask.Length} elements, {(long)batch * cols} are needed", nameof(mask));
        s_forward.Launch(device, rows, cols, y, x, mask, new RowArgs { Cols = cols, RowsPerExample = rowsPerExample, Mode = (int)RowMode.Softmax, Scale = scale });
    }

    /// <summary>dx = scale·y ⊙ (dy − Σ dy·y), per row. dx may be dy, not y.</summary>
    public static void Backward(GpuDevice device, ArrayView<float> dx, ArrayView<float> dy, ArrayView<float> y, int rows, int cols, float scale = 1f)
        => BackwardRows(device, dx, dy, y, rows, cols, scale, RowMode.Softmax);

    public static void LogForward(GpuDevice device, ArrayView<float> y, ArrayView<float> x, int rows, int cols)
        => Rows(device, y, x, rows, cols, 0, 1f, RowMode.Log);

    /// <summary>dx = dy − exp(y)·Σ dy, per row.</summary>
    public static void LogBackward(GpuDevice device, ArrayView<float> dx, ArrayView<float> dy, ArrayView<float> y, int rows, int cols)
        => BackwardRows(device, dx, dy, y, rows, cols, 1f, RowMode.Log);

    internal static void Rows(GpuDevice device, ArrayView<float> y, ArrayView<float> x, int rows, int cols, int causal, float scale, RowMode mode)
    {
        CheckRows(rows, cols, (nameof(y), y.Length), (nameof(x), x.Length));
        // Without a mask (RowsPerExample 0) x stands in for it, never read, so every view is valid.
        s_forward.Launch(device, rows, cols, y, x, x, new RowArgs { Cols = cols, Causal = causal, Mode = (int)mode, Scale = scale });
    }

    private static void BackwardRows(GpuDevice device, ArrayView<float> dx, ArrayView<float> dy, ArrayView<float> y, int rows, int cols, float scale, RowMode mode)
    {
        CheckRows(rows, cols, (nameof(dx), dx.Length), (nameof(dy), dy.Length), (nameof(y), y.Length));
        s_backward.Launch(device, rows, cols, dx, dy, y, new RowArgs { Cols = cols, Mode = (int)mode, Scale = scale });
    }

    internal static void CheckRows(int rows, int cols, params ReadOnlySpan<(string Name, long Length)> views)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(cols);
        foreach ((string name, long length) in views)
            if (length < (long)rows * cols)
                throw new ArgumentException($"'{name}' has {length} elements, {(long)rows * cols} are needed", name);
    }

    // Softmax: v = scale·x, y = e^(v − max v) / Σ. Log: y = x − (max + log Σ e^(x − max)). ExpLog: e^(that).
    // Over the kept columns only (c < valid, and mask[example, c] != 0 when masked); the rest are 0.
    private static void ForwardKernel(ArrayView<float> y, ArrayView<float> x, ArrayView<float> mask, RowArgs args)
    {
        ArrayView<float> scratch = SharedMemory.Allocate<float>(GroupKernel.MaxThreads);
        int row = Grid.IdxX, cols = args.Cols, t = Group.IdxX, step = Group.DimX;
        long start = (long)row * cols;
        int valid = args.Causal > 0 ? XMath.Min(cols, row % args.Causal + 1) : cols;
        bool scaled = args.Mode == (int)RowMode.Softmax && args.Scale != 1f;
        bool masked = args.RowsPerExample > 0;
        long maskStart = masked ? (long)(row / args.RowsPerExample) * cols : 0;

        float max = float.NegativeInfinity;
        for (int c = t; c < valid; c += step)
        {
            if (masked && mask[maskStart + c] == 0f) continue;
            float v = x[start + c];
            if (scaled) v *= args.Scale;
            max = XMath.Max(max, v);
        }
        max = GroupReduce.Max(scratch, max);

        float sum = 0f;
        for (int c = t; c < valid; c += step)
        {
            if (masked && mask[maskStart + c] == 0f) continue;
            float v = x[start + c];
            if (scaled) v *= args.Scale;
            sum += XMath.Exp(v - max);
        }
        sum = GroupReduce.Sum(scratch, sum);

        float inverse = 1f / sum, lse = max + XMath.Log(sum);
        for (int c = t; c < cols; c += step)
        {
            bool kept = c < valid && (!masked || mask[maskStart + c] != 0f);
            float v = kept ? x[start + c] : 0f;
            if (scaled) v *= args.Scale;
            y[start + c] = !kept ? 0f
                : args.Mode == (int)RowMode.Softmax ? XMath.Exp(v - max) * inverse
                : args.Mode == (int)RowMode.Log ? v - lse
                : XMath.Exp(v - lse);
        }
    }

    // Softmax: dx = (dy − Σ dy·y)·y (·scale). Log: dx = dy − e^y·Σ dy.
    private static void BackwardKernel(ArrayView<float> dx, ArrayView<float> dy, ArrayView<float> y, RowArgs args)
    {
        ArrayView<float> scratch = SharedMemory.Allocate<float>(GroupKernel.MaxThreads);
        int cols = args.Cols, t = Group.IdxX, step = Group.DimX;
        long start = (long)Grid.IdxX * cols;
        bool log = args.Mode == (int)RowMode.Log;

        float partial = 0f;
        for (int c = t; c < cols; c += step) partial += log ? dy[start + c] : dy[start + c] * y[start + c];
        float total = GroupReduce.Sum(scratch, partial);

        for (int c = t; c < cols; c += step)
        {
            float g = dy[start + c], v = y[start + c];
            if (log) dx[start + c] = g - XMath.Exp(v) * total;
            else
            {
                float d = (g - total) * v;
                dx[start + c] = args.Scale != 1f ? d * args.Scale : d;
            }
        }
    }
}
