using System.Numerics.Tensors;

namespace DeepNotes.Kernels;

/// <summary>
/// Single element-wise steps (the generator inlines longer fused chains as one loop).
/// Input and output may be the same span.
/// </summary>
public static class Elementwise
{
    public static void Relu(ReadOnlySpan<float> x, Span<float> y) => TensorPrimitives.Max(x, 0f, y);
    public static void Sigmoid(ReadOnlySpan<float> x, Span<float> y) => TensorPrimitives.Sigmoid(x, y);
    public static void Tanh(ReadOnlySpan<float> x, Span<float> y) => TensorPrimitives.Tanh(x, y);
    public static void Exp(ReadOnlySpan<float> x, Span<float> y) => TensorPrimitives.Exp(x, y);
    public static void Log(ReadOnlySpan<float> x, Span<float> y) => TensorPrimitives.Log(x, y);
    /// <summary>y = a·x + b.</summary>
    public static void Affine(ReadOnlySpan<float> x, float a, float b, Span<float> y)
    {
        if (a != 1f) { TensorPrimitives.Multiply(x, a, y); x = y; }
        if (b != 0f || !x.Overlaps(y)) TensorPrimitives.Add(x, b, y);
    }
    /// <summary>y = a / x.</summary>
    public static void Reciprocal(ReadOnlySpan<float> x, float a, Span<float> y) => TensorPrimitives.Divide(a, x, y);
    /// <summary>dst += src (gradient accumulation).</summary>
    public static void Accumulate(Span<float> dst, ReadOnlySpan<float> src) => TensorPrimitives.Add(dst, src[..dst.Length], dst);
}
