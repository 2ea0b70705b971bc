using System.Numerics.Tensors;

namespace DeepNotes.Kernels;

/// <summary>
/// Layer normalisation over the last axis (PyTorch's <c>nn.LayerNorm(features)</c>): each row of
/// [rows, features] is normalised by its own mean and variance (biased, as PyTorch), then scaled by
/// weight and shifted by bias. Forward saves each row's mean and 1/σ for backward; y may be x.
/// </summary>
public static class LayerNorm
{
    public static void Forward(Span<float> y, Span<float> mean, Span<float> invStd, ReadOnlySpan<float> x,
                               ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, int rows, int features, float epsilon)
    {
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<float> xr = x.Slice(r * features, features);
            Span<float> yr = y.Slice(r * features, features);
            float m = TensorPrimitives.Sum(xr) / features;
            TensorPrimitives.Subtract(xr, m, yr);
            float s = 1f / MathF.Sqrt(TensorPrimitives.SumOfSquares(yr) / features + epsilon);
            TensorPrimitives.Multiply(yr, s, yr);
            TensorPrimitives.FusedMultiplyAdd(yr, weight, bias, yr);
            mean[r] = m;
            invStd[r] = s;
        }
    }

    /// <summary>
    /// dx = (1/σ)·(g − mean(g) − x̂·mean(g·x̂)) with g = dy·weight and x̂ the normalised input;
    /// dweight += Σ dy·x̂ and dbias += Σ dy over the rows (they accumulate). dx must not share memory with dy or x.
    /// </summary>
    public static void Backward(Span<float> dx, Span<float> dweight, Span<float> dbias, ReadOnlySpan<float> dy, ReadOnlySpan<float> x,
                                ReadOnlySpan<float> weight, ReadOnlySpan<float> mean, ReadOnlySpan<float> invStd, int rows, int features)
    {
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<float> dyr = dy.Slice(r * features, features);
            Span<float> dxr = dx.Slice(r * features, features);
            float s = invStd[r];
            // x̂ into dx first: it is needed for dweight and for the correction term.
            TensorPrimitives.Subtract(x.Slice(r * features, features), mean[r], dxr);
            TensorPrimitives.Multiply(dxr, s, dxr);
            TensorPrimitives.FusedMultiplyAdd(dyr, dxr, dweight, dweight);
            TensorPrimitives.Add(dbias, dyr, dbias);
            float sumG = TensorPrimitives.Dot(dyr, weight), sumGx = 0f;
            for (int i = 0; i < features; i++) sumGx += dyr[i] * weight[i] * dxr[i];
            // dx = s·(dy·w − sumG/N − x̂·sumGx/N)
            TensorPrimitives.Multiply(dxr, -sumGx / features, dxr);
            TensorPrimitives.FusedMultiplyAdd(dyr, weight, dxr, dxr);
            TensorPrimitives.Add(dxr, -sumG / features, dxr);
            TensorPrimitives.Multiply(dxr, s, dxr);
        }
    }

    /// <summary>The forward pass in double precision, to test the kernel against.</summary>
    public static void Reference(Span<float> y, ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, int rows, int features, float epsilon)
    {
        for (int r = 0; r < rows; r++)
        {
            double m = 0, v = 0;
            for (int i = 0; i < features; i++) m += x[r * features + i];
            m /= features;
            for (int i = 0; i < features; i++) v += (x[r * features + i] - m) * (x[r * features + i] - m);
            double s = 1 / Math.Sqrt(v / features + epsilon);
            for (int i = 0; i < features; i++) y[r * features + i] = (float)((x[r * features + i] - m) * s * weight[i] + bias[i]);
        }
    }
}
