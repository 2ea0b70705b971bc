using DeepNotes.Kernels;
using ILGPU;
using Cpu = DeepNotes.Kernels;
using Twin = DeepNotes.Gpu.Kernels;

namespace DeepNotes.Gpu.Tests;

public sealed class ElementwiseTests(GpuFixture gpu) : IClassFixture<GpuFixture>
{
    private const int N = 37;

    [Theory]
    [InlineData("Relu")]
    [InlineData("Sigmoid")]
    [InlineData("Tanh")]
    [InlineData("Exp")]
    [InlineData("Log")]
    [InlineData("Affine")]
    [InlineData("AffineScaleOnly")]
    [InlineData("Reciprocal")]
    public void UnaryStepsMatchTheCpu(string step)
    {
        float[] x = Data.Uniform(N, 1, step == "Log" ? 0.1f : -3f, 3f);
        float[] expected = new float[N];
        ArrayView<float> dx = gpu.Upload(x), dy = gpu.Zeros(N);
        switch (step)
        {
            case "Relu": Cpu.Elementwise.Relu(x, expected); Twin.Elementwise.Relu(gpu.Device, dx, dy); break;
            case "Sigmoid": Cpu.Elementwise.Sigmoid(x, expected); Twin.Elementwise.Sigmoid(gpu.Device, dx, dy); break;
            case "Tanh": Cpu.Elementwise.Tanh(x, expected); Twin.Elementwise.Tanh(gpu.Device, dx, dy); break;
            case "Exp": Cpu.Elementwise.Exp(x, expected); Twin.Elementwise.Exp(gpu.Device, dx, dy); break;
            case "Log": Cpu.Elementwise.Log(x, expected); Twin.Elementwise.Log(gpu.Device, dx, dy); break;
            case "Affine": Cpu.Elementwise.Affine(x, -1.5f, 0.25f, expected); Twin.Elementwise.Affine(gpu.Device, dx, -1.5f, 0.25f, dy); break;
            case "AffineScaleOnly": Cpu.Elementwise.Affine(x, 3f, 0f, expected); Twin.Elementwise.Affine(gpu.Device, dx, 3f, 0f, dy); break;
            default: Cpu.Elementwise.Reciprocal(x, 2f, expected); Twin.Elementwise.Reciprocal(gpu.Device, dx, 2f, dy); break;
        }
        Data.Close(expected, gpu.Download(dy), what: step);
    }

    [Fact]
    public void UnaryStepsRunInPlace()
    {
        float[] x = Data.Uniform(N, 2), expected = (float[])x.Clone();
        Cpu.Elementwise.Tanh(expected, expected);
        ArrayView<float> view = gpu.Upload(x);
        Twin.Elementwise.Tanh(gpu.Device, view, view);
        Data.Close(expected, gpu.Download(view));
    }

    [Fact]
    public void AccumulateAddsIntoTheDestinationOnly()
    {
        float[] dst = Data.Uniform(N, 3), src = Data.Uniform(N + 4, 4), expected = (float[])dst.Clone();
        Cpu.Elementwise.Accumulate(expected, src);
        ArrayView<float> d = gpu.Upload(dst);
        Twin.Elementwise.Accumulate(gpu.Device, d, gpu.Upload(src));
        Data.Close(expected, gpu.Download(d));
    }

    [Theory]
    [InlineData(Activation.None)]
    [InlineData(Activation.Relu)]
    [InlineData(Activation.Sigmoid)]
    [InlineData(Activation.Tanh)]
    public void ActivationsForwardAndBackwardMatchTheCpu(Activation activation)
    {
        float[] x = Data.Uniform(N, 5), dy = Data.Uniform(N, 6);
        float[] y = new float[N], dx = (float[])dy.Clone();
        Cpu.Activations.Forward(y, x, activation);
        Cpu.Activations.Backward(dx, dx, y, activation);   // in place, as generated code calls it

        ArrayView<float> gy = gpu.Zeros(N), gdy = gpu.Upload(dy);
        Twin.Activations.Forward(gpu.Device, gy, gpu.Upload(x), activation);
        Twin.Activations.Backward(gpu.Device, gdy, gdy, gy, activation);
        Data.Close(y, gpu.Download(gy), what: "y");
        Data.Close(dx, gpu.Download(gdy), what: "dx");
    }

    [Theory]
    [InlineData(301)]
    [InlineData(20_001)]
    public void ReductionsAndTheirGradientMatchTheCpu(int n)
    {
        float[] x = Data.Uniform(n, 7, 0f, 1f);
        float[] sum = new float[1], mean = new float[1];
        Cpu.Reductions.Sum(sum, x);
        Cpu.Reductions.Mean(mean, x);
        ArrayView<float> gx = gpu.Upload(x), gsum = gpu.Zeros(1), gmean = gpu.Zeros(1);
        Twin.Reductions.Sum(gpu.Device, gsum, gx);
        Twin.Reductions.Mean(gpu.Device, gmean, gx);
        Data.Close(sum, gpu.Download(gsum), what: "sum");
        Data.Close(mean, gpu.Download(gmean), what: "mean");

        float[] dx = new float[N];
        Cpu.Reductions.Backward(dx, 0.75f, 1f / N);
        ArrayView<float> gdx = gpu.Zeros(N);
        Twin.Reductions.Backward(gpu.Device, gdx, gpu.Upload(new[] { 0.75f }), 1f / N);
        Data.Close(dx, gpu.Download(gdx));
    }
}
