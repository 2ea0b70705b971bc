using ILGPU;
using ILGPU.Runtime;
using CpuK = DeepNotes.Kernels;
using GpuK = DeepNotes.Gpu.Kernels;

namespace DeepNotes.Gpu.Tests;

[Collection("gpu")]
public sealed class BatchedMatMulTests(GpuFixture gpu)
{
    [Theory]
    [InlineData(1, 3, 5, 7, false)]
    [InlineData(3, 3, 5, 7, false)]
    [InlineData(3, 3, 5, 7, true)]
    [InlineData(3, 6, 9, 1, false)]     // matrix × vector
    [InlineData(2, 17, 11, 19, true)]
    public void ForwardAndBothGradientsMatchTheCpu(int batch, int n, int k, int m, bool transposeB)
    {
        float[] a = Data.Random(batch * n * k, 20), b = Data.Random(batch * k * m, 21), dc = Data.Random(batch * n * m, 22);
        float[] c = new float[batch * n * m], da = new float[batch * n * k], db = new float[batch * k * m];
        CpuK.BatchedMatMul.Forward(c, a, b, batch, n, k, m, transposeB);
        CpuK.BatchedMatMul.BackwardA(da, dc, b, batch, n, k, m, transposeB);
        CpuK.BatchedMatMul.BackwardB(db, dc, a, batch, n, k, m, transposeB);

        ArrayView<float> ga = gpu.Upload(a), gb = gpu.Upload(b), gdc = gpu.Upload(dc);
        ArrayView<float> gc = gpu.Upload(Data.Filled(c.Length, float.NaN)), gda = gpu.Upload(Data.Filled(da.Length, float.NaN)),
            gdb = gpu.Upload(Data.Filled(db.Length, float.NaN));
        GpuK.BatchedMatMul.Forward(gpu.Device, gc, ga, gb, batch, n, k, m, transposeB);
        GpuK.BatchedMatMul.BackwardA(gpu.Device, gda, gdc, gb, batch, n, k, m, transposeB);
        GpuK.BatchedMatMul.BackwardB(gpu.Device, gdb, gdc, ga, batch, n, k, m, transposeB);
        Data.Close(c, gpu.Download(gc), "C");
        Data.Close(da, gpu.Download(gda), "dA");
        Data.Close(db, gpu.Download(gdb), "dB");
    }

    [Theory]
    [InlineData(1, 3, 5)]
    [InlineData(3, 7, 2)]
    public void TransposeMatchesTheCpu(int batch, int rows, int cols)
    {
        float[] x = Data.Random(batch * rows * cols, 23), expected = new float[x.Length];
        CpuK.BatchedMatMul.Transpose(expected, x, batch, rows, cols);
        ArrayView<float> y = gpu.Upload(Data.Filled(x.Length, float.NaN));
        GpuK.BatchedMatMul.Transpose(gpu.Device, y, gpu.Upload(x), batch, rows, cols);
        Assert.Equal(expected, gpu.Download(y));
    }
}
