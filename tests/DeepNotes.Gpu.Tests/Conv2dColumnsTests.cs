using DeepNotes.Kernels;
using ILGPU;
using CpuK = DeepNotes.Kernels;
using GpuK = DeepNotes.Gpu.Kernels;

namespace DeepNotes.Gpu.Tests;

/// <summary>
/// The convolution passes through stored column matrices (what runs where cuBLAS serves the products), here with the
/// ILGPU kernel standing in for cuBLAS, against the CPU kernel.
/// </summary>
[Collection("gpu")]
public sealed class Conv2dColumnsTests(GpuFixture gpu)
{
    public static TheoryData<string, Conv2dShape> Shapes => Conv2dCases.Shapes;

    [Fact]
    public void TheCpuAcceleratorHasNoCuBlasSoItsConvolutionsStayImplicit()
    {
        if (gpu.Device.IsCuda) return;   // on CUDA the path depends on the machine's cuBLAS
        var g = GpuK.Conv2d.Geometry.Of(2, new Conv2dShape(3, 9, 7, 5, 3, 3, 2, 2, 1, 1));
        Assert.False(GpuK.Conv2d.UseColumns(gpu.Device, 2, g));
        Assert.Equal((27L + 5) * 2 * 20, GpuK.Conv2d.ColumnFloats(2, g));   // (Cin·KH·KW + Cout) · B·OH·OW, OH×OW = 5×4
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void ForwardMatchesTheCpu(string name, Conv2dShape s)
    {
        foreach ((int batch, Activation activation, bool withBias) in new[] { (1, Activation.Relu, true), (3, Activation.None, false) })
        {
            float[] x = Data.Random(batch * s.InSize, 60), w = Data.Random(s.WeightSize, 61);
            float[] bias = withBias ? Data.Random(s.OutChannels, 62) : [];
            float[] expected = new float[batch * s.OutSize];
            CpuK.Conv2d.Forward(expected, x, w, bias, batch, s, activation, new float[s.ScratchSize]);
            ArrayView<float> y = gpu.Upload(Data.Filled(expected.Length, float.NaN));
            GpuK.Conv2d.ForwardColumns(gpu.Device, y, gpu.Upload(x), gpu.Upload(w), withBias ? gpu.Upload(bias) : default, batch,
                GpuK.Conv2d.Geometry.Of(batch, s), activation);
            Data.Close(expected, gpu.Download(y), $"{name}, batch {batch}, {activation}");
        }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void BackwardDataMatchesTheCpu(string name, Conv2dShape s)
    {
        foreach (int batch in new[] { 1, 3 })
        {
            float[] dy = Data.Random(batch * s.OutSize, 63), w = Data.Random(s.WeightSize, 64), expected = new float[batch * s.InSize];
            CpuK.Conv2d.BackwardData(expected, dy, w, batch, s, new float[s.ScratchSize]);
            ArrayView<float> dx = gpu.Upload(Data.Filled(expected.Length, float.NaN));
            GpuK.Conv2d.BackwardDataColumns(gpu.Device, dx, gpu.Upload(dy), gpu.Upload(w), batch, GpuK.Conv2d.Geometry.Of(batch, s));
            Data.Close(expected, gpu.Download(dx), $"{name}, batch {batch}");
        }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void BackwardWeightsOverwritesOrAccumulatesLikeTheCpu(string name, Conv2dShape s)
    {
        foreach ((int batch, bool overwrite) in new[] { (1, true), (3, false) })
        {
            float[] dy = Data.Random(batch * s.OutSize, 65), x = Data.Random(batch * s.InSize, 66), dw0 = Data.Random(s.WeightSize, 67);
            float[] dw = (float[])dw0.Clone();
            CpuK.Conv2d.BackwardWeights(dw, [], dy, x, batch, s, new float[s.ScratchSize], overwrite);
            ArrayView<float> gdw = gpu.Upload(dw0);
            GpuK.Conv2d.BackwardWeightsColumns(gpu.Device, gdw, gpu.Upload(dy), gpu.Upload(x), batch, GpuK.Conv2d.Geometry.Of(batch, s), overwrite);
            Data.Close(dw, gpu.Download(gdw), $"{name}, batch {batch}, overwrite {overwrite}");
        }
    }
}
