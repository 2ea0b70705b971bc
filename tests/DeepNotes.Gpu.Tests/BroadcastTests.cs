using DeepNotes.Kernels;
using ILGPU;
using Cpu = DeepNotes.Kernels;
using Twin = DeepNotes.Gpu.Kernels;

namespace DeepNotes.Gpu.Tests;

public sealed class BroadcastTests(GpuFixture gpu) : IClassFixture<GpuFixture>
{
    private const int Batch = 2;

    // Output [3, 4, 5] per example; a [3, 1, 5] batched, b [4, 1] shared by every example: both are broadcast.
    private static readonly BroadcastPlan s_both = new([3, 4, 5], [3, 1, 5], true, [4, 1], false);
    // An unbatched scalar against a batched [2, 3]: the CPU's scalar fast path.
    private static readonly BroadcastPlan s_scalar = new([2, 3], [2, 3], true, [1], false);

    [Theory]
    [InlineData(BinaryOp.Add)]
    [InlineData(BinaryOp.Subtract)]
    [InlineData(BinaryOp.Multiply)]
    [InlineData(BinaryOp.Divide)]
    public void BothOperandsBroadcastForwardAndBackwardMatchTheCpu(BinaryOp op) => Compare(op, s_both, 15, 4);

    [Theory]
    [InlineData(BinaryOp.Subtract)]
    [InlineData(BinaryOp.Divide)]
    public void AScalarOperandMatchesTheCpu(BinaryOp op) => Compare(op, s_scalar, 6, 1);

    private void Compare(BinaryOp op, BroadcastPlan plan, int aSize, int bSize)
    {
        int rowSize = plan == s_both ? 60 : 6;
        float[] a = Data.Uniform(Batch * aSize, 21, 0.5f, 2f), b = Data.Uniform(bSize, 22, 0.5f, 2f), dy = Data.Uniform(Batch * rowSize, 23);
        float[] y = new float[Batch * rowSize], da = new float[a.Length], db = new float[b.Length];
        Cpu.Broadcast.Forward(y, a, b, op, Batch, plan);
        Cpu.Broadcast.Backward(da, 0, dy, a, b, op, Batch, plan);
        Cpu.Broadcast.Backward(db, 1, dy, a, b, op, Batch, plan);

        ArrayView<float> ga = gpu.Upload(a), gb = gpu.Upload(b), gdy = gpu.Upload(dy);
        ArrayView<float> gy = gpu.Zeros(y.Length), gda = gpu.Zeros(a.Length, 9f), gdb = gpu.Zeros(b.Length, 9f);   // overwritten, not accumulated
        Twin.Broadcast.Forward(gpu.Device, gy, ga, gb, op, Batch, plan);
        Twin.Broadcast.Backward(gpu.Device, gda, 0, gdy, ga, gb, op, Batch, plan);
        Twin.Broadcast.Backward(gpu.Device, gdb, 1, gdy, ga, gb, op, Batch, plan);
        Data.Close(y, gpu.Download(gy), what: "y");
        Data.Close(da, gpu.Download(gda), what: "da");
        Data.Close(db, gpu.Download(gdb), what: "db");
        if (!gpu.Device.IsCuda)
        {
            // The reduction over the broadcast preimage adds in the CPU's order: the same bits on the CPU
            // accelerator (CUDA may fuse a multiply into the add).
            Assert.Equal(da, gpu.Download(gda));
            Assert.Equal(db, gpu.Download(gdb));
        }
    }

    [Fact]
    public void AddGradientsNeedNoOperandValues()
    {
        float[] dy = Data.Uniform(Batch * 60, 24), da = new float[Batch * 15], db = new float[4];
        Cpu.Broadcast.Backward(da, 0, dy, default, default, BinaryOp.Add, Batch, s_both);
        Cpu.Broadcast.Backward(db, 1, dy, default, default, BinaryOp.Add, Batch, s_both);
        ArrayView<float> gdy = gpu.Upload(dy), gda = gpu.Zeros(da.Length), gdb = gpu.Zeros(db.Length);
        Twin.Broadcast.Backward(gpu.Device, gda, 0, gdy, default, default, BinaryOp.Add, Batch, s_both);
        Twin.Broadcast.Backward(gpu.Device, gdb, 1, gdy, default, default, BinaryOp.Add, Batch, s_both);
        Data.Close(da, gpu.Download(gda), what: "da");
        Data.Close(db, gpu.Download(gdb), what: "db");
    }
}
