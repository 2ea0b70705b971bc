using DeepNotes.Gpu;
using ILGPU;
using ILGPU.Runtime;

namespace DeepNotes.Gpu.Tests;

public sealed class DeviceTests
{
    [Fact]
    public void FillWritesOnlyTheSubViewItIsGiven()
    {
        using GpuDevice device = GpuDevice.Open(GpuKind.Cpu);
        using MemoryBuffer1D<float, Stride1D.Dense> buffer = device.Accelerator.Allocate1D<float>(10);
        buffer.MemSetToZero();
        Kernels.Elementwise.Fill(device, buffer.View.BaseView.SubView(3, 4), 2.5f);
        device.Synchronize();
        float[] host = buffer.View.GetAsArray1D();
        Assert.Equal(new[] { 0f, 0f, 0f, 2.5f, 2.5f, 2.5f, 2.5f, 0f, 0f, 0f }, host);
    }

    [Fact]
    public void AnUnknownDeepNotesGpuValueIsAClearError()
    {
        string? before = Environment.GetEnvironmentVariable("DEEPNOTES_GPU");
        try
        {
            Environment.SetEnvironmentVariable("DEEPNOTES_GPU", "tpu");
            var e = Assert.Throws<ArgumentException>(() => GpuDevice.Open());
            Assert.Contains("tpu", e.Message);
        }
        finally { Environment.SetEnvironmentVariable("DEEPNOTES_GPU", before); }
    }

    [Fact]
    public void TheCpuAcceleratorRunsTheBarrierFreeGemmUnlessAskedForTheTiledOne()
    {
        using (GpuDevice device = GpuDevice.Open(GpuKind.Cpu)) Assert.Equal(GemmKernel.Direct, device.Gemm);
        using (GpuDevice device = GpuDevice.Open(GpuKind.Cpu, GemmKernel.Tiled))
        {
            Assert.Equal(GemmKernel.Tiled, device.Gemm);
            Assert.Equal("tiled ILGPU GEMM", device.GemmPath);
        }
        using (GpuDevice device = GpuDevice.OpenSimulated(ILGPU.Runtime.CPU.CPUDevice.Nvidia)) Assert.Equal(GemmKernel.Tiled, device.Gemm);
    }

    [Fact]
    public void DeepNotesGemmPicksTheKernelAndAnUnknownValueIsAClearError()
    {
        // The parser the variable goes through (setting the variable itself would race the fixtures opening devices).
        Assert.Null(GpuDevice.GemmFromEnvironment(null));
        Assert.Null(GpuDevice.GemmFromEnvironment(" Auto "));
        Assert.Equal(GemmKernel.Tiled, GpuDevice.GemmFromEnvironment("tiled"));
        Assert.Equal(GemmKernel.Direct, GpuDevice.GemmFromEnvironment("DIRECT"));
        var e = Assert.Throws<ArgumentException>(() => GpuDevice.GemmFromEnvironment("winograd"));
        Assert.Contains("winograd", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => GpuDevice.Open(GpuKind.Cpu, (GemmKernel)7));
    }
}

public sealed class CuBlasLibraryTests
{
    [Fact]
    public void OnlyTheCuBlas12ImportIsRedirectedAndOnlyWhereItCannotLoad()
    {
        // Other libraries go to the runtime's own search; libcublas.so.12 resolves to itself or to .so.13, and to the
        // runtime's search (zero) where neither loads, as on a machine without CUDA.
        Assert.Equal(IntPtr.Zero, CuBlasLibrary.Resolve("libcuda.so.1", typeof(CuBlasLibrary).Assembly, null));
        IntPtr handle = CuBlasLibrary.Resolve("libcublas.so.12", typeof(CuBlasLibrary).Assembly, null);
        bool any = System.Runtime.InteropServices.NativeLibrary.TryLoad("libcublas.so.12", out _)
                   || System.Runtime.InteropServices.NativeLibrary.TryLoad("libcublas.so.13", out _);
        Assert.Equal(any, handle != IntPtr.Zero);
    }
}

public sealed class ElementLaunchTests
{
    [Theory]
    [InlineData(1L, 256, int.MaxValue, 1)]
    [InlineData(1000L, 256, int.MaxValue, 4)]              // one thread per element on a GPU
    [InlineData(1_000_000L, 16, 1, 1)]                     // the CPU accelerator: one group that loops
    [InlineData(1_500_000_000L, 256, int.MaxValue, 2_529_232)]  // past 2^30: fewer threads than elements, no int overflow
    public void GroupsCoverTheElementsWithoutOverflowingAThreadsNextIndex(long count, int threads, int most, int expected)
    {
        int groups = Elements.Groups(count, threads, most);
        Assert.Equal(expected, groups);
        long total = (long)groups * threads;
        Assert.True(count - 1 + total <= int.MaxValue, $"the last thread's next index {count - 1 + total} overflows");
    }

    [Fact]
    public void ACountNearIntMaxIsRefused()
        => Assert.Throws<NotSupportedException>(() => Elements.Groups(int.MaxValue - 100, 256, int.MaxValue));
}

public sealed class DeviceResourceTests
{
    private sealed class Counted : IDisposable
    {
        public int Disposals { get; private set; }
        public void Dispose() => Disposals++;
    }

    [Fact]
    public void AResourceIsMadeOnceAndDisposedWithTheDevice()
    {
        object key = new();
        int made = 0;
        Counted first;
        using (GpuDevice device = GpuDevice.Open(GpuKind.Cpu))
        {
            first = device.Resource(key, _ => { made++; return new Counted(); });
            Assert.Same(first, device.Resource(key, _ => { made++; return new Counted(); }));
            Assert.Equal(0, first.Disposals);
        }
        Assert.Equal(1, made);
        Assert.Equal(1, first.Disposals);
    }
}

public sealed class GroupSizeTests(GpuFixture gpu) : IClassFixture<GpuFixture>
{
    [Fact]
    public void GroupsArePowersOfTwoWithSeveralThreads()
    {
        int threads = Kernels.GroupKernel.Threads(gpu.Device.Accelerator);
        Assert.InRange(threads, 2, Kernels.GroupKernel.MaxThreads);   // so the tree reductions are exercised
        Assert.Equal(0, threads & (threads - 1));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(13)]
    [InlineData(10_000)]
    public void GroupsCoverTheirRowUpToTheLimit(int perGroup)
    {
        int limit = Kernels.GroupKernel.Threads(gpu.Device.Accelerator);
        int threads = Kernels.GroupKernel.Threads(gpu.Device.Accelerator, perGroup);
        Assert.Equal(0, threads & (threads - 1));
        Assert.True(threads >= Math.Min(perGroup, limit) && threads <= limit, $"{threads} threads for {perGroup} elements (limit {limit})");
        if (threads > gpu.Device.Accelerator.WarpSize) Assert.True(threads / 2 < perGroup, "no more than twice the threads needed");
    }
}
