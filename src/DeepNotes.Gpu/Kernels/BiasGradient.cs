using ILGPU;
using ILGPU.Runtime;

namespace DeepNotes.Gpu.Kernels;

/// <summary>
/// The bias gradient of a dense or convolution layer: per channel, the sum of dy over the batch (and
/// space). One group per channel sums a strided share per thread, then halves in shared memory, so
/// the result needs no atomics and does not depend on timing.
/// </summary>
internal static class BiasGradient
{
    private static readonly object s_sum = new();

    /// <summary>
    /// db[o] = Σ_{j &lt; count} dy[(j / inner)·channels·inner + o·inner + j mod inner] for o &lt; channels
    /// (dense: inner = 1, count = rows; convolution: inner = output positions, count = batch·inner),
    /// added to what db held, or replacing it with <paramref name="overwrite"/>.
    /// </summary>
    internal static void Sum(GpuDevice device, ArrayView<float> db, ArrayView<float> dy, int channels, int inner, int count, bool overwrite)
    {
        if (channels == 0) return;
        var kernel = device.Kernel(s_sum, a => a.LoadStreamKernel<ArrayView<float>, ArrayView<float>, int, int, int, int>(Kernel));
        int size = 256;
        while (size > device.Accelerator.MaxNumThreadsPerGroup) size /= 2;
        kernel(new KernelConfig(channels, size, SharedMemoryConfig.RequestDynamic<float>(size)), db, dy, channels, inner, count, overwrite ? 1 : 0);
    }

    // The group's size is a power of two (the halving needs it).
    private static void Kernel(ArrayView<float> db, ArrayView<float> dy, int channels, int inner, int count, int overwrite)
    {
        int o = Grid.IdxX, t = Group.IdxX, size = Group.DimX;
        ArrayView<float> partial = SharedMemory.GetDynamic<float>();
        float sum = 0f;
        for (int j = t; j < count; j += size) sum += dy[(j / inner) * channels * inner + o * inner + j % inner];
        partial[t] = sum;
        Group.Barrier();
        for (int half = size / 2; half > 0; half /= 2)
        {
            if (t < half) partial[t] += partial[t + half];
            Group.Barrier();
        }
        if (t == 0) db[o] = overwrite != 0 ? partial[0] : db[o] + partial[0];
    }
}
