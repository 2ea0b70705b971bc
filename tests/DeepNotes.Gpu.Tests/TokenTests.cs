using ILGPU;
using Cpu = DeepNotes.Kernels;
using Twin = DeepNotes.Gpu.Kernels;

namespace DeepNotes.Gpu.Tests;

public sealed class TokenTests(GpuFixture gpu) : IClassFixture<GpuFixture>
{
    private const int Vocabulary = 11, Width = 6;

    [Fact]
    public void LookupAndScatterWithARepeatedIdMatchTheCpu()
    {
        int[] ids = [3, 7, 3, 0, 10];   // 3 twice: its gradient row accumulates both
        float[] table = Data.Uniform(Vocabulary * Width, 71), dy = Data.Uniform(ids.Length * Width, 72);
        float[] y = new float[ids.Length * Width], dTable = Data.Uniform(Vocabulary * Width, 73);
        ArrayView<float> gy = gpu.Zeros(y.Length), gdTable = gpu.Upload(dTable);
        ArrayView<int> gids = gpu.Upload(ids);
        Cpu.Embedding.Forward(y, ids, table, ids.Length, Width);
        Cpu.Embedding.Backward(dTable, dy, ids, ids.Length, Width);
        Twin.Embedding.Forward(gpu.Device, gy, gids, gpu.Upload(table), ids.Length, Width);
        Twin.Embedding.Backward(gpu.Device, gdTable, gpu.Upload(dy), gids, ids.Length, Width);
        Assert.Equal(y, gpu.Download(gy));
        Data.Close(dTable, gpu.Download(gdTable), what: "dTable");
    }

    [Fact]
    public void OneHotMatchesTheCpu()
    {
        int[] ids = [2, 0, 4, 2];
        float[] y = new float[ids.Length * 5];
        Cpu.Embedding.OneHot(y, ids, ids.Length, 5);
        ArrayView<float> gy = gpu.Zeros(y.Length, 3f);
        Twin.Embedding.OneHot(gpu.Device, gy, gpu.Upload(ids), ids.Length, 5);
        Assert.Equal(y, gpu.Download(gy));
    }

    // Three rows of four slots: one with a zero-weight slot, one whose mask sums to 0, one with fractional weights.
    private static readonly float[] s_mask = [1, 0, 1, 1, 0, 0, 0, 0, 0.5f, 2, 1, 0.25f];
    private const int Rows = 3, Slots = 4;

    [Fact]
    public void MaskedMeanForwardAndBackwardsMatchTheCpu()
    {
        float[] x = Data.Uniform(Rows * Slots * Width, 74), dy = Data.Uniform(Rows * Width, 75);
        float[] y = new float[Rows * Width], dx = new float[x.Length], dmask = new float[s_mask.Length];
        Cpu.Embedding.MaskedMeanForward(y, x, s_mask, Rows, Slots, Width);
        Cpu.Embedding.MaskedMeanBackward(dx, dy, s_mask, Rows, Slots, Width);
        Cpu.Embedding.MaskedMeanBackwardMask(dmask, dy, x, y, s_mask, Rows, Slots, Width);

        ArrayView<float> gx = gpu.Upload(x), gdy = gpu.Upload(dy), gmask = gpu.Upload(s_mask);
        ArrayView<float> gy = gpu.Zeros(y.Length, 5f), gdx = gpu.Zeros(dx.Length, 5f), gdmask = gpu.Zeros(dmask.Length, 5f);
        Twin.Embedding.MaskedMeanForward(gpu.Device, gy, gx, gmask, Rows, Slots, Width);
        Twin.Embedding.MaskedMeanBackward(gpu.Device, gdx, gdy, gmask, Rows, Slots, Width);
        Twin.Embedding.MaskedMeanBackwardMask(gpu.Device, gdmask, gdy, gx, gy, gmask, Rows, Slots, Width);
        Data.Close(y, gpu.Download(gy), what: "y");
        Data.Close(dx, gpu.Download(gdx), what: "dx");
        Data.Close(dmask, gpu.Download(gdmask), what: "dmask");
    }

    [Fact]
    public void BagForwardAndBackwardWithARepeatedIdMatchTheCpu()
    {
        int[] ids = [1, 9, 1, 4, 2, 2, 2, 2, 5, 1, 5, 0];   // 1 three times (row 0 twice), 5 twice in row 2
        float[] table = Data.Uniform(Vocabulary * Width, 76), dy = Data.Uniform(Rows * Width, 77);
        float[] y = new float[Rows * Width], dTable = Data.Uniform(Vocabulary * Width, 78);
        ArrayView<int> gids = gpu.Upload(ids);
        ArrayView<float> gmask = gpu.Upload(s_mask), gy = gpu.Zeros(y.Length, 5f), gdTable = gpu.Upload(dTable);   // before the CPU adds into it
        Cpu.Embedding.BagForward(y, ids, s_mask, table, Rows, Slots, Width);
        Cpu.Embedding.BagBackward(dTable, dy, ids, s_mask, Rows, Slots, Width);
        Twin.Embedding.BagForward(gpu.Device, gy, gids, gmask, gpu.Upload(table), Rows, Slots, Width);
        Twin.Embedding.BagBackward(gpu.Device, gdTable, gpu.Upload(dy), gids, gmask, Rows, Slots, Width);
        Data.Close(y, gpu.Download(gy), what: "y");
        Data.Close(dTable, gpu.Download(gdTable), what: "dTable");
    }

    [Theory]
    [InlineData(0, 2, 1, 3)]   // [1, 3, 4, 5] -> [1, 4, 3, 5]: the last axis stays last
    [InlineData(0, 3, 1, 2)]   // the last axis moves to the front
    [InlineData(3, 2, 1, 0)]
    public void PermuteMatchesTheCpu(int a0, int a1, int a2, int a3)
    {
        const int batch = 2, size = 3 * 4 * 5;
        float[] x = Data.Uniform(batch * size, 79), y = new float[x.Length];
        Cpu.Layout.Permute(y, x, batch, 1, 3, 4, 5, a0, a1, a2, a3);
        ArrayView<float> gy = gpu.Zeros(y.Length);
        Twin.Layout.Permute(gpu.Device, gy, gpu.Upload(x), batch, 1, 3, 4, 5, a0, a1, a2, a3);
        Assert.Equal(y, gpu.Download(gy));
    }
}
