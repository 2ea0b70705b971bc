using DeepNotes.Kernels;
using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using CpuK = DeepNotes.Kernels;
using GpuK = DeepNotes.Gpu.Kernels;

namespace DeepNotes.Gpu.Tests;

/// <summary>The CPU accelerator simulating an NVIDIA GPU's group sizes, so the tiled kernel runs with the 16×16-thread groups (64×64 tiles) a GPU gets.</summary>
public sealed class GpuShapedDevice : IDisposable
{
    public GpuDevice Device { get; } = GpuDevice.OpenSimulated(CPUDevice.Nvidia);
    public void Dispose() => Device.Dispose();
}

[Collection("gpu")]
public sealed class GpuShapedGroupTests(GpuShapedDevice fixture) : IClassFixture<GpuShapedDevice>
{
    private readonly GpuDevice _device = fixture.Device;

    private ArrayView<float> Upload(float[] host) => _device.Accelerator.Allocate1D(host).View;

    private float[] Download(ArrayView<float> view)
    {
        _device.Synchronize();
        return view.GetAsArray();
    }

    [Fact]
    public void TheTileIs64WithSixteenBySixteenThreads()
    {
        Assert.Equal(16, GpuK.Gemm.ThreadsOf(_device));
        Assert.Equal(64, GpuK.Gemm.TileOf(_device));
    }

    [Fact]
    public void GemmAcrossSeveralTilesMatchesTheCpu()
    {
        const int m = 70, n = 40, k = 20;      // two row tiles
        float[] a = Data.Random(m * k, 60), b = Data.Random(n * k, 61), expected = new float[m * n];
        CpuK.Gemm.Multiply(expected, a, b, m, n, k, transB: true);
        ArrayView<float> c = Upload(Data.Filled(m * n, float.NaN));
        GpuK.Gemm.Multiply(_device, c, Upload(a), Upload(b), m, n, k, transB: true);
        Data.Close(expected, Download(c));
    }

    [Fact]
    public void ConvolutionPassesMatchTheCpu()
    {
        var s = new Conv2dShape(2, 7, 6, 33, 2, 2, 2, 1, 1, 0);   // 33 output channels: a thread's third row of outputs in use
        const int batch = 2;
        float[] x = Data.Random(batch * s.InSize, 62), w = Data.Random(s.WeightSize, 63), bias = Data.Random(s.OutChannels, 64);
        float[] dy = Data.Random(batch * s.OutSize, 65), dw0 = Data.Random(s.WeightSize, 66);
        float[] y = new float[batch * s.OutSize], dx = new float[batch * s.InSize], dw = (float[])dw0.Clone();
        float[] scratch = new float[s.ScratchSize];
        CpuK.Conv2d.Forward(y, x, w, bias, batch, s, Activation.Relu, scratch);
        CpuK.Conv2d.BackwardData(dx, dy, w, batch, s, scratch);
        CpuK.Conv2d.BackwardWeights(dw, default, dy, x, batch, s, scratch, overwrite: false);

        ArrayView<float> gx = Upload(x), gw = Upload(w), gdy = Upload(dy);
        ArrayView<float> gy = Upload(Data.Filled(y.Length, float.NaN)), gdx = Upload(Data.Filled(dx.Length, float.NaN)), gdw = Upload(dw0);
        GpuK.Conv2d.Forward(_device, gy, gx, gw, Upload(bias), batch, s, Activation.Relu, default);
        GpuK.Conv2d.BackwardData(_device, gdx, gdy, gw, batch, s, default);
        GpuK.Conv2d.BackwardWeights(_device, gdw, default, gdy, gx, batch, s, overwrite: false, splits: 2);
        Data.Close(y, Download(gy), "y");
        Data.Close(dx, Download(gdx), "dx");
        Data.Close(dw, Download(gdw), "dW");
    }
}
