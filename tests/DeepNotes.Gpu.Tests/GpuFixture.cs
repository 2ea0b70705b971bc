using DeepNotes.Gpu;
using ILGPU;
using ILGPU.Runtime;

namespace DeepNotes.Gpu.Tests;

/// <summary>
/// One device shared by every kernel test class (a collection runs its classes one at a time): ILGPU's
/// CPU accelerator, or with DEEPNOTES_GPU_TESTS=cuda the first CUDA GPU, so that the same tests check
/// the twins (and the cuBLAS path) on a machine that has one.
/// </summary>
public sealed class GpuFixture : IDisposable
{
    public GpuDevice Device { get; } = GpuDevice.Open(
        Environment.GetEnvironmentVariable("DEEPNOTES_GPU_TESTS")?.Trim().ToLowerInvariant() == "cuda" ? GpuKind.Cuda : GpuKind.Cpu);

    private readonly List<MemoryBuffer1D<float, Stride1D.Dense>> _buffers = new();

    /// <summary>A device copy of <paramref name="host"/> (freed with the fixture).</summary>
    public ArrayView<float> Upload(float[] host)
    {
        var buffer = Device.Accelerator.Allocate1D(host);
        _buffers.Add(buffer);
        return buffer.View;
    }

    /// <summary>Waits for the device and copies <paramref name="view"/> back.</summary>
    public float[] Download(ArrayView<float> view)
    {
        Device.Synchronize();
        return view.GetAsArray();
    }

    public void Dispose()
    {
        foreach (var buffer in _buffers) buffer.Dispose();
        Device.Dispose();
    }
}

[CollectionDefinition("gpu")]
public sealed class GpuCollection : ICollectionFixture<GpuFixture>;

internal static class Data
{
    /// <summary>n values uniform in [−1, 1), from a fixed seed.</summary>
    public static float[] Random(int n, int seed)
    {
        var rng = new Random(seed);
        var a = new float[n];
        for (int i = 0; i < n; i++) a[i] = rng.NextSingle() * 2f - 1f;
        return a;
    }

    /// <summary>n small integers in [0, levels): many ties, for max pooling's tie rule.</summary>
    public static float[] Levels(int n, int levels, int seed)
    {
        var rng = new Random(seed);
        var a = new float[n];
        for (int i = 0; i < n; i++) a[i] = rng.Next(levels);
        return a;
    }

    public static float[] Filled(int n, float value)
    {
        var a = new float[n];
        Array.Fill(a, value);
        return a;
    }

    /// <summary>Every element agrees to 1e-5 relative (absolute below magnitude 1); NaN only where NaN is expected.</summary>
    public static void Close(float[] expected, float[] actual, string what = "")
    {
        Assert.True(expected.Length <= actual.Length, $"{what}: {actual.Length} elements, {expected.Length} expected");
        for (int i = 0; i < expected.Length; i++)
        {
            float e = expected[i], a = actual[i];
            if (float.IsNaN(e)) { Assert.True(float.IsNaN(a), $"{what}[{i}]: {a}, expected NaN"); continue; }
            Assert.True(Math.Abs(a - e) <= 1e-5 * Math.Max(1.0, Math.Abs(e)), $"{what}[{i}]: {a}, expected {e}");
        }
    }
}
