using System;
using System.Runtime.CompilerServices;
using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Runtime;

namespace DeepNotes.Gpu.Kernels;

/// <summary>
/// Element-wise library kernels, the GPU twins of <c>DeepNotes.Kernels.Elementwise</c>: single steps the
/// generator does not fuse. Input and output may be the same view.
/// </summary>
public static class Elementwise
{
    private enum Op { Relu, Sigmoid, Tanh, Exp, Log, Affine, Reciprocal }

    private static readonly ElementKernel<ArrayView<float>, float> s_fill = new(FillKernel);
    private static readonly ElementKernel<ArrayView<float>, ArrayView<float>, int, float, float> s_map = new(MapKernel);
    private static readonly ElementKernel<ArrayView<float>, ArrayView<float>> s_accumulate = new(AccumulateKernel);

    /// <summary>Sets every element of <paramref name="y"/> to <paramref name="value"/>.</summary>
    public static void Fill(GpuDevice device, ArrayView<float> y, float value) => s_fill.Launch(device, y.Length, y, value);

    public static void Relu(GpuDevice device, ArrayView<float> x, ArrayView<float> y) => Map(device, x, y, Op.Relu, 0f, 0f);
    public static void Sigmoid(GpuDevice device, ArrayView<float> x, ArrayView<float> y) => Map(device, x, y, Op.Sigmoid, 0f, 0f);
    public static void Tanh(GpuDevice device, ArrayView<float> x, ArrayView<float> y) => Map(device, x, y, Op.Tanh, 0f, 0f);
    public static void Exp(GpuDevice device, ArrayView<float> x, ArrayView<float> y) => Map(device, x, y, Op.Exp, 0f, 0f);
    public static void Log(GpuDevice device, ArrayView<float> x, ArrayView<float> y) => Map(device, x, y, Op.Log, 0f, 0f);

    /// <summary>y = a·x + b (the multiply skipped when a is 1, the add when b is 0, as on the CPU).</summary>
    public static void Affine(GpuDevice device, ArrayView<float> x, float a, float b, ArrayView<float> y) => Map(device, x, y, Op.Affine, a, b);

    /// <summary>y = a / x.</summary>
    public static void Reciprocal(GpuDevice device, ArrayView<float> x, float a, ArrayView<float> y) => Map(device, x, y, Op.Reciprocal, a, 0f);

    /// <summary>dst += src (gradient accumulation) over dst's length.</summary>
    public static void Accumulate(GpuDevice device, ArrayView<float> dst, ArrayView<float> src)
    {
        if (src.Length < dst.Length) throw new ArgumentException("source is shorter than destination", nameof(src));
        s_accumulate.Launch(device, dst.Length, dst, src);
    }

    private static void Map(GpuDevice device, ArrayView<float> x, ArrayView<float> y, Op op, float a, float b)
    {
        if (y.Length < x.Length) throw new ArgumentException("output is shorter than input", nameof(y));
        s_map.Launch(device, x.Length, x, y, (int)op, a, b);
    }

    private static void FillKernel(int count, ArrayView<float> y, float value)
    {
        for (int i = Elements.First, step = Elements.Stride; i < count; i += step) FillAt(i, y, value);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void FillAt(int i, ArrayView<float> y, float value) => y[i] = value;

    private static void AccumulateKernel(int count, ArrayView<float> dst, ArrayView<float> src)
    {
        for (int i = Elements.First, step = Elements.Stride; i < count; i += step) AccumulateAt(i, dst, src);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AccumulateAt(int i, ArrayView<float> dst, ArrayView<float> src) => dst[i] += src[i];

    private static void MapKernel(int count, ArrayView<float> x, ArrayView<float> y, int op, float a, float b)
    {
        for (int i = Elements.First, step = Elements.Stride; i < count; i += step) MapAt(i, x, y, op, a, b);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void MapAt(int i, ArrayView<float> x, ArrayView<float> y, int op, float a, float b)
    {
        float v = x[i];
        switch ((Op)op)
        {
            case Op.Relu: v = DeviceMath.Relu(v); break;
            case Op.Sigmoid: v = DeviceMath.Sigmoid(v); break;
            case Op.Tanh: v = XMath.Tanh(v); break;
            case Op.Exp: v = XMath.Exp(v); break;
            case Op.Log: v = XMath.Log(v); break;
            case Op.Affine:
                if (a != 1f) v *= a;
                if (b != 0f) v += b;
                break;
            default: v = a / v; break;
        }
        y[i] = v;
    }
}

/// <summary>Scalar functions shared by the device kernels, written as the CPU kernels compute them.</summary>
internal static class DeviceMath
{
    /// <summary>max(x, 0) with NaN kept, as TensorPrimitives.Max(x, 0).</summary>
    public static float Relu(float x) => x > 0f || XMath.IsNaN(x) ? x : 0f;

    /// <summary>1 / (1 + e^−x), as TensorPrimitives.Sigmoid.</summary>
    public static float Sigmoid(float x) => 1f / (1f + XMath.Exp(-x));
}
