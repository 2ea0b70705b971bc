using System.Numerics.Tensors;

namespace DeepNotes.Kernels;

/// <summary>
/// Softmax and log-softmax over the last axis of [rows, cols], numerically stable (max subtracted).
/// Softmax takes an optional <c>scale</c>: softmax(scale·x), attention's softmax(Q·Kᵀ/√d) without a
/// separate pass (or buffer) for the scaled scores.
/// </summary>
public static class Softmax
{
    public static void Forward(Span<float> y, ReadOnlySpan<float> x, int rows, int cols, float scale = 1f)
    {
        for (int r = 0; r < rows; r++) Row(y.Slice(r * cols, cols), x.Slice(r * cols, cols), scale);
    }

    /// <summary>
    /// y = softmax(scale·x) of one row: max subtracted, then vector exp, sum and one multiply. y may be x.
    /// (TensorPrimitives.SoftMax measured ≈4× slower than this on attention's 64-wide rows of scores in
    /// [0, 1), .NET 10, while TensorPrimitives.Exp itself is fast.)
    /// </summary>
    private static void Row(Span<float> y, ReadOnlySpan<float> x, float scale)
    {
        if (scale != 1f)
        {
            TensorPrimitives.Multiply(x, scale, y);
            x = y;
        }
        TensorPrimitives.Subtract(x, TensorPrimitives.Max(x), y);
        TensorPrimitives.Exp(y, y);
        TensorPrimitives.Multiply(y, 1f / TensorPrimitives.Sum(y), y);
    }

    /// <summary>
    /// Causal softmax over the last axis of per-example matrices [..., n, cols]: row i of each n-row matrix
    /// sees columns 0..i only (PyTorch's <c>is_causal</c>, a lower-triangular mask aligned top left); the
    /// masked entries are exactly 0, so <see cref="Backward"/> serves it unchanged.
    /// </summary>
    public static void CausalForward(Span<float> y, ReadOnlySpan<float> x, int rows, int cols, int n, float scale = 1f)
    {
        for (int r = 0; r < rows; r++)
        {
            int valid = Math.Min(cols, r % n + 1);
            Span<float> yr = y.Slice(r * cols, cols);
            Row(yr.Slice(0, valid), x.Slice(r * cols, valid), scale);
            yr.Slice(valid).Clear();
        }
    }

    /// <summary>
    /// Softmax over the last axis with a key-padding mask: <paramref name="mask"/> holds <paramref name="cols"/>
    /// floats per example (1 keeps a column, 0 masks it), shared by the example's <paramref name="rowsPerExample"/>
    /// rows ([..., n, cols] scores, one mask per sequence). Masked entries are exactly 0, so <see cref="Backward"/>
    /// serves it unchanged; a row whose columns are all masked is all zeros (not NaN). y may be x.
    /// </summary>
    public static void MaskedForward(Span<float> y, ReadOnlySpan<float> x, ReadOnlySpan<float> mask, int batch, int rowsPerExample, int cols, float scale = 1f)
    {
        for (int b = 0; b < batch; b++)
        {
            ReadOnlySpan<float> m = mask.Slice(b * cols, cols);
            int kept = Count(m);
            for (int r = b * rowsPerExample; r < (b + 1) * rowsPerExample; r++)
            {
                Span<float> yr = y.Slice(r * cols, cols);
                if (kept == 0) { yr.Clear(); continue; }
                if (kept == cols) { Row(yr, x.Slice(r * cols, cols), scale); continue; }
                TensorPrimitives.Multiply(x.Slice(r * cols, cols), scale, yr);
                for (int c = 0; c < cols; c++) if (m[c] == 0f) yr[c] = float.NegativeInfinity;
                TensorPrimitives.Subtract(yr, TensorPrimitives.Max(yr), yr);
                TensorPrimitives.Exp(yr, yr); // e^−∞ = 0: the masked entries
                TensorPrimitives.Multiply(yr, 1f / TensorPrimitives.Sum(yr), yr);
            }
        }
    }

    private static int Count(ReadOnlySpan<float> mask)
    {
        int kept = 0;
        foreach (float v in mask) if (v != 0f) kept++;
        return kept;
    }

    /// <summary>dx = scale·y ⊙ (dy − Σ dy·y), per row (scale 1 for a plain softmax). dx may be dy, not y.</summary>
    public static void Backward(Span<float> dx, ReadOnlySpan<float> dy, ReadOnlySpan<float> y, int rows, int cols, float scale = 1f)
    {
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<float> yr = y.Slice(r * cols, cols), dyr = dy.Slice(r * cols, cols);
            float dot = TensorPrimitives.Dot(dyr, yr);
            Span<float> dxr = dx.Slice(r * cols, cols);
            TensorPrimitives.Subtract(dyr, dot, dxr);
            TensorPrimitives.Multiply(dxr, yr, dxr);
            if (scale != 1f) TensorPrimitives.Multiply(dxr, scale, dxr);
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
