using System;
using System.Runtime.CompilerServices;
using DeepNotes.Kernels;
using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Runtime;

namespace DeepNotes.Gpu.Kernels;

/// <summary>
/// Activations forward and backward, the GPU twins of <c>DeepNotes.Kernels.Activations</c>. The backward is
/// written through the activation's output y: relu' = [y &gt; 0], sigmoid' = y(1 − y), tanh' = 1 − y².
/// Inputs and outputs may be the same view.
/// </summary>
public static class Activations
{
    private static readonly ElementKernel<ArrayView<float>, ArrayView<float>, int> s_forward = new(ForwardKernel);
    private static readonly ElementKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, int> s_backward = new(BackwardKernel);

    public static void Forward(GpuDevice device, ArrayView<float> y, ArrayView<float> x, Activation activation)
    {
        if (y.Length < x.Length) throw new ArgumentException("output is shorter than input", nameof(y));
        Check(activation);
        s_forward.Launch(device, x.Length, y, x, (int)activation);
    }

    /// <summary>dx = dy · f'(x) expressed through y = f(x). <paramref name="dx"/> may be <paramref name="dy"/>.</summary>
    public static void Backward(GpuDevice device, ArrayView<float> dx, ArrayView<float> dy, ArrayView<float> y, Activation activation)
    {
        if (dy.Length < y.Length || dx.Length < y.Length) throw new ArgumentException("gradient views are shorter than the activation");
        Check(activation);
        s_backward.Launch(device, y.Length, dx, dy, y, (int)activation);
    }

    private static void Check(Activation activation)
    {
        if (activation is not (Activation.None or Activation.Relu or Activation.Sigmoid or Activation.Tanh))
            throw new ArgumentOutOfRangeException(nameof(activation));
    }

    private static void ForwardKernel(int count, ArrayView<float> y, ArrayView<float> x, int activation)
    {
        for (int i = Elements.First, step = Elements.Stride; i < count; i += step) ForwardAt(i, y, x, activation);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ForwardAt(int i, ArrayView<float> y, ArrayView<float> x, int activation)
    {
        float v = x[i];
        y[i] = (Activation)activation switch
        {
            Activation.Relu => DeviceMath.Relu(v),
            Activation.Sigmoid => DeviceMath.Sigmoid(v),
            Activation.Tanh => XMath.Tanh(v),
            _ => v,
        };
    }

    private static void BackwardKernel(int count, ArrayView<float> dx, ArrayView<float> dy, ArrayView<float> y, int activation)
    {
        for (int i = Elements.First, step = Elements.Stride; i < count; i += step) BackwardAt(i, dx, dy, y, activation);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void BackwardAt(int i, ArrayView<float> dx, ArrayView<float> dy, ArrayView<float> y, int activation)
    {
        float g = dy[i], v = y[i];
        dx[i] = (Activation)activation switch
        {
            Activation.Relu => v > 0f ? g : 0f,
            Activation.Sigmoid => g * v * (1f - v),
            Activation.Tanh => g * (1f - v * v),
            _ => g,
        };
    }
}
