using ILGPU;
using Cpu = DeepNotes.Kernels;
using Twin = DeepNotes.Gpu.Kernels;

namespace DeepNotes.Gpu.Tests;

public sealed class DropoutTests(GpuFixture gpu) : IClassFixture<GpuFixture>
{
    [Theory]
    [InlineData(0.3f, 37)]
    [InlineData(0.5f, 64)]
    [InlineData(0f, 5)]
    public void MasksAreTheCpusBitForBit(float p, int n)
    {
        const ulong seed = 0xC0FFEE;
        ulong stream = Cpu.Dropout.Stream(step: 5, op: 3);
        float[] x = Data.Uniform(n, 41), dy = Data.Uniform(n, 42), y = new float[n], dx = (float[])dy.Clone();
        Cpu.Dropout.Forward(y, x, p, seed, stream);
        Cpu.Dropout.Backward(dx, dx, p, seed, stream);

        ArrayView<float> gy = gpu.Zeros(n), gdx = gpu.Upload(dy);
        Twin.Dropout.Forward(gpu.Device, gy, gpu.Upload(x), p, seed, stream);
        Twin.Dropout.Backward(gpu.Device, gdx, gdx, p, seed, stream);
        Assert.Equal(y, gpu.Download(gy));
        Assert.Equal(dx, gpu.Download(gdx));
        if (p > 0f) Assert.Contains(0f, y);   // a mask was applied
    }

    [Fact]
    public void AnotherStreamGivesAnotherMask()
    {
        float[] x = Data.Uniform(64, 43, 1f, 2f);
        ArrayView<float> gx = gpu.Upload(x), a = gpu.Zeros(64), b = gpu.Zeros(64);
        Twin.Dropout.Forward(gpu.Device, a, gx, 0.5f, 1, Cpu.Dropout.Stream(1, 3));
        Twin.Dropout.Forward(gpu.Device, b, gx, 0.5f, 1, Cpu.Dropout.Stream(2, 3));
        Assert.NotEqual(gpu.Download(a), gpu.Download(b));
    }
}
