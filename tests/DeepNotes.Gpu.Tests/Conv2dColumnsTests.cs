using DeepNotes.Kernels;
using ILGPU;
using GpuK = DeepNotes.Gpu.Kernels;

namespace DeepNotes.Gpu.Tests;

/// <summary>
/// The convolution passes through stored column matrices (what runs where cuBLAS serves the products), here with the
/// ILGPU kernel standing in for cuBLAS, against the CPU kernel: the cases of <see cref="Conv2dCases"/> on that path.
/// </summary>
[Collection("gpu")]
public sealed class Conv2dColumnsTests(GpuFixture fixture) : Conv2dCases(fixture)
{
    protected override void Forward(ArrayView<float> y, ArrayView<float> x, ArrayView<float> w, ArrayView<float> bias, int batch, Conv2dShape s, Activation activation)
        => GpuK.Conv2d.ForwardColumns(gpu.Device, y, x, w, bias, batch, GpuK.Conv2d.Geometry.Of(batch, s), activation);

    protected override void BackwardData(ArrayView<float> dx, ArrayView<float> dy, ArrayView<float> w, int batch, Conv2dShape s)
        => GpuK.Conv2d.BackwardDataColumns(gpu.Device, dx, dy, w, batch, GpuK.Conv2d.Geometry.Of(batch, s));

    /// <summary>The weight gradient on this path; the bias gradient is the same reduction on both paths.</summary>
    protected override void BackwardWeights(ArrayView<float> dw, ArrayView<float> dbias, ArrayView<float> dy, ArrayView<float> x, int batch, Conv2dShape s, bool overwrite)
    {
        var g = GpuK.Conv2d.Geometry.Of(batch, s);
        GpuK.Conv2d.BackwardWeightsColumns(gpu.Device, dw, dy, x, batch, g, overwrite);
        if (dbias.Length != 0) GpuK.BiasGradient.Sum(gpu.Device, dbias, dy, s.OutChannels, g.OutPlane, batch * g.OutPlane, overwrite);
    }

    [Fact]
    public void TheCpuAcceleratorHasNoCuBlasSoItsConvolutionsStayImplicit()
    {
        if (gpu.Device.IsCuda) return;   // on CUDA the path depends on the machine's cuBLAS
        var g = GpuK.Conv2d.Geometry.Of(2, new Conv2dShape(3, 9, 7, 5, 3, 3, 2, 2, 1, 1));
        Assert.False(GpuK.Conv2d.UseColumns(gpu.Device, 2, g));
        Assert.Equal((27L + 5) * 2 * 20, GpuK.Conv2d.ColumnFloats(2, g));   // (Cin·KH·KW + Cout) · B·OH·OW, OH×OW = 5×4
    }
}
