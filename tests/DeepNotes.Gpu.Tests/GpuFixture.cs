using DeepNotes.Gpu;
using ILGPU;
using ILGPU.Runtime;

namespace DeepNotes.Gpu.Tests;

// Merged from gpu-gemm and gpu-ops, which each added a GpuFixture and a Data class: one fixture with both
// sets of helpers, one Data class with both sets of generators and one Close serving both call styles.

/// <summary>
/// One device per test class (IClassFixture) or per collection "gpu", and the buffers its tests allocate: ILGPU's
/// CPU accelerator, or with DEEPNOTES_GPU_TESTS=cuda the first CUDA GPU, so that the same tests check the twins
/// (and the cuBLAS path) on a machine that has one.
/// </summary>
/// The kernels run with the tiled GEMM (what a GPU runs, whatever the device's default);
/// <see cref="DirectGemmFixture"/> runs the GEMM and convolution tests again on the barrier-free kernel.
public class GpuFixture : IDisposable
{
    private readonly List<MemoryBuffer> _buffers = new();

    public GpuFixture() : this(GemmKernel.Tiled) { }

    protected GpuFixture(GemmKernel gemm) => Device = GpuDevice.Open(
        Environment.GetEnvironmentVariable("DEEPNOTES_GPU_TESTS")?.Trim().ToLowerInvariant() == "cuda" ? GpuKind.Cuda : GpuKind.Cpu, gemm);

    public GpuDevice Device { get; }

    /// <summary>A device copy of <paramref name="data"/> (freed with the fixture).</summary>
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

/// <summary>The kernel tests' device with the barrier-free GEMM (<see cref="GemmKernel.Direct"/>), the CPU accelerator's default.</summary>
public sealed class DirectGemmFixture() : GpuFixture(GemmKernel.Direct);

[CollectionDefinition("gpu")]
public sealed class GpuCollection : ICollectionFixture<GpuFixture>;

/// <summary>Test data and comparisons.</summary>
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

    /// <summary>Reproducible values in [lo, hi).</summary>
    public static float[] Uniform(int n, int seed, float lo = -2f, float hi = 2f)
    {
        var random = new Random(seed);
        var data = new float[n];
        for (int i = 0; i < n; i++) data[i] = lo + (hi - lo) * random.NextSingle();
        return data;
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

    /// <summary>
    /// The first expected.Length elements agree to 1e-5: relative to the element's own size, with an absolute
    /// floor of 1e-5 (below magnitude 1) or 1e-5 of a hundredth of the largest expected magnitude, whichever is
    /// larger (a different summation order leaves an absolute, not a relative, difference near 0); NaN only
    /// where NaN is expected.
    /// </summary>
    public static void Close(float[] expected, float[] actual, string what = "")
    {
        Assert.True(expected.Length <= actual.Length, $"{what}: {actual.Length} elements, {expected.Length} expected");
        float largest = 0f;
        foreach (float e in expected) if (float.IsFinite(e)) largest = MathF.Max(largest, MathF.Abs(e));
        for (int i = 0; i < expected.Length; i++)
        {
            float e = expected[i], a = actual[i];
            if (float.IsNaN(e)) { Assert.True(float.IsNaN(a), $"{what}[{i}]: {a}, expected NaN"); continue; }
            double tolerance = 1e-5 * Math.Max(Math.Max(1.0, Math.Abs(e)), 0.01 * largest);
            if (!(Math.Abs(e - a) <= tolerance) && !(e == a))
                Assert.Fail($"{what}[{i}]: expected {e:R}, got {a:R} (tolerance {tolerance:R})");
        }
    }

    /// <summary>
    /// Each element within <paramref name="relative"/> of the expected one, relative to its own size, or to a
    /// hundredth of the largest expected magnitude for elements near 0 (gpu-ops' rule, for an explicit tolerance).
    /// </summary>
    public static void Close(float[] expected, float[] actual, float relative, string what = "")
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
