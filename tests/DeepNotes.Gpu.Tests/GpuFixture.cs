using DeepNotes.Gpu;
using ILGPU;
using ILGPU.Runtime;

namespace DeepNotes.Gpu.Tests;

/// <summary>One CPU-accelerator device per test class (IClassFixture), and the buffers its tests allocate.</summary>
public sealed class GpuFixture : IDisposable
{
    private readonly List<MemoryBuffer> _buffers = new();

    public GpuDevice Device { get; } = GpuDevice.Open(GpuKind.Cpu);

    /// <summary>A device copy of <paramref name="data"/>.</summary>
    public ArrayView<T> Upload<T>(T[] data) where T : unmanaged
    {
        MemoryBuffer1D<T, Stride1D.Dense> buffer = Device.Accelerator.Allocate1D(data);
        lock (_buffers) _buffers.Add(buffer);
        return buffer.View;
    }

    /// <summary>A device buffer of <paramref name="length"/> elements, every one set to <paramref name="fill"/>.</summary>
    public ArrayView<float> Zeros(int length, float fill = 0f)
    {
        var data = new float[length];
        Array.Fill(data, fill);
        return Upload(data);
    }

    /// <summary>Waits for the device and copies <paramref name="view"/> back.</summary>
    public T[] Download<T>(ArrayView<T> view) where T : unmanaged
    {
        Device.Synchronize();
        var host = new T[view.Length];
        view.CopyToCPU(host);
        return host;
    }

    public void Dispose()
    {
        foreach (MemoryBuffer b in _buffers) b.Dispose();
        Device.Dispose();
    }
}

/// <summary>Test data and comparisons.</summary>
internal static class Data
{
    /// <summary>Reproducible values in [lo, hi).</summary>
    public static float[] Uniform(int n, int seed, float lo = -2f, float hi = 2f)
    {
        var random = new Random(seed);
        var data = new float[n];
        for (int i = 0; i < n; i++) data[i] = lo + (hi - lo) * random.NextSingle();
        return data;
    }

    /// <summary>
    /// Each element within <paramref name="relative"/> of the expected one, relative to its own size, or to a
    /// hundredth of the largest expected magnitude for elements near 0 (where a different summation order
    /// leaves an absolute, not a relative, difference).
    /// </summary>
    public static void Close(float[] expected, float[] actual, float relative = 1e-5f, string what = "")
    {
        Assert.Equal(expected.Length, actual.Length);
        float largest = 0f;
        foreach (float e in expected) largest = MathF.Max(largest, MathF.Abs(e));
        for (int i = 0; i < expected.Length; i++)
        {
            float e = expected[i], a = actual[i];
            float tolerance = relative * MathF.Max(MathF.Abs(e), 0.01f * largest);
            if (!(MathF.Abs(e - a) <= tolerance))
                Assert.Fail($"{what}[{i}]: expected {e:R}, got {a:R} (tolerance {tolerance:R})");
        }
    }
}
