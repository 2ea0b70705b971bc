using System.Numerics.Tensors;

namespace DeepNotes.Kernels;

/// <summary>Full reductions to a scalar and their gradients (a broadcast of the upstream scalar).</summary>
public static class Reductions
{
    public static void Sum(Span<float> y, ReadOnlySpan<float> x) => y[0] = TensorPrimitives.Sum(x);

    public static void Mean(Span<float> y, ReadOnlySpan<float> x) => y[0] = TensorPrimitives.Sum(x) / x.Length;

    /// <summary>dx[i] = dy · factor (factor 1 for a sum, 1/n for a mean).</summary>
    public static void Backward(Span<float> dx, float dy, float factor) => dx.Fill(dy * factor);
}
