using ILGPU;
using Cpu = DeepNotes.Kernels;
using Twin = DeepNotes.Gpu.Kernels;

namespace DeepNotes.Gpu.Tests;

/// <summary>
/// The sequence ops' twins against the CPU kernels: Concat/Split block copies (exact), the positional encoding's
/// addition (exact: one float add per element) and the key-padding masked softmax (1e-5 relative).
/// </summary>
public sealed class SequenceTests(GpuFixture gpu) : IClassFixture<GpuFixture>
{
    // [blocks, block] = [batch·outer, axis·inner]: 5 blocks of 21, a slice of 9 at offset 7.
    private const int Blocks = 5, Block = 21, Offset = 7, Length = 9;

    [Fact]
    public void SliceCopiesEachBlocksRunExactly()
    {
        float[] x = Data.Uniform(Blocks * Block, 31), y = new float[Blocks * Length];
        Cpu.Layout.Slice(y, x, Blocks, Block, Offset, Length);

        ArrayView<float> gy = gpu.Zeros(y.Length, float.NaN);
        Twin.Layout.Slice(gpu.Device, gy, gpu.Upload(x), Blocks, Block, Offset, Length);
        Assert.Equal(y, gpu.Download(gy));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void PlaceWritesTheRunAndClearsTheRestOnlyWhenAsked(bool clearRest)
    {
        float[] x = Data.Uniform(Blocks * Length, 32), before = Data.Uniform(Blocks * Block, 33, 5f, 6f);
        float[] y = (float[])before.Clone();
        Cpu.Layout.Place(y, x, Blocks, Block, Offset, Length, clearRest);

        ArrayView<float> gy = gpu.Upload(before);
        Twin.Layout.Place(gpu.Device, gy, gpu.Upload(x), Blocks, Block, Offset, Length, clearRest);
        float[] actual = gpu.Download(gy);
        Assert.Equal(y, actual);
        Assert.Equal(clearRest ? 0f : before[Block + 2], actual[Block + 2]);   // outside the run of block 1
    }

    [Fact]
    public void ConcatOfTwoPartsAndItsBackwardMatchTheCpu()
    {
        // [batch 3, 4, 5] ++ [3, 2, 5] along axis 0 of the per-example dims: blocks of 20 and 10 into blocks of 30.
        const int batch = 3;
        float[] a = Data.Uniform(batch * 20, 34), b = Data.Uniform(batch * 10, 35);
        float[] expected = Cpu.Layout.ConcatReference([a, b], [[4, 5], [2, 5]], 0, batch);

        ArrayView<float> gy = gpu.Zeros(batch * 30, float.NaN), ga = gpu.Zeros(a.Length), gb = gpu.Zeros(b.Length);
        Twin.Layout.Place(gpu.Device, gy, gpu.Upload(a), batch, 30, 0, 20);
        Twin.Layout.Place(gpu.Device, gy, gpu.Upload(b), batch, 30, 20, 10);
        Assert.Equal(expected, gpu.Download(gy));
        Twin.Layout.Slice(gpu.Device, ga, gy, batch, 30, 0, 20);
        Twin.Layout.Slice(gpu.Device, gb, gy, batch, 30, 20, 10);
        Assert.Equal(a, gpu.Download(ga));
        Assert.Equal(b, gpu.Download(gb));
    }

    [Fact]
    public void SliceAndPlaceRejectWhatTheCpuRejectsAndShortViews()
    {
        ArrayView<float> x = gpu.Zeros(12), y = gpu.Zeros(12);
        Assert.Throws<ArgumentOutOfRangeException>(() => Twin.Layout.Slice(gpu.Device, y, x, 2, 6, 4, 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => Twin.Layout.Place(gpu.Device, y, x, 2, 6, -1, 3));
        Assert.Throws<ArgumentException>(() => Twin.Layout.Slice(gpu.Device, y, x, 3, 6, 0, 3));
        Assert.Throws<ArgumentException>(() => Twin.Layout.Place(gpu.Device, y, x, 3, 6, 0, 3));
    }

    [Fact]
    public void PositionalEncodingAddsTheTableToEveryExampleInPlace()
    {
        const int batch = 3, n = 7, width = 6;
        float[] table = Cpu.PositionalEncoding.Table(n, width), x = Data.Uniform(batch * n * width, 36);
        float[] y = (float[])x.Clone();
        Cpu.PositionalEncoding.Add(y, y, table, batch);

        ArrayView<float> gy = gpu.Upload(x);
        Twin.PositionalEncoding.Add(gpu.Device, gy, gy, gpu.Upload(table), batch);
        Assert.Equal(y, gpu.Download(gy));
        Assert.Throws<ArgumentException>(() => Twin.PositionalEncoding.Add(gpu.Device, gy, gy, gpu.Upload(table), batch + 1));
    }

    [Theory]
    [InlineData(1f)]
    [InlineData(0.35f)]
    public void MaskedSoftmaxMatchesTheCpuWithPartialFullAndEmptyMasks(float scale)
    {
        // 4 examples of 3 rows of 11 columns: one mask keeps some columns, one all, one none, one a single column.
        const int batch = 4, rows = 3, cols = 11;
        float[] mask = new float[batch * cols];
        for (int c = 0; c < cols; c++)
        {
            mask[c] = c % 3 == 1 ? 0f : 1f;
            mask[cols + c] = 1f;
            mask[3 * cols + c] = c == 4 ? 1f : 0f;
        }
        float[] x = Data.Uniform(batch * rows * cols, 37, -4f, 4f), dy = Data.Uniform(x.Length, 38);
        float[] y = (float[])x.Clone(), dx = new float[x.Length];
        Cpu.Softmax.MaskedForward(y, y, mask, batch, rows, cols, scale);
        Cpu.Softmax.Backward(dx, dy, y, batch * rows, cols, scale);

        ArrayView<float> gy = gpu.Upload(x), gdx = gpu.Zeros(x.Length);
        Twin.Softmax.MaskedForward(gpu.Device, gy, gy, gpu.Upload(mask), batch, rows, cols, scale);
        Twin.Softmax.Backward(gpu.Device, gdx, gpu.Upload(dy), gy, batch * rows, cols, scale);
        float[] actual = gpu.Download(gy);
        Data.Close(y, actual, what: "y");
        Data.Close(dx, gpu.Download(gdx), what: "dx");
        Assert.Equal(0f, actual[1]);                                    // a masked column of example 0
        Assert.All(actual.AsSpan(2 * rows * cols, rows * cols).ToArray(), v => Assert.Equal(0f, v));   // example 2: all masked
        Assert.Equal(1f, actual[3 * rows * cols + 4]);                  // example 3: one column kept
    }

    [Fact]
    public void MaskedSoftmaxRowsWiderThanAGroupAreReducedWhole()
    {
        const int batch = 2, rows = 2, cols = 300;
        float[] mask = new float[batch * cols];
        for (int i = 0; i < mask.Length; i++) mask[i] = i % 7 == 3 ? 0f : 1f;
        float[] x = Data.Uniform(batch * rows * cols, 39, -5f, 5f), y = new float[x.Length];
        Cpu.Softmax.MaskedForward(y, x, mask, batch, rows, cols);

        ArrayView<float> gy = gpu.Zeros(x.Length);
        Twin.Softmax.MaskedForward(gpu.Device, gy, gpu.Upload(x), gpu.Upload(mask), batch, rows, cols);
        Data.Close(y, gpu.Download(gy));
    }
}
