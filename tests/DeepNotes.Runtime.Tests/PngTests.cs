using System.Buffers.Binary;
using System.Text;
using DeepNotes.Testing;

namespace DeepNotes.Runtime.Tests;

public class Crc32Tests
{
    [Fact]
    public void Gives_the_standard_check_value()
    {
        Assert.Equal(0xCBF43926u, Crc32.Compute("123456789"u8));
        Assert.Equal(0u, Crc32.Compute([]));
        // The CRC of IEND's type with no data: the last 4 bytes of every PNG file.
        Assert.Equal(0xAE426082u, Crc32.Compute("IEND"u8));
    }

    [Fact]
    public void Matches_the_bitwise_definition_and_appends_piece_by_piece()
    {
        byte[] data = TestFiles.RandomBytes(1000, 7);
        uint whole = Crc32.Compute(data);
        Assert.Equal(PngDecoder.BitwiseCrc32(data), whole);
        uint pieces = 0;
        int at = 0;
        foreach (int length in new[] { 1, 12, 487, 499, 1 })
        {
            pieces = Crc32.Append(pieces, data.AsSpan(at, length));
            at += length;
        }
        Assert.Equal(1000, at);
        Assert.Equal(whole, pieces);
    }
}

public class PngTests
{
    private static byte[] Pixels(int width, int height, int seed) => TestFiles.RandomBytes(width * height, seed);

    [Theory]
    [InlineData(1, 1)]
    [InlineData(37, 23)]
    [InlineData(280, 56)]
    [InlineData(1, 300)]
    [InlineData(300, 1)]
    public void Written_file_decodes_to_the_same_pixels(int width, int height)
    {
        using TempDir temp = new();
        string path = temp.File("image.png");
        byte[] pixels = Pixels(width, height, width * 1000 + height);
        Png.WriteGray(path, pixels, width, height);

        byte[] file = File.ReadAllBytes(path);
        Assert.Equal(Png.Signature.ToArray(), file[..8]);
        // IHDR comes first: length 13, then width, height, bit depth 8, colour type 0 (grey), deflate, adaptive filtering, no interlace.
        Assert.Equal(13, BinaryPrimitives.ReadInt32BigEndian(file.AsSpan(8)));
        Assert.Equal("IHDR", Encoding.ASCII.GetString(file, 12, 4));
        Assert.Equal(width, BinaryPrimitives.ReadInt32BigEndian(file.AsSpan(16)));
        Assert.Equal(height, BinaryPrimitives.ReadInt32BigEndian(file.AsSpan(20)));
        Assert.Equal(new byte[] { 8, 0, 0, 0, 0 }, file[24..29]);
        // IEND ends the file: length 0, type, its fixed CRC.
        Assert.Equal(new byte[] { 0, 0, 0, 0, (byte)'I', (byte)'E', (byte)'N', (byte)'D', 0xAE, 0x42, 0x60, 0x82 }, file[^12..]);

        DecodedPng png = PngDecoder.Decode(file); // checks every CRC, the zlib header and Adler-32, the chunk order
        Assert.Equal((width, height, 8, 0, 0), (png.Width, png.Height, png.BitDepth, png.ColorType, png.Interlace));
        Assert.Equal(["IHDR", "IDAT", "IEND"], png.Chunks);
        Assert.Equal(pixels, png.Pixels);
        Assert.Equal(file, Png.EncodeGray(pixels, width, height)); // what is written is what EncodeGray gives, every time
        Assert.Empty(Directory.GetFiles(temp.Path, "*.tmp"));
    }

    [Fact]
    public void Long_image_data_is_split_over_consecutive_IDAT_chunks()
    {
        byte[] pixels = Pixels(61, 47, 3); // random bytes do not compress: about 2.9 KB of zlib data
        byte[] file = Png.Encode(pixels, 61, 47, maxIdatLength: 1000);
        DecodedPng png = PngDecoder.Decode(file);
        Assert.Equal(["IHDR", "IDAT", "IDAT", "IDAT", "IEND"], png.Chunks);
        Assert.Equal(pixels, png.Pixels);
    }

    [Fact]
    public void The_decoder_catches_a_flipped_bit()
    {
        // The check behind every other test: a file damaged anywhere after the signature is refused.
        byte[] file = Png.EncodeGray(Pixels(20, 10, 5), 20, 10);
        for (int at = 8; at < file.Length; at += 7)
        {
            byte[] damaged = (byte[])file.Clone();
            damaged[at] ^= 0x10;
            Assert.ThrowsAny<Exception>(() => PngDecoder.Decode(damaged));
        }
    }

    [Fact]
    public void Grey_levels_are_clamped_and_rounded_to_bytes()
    {
        float[] levels = [0f, 1f, 0.5f, -0.3f, 1.7f, float.NegativeInfinity, float.PositiveInfinity, 1f / 255f, 254f / 255f, 0.2f];
        DecodedPng png = PngDecoder.Decode(Png.EncodeGray(levels, 5, 2));
        Assert.Equal(new byte[] { 0, 255, 128, 0, 255, 0, 255, 1, 254, 51 }, png.Pixels);

        // Every byte k as k / 255 (how digits are stored as floats) comes back as k.
        float[] ramp = new float[256];
        for (int k = 0; k < 256; k++) ramp[k] = k / 255f;
        byte[] expected = new byte[256];
        for (int k = 0; k < 256; k++) expected[k] = (byte)k;
        Assert.Equal(expected, PngDecoder.Decode(Png.EncodeGray(ramp, 16, 16)).Pixels);
    }

    [Fact]
    public void Overwrites_an_existing_file_and_leaves_it_alone_when_the_arguments_are_wrong()
    {
        using TempDir temp = new();
        string path = temp.File("digits.png");
        Png.WriteGray(path, Pixels(4, 4, 1), 4, 4);
        byte[] second = Pixels(3, 2, 2);
        Png.WriteGray(path, second, 3, 2);
        Assert.Equal(second, PngDecoder.Decode(path).Pixels);

        byte[] before = File.ReadAllBytes(path);
        Assert.Throws<ArgumentException>(() => Png.WriteGray(path, new float[] { 0f, float.NaN }, 2, 1));
        Assert.Throws<ArgumentException>(() => Png.WriteGray(path, new byte[5], 2, 3));
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Single(Directory.GetFiles(temp.Path));
    }

    [Fact]
    public void Wrong_arguments_are_refused_with_messages_that_name_them()
    {
        var width = Assert.Throws<ArgumentOutOfRangeException>(() => Png.EncodeGray(new byte[4], 0, 4));
        Assert.Equal("width", width.ParamName);
        Assert.Contains("the image width must be at least 1 pixel", width.Message);

        var height = Assert.Throws<ArgumentOutOfRangeException>(() => Png.EncodeGray(new float[4], 4, -1));
        Assert.Equal("height", height.ParamName);
        Assert.Contains("the image height must be at least 1 pixel", height.Message);

        var size = Assert.Throws<ArgumentException>(() => Png.EncodeGray(new byte[10], 4, 3));
        Assert.Equal("pixels", size.ParamName);
        Assert.StartsWith("pixels holds 10 values, but a 4x3 image needs 12: one per pixel, row by row from the top", size.Message);

        float[] withNaN = new float[12];
        withNaN[9] = float.NaN;
        var nan = Assert.Throws<ArgumentException>(() => Png.EncodeGray(withNaN, 4, 3));
        Assert.Equal("pixels", nan.ParamName);
        Assert.StartsWith("pixels[9] (row 2, column 1) is NaN", nan.Message);

        Assert.Throws<ArgumentException>(() => Png.WriteGray("", new byte[1], 1, 1));
        Assert.Throws<ArgumentNullException>(() => Png.WriteGray(null!, new byte[1], 1, 1));

        using TempDir temp = new();
        string missing = Path.Combine(temp.Path, "no", "such", "dir", "x.png");
        Assert.Throws<DirectoryNotFoundException>(() => Png.WriteGray(missing, new byte[1], 1, 1));
        var directory = Assert.Throws<IOException>(() => Png.WriteGray(temp.Path, new byte[1], 1, 1));
        Assert.Equal($"cannot write '{temp.Path}': it is a directory", directory.Message);
        Assert.Empty(Directory.GetFiles(temp.Path));
    }
}
