using System.Linq;

namespace DeepNotes.Runtime.Tests;

public class MiniBatcherTests
{
    /// <summary>n examples of 3 features; example i has features (i, i + 0.25, i + 0.5) and label i % 7.</summary>
    private static ImageDataset Numbered(int n)
    {
        float[] f = new float[n * 3];
        int[] l = new int[n];
        for (int i = 0; i < n; i++)
        {
            f[3 * i] = i;
            f[3 * i + 1] = i + 0.25f;
            f[3 * i + 2] = i + 0.5f;
            l[i] = i % 7;
        }
        return new ImageDataset(f, l, 1, 3, 7);
    }

    private static List<int[]> Epoch(MiniBatcher batcher, int epoch)
    {
        List<int[]> batches = new();
        batcher.StartEpoch(epoch);
        while (batcher.Next(out int size))
        {
            Assert.Equal(size, batcher.Labels.Length);
            Assert.Equal(size * 3, batcher.Features.Length);
            int[] ids = new int[size];
            for (int b = 0; b < size; b++)
            {
                ids[b] = (int)batcher.Features[3 * b];
                Assert.Equal(ids[b], batcher.Indices[b]);
                Assert.Equal(ids[b] + 0.25f, batcher.Features[3 * b + 1]);
                Assert.Equal(ids[b] + 0.5f, batcher.Features[3 * b + 2]);
                Assert.Equal(ids[b] % 7, batcher.Labels[b]);
            }
            batches.Add(ids);
        }
        Assert.Equal(0, batcher.Labels.Length);
        return batches;
    }

    [Fact]
    public void EpochVisitsEveryExampleOnceWithSmallerLastBatch()
    {
        MiniBatcher batcher = new(Numbered(10), 3, seed: 42);
        Assert.Equal(4, batcher.BatchesPerEpoch);
        List<int[]> batches = Epoch(batcher, 0);
        Assert.Equal(new[] { 3, 3, 3, 1 }, batches.ConvertAll(b => b.Length));
        List<int> all = new();
        batches.ForEach(all.AddRange);
        all.Sort();
        Assert.Equal(Enumerable.Range(0, 10), all);
        Assert.False(batcher.Next(out int after));
        Assert.Equal(0, after);
    }

    [Fact]
    public void DropLastSkipsThePartialBatch()
    {
        MiniBatcher batcher = new(Numbered(10), 3, seed: 42, dropLast: true);
        Assert.Equal(3, batcher.BatchesPerEpoch);
        List<int[]> batches = Epoch(batcher, 5);
        Assert.Equal(new[] { 3, 3, 3 }, batches.ConvertAll(b => b.Length));
        Assert.Equal(9, new HashSet<int>(Enumerable.SelectMany(batches, b => b)).Count);
        Assert.Throws<ArgumentException>(() => new MiniBatcher(Numbered(2), 3, 1, dropLast: true));
    }

    [Fact]
    public void OrderIsAFunctionOfSeedAndEpochOnly()
    {
        ImageDataset data = Numbered(50);
        MiniBatcher a = new(data, 8, seed: 7);
        MiniBatcher b = new(data, 8, seed: 7);
        List<int[]> a3 = Epoch(a, 3);
        Epoch(b, 0);
        Epoch(b, 1);
        Assert.Equal(a3, Epoch(b, 3)); // same despite b's earlier epochs
        Assert.Equal(Epoch(a, 0), Epoch(b, 0));

        int[] e0 = a.Order.ToArray();
        Epoch(a, 1);
        Assert.NotEqual(e0, a.Order.ToArray());
        Assert.NotEqual(Enumerable.Range(0, 50), e0);
        MiniBatcher other = new(data, 8, seed: 8);
        other.StartEpoch(0);
        Assert.NotEqual(e0, other.Order.ToArray());

        // Exactly CounterRng.Shuffle of the identity with the documented stream.
        int[] expected = Enumerable.Range(0, 50).ToArray();
        CounterRng.Shuffle(expected, 7, MiniBatcher.ShuffleStream(1));
        Assert.Equal(expected, a.Order.ToArray());
    }

    [Fact]
    public void WithoutShuffleOrderIsIdentity()
    {
        MiniBatcher batcher = new(Numbered(7), 4, seed: 1, shuffle: false);
        List<int[]> batches = Epoch(batcher, 9);
        Assert.Equal(new[] { 0, 1, 2, 3 }, batches[0]);
        Assert.Equal(new[] { 4, 5, 6 }, batches[1]);
    }

    [Fact]
    public void NextBeforeStartEpochThrows()
    {
        MiniBatcher batcher = new(Numbered(4), 2, 0);
        Assert.Throws<InvalidOperationException>(() => batcher.Next(out _));
        Assert.Throws<ArgumentOutOfRangeException>(() => batcher.StartEpoch(-1));
    }

    [Fact]
    public void EpochsAllocateNothing()
    {
        ImageDataset data = new(new float[1000 * 784], new int[1000], 28, 28, 10);
        MiniBatcher batcher = new(data, 64, seed: 3);
        batcher.StartEpoch(0); // warm-up: JIT, static initialisation
        while (batcher.Next(out _)) { }

        long before = GC.GetAllocatedBytesForCurrentThread();
        int batches = 0, examples = 0;
        for (int epoch = 1; epoch <= 3; epoch++)
        {
            batcher.StartEpoch(epoch);
            while (batcher.Next(out int size)) { batches++; examples += size; }
        }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
        Assert.Equal(3 * 16, batches);
        Assert.Equal(3000, examples);
    }
}

public class OneHotTests
{
    [Fact]
    public void EncodesAndOverwrites()
    {
        float[] output = new float[9];
        Array.Fill(output, 5f);
        OneHot.Encode(output, new[] { 2, 0, 1 }, 3);
        Assert.Equal(new float[] { 0, 0, 1, 1, 0, 0, 0, 1, 0 }, output);
    }

    [Fact]
    public void RejectsBadLabelsWithoutWriting()
    {
        float[] output = new float[6];
        Array.Fill(output, 5f);
        ArgumentOutOfRangeException e = Assert.Throws<ArgumentOutOfRangeException>(() => OneHot.Encode(output, new[] { 1, 3 }, 3));
        Assert.Contains("Label 1 is 3", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => OneHot.Encode(output, new[] { -1, 0 }, 3));
        Assert.All(output, v => Assert.Equal(5f, v));
        Assert.Throws<ArgumentException>(() => OneHot.Encode(output, new[] { 0, 1 }, 2)); // needs 4, got 6
        Assert.Throws<ArgumentOutOfRangeException>(() => OneHot.Encode(Span<float>.Empty, ReadOnlySpan<int>.Empty, 0));
    }
}

public class KFoldTests
{
    [Fact]
    public void FoldsOfTenInThree()
    {
        Assert.Equal((0, 4), KFold.Fold(10, 3, 0));
        Assert.Equal((4, 3), KFold.Fold(10, 3, 1));
        Assert.Equal((7, 3), KFold.Fold(10, 3, 2));
    }

    [Fact]
    public void FoldsTileTheRangeWithSizesWithinOne()
    {
        for (int n = 2; n <= 40; n++)
        {
            for (int k = 2; k <= n; k++)
            {
                int next = 0, min = int.MaxValue, max = 0;
                for (int f = 0; f < k; f++)
                {
                    (int start, int count) = KFold.Fold(n, k, f);
                    Assert.Equal(next, start);
                    next = start + count;
                    min = Math.Min(min, count);
                    max = Math.Max(max, count);
                }
                Assert.Equal(n, next);
                Assert.True(max - min <= 1 && min >= 1, $"n={n} k={k}: sizes {min}..{max}");
            }
        }
    }

    [Fact]
    public void SplitPartitionsIndices()
    {
        (int[] train, int[] validation) = KFold.Split(10, 3, 1);
        Assert.Equal(new[] { 4, 5, 6 }, validation);
        Assert.Equal(new[] { 0, 1, 2, 3, 7, 8, 9 }, train);

        int[] order = { 9, 3, 5, 0, 1, 8, 2 };
        (train, validation) = KFold.Split(order, 2, 1);
        Assert.Equal(new[] { 1, 8, 2 }, validation); // positions 4..6
        Assert.Equal(new[] { 9, 3, 5, 0 }, train);
    }

    [Fact]
    public void RejectsBadArguments()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => KFold.Fold(10, 1, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => KFold.Fold(3, 4, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => KFold.Fold(10, 3, 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => KFold.Fold(10, 3, -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => KFold.Split(10, 11, 0));
    }
}
