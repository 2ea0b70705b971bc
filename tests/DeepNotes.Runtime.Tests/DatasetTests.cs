namespace DeepNotes.Runtime.Tests;

public class DatasetTests
{
    private static (string images, string labels) WriteIdx(TempDir dir, byte[] pixels, int count, int rows, int cols, byte[] labels,
        string imagesName = "img.gz", string labelsName = "lab")
    {
        string images = dir.File(imagesName), lab = dir.File(labelsName);
        File.WriteAllBytes(images, TestFiles.Gzip(TestFiles.Idx(new[] { count, rows, cols }, pixels)));
        File.WriteAllBytes(lab, TestFiles.Idx(new[] { labels.Length }, labels));
        return (images, lab);
    }

    [Fact]
    public void LoadIdxScalesPixelsAndInfersClasses()
    {
        using TempDir dir = new();
        byte[] pixels = { 0, 51, 255, 128, /* */ 255, 0, 1, 2, /* */ 10, 20, 30, 40 };
        (string img, string lab) = WriteIdx(dir, pixels, 3, 2, 2, new byte[] { 4, 0, 2 });
        ImageDataset data = ImageDataset.LoadIdx(img, lab);
        Assert.Equal(3, data.Count);
        Assert.Equal((2, 2, 4), (data.Rows, data.Cols, data.FeatureSize));
        Assert.Equal(5, data.NumClasses);
        Assert.Equal(new[] { 4, 0, 2 }, data.Labels.ToArray());
        Assert.Equal(new[] { 0f, 0.2f, 1f, 128 / 255f }, data.GetFeatures(0).ToArray());
        Assert.Equal(new[] { 10 / 255f, 20 / 255f, 30 / 255f, 40 / 255f }, data.GetFeatures(2).ToArray());
        Assert.Equal(2, data.GetLabel(2));

        Assert.Equal(10, ImageDataset.LoadIdx(img, lab, numClasses: 10).NumClasses);
    }

    [Fact]
    public void LoadIdxRejectsCountMismatchAndOutOfRangeLabels()
    {
        using TempDir dir = new();
        (string img, string lab) = WriteIdx(dir, new byte[8], 2, 2, 2, new byte[] { 1, 2, 3 });
        InvalidDataException e = Assert.Throws<InvalidDataException>(() => ImageDataset.LoadIdx(img, lab));
        Assert.Contains("2 images", e.Message);
        Assert.Contains("3 labels", e.Message);

        (img, lab) = WriteIdx(dir, new byte[8], 2, 2, 2, new byte[] { 1, 7 });
        e = Assert.Throws<InvalidDataException>(() => ImageDataset.LoadIdx(img, lab, numClasses: 5));
        Assert.Contains("label 1 is 7, outside [0, 5)", e.Message);
        Assert.Contains(lab, e.Message);
    }

    [Fact]
    public void SliceCopiesRowsAndKeepsClassCount()
    {
        float[] features = new float[6 * 2];
        for (int i = 0; i < features.Length; i++) features[i] = i;
        ImageDataset data = new(features, new[] { 0, 1, 2, 3, 4, 9 }, 1, 2);
        ImageDataset slice = data.Slice(2, 3);
        Assert.Equal(3, slice.Count);
        Assert.Equal(10, slice.NumClasses); // not max(2, 3, 4) + 1
        Assert.Equal(new[] { 2, 3, 4 }, slice.Labels.ToArray());
        Assert.Equal(new float[] { 4, 5, 6, 7, 8, 9 }, slice.Features.ToArray());
        features[4] = -1; // a copy: the slice does not see later changes to the source
        Assert.Equal(4f, slice.Features[0]);
        Assert.Equal(0, data.Slice(6, 0).Count);
        Assert.Throws<ArgumentOutOfRangeException>(() => data.Slice(4, 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => data.Slice(-1, 1));
    }

    [Fact]
    public void SelectGathersRowsInOrderAndKeepsClassCount()
    {
        float[] features = new float[6 * 2];
        for (int i = 0; i < features.Length; i++) features[i] = i;
        ImageDataset data = new(features, new[] { 0, 1, 2, 3, 4, 9 }, 1, 2);
        (int[] train, int[] validation) = KFold.Split(new[] { 5, 1, 3, 0, 2, 4 }, 3, 1);
        ImageDataset picked = data.Select(validation);
        Assert.Equal(new[] { 3, 0 }, picked.Labels.ToArray());
        Assert.Equal(new float[] { 6, 7, 0, 1 }, picked.Features.ToArray());
        Assert.Equal(10, picked.NumClasses);
        Assert.Equal(new[] { 9, 1, 2, 4 }, data.Select(train).Labels.ToArray());
        Assert.Equal(0, data.Select([]).Count);
        Assert.Throws<ArgumentOutOfRangeException>(() => data.Select([1, 6]));
    }

    [Fact]
    public void ConstructorValidates()
    {
        Assert.Throws<ArgumentException>(() => new ImageDataset(new float[5], new[] { 0, 1 }, 1, 2));
        Assert.Throws<ArgumentException>(() => new ImageDataset(new float[4], new[] { 0, -1 }, 1, 2));
        Assert.Throws<ArgumentException>(() => new ImageDataset(new float[4], new[] { 0, 3 }, 1, 2, numClasses: 3));
    }

    [Fact]
    public void LoadIdxDirectoryFindsStandardNamesRawOrGzip()
    {
        using TempDir dir = new();
        WriteIdx(dir, new byte[] { 1, 2, 3, 4 }, 1, 2, 2, new byte[] { 7 }, "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte");
        ImageDataset train = ImageDataset.LoadIdxDirectory(dir.Path, train: true);
        Assert.Equal(1, train.Count);
        Assert.Equal(7, train.GetLabel(0));
        Assert.Equal(10, train.NumClasses);
        Assert.Equal(4 / 255f, train.Features[3]);

        FileNotFoundException e = Assert.Throws<FileNotFoundException>(() => ImageDataset.LoadIdxDirectory(dir.Path, train: false));
        Assert.Contains("t10k-images-idx3-ubyte", e.Message);
        Assert.Contains("t10k-images-idx3-ubyte.gz", e.Message);
    }

    [Fact]
    public void ShippedMnistSplitHasEveryClassInBothParts()
    {
        ImageDataset all = ImageDataset.LoadMnistShipped(Path.Combine(TestFiles.RepoRoot(), "data"));
        Assert.Equal((10_000, 784, 10), (all.Count, all.FeatureSize, all.NumClasses));
        float min = float.MaxValue, max = float.MinValue;
        foreach (float f in all.Features) { min = Math.Min(min, f); max = Math.Max(max, f); }
        Assert.Equal((0f, 1f), (min, max));

        // The counts documented in data/README.md for the 8,000 / 2,000 convention.
        Assert.Equal(new[] { 801, 902, 793, 826, 784, 690, 811, 856, 755, 782 }, CountClasses(all.Slice(0, 8000)));
        Assert.Equal(new[] { 200, 225, 198, 206, 196, 173, 203, 214, 189, 196 }, CountClasses(all.Slice(8000, 2000)));
    }

    private static int[] CountClasses(ImageDataset data)
    {
        int[] counts = new int[data.NumClasses];
        foreach (int l in data.Labels) counts[l]++;
        return counts;
    }
}
