using DeepNotes.Kernels;
using ILGPU;
using ILGPU.Runtime;
using CpuK = DeepNotes.Kernels;
using GpuK = DeepNotes.Gpu.Kernels;

namespace DeepNotes.Gpu.Tests;

/// <summary>The convolution's tests, run on the tiled GEMM (<see cref="Conv2dTests"/>) and on the barrier-free one (<see cref="DirectConv2dTests"/>).</summary>
public abstract class Conv2dCases(GpuFixture gpu)
{
    protected readonly GpuFixture gpu = gpu;

    /// <summary>The pass under test: the public twin (the device's path), or in a subclass another path to the same result.</summary>
    protected virtual void Forward(ArrayView<float> y, ArrayView<float> x, ArrayView<float> w, ArrayView<float> bias, int batch, Conv2dShape s, Activation activation)
        => GpuK.Conv2d.Forward(gpu.Device, y, x, w, bias, batch, s, activation, default);

    protected virtual void BackwardData(ArrayView<float> dx, ArrayView<float> dy, ArrayView<float> w, int batch, Conv2dShape s)
        => GpuK.Conv2d.BackwardData(gpu.Device, dx, dy, w, batch, s, default);

    protected virtual void BackwardWeights(ArrayView<float> dw, ArrayView<float> dbias, ArrayView<float> dy, ArrayView<float> x, int batch, Conv2dShape s, bool overwrite)
        => GpuK.Conv2d.BackwardWeights(gpu.Device, dw, dbias, dy, x, batch, s, default, overwrite);

    public static TheoryData<string, Conv2dShape> Shapes => new()
    {
        // Cin, H, W, Cout, KH, KW, SH, SW, PH, PW
        { "3×3 stride 2 pad 1", new Conv2dShape(3, 9, 7, 5, 3, 3, 2, 2, 1, 1) },
        { "AlexNet-like 11×11 stride 4", new Conv2dShape(3, 23, 21, 4, 11, 11, 4, 4, 2, 2) },
        { "1×1", new Conv2dShape(6, 5, 3, 4, 1, 1, 1, 1, 0, 0) },
        { "5×5 pad 2 (LeNet's C1)", new Conv2dShape(1, 8, 8, 3, 5, 5, 1, 1, 2, 2) },
        { "3×2 strides 2,1 pad 1,0", new Conv2dShape(2, 7, 6, 3, 3, 2, 2, 1, 1, 0) },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void ForwardMatchesTheCpuWithBiasAndActivation(string name, Conv2dShape s)
    {
        foreach ((int batch, Activation activation, bool withBias) in new[] { (1, Activation.Relu, true), (3, Activation.None, false), (3, Activation.Tanh, true) })
        {
            float[] x = Data.Random(batch * s.InSize, 30), w = Data.Random(s.WeightSize, 31);
            float[] bias = withBias ? Data.Random(s.OutChannels, 32) : [];
            float[] expected = new float[batch * s.OutSize];
            CpuK.Conv2d.Forward(expected, x, w, bias, batch, s, activation, new float[s.ScratchSize]);
            ArrayView<float> y = gpu.Upload(Data.Filled(expected.Length, float.NaN));
            Forward(y, gpu.Upload(x), gpu.Upload(w), withBias ? gpu.Upload(bias) : default, batch, s, activation);
            Data.Close(expected, gpu.Download(y), $"{name}, batch {batch}, {activation}");
        }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void BackwardDataMatchesTheCpu(string name, Conv2dShape s)
    {
        foreach (int batch in new[] { 1, 3 })
        {
            float[] dy = Data.Random(batch * s.OutSize, 33), w = Data.Random(s.WeightSize, 34), expected = new float[batch * s.InSize];
            CpuK.Conv2d.BackwardData(expected, dy, w, batch, s, new float[s.ScratchSize]);
            ArrayView<float> dx = gpu.Upload(Data.Filled(expected.Length, float.NaN));
            BackwardData(dx, gpu.Upload(dy), gpu.Upload(w), batch, s);
            Data.Close(expected, gpu.Download(dx), $"{name}, batch {batch}");
        }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void BackwardWeightsOverwritesOrAccumulatesLikeTheCpu(string name, Conv2dShape s)
    {
        foreach ((int batch, bool overwrite, bool withBias) in new[] { (1, true, true), (3, false, true), (3, true, false) })
        {
            float[] dy = Data.Random(batch * s.OutSize, 35), x = Data.Random(batch * s.InSize, 36);
            float[] dw0 = Data.Random(s.WeightSize, 37), db0 = Data.Random(s.OutChannels, 38);
            float[] dw = (float[])dw0.Clone(), db = withBias ? (float[])db0.Clone() : [];
            CpuK.Conv2d.BackwardWeights(dw, db, dy, x, batch, s, new float[s.ScratchSize], overwrite);
            ArrayView<float> gdw = gpu.Upload(dw0), gdb = withBias ? gpu.Upload(db0) : default;
            BackwardWeights(gdw, gdb, gpu.Upload(dy), gpu.Upload(x), batch, s, overwrite);
            Data.Close(dw, gpu.Download(gdw), $"{name}, batch {batch}, overwrite {overwrite}: dW");
            if (withBias) Data.Close(db, gpu.Download(gdb), $"{name}, batch {batch}, overwrite {overwrite}: db");
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void BackwardWeightsSplitAlongTheBatchSumsItsSlicesInOrder(bool overwrite)
    {
        // 3 examples × 64 positions: three slices of 64; then a larger weight grows the workspace, then
        // the first shape again, on the grown workspace.
        var small = new Conv2dShape(2, 8, 8, 3, 5, 5, 1, 1, 2, 2);
        var large = new Conv2dShape(3, 8, 8, 4, 5, 5, 1, 1, 2, 2);
        foreach (Conv2dShape s in new[] { small, large, small })
        {
            const int batch = 3;
            float[] dy = Data.Random(batch * s.OutSize, 47), x = Data.Random(batch * s.InSize, 48);
            float[] dw0 = Data.Random(s.WeightSize, 49), db0 = Data.Random(s.OutChannels, 50);
            float[] dw = (float[])dw0.Clone(), db = (float[])db0.Clone();
            CpuK.Conv2d.BackwardWeights(dw, db, dy, x, batch, s, new float[s.ScratchSize], overwrite);
            ArrayView<float> gdw = gpu.Upload(dw0), gdb = gpu.Upload(db0);
            GpuK.Conv2d.BackwardWeights(gpu.Device, gdw, gdb, gpu.Upload(dy), gpu.Upload(x), batch, s, overwrite, splits: 3);
            Data.Close(dw, gpu.Download(gdw), $"{s.InChannels} input channels: dW");
            Data.Close(db, gpu.Download(gdb), $"{s.InChannels} input channels: db");
        }
    }

    [Fact]
    public void AKernelLargerThanThePaddedInputIsRejected()
    {
        var s = new Conv2dShape(1, 3, 3, 1, 5, 5, 1, 1, 0, 0);
        Assert.Throws<ArgumentException>(() => GpuK.Conv2d.Forward(gpu.Device, gpu.Upload(new float[9]), gpu.Upload(new float[9]),
            gpu.Upload(new float[25]), default, 1, s, Activation.None, default));
    }
}

[Collection("gpu")]
public sealed class Conv2dTests(GpuFixture fixture) : Conv2dCases(fixture);

public sealed class DirectConv2dTests(DirectGemmFixture fixture) : Conv2dCases(fixture), IClassFixture<DirectGemmFixture>;
