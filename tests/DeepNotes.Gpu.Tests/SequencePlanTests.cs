using DeepNotes.Models;
using DeepNotes.Models.Tests;

namespace DeepNotes.Gpu.Tests;

/// <summary>
/// The sequence test models of tests/DeepNotes.Models.Tests (linked in, so each has a GpuPlan) whose shapes
/// <see cref="OpCoverageTests"/> does not run: several float inputs (Concat forward and backward, Split along
/// every axis, a masked softmax with an all-masked example), token inputs with per-position labels, and one float
/// input with per-position labels (Nll). Loss, every gradient and the predictions against the CPU code.
/// </summary>
public sealed class SequencePlanTests(DeviceFixture fixture) : IClassFixture<DeviceFixture>
{
    private const int Batch = 3;
    private const ulong Seed = 11;

    public static TheoryData<string> Models() => ["ConcatSplitNet", "PerPositionNet", "FloatPositionNet", "PaddedAttention6"];

    [Theory]
    [MemberData(nameof(Models))]
    public void Loss_gradients_and_predictions_match_the_cpu(string name)
    {
        using PlanCase c = Create(name, fixture.Device);
        PlanTests.AssertGradientsAndPredictionsMatch(c);
    }

    private static PlanCase Create(string name, GpuDevice device)
    {
        const int b = Batch;
        switch (name)
        {
            case "ConcatSplitNet":
            {
                var cpu = ConcatSplitNet.Create(b, Seed);
                var gpu = ConcatSplitNet.GpuPlan.Create(device, b, Seed);
                float[] x = PlanData.Random(b * ConcatSplitNet.XSize, 41), t = PlanData.Random(b * ConcatSplitNet.TargetSize, 42);
                float[] mask = [1f, 0f, 1f, 1f, 0f, 0f, 0f, 0f, 1f, 1f, 1f, 1f]; // example 1: every key masked (rows of zeros)
                return new FuncCase(name, cpu, gpu, b,
                    () => cpu.ComputeGradients(x, mask, t, b), () => gpu.ComputeGradients(x, mask, t, b),
                    () => cpu.ComputeLoss(x, mask, t, b), () => gpu.ComputeLoss(x, mask, t, b),
                    (ref Sgd s) => cpu.TrainStep(x, mask, t, b, ref s), s => gpu.TrainStep(x, mask, t, b, s),
                    o => cpu.Predict(x, mask, o, b), o => gpu.Predict(x, mask, o, b));
            }
            case "PerPositionNet":
            {
                var cpu = PerPositionNet.Create(b, Seed);
                var gpu = PerPositionNet.GpuPlan.Create(device, b, Seed);
                int[] ids = PlanData.Ints(b * PerPositionNet.IdsSize, PerPositionNet.Vocabulary, 43);
                int[] y = PlanData.Ints(b * PerPositionNet.LabelSize, PerPositionNet.Classes, 44);
                return new FuncCase(name, cpu, gpu, b,
                    () => cpu.ComputeGradients(ids, y, b), () => gpu.ComputeGradients(ids, y, b),
                    () => cpu.ComputeLoss(ids, y, b), () => gpu.ComputeLoss(ids, y, b),
                    (ref Sgd s) => cpu.TrainStep(ids, y, b, ref s), s => gpu.TrainStep(ids, y, b, s),
                    o => cpu.Predict(ids, o, b), o => gpu.Predict(ids, o, b));
            }
            case "FloatPositionNet":
            {
                var cpu = FloatPositionNet.Create(b, Seed);
                var gpu = FloatPositionNet.GpuPlan.Create(device, b, Seed);
                float[] x = PlanData.Random(b * FloatPositionNet.XSize, 45);
                int[] tags = PlanData.Ints(b * FloatPositionNet.LabelSize, 3, 46);
                return new FuncCase(name, cpu, gpu, b,
                    () => cpu.ComputeGradients(x, tags, b), () => gpu.ComputeGradients(x, tags, b),
                    () => cpu.ComputeLoss(x, tags, b), () => gpu.ComputeLoss(x, tags, b),
                    (ref Sgd s) => cpu.TrainStep(x, tags, b, ref s), s => gpu.TrainStep(x, tags, b, s),
                    o => cpu.Predict(x, o, b), o => gpu.Predict(x, o, b));
            }
            case "PaddedAttention6":
            {
                var cpu = PaddedAttention6.Create(b, Seed);
                var gpu = PaddedAttention6.GpuPlan.Create(device, b, Seed);
                const int n = PaddedAttention6.Length;
                int[] ids = PlanData.Ints(b * n, PaddedAttention6.Vocabulary, 47);
                var mask = new float[b * n];
                for (int r = 0; r < b; r++)
                    for (int i = 0; i < n - 2 * r; i++) mask[r * n + i] = 1f; // 6, 4 and 2 real tokens
                float[] t = PlanData.Random(b * PaddedAttention6.TargetSize, 48);
                return new FuncCase(name, cpu, gpu, b,
                    () => cpu.ComputeGradients(ids, mask, t, b), () => gpu.ComputeGradients(ids, mask, t, b),
                    () => cpu.ComputeLoss(ids, mask, t, b), () => gpu.ComputeLoss(ids, mask, t, b),
                    (ref Sgd s) => cpu.TrainStep(ids, mask, t, b, ref s), s => gpu.TrainStep(ids, mask, t, b, s),
                    o => cpu.Predict(ids, mask, o, b), o => gpu.Predict(ids, mask, o, b));
            }
            default: throw new ArgumentException("no test case for " + name, nameof(name));
        }
    }
}

internal delegate float CpuStep(ref Sgd optimizer);
internal delegate void IntoSpan(Span<float> output);

/// <summary>A model of any input shape, its methods given as delegates.</summary>
internal sealed class FuncCase(string name, IGeneratedModel cpu, IGpuPlan gpu, int batch,
                               Func<float> cpuGradients, Action gpuGradients, Func<float> cpuLoss, Action gpuLoss,
                               CpuStep cpuStep, Action<Sgd> gpuStep, IntoSpan cpuPredict, IntoSpan gpuPredict) : PlanCase(name, batch)
{
    public override IGeneratedModel Cpu => cpu;
    public override IGpuPlan Gpu => gpu;
    public override int OutputLength => cpu.OutputLength;
    public override float CpuComputeGradients() => cpuGradients();
    public override void GpuComputeGradients() => gpuGradients();
    public override float CpuComputeLoss() => cpuLoss();
    public override void GpuComputeLoss() => gpuLoss();
    public override float CpuTrainStep(ref Sgd optimizer) => cpuStep(ref optimizer);
    public override void GpuTrainStep(Sgd optimizer) => gpuStep(optimizer);
    public override void CpuPredict(Span<float> output) => cpuPredict(output);
    public override void GpuPredict(Span<float> output) => gpuPredict(output);
}
