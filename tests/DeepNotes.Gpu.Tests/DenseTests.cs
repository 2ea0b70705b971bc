using DeepNotes.Kernels;
using ILGPU;
using ILGPU.Runtime;
using CpuK = DeepNotes.Kernels;
using GpuK = DeepNotes.Gpu.Kernels;

namespace DeepNotes.Gpu.Tests;

[Collection("gpu")]
public sealed class DenseTests(GpuFixture gpu)
{
    [Theory]
    [InlineData(1, Activation.None, true)]
    [InlineData(3, Activation.Relu, true)]
    [InlineData(3, Activation.Sigmoid, true)]
    [InlineData(3, Activation.Tanh, false)]
    [InlineData(3, Activation.None, false)]
    public void ForwardMatchesTheCpu(int rows, Activation activation, bool withBias)
    {
        const int inFeatures = 7, outFeatures = 5;
        float[] x = Data.Random(rows * inFeatures, 10), w = Data.Random(outFeatures * inFeatures, 11);
        float[] b = withBias ? Data.Random(outFeatures, 12) : [];
        float[] expected = new float[rows * outFeatures];
        CpuK.Dense.Forward(expected, x, w, b, rows, inFeatures, outFeatures, activation);
        ArrayView<float> y = gpu.Upload(Data.Filled(rows * outFeatures, float.NaN));
        GpuK.Dense.Forward(gpu.Device, y, gpu.Upload(x), gpu.Upload(w), withBias ? gpu.Upload(b) : default, rows, inFeatures, outFeatures, activation);
        Data.Close(expected, gpu.Download(y), $"{activation}");
    }

    [Theory]
    [InlineData(Activation.Sigmoid)]
    [InlineData(Activation.Tanh)]
    [InlineData(Activation.Relu)]
    public void SaturatingActivationsStayFiniteFarFromZero(Activation activation)
    {
        // One input feature and a bias of 0: y = w·x, from −200 to 200.
        float[] x = [1f], w = [-200f, -50f, -20f, -1e-3f, 0f, 1e-3f, 20f, 50f, 200f], b = new float[w.Length];
        float[] expected = new float[w.Length];
        CpuK.Dense.Forward(expected, x, w, b, 1, 1, w.Length, activation);
        ArrayView<float> y = gpu.Upload(Data.Filled(w.Length, float.NaN));
        GpuK.Dense.Forward(gpu.Device, y, gpu.Upload(x), gpu.Upload(w), gpu.Upload(b), 1, 1, w.Length, activation);
        Data.Close(expected, gpu.Download(y), $"{activation}");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void BackwardDataMatchesTheCpu(int rows)
    {
        const int inFeatures = 7, outFeatures = 5;
        float[] dy = Data.Random(rows * outFeatures, 13), w = Data.Random(outFeatures * inFeatures, 14), expected = new float[rows * inFeatures];
        CpuK.Dense.BackwardData(expected, dy, w, rows, inFeatures, outFeatures);
        ArrayView<float> dx = gpu.Upload(Data.Filled(rows * inFeatures, float.NaN));
        GpuK.Dense.BackwardData(gpu.Device, dx, gpu.Upload(dy), gpu.Upload(w), rows, inFeatures, outFeatures);
        Data.Close(expected, gpu.Download(dx));
    }

    [Theory]
    [InlineData(1, true, true)]
    [InlineData(3, true, true)]
    [InlineData(3, false, true)]
    [InlineData(3, false, false)]
    [InlineData(0, true, true)]
    public void BackwardWeightsOverwritesOrAccumulatesLikeTheCpu(int rows, bool overwrite, bool withBias)
    {
        const int inFeatures = 7, outFeatures = 5;
        float[] dy = Data.Random(rows * outFeatures, 15), x = Data.Random(rows * inFeatures, 16);
        float[] dw0 = Data.Random(outFeatures * inFeatures, 17), db0 = Data.Random(outFeatures, 18);
        float[] dw = (float[])dw0.Clone(), db = withBias ? (float[])db0.Clone() : [];
        CpuK.Dense.BackwardWeights(dw, db, dy, x, rows, inFeatures, outFeatures, overwrite);
        ArrayView<float> gdw = gpu.Upload(dw0), gdb = withBias ? gpu.Upload(db0) : default;
        GpuK.Dense.BackwardWeights(gpu.Device, gdw, gdb, gpu.Upload(rows == 0 ? new float[1] : dy), gpu.Upload(rows == 0 ? new float[1] : x),
            rows, inFeatures, outFeatures, overwrite);
        Data.Close(dw, gpu.Download(gdw), "dW");
        if (withBias) Data.Close(db, gpu.Download(gdb), "db");
    }
}
