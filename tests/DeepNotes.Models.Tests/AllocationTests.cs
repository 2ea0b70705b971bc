namespace DeepNotes.Models.Tests;

[CollectionDefinition(nameof(AllocationTests), DisableParallelization = true)]
public sealed class AllocationCollection;

/// <summary>
/// After warm-up, 100 training steps and 100 predictions allocate nothing: not on the calling
/// thread, and not anywhere in the process. The process-wide count runs in a child process (this
/// test assembly's own Main, <see cref="AllocationProbe"/>), because the test host's threads
/// allocate while they report results and would be counted too.
/// </summary>
[Collection(nameof(AllocationTests))]
public class AllocationTests
{
    private static void AssertNoAllocation(Action step)
    {
        // A step that allocates shows in every window; a one-off on this thread that is not the step's
        // (seen once in a full parallel run, 5 KB, never reproduced alone) does not fail the test.
        long bytes = 0;
        for (int window = 0; window < 3; window++)
        {
            (bytes, _) = AllocationProbe.Measure(step); // process-wide totals: see ProcessWide
            if (bytes == 0) return;
        }
        Assert.Fail($"every window of 100 steps allocated on this thread, the last {bytes} bytes");
    }

    private static void Classifier<T>() where T : IClassifier, IModelFactory<T>
    {
        (Action train, Action predict) = AllocationProbe.ClassifierSteps<T>();
        AssertNoAllocation(train);
        AssertNoAllocation(predict);
    }

    [Fact] public void Mlp() => Classifier<DeepNotes.Models.Mlp>();
    [Fact] public void DropoutMlp() => Classifier<DeepNotes.Models.DropoutMlp>();
    [Fact] public void SoftmaxRegression() => Classifier<DeepNotes.Models.SoftmaxRegression>();
    [Fact] public void MatMulAndBroadcastOps() => Classifier<MatMulNet>();

    [Fact] public void LeNet5WithAugmentation() => AssertNoAllocation(AllocationProbe.AugmentedLeNetLoop());
    [Fact] public void ResNetWithBatchNormAndBlocks() => Classifier<DeepNotes.Models.ResNet>();

    [Fact]
    public void SkipGram()
    {
        (Action train, Action predict) = AllocationProbe.SkipGramSteps();
        AssertNoAllocation(train);
        AssertNoAllocation(predict);
    }

    [Fact]
    public void Cbow()
    {
        (Action train, Action predict) = AllocationProbe.CbowSteps();
        AssertNoAllocation(train);
        AssertNoAllocation(predict);
    }

    [Fact]
    public void PerceptronWithOneHotTargetsAndBatcher() => AssertNoAllocation(AllocationProbe.PerceptronLoop());

    [Fact]
    public void AutoEncoderWithItsInputAsTarget()
    {
        (Action train, Action predict) = AllocationProbe.AutoEncoderSteps();
        AssertNoAllocation(train);
        AssertNoAllocation(predict);
    }

    [Fact]
    public void RegressorWithBroadcasting()
    {
        var model = BroadcastNet.Create(16, 1);
        float[] x = TestData.Random(16 * 8, 2), t = TestData.Random(16 * 8, 3);
        var sgd = new Sgd(0.01f);
        AssertNoAllocation(() => model.TrainStep(x, t, 16, ref sgd));
    }

    [Fact]
    public void SelfAttentionModel()
    {
        var model = DeepNotes.Models.SelfAttention.Create(4, 1);
        float[] x = TestData.Random(4 * DeepNotes.Models.SelfAttention.InputSize, 2);
        float[] t = TestData.Random(4 * DeepNotes.Models.SelfAttention.TargetSize, 3);
        float[] y = new float[4 * DeepNotes.Models.SelfAttention.OutputSize];
        var sgd = new Sgd(0.01f);
        AssertNoAllocation(() => model.TrainStep(x, t, 4, ref sgd));
        AssertNoAllocation(() => model.Predict(x, y, 4));
    }

    [Fact]
    public void LayoutOpsLayerNormAndCausalSoftmax()
    {
        var heads = MultiHeadNet.Create(8, 1);
        float[] x = TestData.Random(8 * MultiHeadNet.InputSize, 2), t = TestData.Random(8 * MultiHeadNet.TargetSize, 3);
        var sgd = new Sgd(0.01f);
        AssertNoAllocation(() => heads.TrainStep(x, t, 8, ref sgd));
        var norm = LayerNormNet.Create(8, 1);
        float[] xn = TestData.Random(8 * LayerNormNet.InputSize, 4), tn = TestData.Random(8 * LayerNormNet.TargetSize, 5);
        AssertNoAllocation(() => norm.TrainStep(xn, tn, 8, ref sgd));
    }

    [Fact]
    public void TransformerEncoderBlockWithPaddingMask()
    {
        const int batch = 8, n = TransformerEncoderBlock.Length;
        var model = TransformerEncoderBlock.Create(batch, 1);
        int[] tokens = TestData.RandomLabels(batch * n, TransformerEncoderBlock.Vocabulary, 2), labels = TestData.RandomLabels(batch, 2, 3);
        float[] mask = Enumerable.Range(0, batch * n).Select(i => i % n < 3 + i / n % 5 ? 1f : 0f).ToArray(), y = new float[batch * 2];
        var sgd = new Sgd(0.01f, momentum: 0.9f);
        AssertNoAllocation(() => model.TrainStep(tokens, mask, labels, batch, ref sgd));
        AssertNoAllocation(() => model.Predict(tokens, mask, y, batch));
    }

    [Fact]
    public void Seq2SeqWithPerPositionLabels()
    {
        const int batch = 8, n = Seq2Seq.Length;
        var model = Seq2Seq.Create(batch, 1);
        int[] source = TestData.RandomLabels(batch * n, Seq2Seq.Symbols, 2), shifted = TestData.RandomLabels(batch * n, Seq2Seq.Symbols + 1, 3);
        int[] target = TestData.RandomLabels(batch * n, Seq2Seq.Symbols, 4);
        float[] y = new float[batch * Seq2Seq.OutputSize];
        var sgd = new Sgd(0.01f, momentum: 0.9f);
        AssertNoAllocation(() => model.TrainStep(source, shifted, target, batch, ref sgd));
        AssertNoAllocation(() => model.Predict(source, shifted, y, batch));
    }

    [Theory]
    [InlineData("mlp")]
    [InlineData("dropout-mlp")]
    [InlineData("perceptron")]
    [InlineData("lenet-augmented")]
    [InlineData("lenet")]
    [InlineData("autoencoder")]
    [InlineData("skipgram")]
    [InlineData("cbow")]
    public void ProcessWide(string workload)
    {
        string host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } h ? h : "dotnet";
        var start = new System.Diagnostics.ProcessStartInfo(host)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string arg in new[] { "exec", typeof(AllocationProbe).Assembly.Location, "alloc-probe", workload }) start.ArgumentList.Add(arg);
        // Two threads whatever the machine: the kernels split across the worker pool, whose threads count too.
        start.Environment[Parallelism.EnvironmentVariable] = "2";
        using var process = System.Diagnostics.Process.Start(start)!;
        string stdout = process.StandardOutput.ReadToEnd();
        string stderr = process.StandardError.ReadToEnd();
        Assert.True(process.WaitForExit(120_000), "the probe did not finish");
        Assert.True(process.ExitCode == 0, $"probe failed ({process.ExitCode}): {stdout}\n{stderr}");
        // One line per measured loop: "<what> thread=<bytes> process=<bytes>"
        string[] lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.NotEmpty(lines);
        foreach (string line in lines) Assert.EndsWith("thread=0 process=0", line.Trim());
    }
}
