using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using DeepNotes.Models;

namespace DeepNotes.Gpu.Cli;

/// <summary>
/// <c>deepnotes-gpu train mlp|lenet</c>: mini-batch SGD on the device over the shipped digits (the first 8,000
/// train, the last 2,000 held out, as <c>deepnotes train</c>). The step loop launches and never waits; the loss is
/// read once per epoch (the last batch's) and the held-out accuracy comes from the plan's Predict.
/// </summary>
internal static class TrainCommand
{
    private const int TrainCount = 8000;

    public static int Run(Options options)
    {
        string name = options.Argument ?? throw new UsageException("train needs a model: mlp or lenet");
        (float lr, int defaultBatch) = name switch
        {
            "mlp" => (0.1f, 256),
            "lenet" => (0.9f, 256),
            _ => throw new UsageException($"no GPU training for '{name}': mlp or lenet"),
        };
        int epochs = options.Int("--epochs", 10);
        int batch = options.Int("--batch", defaultBatch);
        ulong seed = (ulong)options.Int("--seed", 0, min: 0);
        var sgd = new Sgd(options.Float("--lr", lr));

        ImageDataset all = ImageDataset.LoadMnistShipped(FindData());
        ImageDataset train = all.Slice(0, TrainCount), heldOut = all.Slice(TrainCount, all.Count - TrainCount);
        using GpuDevice device = options.OpenDevice();
        using IGpuClassifier plan = name == "mlp" ? Mlp.GpuPlan.Create(device, batch, seed) : LeNet5.GpuPlan.Create(device, batch, seed);
        var batcher = new MiniBatcher(train, batch, seed);
        float[] output = new float[batch * 10];
        Console.WriteLine($"training {name} on {device.Name}: {train.Count} digits, batch {batch}, lr {sgd.LearningRate.ToString(CultureInfo.InvariantCulture)}, {epochs} epochs");
        double accuracy = 0;
        for (int epoch = 0; epoch < epochs; epoch++)
        {
            long start = Stopwatch.GetTimestamp();
            batcher.StartEpoch(epoch);
            while (batcher.Next(out int rows)) plan.TrainStep(batcher.Features, batcher.Labels, rows, sgd);
            float loss = plan.ReadLoss();
            double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            accuracy = Accuracy(plan, heldOut, output, batch);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"epoch {epoch + 1,3}  last-batch loss {loss:F4}  held-out accuracy {accuracy:P2}  {train.Count / seconds:F0} examples/s"));
            if (!float.IsFinite(loss)) throw new UsageException($"the loss became {loss}: lower --lr");
        }
        return 0;
    }

    private static double Accuracy(IGpuClassifier plan, ImageDataset data, float[] output, int batch)
    {
        int correct = 0;
        for (int start = 0; start < data.Count; start += batch)
        {
            int rows = Math.Min(batch, data.Count - start);
            plan.Predict(data.Features.Slice(start * data.FeatureSize, rows * data.FeatureSize), output.AsSpan(0, rows * 10), rows);
            for (int r = 0; r < rows; r++)
            {
                ReadOnlySpan<float> z = output.AsSpan(r * 10, 10);
                int best = 0;
                for (int c = 1; c < 10; c++) if (z[c] > z[best]) best = c;
                if (best == data.GetLabel(start + r)) correct++;
            }
        }
        return (double)correct / data.Count;
    }

    /// <summary>The repository's data/ folder, found above the working directory or the program.</summary>
    private static string FindData()
    {
        foreach (string start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (DirectoryInfo? dir = new(Path.GetFullPath(start)); dir is not null; dir = dir.Parent)
            {
                string data = Path.Combine(dir.FullName, "data");
                if (File.Exists(Path.Combine(data, ImageDataset.ShippedImagesFile))) return data;
            }
        }
        throw new UsageException($"cannot find data/{ImageDataset.ShippedImagesFile} above '{Directory.GetCurrentDirectory()}' or '{AppContext.BaseDirectory}'");
    }
}
