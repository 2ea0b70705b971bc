using ILGPU;
using Cpu = DeepNotes.Kernels;
using Twin = DeepNotes.Gpu.Kernels;

namespace DeepNotes.Gpu.Tests;

public sealed class NormalizationTests(GpuFixture gpu) : IClassFixture<GpuFixture>
{
    private const int Batch = 3, Channels = 5, Spatial = 7, Size = Batch * Channels * Spatial;

    [Fact]
    public void BatchNormTrainInferAndBackwardMatchTheCpu()
    {
        float[] x = Data.Uniform(Size, 51, 2f, 6f), dy = Data.Uniform(Size, 52);
        float[] gamma = Data.Uniform(Channels, 53, 0.5f, 1.5f), beta = Data.Uniform(Channels, 54);
        float[] runningMean = Data.Uniform(Channels, 55), runningVar = Data.Uniform(Channels, 56, 0.5f, 2f);
        float[] dgamma = Data.Uniform(Channels, 57), dbeta = Data.Uniform(Channels, 58);   // accumulated into

        ArrayView<float> gx = gpu.Upload(x), gdy = gpu.Upload(dy), ggamma = gpu.Upload(gamma), gbeta = gpu.Upload(beta);
        ArrayView<float> grm = gpu.Upload(runningMean), grv = gpu.Upload(runningVar), gdgamma = gpu.Upload(dgamma), gdbeta = gpu.Upload(dbeta);
        ArrayView<float> gy = gpu.Zeros(Size), gmean = gpu.Zeros(Channels), ginv = gpu.Zeros(Channels), gdx = gpu.Zeros(Size), ginfer = gpu.Zeros(Size);

        float[] y = new float[Size], mean = new float[Channels], inv = new float[Channels], dx = new float[Size], infer = new float[Size];
        Cpu.BatchNorm.TrainForward(y, x, gamma, beta, runningMean, runningVar, mean, inv, Batch, Channels, Spatial, 0.1f, 1e-5f, true);
        Cpu.BatchNorm.Backward(dx, dgamma, dbeta, dy, x, gamma, mean, inv, Batch, Channels, Spatial);
        Cpu.BatchNorm.InferForward(infer, x, gamma, beta, runningMean, runningVar, Batch, Channels, Spatial, 1e-5f);

        Twin.BatchNorm.TrainForward(gpu.Device, gy, gx, ggamma, gbeta, grm, grv, gmean, ginv, Batch, Channels, Spatial, 0.1f, 1e-5f, true);
        Twin.BatchNorm.Backward(gpu.Device, gdx, gdgamma, gdbeta, gdy, gx, ggamma, gmean, ginv, Batch, Channels, Spatial);
        Twin.BatchNorm.InferForward(gpu.Device, ginfer, gx, ggamma, gbeta, grm, grv, Batch, Channels, Spatial, 1e-5f);

        Data.Close(y, gpu.Download(gy), what: "y");
        Data.Close(mean, gpu.Download(gmean), what: "saveMean");
        Data.Close(inv, gpu.Download(ginv), what: "saveInvStd");
        Data.Close(runningMean, gpu.Download(grm), what: "runningMean");
        Data.Close(runningVar, gpu.Download(grv), what: "runningVar");
        Data.Close(dx, gpu.Download(gdx), what: "dx");
        Data.Close(dgamma, gpu.Download(gdgamma), what: "dgamma");
        Data.Close(dbeta, gpu.Download(gdbeta), what: "dbeta");
        Data.Close(infer, gpu.Download(ginfer), what: "infer");
    }

    [Fact]
    public void BatchNormWithoutAffineOrRunningUpdateMatchesTheCpuInPlace()
    {
        float[] x = Data.Uniform(Size, 59, -1f, 3f), dy = Data.Uniform(Size, 60);
        float[] y = (float[])x.Clone(), mean = new float[Channels], inv = new float[Channels], dx = (float[])dy.Clone();
        Cpu.BatchNorm.TrainForward(y, y, default, default, default, default, mean, inv, Batch, Channels, Spatial, 0.1f, 1e-5f, false);
        Cpu.BatchNorm.Backward(dx, default, default, dx, x, default, mean, inv, Batch, Channels, Spatial);

        ArrayView<float> gy = gpu.Upload(x), gx = gpu.Upload(x), gdx = gpu.Upload(dy), gmean = gpu.Zeros(Channels), ginv = gpu.Zeros(Channels);
        Twin.BatchNorm.TrainForward(gpu.Device, gy, gy, default, default, default, default, gmean, ginv, Batch, Channels, Spatial, 0.1f, 1e-5f, false);
        Twin.BatchNorm.Backward(gpu.Device, gdx, default, default, gdx, gx, default, gmean, ginv, Batch, Channels, Spatial);
        Data.Close(y, gpu.Download(gy), what: "y");
        Data.Close(dx, gpu.Download(gdx), what: "dx");
    }

    [Fact]
    public void LayerNormForwardAndBackwardMatchTheCpu()
    {
        const int rows = 5, features = 19;
        float[] x = Data.Uniform(rows * features, 61, -2f, 4f), dy = Data.Uniform(rows * features, 62);
        float[] weight = Data.Uniform(features, 63, 0.5f, 1.5f), bias = Data.Uniform(features, 64);
        float[] dweight = Data.Uniform(features, 65), dbias = Data.Uniform(features, 66);
        float[] y = new float[x.Length], mean = new float[rows], inv = new float[rows], dx = new float[x.Length];

        ArrayView<float> gx = gpu.Upload(x), gw = gpu.Upload(weight), gdw = gpu.Upload(dweight), gdb = gpu.Upload(dbias);
        ArrayView<float> gy = gpu.Zeros(x.Length), gmean = gpu.Zeros(rows), ginv = gpu.Zeros(rows), gdx = gpu.Zeros(x.Length);
        Cpu.LayerNorm.Forward(y, mean, inv, x, weight, bias, rows, features, 1e-5f);
        Cpu.LayerNorm.Backward(dx, dweight, dbias, dy, x, weight, mean, inv, rows, features);
        Twin.LayerNorm.Forward(gpu.Device, gy, gmean, ginv, gx, gw, gpu.Upload(bias), rows, features, 1e-5f);
        Twin.LayerNorm.Backward(gpu.Device, gdx, gdw, gdb, gpu.Upload(dy), gx, gw, gmean, ginv, rows, features);

        Data.Close(y, gpu.Download(gy), what: "y");
        Data.Close(mean, gpu.Download(gmean), what: "mean");
        Data.Close(inv, gpu.Download(ginv), what: "invStd");
        Data.Close(dx, gpu.Download(gdx), what: "dx");
        Data.Close(dweight, gpu.Download(gdw), what: "dweight");
        Data.Close(dbias, gpu.Download(gdb), what: "dbias");
    }
}
