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
    private const ulong Seed = 7;
    private const double Tolerance = 1e-4;

    /// <summary>The models with a plan tested here, with the batch each runs at.</summary>
    public static TheoryData<string> Models() =>
    [
        "Mlp", "Perceptron", "SoftmaxRegression", "LinearRegression", "BookMlp", "Mlp256x128",
        "LeNet5", "LeNet5Classic", "SelfAttention", "AutoEncoder", "DropoutMlp", "BookDropoutMlp",
        "SkipGram", "Cbow", "Nin", "ResNet", "TransformerEncoderBlock", "Seq2Seq",
    ];

    internal static PlanCase Create(string name, GpuDevice device)
    {
        switch (name)
        {
            case "Mlp": return Digits(name, 4, b => Mlp.Create(b, Seed), b => Mlp.GpuPlan.Create(device, b, Seed));
            case "SoftmaxRegression": return Digits(name, 4, b => SoftmaxRegression.Create(b, Seed), b => SoftmaxRegression.GpuPlan.Create(device, b, Seed));
            case "BookMlp": return Digits(name, 4, b => BookMlp.Create(b, Seed), b => BookMlp.GpuPlan.Create(device, b, Seed));
            case "Mlp256x128": return Digits(name, 4, b => Mlp256x128.Create(b, Seed), b => Mlp256x128.GpuPlan.Create(device, b, Seed));
            case "LeNet5": return Digits(name, 2, b => LeNet5.Create(b, Seed), b => LeNet5.GpuPlan.Create(device, b, Seed));
            case "LeNet5Classic": return Digits(name, 2, b => LeNet5Classic.Create(b, Seed), b => LeNet5Classic.GpuPlan.Create(device, b, Seed));
            case "DropoutMlp": return Digits(name, 4, b => DropoutMlp.Create(b, Seed), b => DropoutMlp.GpuPlan.Create(device, b, Seed));
            case "BookDropoutMlp": return Digits(name, 4, b => BookDropoutMlp.Create(b, Seed), b => BookDropoutMlp.GpuPlan.Create(device, b, Seed));
            case "Nin": return Digits(name, 1, b => Nin.Create(b, Seed), b => Nin.GpuPlan.Create(device, b, Seed));
            case "ResNet": return Digits(name, 1, b => ResNet.Create(b, Seed), b => ResNet.GpuPlan.Create(device, b, Seed));
            case "AlexNet":
            {
                const int b = 1;
                return new ClassifierCase(name, AlexNet.Create(b, Seed), AlexNet.GpuPlan.Create(device, b, Seed),
                    PlanData.Random(b * AlexNet.InputSize, 11), PlanData.Ints(b, 10, 12), b);
            }
            case "Perceptron":
            {
                const int b = 4;
                (float[] images, int[] labels) = PlanData.Digits(b);
                return new RegressorCase(name, Perceptron.Create(b, Seed), Perceptron.GpuPlan.Create(device, b, Seed), images, PlanData.OneHot(labels, 10), b);
            }
            case "AutoEncoder":
            {
                const int b = 4;
                (float[] images, _) = PlanData.Digits(b);
                return new RegressorCase(name, AutoEncoder.Create(b, Seed), AutoEncoder.GpuPlan.Create(device, b, Seed), images, images, b);
            }
            case "LinearRegression":
            {
                const int b = 4;
                return new RegressorCase(name, LinearRegression.Create(b, Seed), LinearRegression.GpuPlan.Create(device, b, Seed),
                    PlanData.Random(b * LinearRegression.InputSize, 1), PlanData.Random(b * LinearRegression.TargetSize, 2), b);
            }
            case "SelfAttention":
            {
                const int b = 1;
                return new RegressorCase(name, SelfAttention.Create(b, Seed), SelfAttention.GpuPlan.Create(device, b, Seed),
                    PlanData.Random(b * SelfAttention.InputSize, 3), PlanData.Random(b * SelfAttention.TargetSize, 4, 0.5f), b);
            }
            case "SkipGram":
            {
                const int b = 4;
                var labels = new float[b * SkipGram.TargetSize];
                for (int r = 0; r < b; r++) labels[r * SkipGram.TargetSize] = 1f;
                // Token ids from a small range, so rows repeat across the batch (the scatter-add must add, not overwrite).
                return new SkipGramCase(SkipGram.Create(b, Seed), SkipGram.GpuPlan.Create(device, b, Seed),
                    PlanData.Ints(b * SkipGram.CenterSize, 20, 5), PlanData.Ints(b * SkipGram.ContextsSize, 20, 6), labels, b);
            }
            case "Cbow":
            {
                const int b = 4;
                var labels = new float[b * Cbow.TargetSize];
                for (int r = 0; r < b; r++) labels[r * Cbow.TargetSize] = 1f;
                var mask = new float[b * Cbow.ContextMaskSize];
                for (int i = 0; i < mask.Length; i++) mask[i] = i % 7 == 3 ? 0f : 1f; // some padded context slots
                return new CbowCase(Cbow.Create(b, Seed), Cbow.GpuPlan.Create(device, b, Seed),
                    PlanData.Ints(b * Cbow.ContextsSize, 20, 7), mask, PlanData.Ints(b * Cbow.TargetsSize, 20, 8), labels, b);
            }
            case "TransformerEncoderBlock":
            {
                const int b = 3, n = TransformerEncoderBlock.Length;
                // Sequences of 8, 5 and 3 tokens: padded key columns the masked softmax and the masked mean must skip.
                int[] lengths = [n, 5, 3];
                var mask = new float[b * n];
                for (int r = 0; r < b; r++)
                    for (int t = 0; t < lengths[r]; t++) mask[r * n + t] = 1f;
                return new TransformerEncoderBlockCase(TransformerEncoderBlock.Create(b, Seed), TransformerEncoderBlock.GpuPlan.Create(device, b, Seed),
                    PlanData.Ints(b * n, TransformerEncoderBlock.Vocabulary, 9), mask, PlanData.Ints(b, TransformerEncoderBlock.Classes, 10), b);
            }
            case "Seq2Seq":
            {
                const int b = 2, n = Seq2Seq.Length;
                // The task the model ships for: the target is the source reversed; the decoder reads it shifted right after Start.
                int[] source = PlanData.Ints(b * n, Seq2Seq.Symbols, 13), target = new int[b * n], shifted = new int[b * n];
                for (int r = 0; r < b; r++)
                    for (int t = 0; t < n; t++)
                    {
                        target[r * n + t] = source[r * n + n - 1 - t];
                        shifted[r * n + t] = t == 0 ? Seq2Seq.Start : source[r * n + n - t];
                    }
                return new Seq2SeqCase(Seq2Seq.Create(b, Seed), Seq2Seq.GpuPlan.Create(device, b, Seed), source, shifted, target, b);
            }
            default: throw new ArgumentException("no test case for " + name, nameof(name));
        }
    }

    private static ClassifierCase Digits(string name, int batch, Func<int, IClassifier> cpu, Func<int, IGpuClassifier> gpu)
    {
        (float[] images, int[] labels) = PlanData.Digits(batch);
        return new ClassifierCase(name, cpu(batch), gpu(batch), images, labels, batch);
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void Plan_matches_the_cpu_and_trains(string model)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        using PlanCase c = Create(model, fixture.Device);
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
        Assert.True(Math.Abs(actual - expected) <= Tolerance * Math.Abs(expected), $"{where}: GPU loss {actual}, CPU loss {expected}");

    /// <summary>
    /// Each tensor to <see cref="Tolerance"/> of its largest magnitude on the CPU, but never of less than a hundredth
    /// of the model's largest: a tensor whose true gradient is 0 (a Linear bias before a batch norm) holds only
    /// rounding noise, which a different summation order changes entirely.
    /// </summary>
    private static void AssertTensorsClose(string model, string what, ReadOnlySpan<TensorInfo> tensors, ReadOnlySpan<float> expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        float largest = 0f;
        foreach (float v in expected) largest = Math.Max(largest, Math.Abs(v));
        foreach (TensorInfo t in tensors)
        {
            int length = 1;
            foreach (int d in t.Shape) length *= d;
            AssertClose($"{model} {t.Name}", what, expected.Slice(t.Offset, length), actual.AsSpan(t.Offset, length), 0.01f * largest);
        }
    }

    private static void AssertClose(string where, string what, ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, float floor = 0f)
    {
        Assert.Equal(expected.Length, actual.Length);
        float scale = floor;
        foreach (float v in expected) scale = Math.Max(scale, Math.Abs(v));
        double limit = Tolerance * scale + 1e-7;
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(float.IsFinite(actual[i]), $"{where}: {what} {i} is {actual[i]}");
            if (Math.Abs(actual[i] - expected[i]) > limit)
                Assert.Fail($"{where}: {what} {i} is {actual[i]} on the GPU and {expected[i]} on the CPU (limit {limit:g3}, largest magnitude {scale:g3})");
        }
    }
}
