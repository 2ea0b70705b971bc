using System.IO;

namespace DeepNotes.Models.Tests;

/// <summary>The real digits shipped in data/, loaded once; the first 8,000 train, the last 2,000 are held out.</summary>
internal static class TestData
{
    private static readonly Lazy<ImageDataset> s_all = new(() => ImageDataset.LoadMnistShipped(Path.Combine(RepoRoot(), "data")));

    public static ImageDataset All => s_all.Value;
    public static ImageDataset Train => All.Slice(0, 8000);
    public static ImageDataset HeldOut => All.Slice(8000, 2000);

    public static string RepoRoot()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "DeepNotes.sln"))) return dir.FullName;
        throw new InvalidOperationException("DeepNotes.sln not found above " + AppContext.BaseDirectory);
    }

    /// <summary>Deterministic values in [-scale, scale).</summary>
    public static float[] Random(int count, ulong seed, float scale = 1f)
    {
        var values = new float[count];
        for (int i = 0; i < count; i++) values[i] = (2f * CounterRng.Uniform(seed, 99, (ulong)i) - 1f) * scale;
        return values;
    }

    public static int[] RandomLabels(int count, int classes, ulong seed)
    {
        var labels = new int[count];
        for (int i = 0; i < count; i++) labels[i] = CounterRng.NextInt(seed, 98, (ulong)i, classes);
        return labels;
    }

    /// <summary>Fraction of rows whose arg-max output equals the label.</summary>
    public static double Accuracy(IModel model, ImageDataset data)
    {
        int batch = model.MaxBatch;
        var output = new float[batch * model.OutputLength];
        int correct = 0;
        for (int start = 0; start < data.Count; start += batch)
        {
            int n = Math.Min(batch, data.Count - start);
            model.Predict(data.Features.Slice(start * data.FeatureSize, n * data.FeatureSize), output, n);
            for (int r = 0; r < n; r++)
            {
                ReadOnlySpan<float> row = output.AsSpan(r * model.OutputLength, model.OutputLength);
                int best = 0;
                for (int c = 1; c < row.Length; c++) if (row[c] > row[best]) best = c;
                if (best == data.Labels[start + r]) correct++;
            }
        }
        return (double)correct / data.Count;
    }
}
