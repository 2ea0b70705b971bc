using ILGPU;
using ILGPU.Runtime;

namespace DeepNotes.Gpu.Kernels;

/// <summary>Element-wise library kernels (the GPU twins of DeepNotes.Kernels.Elementwise).</summary>
public static class Elementwise
{
    private static readonly object s_fill = new();

    /// <summary>Sets every element of <paramref name="y"/> to <paramref name="value"/>.</summary>
    public static void Fill(GpuDevice device, ArrayView<float> y, float value)
    {
        if (y.Length == 0) return;
        device.Kernel(s_fill, a => a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, float>(FillKernel))((int)y.Length, y, value);
    }

    private static void FillKernel(Index1D i, ArrayView<float> y, float value) => y[i] = value;
}
