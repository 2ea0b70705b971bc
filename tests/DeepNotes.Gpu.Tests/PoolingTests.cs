using DeepNotes.Kernels;
using ILGPU;
using ILGPU.Runtime;
using CpuK = DeepNotes.Kernels;
using GpuK = DeepNotes.Gpu.Kernels;

namespace DeepNotes.Gpu.Tests;

[Collection("gpu")]
public sealed class PoolingTests(GpuFixture gpu)
{
    public static TheoryData<string, Pool2dShape> Shapes => new()
    {
        // C, H, W, KH, KW, SH, SW, PH, PW
        { "2×2 stride 2, odd input", new Pool2dShape(2, 7, 9, 2, 2, 2, 2, 0, 0) },
        { "3×3 stride 2 pad 1", new Pool2dShape(3, 7, 8, 3, 3, 2, 2, 1, 1) },
        { "3×3 stride 1 (overlapping)", new Pool2dShape(2, 6, 5, 3, 3, 1, 1, 0, 0) },
        { "3×2 strides 1,2 pad 1,1", new Pool2dShape(2, 5, 7, 3, 2, 1, 2, 1, 1) },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void MaxForwardAndBackwardMatchTheCpuIncludingTies(string name, Pool2dShape s)
    {
        foreach ((int batch, bool ties) in new[] { (1, false), (3, true) })
        {
            // With 3 levels most windows hold several equal maxima: the first one (row-major) must win.
            float[] x = ties ? Data.Levels(batch * s.InSize, 3, 40) : Data.Random(batch * s.InSize, 40);
            float[] dy = Data.Random(batch * s.OutSize, 41);
            float[] y = new float[batch * s.OutSize], dx = new float[batch * s.InSize];
            CpuK.Pooling.MaxForward(y, x, batch, s);
            CpuK.Pooling.MaxBackward(dx, dy, x, batch, s);
            ArrayView<float> gx = gpu.Upload(x), gy = gpu.Upload(Data.Filled(y.Length, float.NaN)), gdx = gpu.Upload(Data.Filled(dx.Length, float.NaN));
            GpuK.Pooling.MaxForward(gpu.Device, gy, gx, batch, s);
            GpuK.Pooling.MaxBackward(gpu.Device, gdx, gpu.Upload(dy), gx, batch, s);
            Data.Close(y, gpu.Download(gy), $"{name}, batch {batch}: y");
            Data.Close(dx, gpu.Download(gdx), $"{name}, batch {batch}: dx");
        }
    }

    [Fact]
    public void AMaxWindowHoldingANaNIsNaNAndRoutesItsGradientToTheNaN()
    {
        var s = new Pool2dShape(1, 4, 4, 2, 2, 2, 2, 0, 0);
        float[] x = Data.Random(16, 42);
        x[5] = float.NaN;                                  // window (0, 0): row 1, column 1
        float[] dy = [1f, 2f, 3f, 4f], y = new float[4], dx = new float[16];
        CpuK.Pooling.MaxForward(y, x, 1, s);
        CpuK.Pooling.MaxBackward(dx, dy, x, 1, s);
        Assert.True(float.IsNaN(y[0]));
        ArrayView<float> gx = gpu.Upload(x), gy = gpu.Upload(new float[4]), gdx = gpu.Upload(Data.Filled(16, float.NaN));
        GpuK.Pooling.MaxForward(gpu.Device, gy, gx, 1, s);
        GpuK.Pooling.MaxBackward(gpu.Device, gdx, gpu.Upload(dy), gx, 1, s);
        Data.Close(y, gpu.Download(gy), "y");
        Data.Close(dx, gpu.Download(gdx), "dx");
        Assert.Equal(1f, gpu.Download(gdx)[5]);
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void AvgForwardAndBackwardMatchTheCpu(string name, Pool2dShape s)
    {
        foreach (int batch in new[] { 1, 3 })
        {
            float[] x = Data.Random(batch * s.InSize, 43), dy = Data.Random(batch * s.OutSize, 44);
            float[] y = new float[batch * s.OutSize], dx = new float[batch * s.InSize];
            CpuK.Pooling.AvgForward(y, x, batch, s);
            CpuK.Pooling.AvgBackward(dx, dy, batch, s);
            ArrayView<float> gy = gpu.Upload(Data.Filled(y.Length, float.NaN)), gdx = gpu.Upload(Data.Filled(dx.Length, float.NaN));
            GpuK.Pooling.AvgForward(gpu.Device, gy, gpu.Upload(x), batch, s);
            GpuK.Pooling.AvgBackward(gpu.Device, gdx, gpu.Upload(dy), batch, s);
            Data.Close(y, gpu.Download(gy), $"{name}, batch {batch}: y");
            Data.Close(dx, gpu.Download(gdx), $"{name}, batch {batch}: dx");
        }
    }

    [Theory]
    [InlineData(1, 5, 7)]
    [InlineData(3, 4, 49)]
    public void GlobalAvgForwardAndBackwardMatchTheCpu(int batch, int channels, int spatial)
    {
        float[] x = Data.Random(batch * channels * spatial, 45), dy = Data.Random(batch * channels, 46);
        float[] y = new float[batch * channels], dx = new float[x.Length];
        CpuK.Pooling.GlobalAvgForward(y, x, batch, channels, spatial);
        CpuK.Pooling.GlobalAvgBackward(dx, dy, batch, channels, spatial);
        ArrayView<float> gy = gpu.Upload(Data.Filled(y.Length, float.NaN)), gdx = gpu.Upload(Data.Filled(dx.Length, float.NaN));
        GpuK.Pooling.GlobalAvgForward(gpu.Device, gy, gpu.Upload(x), batch, channels, spatial);
        GpuK.Pooling.GlobalAvgBackward(gpu.Device, gdx, gpu.Upload(dy), batch, channels, spatial);
        Data.Close(y, gpu.Download(gy), "y");
        Data.Close(dx, gpu.Download(gdx), "dx");
    }
}
