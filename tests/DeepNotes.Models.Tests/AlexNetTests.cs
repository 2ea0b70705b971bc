using System.IO;

namespace DeepNotes.Models.Tests;

/// <summary>
/// AlexNet at full size (1×224×224, 46.8M parameters): one training step at batch 8 allocates
/// nothing, and the loss falls over a few dozen steps on real images resized to 224×224.
/// Slow (about half a second a step on two cores), so the step counts are small.
/// </summary>
[Collection(nameof(AllocationTests))]
public class AlexNetTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private const string FashionDirectory = "/usr/share/datasets/fashion-mnist";

    /// <summary>The first <paramref name="count"/> training images of Fashion-MNIST (the shipped digits when it is not installed), resized to 224×224.</summary>
    private static (float[] Images, int[] Labels, string Source) Images224(int count)
    {
        ImageDataset data = Directory.Exists(FashionDirectory)
            ? ImageDataset.LoadIdxDirectory(FashionDirectory, train: true).Slice(0, count)
            : TestData.Train.Slice(0, count);
        var images = new float[count * 224 * 224];
        Resize.Bilinear(images, data.Features, count, 1, 28, 28, 224, 224);
        return (images, data.Labels.ToArray(), Directory.Exists(FashionDirectory) ? "Fashion-MNIST" : "shipped MNIST digits");
    }

    [Fact]
    public void OneFullSizeTrainingStepAtBatch8AllocatesNothing()
    {
        var model = AlexNet.Create(8, seed: 1);
        (float[] x, int[] y, _) = Images224(8);
        var sgd = new Sgd(0.01f, momentum: 0.9f);
        for (int i = 0; i < 2; i++) model.TrainStep(x, y, 8, ref sgd); // warm-up
        long before = GC.GetAllocatedBytesForCurrentThread();
        float loss = model.TrainStep(x, y, 8, ref sgd);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.True(float.IsFinite(loss));
    }

    [Fact]
    public void GradientsMatchFiniteDifferences()
    {
        // Full size, so only a few parameters are checked (each check is two forward passes),
        // always including the largest gradients; the step is small because of ReLU and max-pool kinks.
        var model = AlexNet.Create(2, seed: 3);
        (float[] x, int[] y, _) = Images224(2);
        GradientCheck.Run(model, () => model.ComputeGradients(x, y, 2), () => model.ComputeLoss(x, y, 2),
            samples: 12, epsilon: 2e-4f, absTolerance: 2e-3f);
    }

    [Fact]
    public void LossFallsOverAFewDozenSteps()
    {
        const int batch = 8, pool = 16, steps = 30; // two batches, visited 15 times each: it must fit them
        var model = AlexNet.Create(batch, seed: 2);
        (float[] x, int[] y, string source) = Images224(pool);
        var sgd = new Sgd(0.03f, momentum: 0.9f);
        var losses = new List<float>();
        for (int step = 0; step < steps; step++)
        {
            int start = step * batch % pool;
            losses.Add(model.TrainStep(x.AsSpan(start * 224 * 224, batch * 224 * 224), y.AsSpan(start, batch), batch, ref sgd));
        }
        double first = losses.Take(8).Average(), last = losses.Skip(steps - 8).Average();
        output.WriteLine($"{source}: mean loss of the first 8 steps {first:F3}, of the last 8 {last:F3}");
        Assert.True(last < first * 0.9, $"loss did not fall: {first:F3} → {last:F3}");

        MemoryReport memory = model.Memory;
        output.WriteLine($"arena at batch 8: {memory.ArenaBytes(8) / 1e6:F1} MB; every intermediate kept: {memory.IntermediateBytes(8) / 1e6:F1} MB");
    }
}
