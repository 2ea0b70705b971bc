using System.Numerics.Tensors;

namespace DeepNotes.Kernels;

/// <summary>Softmax and log-softmax over the last axis of [rows, cols], numerically stable (max subtracted).</summary>
public static class Softmax
{
    public static void Forward(Span<float> y, ReadOnlySpan<float> x, int rows, int cols)
    {
        for (int r = 0; r < rows; r++)
            TensorPrimitives.SoftMax(x.Slice(r * cols, cols), y.Slice(r * cols, cols));
    }

    /// <summary>
    /// Causal softmax over the last axis of per-example matrices [..., n, cols]: row i of each n-row matrix
    /// sees columns 0..i only (PyTorch's <c>is_causal</c>, a lower-triangular mask aligned top left); the
    /// masked entries are exactly 0, so <see cref="Backward"/> serves it unchanged.
    /// </summary>
    public static void CausalForward(Span<float> y, ReadOnlySpan<float> x, int rows, int cols, int n)
    {
        for (int r = 0; r < rows; r++)
        {
            int valid = Math.Min(cols, r % n + 1);
            Span<float> yr = y.Slice(r * cols, cols);
            TensorPrimitives.SoftMax(x.Slice(r * cols, valid), yr.Slice(0, valid));
            yr.Slice(valid).Clear();
        }
    }

    /// <summary>dx = y ⊙ (dy − Σ dy·y), per row.</summary>
    public static void Backward(Span<float> dx, ReadOnlySpan<float> dy, ReadOnlySpan<float> y, int rows, int cols)
    {
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<float> yr = y.Slice(r * cols, cols), dyr = dy.Slice(r * cols, cols);
            float dot = TensorPrimitives.Dot(dyr, yr);
            Span<float> dxr = dx.Slice(r * cols, cols);
            for (int c = 0; c < cols; c++) dxr[c] = yr[c] * (dyr[c] - dot);
        }
    }

    public static void LogForward(Span<float> y, ReadOnlySpan<float> x, int rows, int cols)
    {
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<float> xr = x.Slice(r * cols, cols);
            float lse = LogSumExp(xr);
            TensorPrimitives.Subtract(xr, lse, y.Slice(r * cols, cols));
        }
    }

    /// <summary>dx = dy − softmax(x)·Σ dy, with softmax(x) = exp(y).</summary>
    public static void LogBackward(Span<float> dx, ReadOnlySpan<float> dy, ReadOnlySpan<float> y, int rows, int cols)
    {
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<float> yr = y.Slice(r * cols, cols), dyr = dy.Slice(r * cols, cols);
            float sum = TensorPrimitives.Sum(dyr);
            Span<float> dxr = dx.Slice(r * cols, cols);
            for (int c = 0; c < cols; c++) dxr[c] = dyr[c] - MathF.Exp(yr[c]) * sum;
        }
    }

    /// <summary>log Σ e^x, stable.</summary>
    public static float LogSumExp(ReadOnlySpan<float> x)
    {
        float max = TensorPrimitives.Max(x);
        double sum = 0;
        foreach (float v in x) sum += MathF.Exp(v - max);
        return max + (float)Math.Log(sum);
    }
}
