using ILGPU;
using ILGPU.Runtime;
using CpuK = DeepNotes.Kernels;
using GpuK = DeepNotes.Gpu.Kernels;

namespace DeepNotes.Gpu.Tests;

/// <summary>The GEMM's tests, run on the tiled kernel (<see cref="GemmTests"/>) and on the barrier-free one (<see cref="DirectGemmTests"/>).</summary>
public abstract class GemmCases(GpuFixture gpu)
{
    protected readonly GpuFixture gpu = gpu;

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public void MultiplyMatchesTheCpuGemmOnShapesThatAreNoMultipleOfTheTile(bool transA, bool transB)
    {
        const int m = 21, n = 19, k = 23;      // 2×2 tiles of 16 on the CPU accelerator, 2 steps of 16 deep
        float[] a = Data.Random(m * k, 1), b = Data.Random(k * n, 2), expected = new float[m * n];
        CpuK.Gemm.Multiply(expected, a, b, m, n, k, transA, transB);
        ArrayView<float> c = gpu.Upload(Data.Filled(m * n, float.NaN));   // beta = 0 never reads C
        GpuK.Gemm.Multiply(gpu.Device, c, gpu.Upload(a), gpu.Upload(b), m, n, k, transA, transB);
        Data.Close(expected, gpu.Download(c), $"transA {transA}, transB {transB}");
    }

    [Fact]
    public void AlphaAndBetaScaleTheProductAndAccumulate()
    {
        const int m = 7, n = 5, k = 3;
        float[] a = Data.Random(m * k, 3), b = Data.Random(k * n, 4), c0 = Data.Random(m * n, 5), product = new float[m * n];
        CpuK.Gemm.Multiply(product, a, b, m, n, k);
        float[] expected = new float[m * n];
        for (int i = 0; i < expected.Length; i++) expected[i] = 0.5f * product[i] + 2f * c0[i];
        ArrayView<float> c = gpu.Upload(c0);
        GpuK.Gemm.Multiply(gpu.Device, c, gpu.Upload(a), gpu.Upload(b), m, n, k, alpha: 0.5f, beta: 2f);
        Data.Close(expected, gpu.Download(c));
    }

    [Fact]
    public void AnEmptyInnerDimensionScalesC()
    {
        float[] c0 = Data.Random(12, 6);
        ArrayView<float> c = gpu.Upload(c0);
        GpuK.Gemm.Multiply(gpu.Device, c, gpu.Upload(new float[1]), gpu.Upload(new float[1]), 3, 4, 0, beta: 1f);
        Data.Close(c0, gpu.Download(c));
        GpuK.Gemm.Multiply(gpu.Device, c, gpu.Upload(new float[1]), gpu.Upload(new float[1]), 3, 4, 0);
        Data.Close(new float[12], gpu.Download(c));
    }

    [Fact]
    public void BatchedMultiplyUsesTheStridesAndAStrideOfZeroSharesAnOperand()
    {
        const int batch = 3, m = 5, n = 9, k = 6;
        float[] a = Data.Random(batch * m * k, 7), b = Data.Random(k * n, 8), expected = new float[batch * m * n];
        for (int z = 0; z < batch; z++)
            CpuK.Gemm.Multiply(expected.AsSpan(z * m * n, m * n), a.AsSpan(z * m * k, m * k), b, m, n, k);
        ArrayView<float> c = gpu.Upload(Data.Filled(batch * m * n + 4, 42f));
        GpuK.Gemm.MultiplyBatched(gpu.Device, c, gpu.Upload(a), gpu.Upload(b), batch, m, n, k, m * n, m * k, 0);
        float[] result = gpu.Download(c);
        Data.Close(expected, result);
        Assert.Equal(Data.Filled(4, 42f), result[(batch * m * n)..]);       // nothing past the last example is written
    }

    [Fact]
    public void ShortOperandsAreRejected()
    {
        var e = Assert.Throws<ArgumentException>(() =>
            GpuK.Gemm.Multiply(gpu.Device, gpu.Upload(new float[6]), gpu.Upload(new float[5]), gpu.Upload(new float[6]), 2, 3, 3));
        Assert.Equal("a", e.ParamName);
    }
}

[Collection("gpu")]
public sealed class GemmTests(GpuFixture fixture) : GemmCases(fixture)
{
    [Fact]
    public void GroupsAreFourByFourThreadsOnTheCpuAcceleratorAndSixteenBySixteenOnAGpu()
    {
        Assert.Equal(GemmKernel.Tiled, gpu.Device.Gemm);
        int threads = gpu.Device.IsCuda ? 16 : 4;
        Assert.Equal(threads, GpuK.Gemm.ThreadsOf(gpu.Device));
        Assert.Equal(4 * threads, GpuK.Gemm.TileOf(gpu.Device));
    }
}

public sealed class DirectGemmTests(DirectGemmFixture fixture) : GemmCases(fixture), IClassFixture<DirectGemmFixture>
{
    [Fact]
    public void TheDeviceRunsTheBarrierFreeKernel() => Assert.Equal(GemmKernel.Direct, gpu.Device.Gemm);

    [Fact]
    public void ASplitProductKeepsEachSliceApartForTheSum()
    {
        // 70 deep in slices of 16 (Slices rounds to whole Depth steps): 5 slices, each a partial product of its own.
        const int m = 6, n = 7, k = 70;
        float[] a = Data.Random(m * k, 9), b = Data.Random(k * n, 10);
        int slices = GpuK.Gemm.Slices(k, 5, out int chunk);
        Assert.Equal((5, 16), (slices, chunk));
        ArrayView<float> partials = gpu.Zeros(slices * m * n, float.NaN), c = gpu.Zeros(m * n, float.NaN);
        GpuK.Gemm.Run(gpu.Device, new GpuK.Gemm.Strided(gpu.Upload(a), k, 0, false), new GpuK.Gemm.Strided(gpu.Upload(b), n, 0, false),
            new GpuK.Gemm.Scaled(partials, n, m * n, 1f, 0f), 1, m, n, k, 5);
        GpuK.Gemm.SumSlices(gpu.Device, c, partials, m * n, slices, 0f);
        float[] expected = new float[m * n], partial = gpu.Download(partials), firstSlice = new float[m * n];
        CpuK.Gemm.Multiply(expected, a, b, m, n, k);
        Data.Close(expected, gpu.Download(c), "the summed slices");
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
                for (int p = 0; p < chunk; p++) firstSlice[i * n + j] += a[i * k + p] * b[p * n + j];
        Data.Close(firstSlice, partial[..(m * n)], "the first slice alone");
    }
}
