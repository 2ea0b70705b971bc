namespace DeepNotes.Runtime.Tests;

public class IdxTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ImagesAndLabelsRoundTrip(bool gzip)
    {
        using TempDir dir = new();
        byte[] pixels = TestFiles.RandomBytes(5 * 3 * 4, 1);
        byte[] labels = { 3, 0, 9, 9, 1 };
        byte[] imageFile = TestFiles.Idx(new[] { 5, 3, 4 }, pixels);
        byte[] labelFile = TestFiles.Idx(new[] { 5 }, labels);
        File.WriteAllBytes(dir.File("img"), gzip ? TestFiles.Gzip(imageFile) : imageFile);
        File.WriteAllBytes(dir.File("lab"), gzip ? TestFiles.Gzip(labelFile) : labelFile);

        byte[] read = Idx.ReadImages(dir.File("img"), out int count, out int rows, out int cols);
        Assert.Equal((5, 3, 4), (count, rows, cols));
        Assert.Equal(pixels, read);
        IdxImages images = Idx.ReadImages(dir.File("img"));
        Assert.Equal((5, 3, 4), (images.Count, images.Rows, images.Cols));
        Assert.Equal(pixels, images.Pixels);
        Assert.Equal(labels, Idx.ReadLabels(dir.File("lab")));
    }

    [Fact]
    public void GzipIsDetectedByContentNotByName()
    {
        using TempDir dir = new();
        byte[] labels = { 1, 2, 3 };
        byte[] raw = TestFiles.Idx(new[] { 3 }, labels);
        File.WriteAllBytes(dir.File("compressed.idx"), TestFiles.Gzip(raw));
        File.WriteAllBytes(dir.File("plain.gz"), raw);
        Assert.Equal(labels, Idx.ReadLabels(dir.File("compressed.idx")));
        Assert.Equal(labels, Idx.ReadLabels(dir.File("plain.gz")));
    }

    [Fact]
    public void LabelFileReadAsImagesNamesBothMagicNumbers()
    {
        using TempDir dir = new();
        string path = dir.File("labels");
        File.WriteAllBytes(path, TestFiles.Idx(new[] { 2 }, new byte[] { 0, 1 }));
        InvalidDataException e = Assert.Throws<InvalidDataException>(() => Idx.ReadImages(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("0x00000801", e.Message);
        Assert.Contains("0x00000803", e.Message);
        Assert.Contains("1 dimensions, expected 3", e.Message);
    }

    [Fact]
    public void NonIdxGarbageIsRejected()
    {
        using TempDir dir = new();
        string path = dir.File("garbage.bin");
        File.WriteAllBytes(path, "\x89PNG\r\n\x1a\n not an idx file at all"u8.ToArray());
        InvalidDataException e = Assert.Throws<InvalidDataException>(() => Idx.ReadImages(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("not an IDX file", e.Message);
    }

    [Fact]
    public void NonUInt8DataTypeIsRejected()
    {
        using TempDir dir = new();
        string path = dir.File("floats");
        byte[] file = TestFiles.Idx(new[] { 1, 1, 1 }, new byte[4]);
        file[2] = 0x0D; // float32
        File.WriteAllBytes(path, file);
        InvalidDataException e = Assert.Throws<InvalidDataException>(() => Idx.ReadImages(path));
        Assert.Contains("0x00000D03", e.Message);
        Assert.Contains("float32", e.Message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TruncatedPixelDataIsReportedWithByteCounts(bool gzip)
    {
        using TempDir dir = new();
        string path = dir.File("img");
        byte[] full = TestFiles.Idx(new[] { 4, 3, 4 }, TestFiles.RandomBytes(48, 2));
        byte[] cut = full.AsSpan(0, full.Length - 8).ToArray();
        File.WriteAllBytes(path, gzip ? TestFiles.Gzip(cut) : cut);
        InvalidDataException e = Assert.Throws<InvalidDataException>(() => Idx.ReadImages(path));
        Assert.Contains($"'{path}' is truncated: expected 48 bytes of pixel data, found 40", e.Message);
    }

    [Fact]
    public void TruncatedHeaderIsReported()
    {
        using TempDir dir = new();
        string path = dir.File("img");
        File.WriteAllBytes(path, TestFiles.Idx(new[] { 4, 3, 4 }, Array.Empty<byte>()).AsSpan(0, 10).ToArray());
        InvalidDataException e = Assert.Throws<InvalidDataException>(() => Idx.ReadImages(path));
        Assert.Contains("truncated: expected a 16-byte header, found 10 bytes", e.Message);

        File.WriteAllBytes(path, Array.Empty<byte>());
        e = Assert.Throws<InvalidDataException>(() => Idx.ReadLabels(path));
        Assert.Contains("found 0 bytes", e.Message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TrailingBytesAreRejected(bool gzip)
    {
        using TempDir dir = new();
        string path = dir.File("lab");
        byte[] file = TestFiles.Idx(new[] { 3 }, new byte[] { 1, 2, 3, 4, 5 }); // header says 3, holds 5
        File.WriteAllBytes(path, gzip ? TestFiles.Gzip(file) : file);
        InvalidDataException e = Assert.Throws<InvalidDataException>(() => Idx.ReadLabels(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("2 unexpected trailing bytes", e.Message);
    }

    [Fact]
    public void CorruptGzipIsReportedWithPath()
    {
        using TempDir dir = new();
        string path = dir.File("bad.gz");
        byte[] gz = TestFiles.Gzip(TestFiles.Idx(new[] { 100, 28, 28 }, TestFiles.RandomBytes(78400, 3)));
        File.WriteAllBytes(path, gz.AsSpan(0, gz.Length / 2).ToArray());
        InvalidDataException e = Assert.Throws<InvalidDataException>(() => Idx.ReadImages(path));
        Assert.Contains(path, e.Message);

        byte[] garbage = TestFiles.RandomBytes(200, 4);
        garbage[0] = 0x1F;
        garbage[1] = 0x8B;
        File.WriteAllBytes(path, garbage);
        e = Assert.Throws<InvalidDataException>(() => Idx.ReadImages(path));
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void ZeroAndOverflowingDimensionsAreRejected()
    {
        using TempDir dir = new();
        string path = dir.File("img");
        File.WriteAllBytes(path, TestFiles.Idx(new[] { 0, 28, 28 }, Array.Empty<byte>()));
        InvalidDataException e = Assert.Throws<InvalidDataException>(() => Idx.ReadImages(path));
        Assert.Contains("dimension 0 is 0", e.Message);

        File.WriteAllBytes(path, TestFiles.Idx(new[] { 65536, 65536, 65536 }, Array.Empty<byte>()));
        e = Assert.Throws<InvalidDataException>(() => Idx.ReadImages(path));
        Assert.Contains("more than", e.Message);

        byte[] negative = TestFiles.Idx(new[] { 1 }, new byte[] { 0 });
        negative[4] = 0x80; // count 0x80000001 > int.MaxValue
        File.WriteAllBytes(path, negative);
        e = Assert.Throws<InvalidDataException>(() => Idx.ReadLabels(path));
        Assert.Contains("dimension 0 is 2147483649", e.Message);
    }

    [Fact]
    public void MissingFileIsFileNotFound()
    {
        using TempDir dir = new();
        string path = dir.File("nope-idx3-ubyte");
        FileNotFoundException e = Assert.Throws<FileNotFoundException>(() => Idx.ReadImages(path));
        Assert.Contains(path, e.Message);
        Assert.Equal(path, e.FileName);
    }

    [Fact]
    public void ShippedMnistFilesHoldTenThousandDigits()
    {
        string data = Path.Combine(TestFiles.RepoRoot(), "data");
        byte[] pixels = Idx.ReadImages(Path.Combine(data, ImageDataset.ShippedImagesFile), out int count, out int rows, out int cols);
        byte[] labels = Idx.ReadLabels(Path.Combine(data, ImageDataset.ShippedLabelsFile));
        Assert.Equal((10_000, 28, 28), (count, rows, cols));
        Assert.Equal(10_000 * 28 * 28, pixels.Length);
        Assert.Equal(10_000, labels.Length);

        int[] perClass = new int[256];
        foreach (byte l in labels) perClass[l]++;
        for (int c = 0; c < 10; c++) Assert.True(perClass[c] >= 800, $"class {c} has {perClass[c]} examples");
        for (int c = 10; c < 256; c++) Assert.Equal(0, perClass[c]);
        Assert.Equal(new[] { 1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978 }, perClass[..10]);

        // True 8-bit greyscale (not binarised): 0 and 255 occur and so does every level in between.
        bool[] seen = new bool[256];
        foreach (byte p in pixels) seen[p] = true;
        Assert.All(seen, Assert.True);
        // Background is 0 (ink 255): the four corner pixels of every image are background.
        long border = 0;
        for (int i = 0; i < count; i++) border += pixels[i * 784] + pixels[i * 784 + 27] + pixels[i * 784 + 756] + pixels[i * 784 + 783];
        Assert.Equal(0, border);
    }
}
