using System.Buffers.Binary;
using System.IO;
using System.IO.Compression;

namespace DeepNotes;

/// <summary>
/// Writes 8-bit greyscale PNG images (PNG, ISO/IEC 15948): the signature, an <c>IHDR</c> chunk (colour
/// type 0, bit depth 8, no interlacing), the zlib-compressed scanlines in one or more <c>IDAT</c>
/// chunks, and <c>IEND</c>; every chunk carries the CRC-32 (<see cref="Crc32"/>) of its type and data.
/// Pixels are given row by row from the top, one value per pixel: bytes (0 black, 255 white) or grey
/// levels in [0, 1] (0 black, 1 white; outside values are clamped).
/// </summary>
/// <remarks>
/// Every scanline uses filter type 0 (None). The images written here are small (a few hundred pixels
/// across, for digits beside their reconstructions), where the other filters would save a few hundred
/// bytes; None keeps the encoder obviously right. The output is deterministic. Files are written
/// atomically: a temporary file in the same directory, renamed over the path once complete.
/// </remarks>
public static class Png
{
    /// <summary>The largest <c>IDAT</c> chunk written; longer compressed data is split over several (decoders join them).</summary>
    public const int MaxIdatLength = 1 << 20;

    private const int ChunkOverhead = 12; // length, type, CRC
    private const int HeaderLength = 13;
    private const byte BitDepth = 8, ColorTypeGray = 0, FilterNone = 0;

    /// <summary>The eight bytes every PNG file starts with.</summary>
    public static ReadOnlySpan<byte> Signature => [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>Writes a <paramref name="width"/> × <paramref name="height"/> greyscale PNG of <paramref name="pixels"/> (0 black, 255 white) to <paramref name="path"/>.</summary>
    /// <exception cref="ArgumentException">A size below 1, or <paramref name="pixels"/> not one value per pixel.</exception>
    /// <exception cref="IOException">The file cannot be written (e.g. its directory does not exist).</exception>
    public static void WriteGray(string path, ReadOnlySpan<byte> pixels, int width, int height)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        AtomicFile.Write(path, EncodeGray(pixels, width, height));
    }

    /// <summary>
    /// Writes a <paramref name="width"/> × <paramref name="height"/> greyscale PNG of the grey levels
    /// <paramref name="pixels"/> (0 black, 1 white; see <see cref="ToByte"/>) to <paramref name="path"/>.
    /// </summary>
    /// <exception cref="ArgumentException">A size below 1, <paramref name="pixels"/> not one value per pixel, or a NaN among them.</exception>
    /// <exception cref="IOException">The file cannot be written (e.g. its directory does not exist).</exception>
    public static void WriteGray(string path, ReadOnlySpan<float> pixels, int width, int height)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        AtomicFile.Write(path, EncodeGray(pixels, width, height));
    }

    /// <summary>The bytes of the PNG file that <see cref="WriteGray(string, ReadOnlySpan{byte}, int, int)"/> writes.</summary>
    public static byte[] EncodeGray(ReadOnlySpan<byte> pixels, int width, int height) => Encode(pixels, width, height, MaxIdatLength);

    /// <summary>The bytes of the PNG file that <see cref="WriteGray(string, ReadOnlySpan{float}, int, int)"/> writes.</summary>
    public static byte[] EncodeGray(ReadOnlySpan<float> pixels, int width, int height)
    {
        CheckSize(pixels.Length, width, height);
        byte[] bytes = GC.AllocateUninitializedArray<byte>(pixels.Length);
        for (int i = 0; i < pixels.Length; i++)
        {
            if (float.IsNaN(pixels[i]))
                throw new ArgumentException($"pixels[{i}] (row {i / width}, column {i % width}) is NaN; grey levels are numbers, "
                    + "0 black to 1 white (values outside [0, 1] are clamped)", nameof(pixels));
            bytes[i] = ToByte(pixels[i]);
        }
        return Encode(bytes, width, height, MaxIdatLength);
    }

    /// <summary>
    /// A grey level as a byte: clamped to [0, 1], scaled by 255 and rounded to the nearest whole number
    /// (halves to even), so k/255 gives back k. NaN gives 0 (<see cref="WriteGray(string, ReadOnlySpan{float}, int, int)"/> refuses it).
    /// </summary>
    public static byte ToByte(float value) => (byte)MathF.Round(Math.Clamp(float.IsNaN(value) ? 0f : value, 0f, 1f) * 255f);

    /// <summary>The encoder, with the IDAT split length as a parameter so tests can force several chunks.</summary>
    internal static byte[] Encode(ReadOnlySpan<byte> pixels, int width, int height, int maxIdatLength)
    {
        CheckSize(pixels.Length, width, height);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxIdatLength);

        // Each scanline is its filter-type byte, then the row.
        byte[] compressed;
        using (MemoryStream deflated = new())
        {
            using (ZLibStream zlib = new(deflated, CompressionLevel.Optimal, leaveOpen: true))
            {
                byte[] line = new byte[width + 1];
                line[0] = FilterNone;
                for (int y = 0; y < height; y++)
                {
                    pixels.Slice(y * width, width).CopyTo(line.AsSpan(1));
                    zlib.Write(line);
                }
            }
            compressed = deflated.ToArray();
        }

        int idatChunks = (int)(((long)compressed.Length + maxIdatLength - 1) / maxIdatLength); // zlib data is never empty
        long total = Signature.Length + (ChunkOverhead + HeaderLength) + (long)idatChunks * ChunkOverhead + compressed.Length + ChunkOverhead;
        if (total > Array.MaxLength)
            throw new ArgumentException($"a {width}x{height} image compresses to {total} bytes of PNG, more than one array holds", nameof(pixels));

        byte[] png = new byte[total];
        Signature.CopyTo(png);
        int at = Signature.Length;
        Span<byte> header = stackalloc byte[HeaderLength];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header[4..], height);
        header[8] = BitDepth;
        header[9] = ColorTypeGray;
        header[10] = 0; // compression method: deflate
        header[11] = 0; // filter method: adaptive, the five filter types
        header[12] = 0; // no interlacing
        at = WriteChunk(png, at, "IHDR"u8, header);
        for (int offset = 0, length; offset < compressed.Length; offset += length)
        {
            length = Math.Min(maxIdatLength, compressed.Length - offset);
            at = WriteChunk(png, at, "IDAT"u8, compressed.AsSpan(offset, length));
        }
        at = WriteChunk(png, at, "IEND"u8, []);
        return at == png.Length ? png : throw new InvalidOperationException($"PNG size miscounted: wrote {at} of {png.Length} bytes");
    }

    /// <summary>Length (big-endian), type, data, CRC-32 of type and data; returns the offset after the chunk.</summary>
    private static int WriteChunk(Span<byte> png, int at, ReadOnlySpan<byte> type, ReadOnlySpan<byte> data)
    {
        BinaryPrimitives.WriteInt32BigEndian(png[at..], data.Length);
        type.CopyTo(png[(at + 4)..]);
        data.CopyTo(png[(at + 8)..]);
        BinaryPrimitives.WriteUInt32BigEndian(png[(at + 8 + data.Length)..], Crc32.Compute(png.Slice(at + 4, 4 + data.Length)));
        return at + ChunkOverhead + data.Length;
    }

    private static void CheckSize(int pixelCount, int width, int height)
    {
        if (width <= 0) throw new ArgumentOutOfRangeException(nameof(width), width, "the image width must be at least 1 pixel");
        if (height <= 0) throw new ArgumentOutOfRangeException(nameof(height), height, "the image height must be at least 1 pixel");
        long needed = (long)width * height;
        if (pixelCount != needed)
            throw new ArgumentException($"pixels holds {pixelCount} values, but a {width}x{height} image needs {needed}: one per pixel, row by row from the top", "pixels");
        if (((long)width + 1) * height > Array.MaxLength)
            throw new ArgumentException($"a {width}x{height} image is too large: its scanlines would not fit in one array", "pixels");
    }
}
