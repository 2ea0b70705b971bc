using DeepNotes.Models;
using Xunit.Abstractions;

namespace DeepNotes.Gpu.Tests;

/// <summary>
/// One device shared by the tests of a class (library kernels load once per device): ILGPU's CPU accelerator, or
/// with DEEPNOTES_GPU_TESTS=cuda the first CUDA GPU, as for the kernel tests.
/// </summary>
public sealed class DeviceFixture : IDisposable
{
    public GpuDevice Device { get; } = GpuDevice.Open(
        Environment.GetEnvironmentVariable("DEEPNOTES_GPU_TESTS")?.Trim().ToLowerInvariant() == "cuda" ? GpuKind.Cuda : GpuKind.Cpu);

    public void Dispose() => Device.Dispose();
}

/// <summary>
/// Every shipped model's GpuPlan on ILGPU's CPU accelerator against the same model's CPU code (both generated
/// from one fused graph and memory plan): same initial parameters, loss and every gradient after one backward to
/// 1e-4 of each tensor's largest gradient, the same parameters after SGD steps with momentum and weight decay,
/// falling loss, and the same predictions.
/// </summary>
public sealed class PlanTests(DeviceFixture fixture, ITestOutputHelper output) : IClassFixture<DeviceFixture>
{
    private const double Tolerance = 1e-4;

    /// <summary>
    /// Every shipped model. On the CPU accelerator the plans run the barrier-free GEMM (its default; the tiled kernel
    /// takes minutes over AlexNet there, and the kernel tests check both against the CPU).
    /// </summary>
    public static TheoryData<string> Models()
    {
        var data = new TheoryData<string>();
        foreach (string name in PlanCases.Names) data.Add(name);
        return data;
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void Plan_matches_the_cpu_and_trains(string model)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        using PlanCase c = PlanCases.Create(model, fixture.Device);
        int count = c.Cpu.Parameters.Length;

        // Same seed, same parameters: both draw them on the host with the same initialisers.
        float[] gpu = new float[count];
        c.Gpu.CopyParametersTo(gpu);
        Assert.True(c.Cpu.Parameters.SequenceEqual(gpu), $"{model}: the plan's initial parameters differ from the CPU model's");

        // Two SGD steps with momentum and weight decay on both. After each: the same loss (dropout masks of that
        // Step), and the same parameters (the optimizer state and the per-role decay); after the first, the same
        // gradients (SGD reads them and leaves them in place).
        var sgd = new Sgd(0.01f, momentum: 0.9f, weightDecay: 1e-4f);
        float first = 0f;
        for (int step = 0; step < 2; step++)
        {
            float cpuLoss = c.CpuTrainStep(ref sgd);
            c.GpuTrainStep(sgd);
            float gpuLoss = c.Gpu.ReadLoss();
            Assert.True(float.IsFinite(cpuLoss) && cpuLoss > 0f, $"{model}: CPU loss {cpuLoss}");
            AssertLossClose($"{model} step {step}", cpuLoss, gpuLoss);
            if (step == 0)
            {
                first = gpuLoss;
                c.Gpu.CopyGradientsTo(gpu);
                AssertTensorsClose(model, "gradient", c.Cpu.Tensors, c.Cpu.Gradients, gpu);
            }
            c.Gpu.CopyParametersTo(gpu);
            AssertTensorsClose(model, $"parameter after step {step + 1}", c.Cpu.Tensors, c.Cpu.Parameters, gpu);
        }
        Assert.Equal(c.Cpu.Step, c.Gpu.Step);

        // The loss fell: the first batch's loss again, with the first step's dropout masks, after two updates.
        c.Gpu.Step = 0;
        c.GpuComputeLoss();
        float after = c.Gpu.ReadLoss();
        Assert.True(after < first, $"{model}: the loss went from {first} to {after} in 2 steps");

        // Inference, after training.
        var expected = new float[c.Batch * c.OutputLength];
        var actual = new float[expected.Length];
        c.CpuPredict(expected);
        c.GpuPredict(actual);
        AssertClose(model, "prediction", expected, actual);
        output.WriteLine($"{model}: loss {first} -> {after}, {clock.ElapsedMilliseconds} ms");
    }

    /// <summary>Same initial parameters (both drawn on the host), one backward's loss and every gradient, and the predictions. Returns the loss.</summary>
    internal static float AssertGradientsAndPredictionsMatch(PlanCase c)
    {
        string model = c.Name;
        float[] gpu = new float[c.Cpu.Parameters.Length];
        c.Gpu.CopyParametersTo(gpu);
        Assert.True(c.Cpu.Parameters.SequenceEqual(gpu), $"{model}: the plan's initial parameters differ from the CPU model's");

        float cpuLoss = c.CpuComputeGradients();
        c.GpuComputeGradients();
        float gpuLoss = c.Gpu.ReadLoss();
        Assert.True(float.IsFinite(cpuLoss) && cpuLoss != 0f, $"{model}: CPU loss {cpuLoss}");
        AssertLossClose(model, cpuLoss, gpuLoss);
        c.Gpu.CopyGradientsTo(gpu);
        AssertTensorsClose(model, "gradient", c.Cpu.Tensors, c.Cpu.Gradients, gpu);

        var expected = new float[c.Batch * c.OutputLength];
        var actual = new float[expected.Length];
        c.CpuPredict(expected);
        c.GpuPredict(actual);
        AssertClose(model, "prediction", expected, actual);
        return cpuLoss;
    }

    private static void AssertLossClose(string where, float expected, float actual) =>
        Assert.True(PlanComparison.LossError(expected, actual) <= Tolerance, $"{where}: GPU loss {actual}, CPU loss {expected}");

    /// <summary>Each tensor within <see cref="Tolerance"/> by the rule `deepnotes-gpu check` applies (<see cref="Deviation.OfTensors"/>).</summary>
    private static void AssertTensorsClose(string model, string what, ReadOnlySpan<TensorInfo> tensors, ReadOnlySpan<float> expected, float[] actual)
    {
        foreach ((string tensor, Deviation d) in Deviation.OfTensors(tensors, expected, actual))
            AssertWithin($"{model} {tensor}", what, d);
    }

    private static void AssertClose(string where, string what, ReadOnlySpan<float> expected, ReadOnlySpan<float> actual)
        => AssertWithin(where, what, Deviation.Of(expected, actual));

    private static void AssertWithin(string where, string what, Deviation d)
    {
        if (!d.Within(Tolerance))
            Assert.Fail($"{where}: {what} {d.Index} is {d.Actual} on the GPU and {d.Expected} on the CPU "
                + $"(difference {d.Difference:g3}, limit {Tolerance * d.Scale + Deviation.AbsoluteSlack:g3}, largest magnitude {d.Scale:g3})");
    }
}
