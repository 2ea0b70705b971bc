using System.IO;
using DeepNotes.Models;

namespace DeepNotes.Gpu.Tests;

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
