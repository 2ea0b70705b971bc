using System;
using System.IO;
using DeepNotes.Gpu;

namespace DeepNotes.Models;

/// <summary>
/// One model's CPU code and GPU plan side by side on one batch, behind one shape: the tests below run every
/// shipped model through it. Both sides come from DeepNotes.Models.Gpu (the same generated class).
/// </summary>
internal abstract class PlanCase : IDisposable
{
    protected PlanCase(string name, int batch) { Name = name; Batch = batch; }

    public string Name { get; }
    public int Batch { get; }
    public abstract IGeneratedModel Cpu { get; }
    public abstract IGpuPlan Gpu { get; }
    public abstract int OutputLength { get; }

    public abstract float CpuComputeGradients();
    public abstract void GpuComputeGradients();
    public abstract float CpuComputeLoss();
    public abstract void GpuComputeLoss();
    public abstract float CpuTrainStep(ref Sgd optimizer);
    public abstract void GpuTrainStep(Sgd optimizer);
    public abstract void CpuPredict(Span<float> output);
    public abstract void GpuPredict(Span<float> output);

    public override string ToString() => Name;

    public void Dispose() => Gpu.Dispose();
}

/// <summary>A model with one float input and class labels.</summary>
internal sealed class ClassifierCase(string name, IClassifier cpu, IGpuClassifier gpu, float[] input, int[] labels, int batch) : PlanCase(name, batch)
{
    public override IGeneratedModel Cpu => cpu;
    public override IGpuPlan Gpu => gpu;
    public override int OutputLength => cpu.OutputLength;
    public override float CpuComputeGradients() => cpu.ComputeGradients(input, labels, Batch);
    public override void GpuComputeGradients() => gpu.ComputeGradients(input, labels, Batch);
    public override float CpuComputeLoss() => cpu.ComputeLoss(input, labels, Batch);
    public override void GpuComputeLoss() => gpu.ComputeLoss(input, labels, Batch);
    public override float CpuTrainStep(ref Sgd optimizer) => cpu.TrainStep(input, labels, Batch, ref optimizer);
    public override void GpuTrainStep(Sgd optimizer) => gpu.TrainStep(input, labels, Batch, optimizer);
    public override void CpuPredict(Span<float> output) => cpu.Predict(input, output, Batch);
    public override void GpuPredict(Span<float> output) => gpu.Predict(input, output, Batch);
}

/// <summary>A model with one float input and real-valued targets.</summary>
internal sealed class RegressorCase(string name, IRegressor cpu, IGpuRegressor gpu, float[] input, float[] targets, int batch) : PlanCase(name, batch)
{
    public override IGeneratedModel Cpu => cpu;
    public override IGpuPlan Gpu => gpu;
    public override int OutputLength => cpu.OutputLength;
    public override float CpuComputeGradients() => cpu.ComputeGradients(input, targets, Batch);
    public override void GpuComputeGradients() => gpu.ComputeGradients(input, targets, Batch);
    public override float CpuComputeLoss() => cpu.ComputeLoss(input, targets, Batch);
    public override void GpuComputeLoss() => gpu.ComputeLoss(input, targets, Batch);
    public override float CpuTrainStep(ref Sgd optimizer) => cpu.TrainStep(input, targets, Batch, ref optimizer);
    public override void GpuTrainStep(Sgd optimizer) => gpu.TrainStep(input, targets, Batch, optimizer);
    public override void CpuPredict(Span<float> output) => cpu.Predict(input, output, Batch);
    public override void GpuPredict(Span<float> output) => gpu.Predict(input, output, Batch);
}

/// <summary>word2vec's skip-gram: token inputs, so its own method shapes.</summary>
internal sealed class SkipGramCase(SkipGram cpu, SkipGram.GpuPlan gpu, int[] centers, int[] contexts, float[] labels, int batch) : PlanCase("SkipGram", batch)
{
    public override IGeneratedModel Cpu => cpu;
    public override IGpuPlan Gpu => gpu;
    public override int OutputLength => cpu.OutputLength;
    public override float CpuComputeGradients() => cpu.ComputeGradients(centers, contexts, labels, Batch);
    public override void GpuComputeGradients() => gpu.ComputeGradients(centers, contexts, labels, Batch);
    public override float CpuComputeLoss() => cpu.ComputeLoss(centers, contexts, labels, Batch);
    public override void GpuComputeLoss() => gpu.ComputeLoss(centers, contexts, labels, Batch);
    public override float CpuTrainStep(ref Sgd optimizer) => cpu.TrainStep(centers, contexts, labels, Batch, ref optimizer);
    public override void GpuTrainStep(Sgd optimizer) => gpu.TrainStep(centers, contexts, labels, Batch, optimizer);
    public override void CpuPredict(Span<float> output) => cpu.Predict(centers, contexts, output, Batch);
    public override void GpuPredict(Span<float> output) => gpu.Predict(centers, contexts, output, Batch);
}

/// <summary>word2vec's CBOW: a bag of context tokens with a mask, and candidate targets.</summary>
internal sealed class CbowCase(Cbow cpu, Cbow.GpuPlan gpu, int[] contexts, float[] mask, int[] targets, float[] labels, int batch) : PlanCase("Cbow", batch)
{
    public override IGeneratedModel Cpu => cpu;
    public override IGpuPlan Gpu => gpu;
    public override int OutputLength => cpu.OutputLength;
    public override float CpuComputeGradients() => cpu.ComputeGradients(contexts, mask, targets, labels, Batch);
    public override void GpuComputeGradients() => gpu.ComputeGradients(contexts, mask, targets, labels, Batch);
    public override float CpuComputeLoss() => cpu.ComputeLoss(contexts, mask, targets, labels, Batch);
    public override void GpuComputeLoss() => gpu.ComputeLoss(contexts, mask, targets, labels, Batch);
    public override float CpuTrainStep(ref Sgd optimizer) => cpu.TrainStep(contexts, mask, targets, labels, Batch, ref optimizer);
    public override void GpuTrainStep(Sgd optimizer) => gpu.TrainStep(contexts, mask, targets, labels, Batch, optimizer);
    public override void CpuPredict(Span<float> output) => cpu.Predict(contexts, mask, targets, output, Batch);
    public override void GpuPredict(Span<float> output) => gpu.Predict(contexts, mask, targets, output, Batch);
}

/// <summary>The encoder-decoder: source and shifted-target tokens, one label per target position.</summary>
internal sealed class Seq2SeqCase(Seq2Seq cpu, Seq2Seq.GpuPlan gpu, int[] source, int[] shifted, int[] target, int batch) : PlanCase("Seq2Seq", batch)
{
    public override IGeneratedModel Cpu => cpu;
    public override IGpuPlan Gpu => gpu;
    public override int OutputLength => cpu.OutputLength;
    public override float CpuComputeGradients() => cpu.ComputeGradients(source, shifted, target, Batch);
    public override void GpuComputeGradients() => gpu.ComputeGradients(source, shifted, target, Batch);
    public override float CpuComputeLoss() => cpu.ComputeLoss(source, shifted, target, Batch);
    public override void GpuComputeLoss() => gpu.ComputeLoss(source, shifted, target, Batch);
    public override float CpuTrainStep(ref Sgd optimizer) => cpu.TrainStep(source, shifted, target, Batch, ref optimizer);
    public override void GpuTrainStep(Sgd optimizer) => gpu.TrainStep(source, shifted, target, Batch, optimizer);
    public override void CpuPredict(Span<float> output) => cpu.Predict(source, shifted, output, Batch);
    public override void GpuPredict(Span<float> output) => gpu.Predict(source, shifted, output, Batch);
}

/// <summary>The encoder block classifier: tokens with a key-padding mask, one label per sequence.</summary>
internal sealed class TransformerEncoderBlockCase(TransformerEncoderBlock cpu, TransformerEncoderBlock.GpuPlan gpu, int[] tokens, float[] mask, int[] labels, int batch)
    : PlanCase("TransformerEncoderBlock", batch)
{
    public override IGeneratedModel Cpu => cpu;
    public override IGpuPlan Gpu => gpu;
    public override int OutputLength => cpu.OutputLength;
    public override float CpuComputeGradients() => cpu.ComputeGradients(tokens, mask, labels, Batch);
    public override void GpuComputeGradients() => gpu.ComputeGradients(tokens, mask, labels, Batch);
    public override float CpuComputeLoss() => cpu.ComputeLoss(tokens, mask, labels, Batch);
    public override void GpuComputeLoss() => gpu.ComputeLoss(tokens, mask, labels, Batch);
    public override float CpuTrainStep(ref Sgd optimizer) => cpu.TrainStep(tokens, mask, labels, Batch, ref optimizer);
    public override void GpuTrainStep(Sgd optimizer) => gpu.TrainStep(tokens, mask, labels, Batch, optimizer);
    public override void CpuPredict(Span<float> output) => cpu.Predict(tokens, mask, output, Batch);
    public override void GpuPredict(Span<float> output) => gpu.Predict(tokens, mask, output, Batch);
}

/// <summary>
/// Every shipped model as a <see cref="PlanCase"/> at a small batch with inputs it can learn from: the GPU tests and
/// <c>deepnotes-gpu check</c> both run these.
/// </summary>
internal static class PlanCases
{
    public const ulong Seed = 7;

    /// <summary>The shipped models, in the order they are checked.</summary>
    public static readonly string[] Names =
    [
        "Mlp", "Perceptron", "SoftmaxRegression", "LinearRegression", "BookMlp", "Mlp256x128",
        "LeNet5", "LeNet5Classic", "SelfAttention", "AutoEncoder", "DropoutMlp", "BookDropoutMlp",
        "SkipGram", "Cbow", "Nin", "ResNet", "TransformerEncoderBlock", "Seq2Seq", "AlexNet",
    ];

    public static PlanCase Create(string name, GpuDevice device)
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
}

/// <summary>Test inputs: the shipped digits for the vision models, deterministic random values for the rest.</summary>
internal static class PlanData
{
    private static readonly Lazy<ImageDataset> s_digits = new(() => ImageDataset.LoadMnistShipped(Path.Combine(RepoRoot(), "data")));

    public static string RepoRoot()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "DeepNotes.sln"))) return dir.FullName;
        throw new InvalidOperationException("DeepNotes.sln not found above " + AppContext.BaseDirectory);
    }

    /// <summary>The first <paramref name="batch"/> digits (784 floats each) and their labels.</summary>
    public static (float[] Images, int[] Labels) Digits(int batch)
    {
        ImageDataset all = s_digits.Value;
        return (all.Features.Slice(0, batch * all.FeatureSize).ToArray(), all.Labels.Slice(0, batch).ToArray());
    }

    /// <summary>Deterministic values in [-scale, scale).</summary>
    public static float[] Random(int count, ulong seed, float scale = 1f)
    {
        var values = new float[count];
        for (int i = 0; i < count; i++) values[i] = (2f * CounterRng.Uniform(seed, 77, (ulong)i) - 1f) * scale;
        return values;
    }

    public static int[] Ints(int count, int limit, ulong seed)
    {
        var values = new int[count];
        for (int i = 0; i < count; i++) values[i] = CounterRng.NextInt(seed, 78, (ulong)i, limit);
        return values;
    }

    public static float[] OneHot(int[] labels, int classes)
    {
        var values = new float[labels.Length * classes];
        for (int r = 0; r < labels.Length; r++) values[r * classes + labels[r]] = 1f;
        return values;
    }
}
