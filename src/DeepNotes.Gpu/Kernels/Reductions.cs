using System;
using System.Runtime.CompilerServices;
using ILGPU;
using ILGPU.Runtime;

namespace DeepNotes.Gpu.Kernels;

/// <summary>
/// Full reductions to a scalar and their gradient, the GPU twins of <c>DeepNotes.Kernels.Reductions</c>.
/// The sum runs on one group, each thread's share and the fixed tree in double (so long vectors keep their
/// precision and every run gives the same bits); the upstream gradient of
/// <see cref="Backward"/> is a length-1 view, read on the device.
/// </summary>
public static class Reductions
{
    private static readonly GroupKernel<ArrayView<float>, ArrayView<float>, float> s_sum = new(SumKernel);
    private static readonly ElementKernel<ArrayView<float>, ArrayView<float>, float> s_backward = new(BackwardKernel);

    public static void Sum(GpuDevice device, ArrayView<float> y, ArrayView<float> x) => Reduce(device, y, x, 1f);

    public static void Mean(GpuDevice device, ArrayView<float> y, ArrayView<float> x) => Reduce(device, y, x, x.Length);

    /// <summary>dx[i] = dy[0] · factor (factor 1 for a sum, 1/n for a mean).</summary>
    public static void Backward(GpuDevice device, ArrayView<float> dx, ArrayView<float> dy, float factor)
    {
        if (dy.Length < 1) throw new ArgumentException("dy is the upstream scalar: a view of length 1", nameof(dy));
        s_backward.Launch(device, dx.Length, dx, dy, factor);
    }

    private static void Reduce(GpuDevice device, ArrayView<float> y, ArrayView<float> x, float divisor)
    {
        if (y.Length < 1) throw new ArgumentException("the result is a view of length 1", nameof(y));
        s_sum.Launch(device, 1, (int)Math.Min(x.Length, int.MaxValue), y, x, divisor);
    }

    private static void SumKernel(ArrayView<float> y, ArrayView<float> x, float divisor)
    {
        ArrayView<double> scratch = SharedMemory.Allocate<double>(GroupKernel.MaxThreads);
        double partial = 0;
        for (long i = Group.IdxX; i < x.Length; i += Group.DimX) partial += x[i];
        float total = (float)GroupReduce.Sum(scratch, partial);
        if (Group.IdxX == 0) y[0] = total / divisor;
    }

    private static void BackwardKernel(int count, ArrayView<float> dx, ArrayView<float> dy, float factor)
    {
        for (int i = Elements.First, step = Elements.Stride; i < count; i += step) BackwardAt(i, dx, dy, factor);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void BackwardAt(int i, ArrayView<float> dx, ArrayView<float> dy, float factor) => dx[i] = dy[0] * factor;
}
