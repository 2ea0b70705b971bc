using ILGPU;
using Cpu = DeepNotes.Kernels;
using Twin = DeepNotes.Gpu.Kernels;

namespace DeepNotes.Gpu.Tests;

public sealed class SoftmaxTests(GpuFixture gpu) : IClassFixture<GpuFixture>
{
    private const int Rows = 7, Cols = 13;

    [Theory]
    [InlineData(1f)]
    [InlineData(0.37f)]
    public void ForwardAndBackwardMatchTheCpu(float scale)
    {
        float[] x = Data.Uniform(Rows * Cols, 11, -4f, 4f), dy = Data.Uniform(Rows * Cols, 12);
        float[] y = new float[x.Length], dx = new float[x.Length];
        Cpu.Softmax.Forward(y, x, Rows, Cols, scale);
        Cpu.Softmax.Backward(dx, dy, y, Rows, Cols, scale);

        ArrayView<float> gy = gpu.Zeros(x.Length), gdx = gpu.Zeros(x.Length);
        Twin.Softmax.Forward(gpu.Device, gy, gpu.Upload(x), Rows, Cols, scale);
        Twin.Softmax.Backward(gpu.Device, gdx, gpu.Upload(dy), gy, Rows, Cols, scale);
        Data.Close(y, gpu.Download(gy), what: "y");
        Data.Close(dx, gpu.Download(gdx), what: "dx");
    }

    [Fact]
    public void CausalRowsWithAScaleMatchTheCpuInPlace()
    {
        const int n = 5;   // 7 rows: one full 5-row matrix and the first two rows of the next
        float[] x = Data.Uniform(Rows * Cols, 13, -4f, 4f), dy = Data.Uniform(Rows * Cols, 14);
        float[] y = (float[])x.Clone(), dx = (float[])dy.Clone();
        Cpu.Softmax.CausalForward(y, y, Rows, Cols, n, 0.5f);
        Cpu.Softmax.Backward(dx, dx, y, Rows, Cols, 0.5f);

        ArrayView<float> gy = gpu.Upload(x), gdx = gpu.Upload(dy);
        Twin.Softmax.CausalForward(gpu.Device, gy, gy, Rows, Cols, n, 0.5f);
        Twin.Softmax.Backward(gpu.Device, gdx, gdx, gy, Rows, Cols, 0.5f);
        float[] actual = gpu.Download(gy);
        Data.Close(y, actual, what: "y");
        Assert.Equal(0f, actual[1 * Cols + 2]);           // row 1 sees columns 0..1 only
        Assert.NotEqual(0f, actual[5 * Cols + 0]);        // row 5 starts the next matrix
        Assert.Equal(0f, actual[5 * Cols + 1]);
        Data.Close(dx, gpu.Download(gdx), what: "dx");
    }

    [Fact]
    public void LogSoftmaxForwardAndBackwardMatchTheCpu()
    {
        float[] x = Data.Uniform(Rows * Cols, 15, -6f, 6f), dy = Data.Uniform(Rows * Cols, 16);
        float[] y = new float[x.Length], dx = new float[x.Length];
        Cpu.Softmax.LogForward(y, x, Rows, Cols);
        Cpu.Softmax.LogBackward(dx, dy, y, Rows, Cols);

        ArrayView<float> gy = gpu.Zeros(x.Length), gdx = gpu.Zeros(x.Length);
        Twin.Softmax.LogForward(gpu.Device, gy, gpu.Upload(x), Rows, Cols);
        Twin.Softmax.LogBackward(gpu.Device, gdx, gpu.Upload(dy), gy, Rows, Cols);
        Data.Close(y, gpu.Download(gy), what: "y");
        Data.Close(dx, gpu.Download(gdx), what: "dx");
    }

    [Fact]
    public void RowsWiderThanAGroupAreReducedWhole()
    {
        const int cols = 700;
        float[] x = Data.Uniform(3 * cols, 17, -5f, 5f), y = new float[x.Length];
        Cpu.Softmax.Forward(y, x, 3, cols);
        ArrayView<float> gy = gpu.Zeros(x.Length);
        Twin.Softmax.Forward(gpu.Device, gy, gpu.Upload(x), 3, cols);
        Data.Close(y, gpu.Download(gy));
    }
}
