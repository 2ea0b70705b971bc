using DeepNotes.Kernels;
using ILGPU;
using Cpu = DeepNotes.Kernels;
using Twin = DeepNotes.Gpu.Kernels;

namespace DeepNotes.Gpu.Tests;

/// <summary>
/// A training step written the way a generated plan is: one arena, one parameter, gradient and velocity vector,
/// views at offsets, the loss in a length-1 view of the arena that the backward reads as its scale. The same
/// column on the CPU kernels and on their twins must train the same parameters.
/// </summary>
public sealed class ColumnTests(GpuFixture gpu) : IClassFixture<GpuFixture>
{
    private const int Batch = 3, Vocabulary = 7, Width = 5, Table = Vocabulary * Width, Count = Table + Width;
    private const int H = 0, Y = Batch * Width, Logits = 2 * Batch * Width, P = 3 * Batch * Width, D = 4 * Batch * Width, Loss = 5 * Batch * Width;
    private static readonly BroadcastPlan s_bias = new([Width], [Width], true, [Width], false);
    private static readonly TensorInfo[] s_tensors =
    [
        new("embedding.weight", 0, [Vocabulary, Width], TensorRole.Weight),
        new("bias", Table, [Width], TensorRole.Bias),
    ];

    [Fact]
    public void TwoTrainingStepsMatchTheCpuColumn()
    {
        int[][] ids = [[4, 1, 4], [0, 6, 2]];
        int[][] labels = [[2, 0, 4], [1, 1, 3]];
        float[] parameters = Data.Uniform(Count, 91, -0.5f, 0.5f);
        var sgd = new Sgd(0.2f, momentum: 0.9f, weightDecay: 0.05f);

        float[] a = new float[Loss + 1], p = (float[])parameters.Clone(), g = new float[Count], v = new float[Count];
        ArrayView<float> ga = gpu.Zeros(a.Length), gp = gpu.Upload(parameters), gg = gpu.Zeros(Count), gv = gpu.Zeros(Count);
        for (int step = 0; step < 2; step++)
        {
            ulong stream = Cpu.Dropout.Stream(step, 3);
            // CPU column
            Cpu.Embedding.Forward(a.AsSpan(H, Batch * Width), ids[step], p.AsSpan(0, Table), Batch, Width);
            Cpu.Broadcast.Forward(a.AsSpan(Y, Batch * Width), a.AsSpan(H, Batch * Width), p.AsSpan(Table, Width), BinaryOp.Add, Batch, s_bias);
            Cpu.Elementwise.Relu(a.AsSpan(Y, Batch * Width), a.AsSpan(Y, Batch * Width));
            Cpu.Dropout.Forward(a.AsSpan(Logits, Batch * Width), a.AsSpan(Y, Batch * Width), 0.25f, 7, stream);
            float cpuLoss = Cpu.Losses.CrossEntropyForward(a.AsSpan(P, Batch * Width), a.AsSpan(Logits, Batch * Width), labels[step], Batch, Width);
            a[Loss] = 1f;   // the seed of the backward pass, as the plan writes it
            Cpu.Losses.CrossEntropyBackward(a.AsSpan(D, Batch * Width), a.AsSpan(P, Batch * Width), labels[step], Batch, Width, a[Loss]);
            Cpu.Dropout.Backward(a.AsSpan(D, Batch * Width), a.AsSpan(D, Batch * Width), 0.25f, 7, stream);
            Cpu.Activations.Backward(a.AsSpan(D, Batch * Width), a.AsSpan(D, Batch * Width), a.AsSpan(Y, Batch * Width), Activation.Relu);
            g.AsSpan().Clear();
            Cpu.Broadcast.Backward(g.AsSpan(Table, Width), 1, a.AsSpan(D, Batch * Width), default, default, BinaryOp.Add, Batch, s_bias);
            Cpu.Broadcast.Backward(a.AsSpan(H, Batch * Width), 0, a.AsSpan(D, Batch * Width), default, default, BinaryOp.Add, Batch, s_bias);
            Cpu.Embedding.Backward(g.AsSpan(0, Table), a.AsSpan(H, Batch * Width), ids[step], Batch, Width);
            sgd.Update(p, g, v, s_tensors);

            // The same column on the device
            ArrayView<float> Arena(int offset, int length) => ga.SubView(offset, length);
            ArrayView<int> gids = gpu.Upload(ids[step]), glabels = gpu.Upload(labels[step]);
            Twin.Embedding.Forward(gpu.Device, Arena(H, Batch * Width), gids, gp.SubView(0, Table), Batch, Width);
            Twin.Broadcast.Forward(gpu.Device, Arena(Y, Batch * Width), Arena(H, Batch * Width), gp.SubView(Table, Width), BinaryOp.Add, Batch, s_bias);
            Twin.Elementwise.Relu(gpu.Device, Arena(Y, Batch * Width), Arena(Y, Batch * Width));
            Twin.Dropout.Forward(gpu.Device, Arena(Logits, Batch * Width), Arena(Y, Batch * Width), 0.25f, 7, stream);
            Twin.Losses.CrossEntropyForward(gpu.Device, Arena(Loss, 1), Arena(P, Batch * Width), Arena(Logits, Batch * Width), glabels, Batch, Width);
            float loss = gpu.Download(Arena(Loss, 1))[0];
            Twin.Elementwise.Fill(gpu.Device, Arena(Loss, 1), 1f);
            Twin.Losses.CrossEntropyBackward(gpu.Device, Arena(D, Batch * Width), Arena(P, Batch * Width), glabels, Batch, Width, Arena(Loss, 1));
            Twin.Dropout.Backward(gpu.Device, Arena(D, Batch * Width), Arena(D, Batch * Width), 0.25f, 7, stream);
            Twin.Activations.Backward(gpu.Device, Arena(D, Batch * Width), Arena(D, Batch * Width), Arena(Y, Batch * Width), Activation.Relu);
            Twin.Elementwise.Fill(gpu.Device, gg, 0f);
            Twin.Broadcast.Backward(gpu.Device, gg.SubView(Table, Width), 1, Arena(D, Batch * Width), default, default, BinaryOp.Add, Batch, s_bias);
            Twin.Broadcast.Backward(gpu.Device, Arena(H, Batch * Width), 0, Arena(D, Batch * Width), default, default, BinaryOp.Add, Batch, s_bias);
            Twin.Embedding.Backward(gpu.Device, gg.SubView(0, Table), Arena(H, Batch * Width), gids, Batch, Width);
            foreach (TensorInfo t in s_tensors)
                Twin.Optim.Sgd(gpu.Device, gp.SubView(t.Offset, t.Length), gg.SubView(t.Offset, t.Length), gv.SubView(t.Offset, t.Length),
                               sgd.LearningRate, sgd.Momentum, t.Role == TensorRole.Weight ? sgd.WeightDecay : 0f);

            Data.Close([cpuLoss], [loss], what: $"loss of step {step}");
            Data.Close(g, gpu.Download(gg), what: $"gradients of step {step}");
        }
        Data.Close(p, gpu.Download(gp), what: "parameters");
        Data.Close(v, gpu.Download(gv), what: "velocity");
    }
}
