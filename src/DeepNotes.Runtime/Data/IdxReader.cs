using System.Buffers.Binary;
using System.IO;
using System.IO.Compression;

namespace DeepNotes;

/// <summary>uint8 images read from an IDX3 file: <see cref="Count"/> images of <see cref="Rows"/> x <see cref="Cols"/>, row-major.</summary>
public sealed class IdxImages
{
    internal IdxImages(int count, int rows, int cols, byte[] pixels)
    {
        Count = count;
        Rows = rows;
        Cols = cols;
        Pixels = pixels;
    }

    /// <summary>Number of images.</summary>
    public int Count { get; }

    /// <summary>Height of each image.</summary>
    public int Rows { get; }

    /// <summary>Width of each image.</summary>
    public int Cols { get; }

    /// <summary>Count * Rows * Cols pixels, image after image, each row-major.</summary>
    public byte[] Pixels { get; }
}

/// <summary>
/// Reader for the IDX format of MNIST and Fashion-MNIST: a big-endian magic number
/// 0x0000TTDD (TT = data type, 0x08 = uint8; DD = number of dimensions), DD big-endian
/// uint32 dimensions, then the data. Files may be raw or gzip-compressed; gzip is detected
/// by its 1f 8b magic bytes, not by the file name.
/// </summary>
public static class Idx
{
    /// <summary>Magic number of an IDX file of uint8 images (3 dimensions: count, rows, cols).</summary>
    public const int ImagesMagic = 0x00000803;

    /// <summary>Magic number of an IDX file of uint8 labels (1 dimension: count).</summary>
    public const int LabelsMagic = 0x00000801;

    private const byte UInt8Type = 0x08;

    /// <summary>Reads an IDX3 uint8 image file (raw or gzip).</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a well-formed IDX3 uint8 file.</exception>
    public static IdxImages ReadImages(string path)
    {
        int[] dims;
        byte[] pixels = Read(path, 3, "IDX3 uint8 images", out dims);
        return new IdxImages(dims[0], dims[1], dims[2], pixels);
    }

    /// <summary>Reads an IDX3 uint8 image file (raw or gzip); returns count*rows*cols pixels, row-major.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a well-formed IDX3 uint8 file.</exception>
    public static byte[] ReadImages(string path, out int count, out int rows, out int cols)
    {
        IdxImages images = ReadImages(path);
        count = images.Count;
        rows = images.Rows;
        cols = images.Cols;
        return images.Pixels;
    }

    /// <summary>Reads an IDX1 uint8 label file (raw or gzip); returns one byte per label.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a well-formed IDX1 uint8 file.</exception>
    public static byte[] ReadLabels(string path) => Read(path, 1, "IDX1 uint8 labels", out _);

    private static byte[] Read(string path, int expectedDims, string what, out int[] dims)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
            throw new FileNotFoundException($"IDX file not found: '{path}' (expected {what}).", path);

        using FileStream file = new(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        Span<byte> sniff = stackalloc byte[2];
        int sniffed = ReadFully(file, sniff);
        file.Position = 0;
        bool gzip = sniffed == 2 && sniff[0] == 0x1F && sniff[1] == 0x8B;
        using Stream stream = gzip ? new GZipStream(file, CompressionMode.Decompress) : file;

        try
        {
            return ReadPayload(stream, path, gzip, expectedDims, what, out dims);
        }
        catch (InvalidDataException e) when (!e.Message.Contains(path, StringComparison.Ordinal))
        {
            // GZipStream's own errors (corrupt deflate data, bad CRC) do not name the file.
            throw new InvalidDataException($"IDX file '{path}' is not valid gzip data: {e.Message}", e);
        }
    }

    private static byte[] ReadPayload(Stream stream, string path, bool gzip, int expectedDims, string what, out int[] dims)
    {
        string kind = gzip ? "gzip-compressed IDX file" : "IDX file";
        int expectedMagic = UInt8Type << 8 | expectedDims;
        int headerSize = 4 + 4 * expectedDims;

        Span<byte> magicBytes = stackalloc byte[4];
        int got = ReadFully(stream, magicBytes);
        if (got < 4)
            throw new InvalidDataException(
                $"{kind} '{path}' is truncated: expected a {headerSize}-byte header, found {got} bytes.");
        int magic = BinaryPrimitives.ReadInt32BigEndian(magicBytes);
        if (magicBytes[0] != 0 || magicBytes[1] != 0)
            throw new InvalidDataException(
                $"{kind} '{path}' has magic number 0x{magic:X8}, expected 0x{expectedMagic:X8} ({what}); this is not an IDX file.");
        if (magicBytes[2] != UInt8Type)
            throw new InvalidDataException(
                $"{kind} '{path}' has magic number 0x{magic:X8}, expected 0x{expectedMagic:X8} ({what}): " +
                $"data type 0x{magicBytes[2]:X2} ({TypeName(magicBytes[2])}) is not supported, only 0x08 (uint8).");
        if (magicBytes[3] != expectedDims)
            throw new InvalidDataException(
                $"{kind} '{path}' has magic number 0x{magic:X8}, expected 0x{expectedMagic:X8} ({what}): " +
                $"it has {magicBytes[3]} dimensions, expected {expectedDims}.");

        Span<byte> dimBytes = stackalloc byte[4 * expectedDims];
        got = ReadFully(stream, dimBytes);
        if (got < dimBytes.Length)
            throw new InvalidDataException(
                $"{kind} '{path}' is truncated: expected a {headerSize}-byte header, found {4 + got} bytes.");

        dims = new int[expectedDims];
        long total = 1;
        for (int d = 0; d < expectedDims; d++)
        {
            uint dim = BinaryPrimitives.ReadUInt32BigEndian(dimBytes.Slice(4 * d, 4));
            if (dim == 0 || dim > int.MaxValue)
                throw new InvalidDataException(
                    $"{kind} '{path}': dimension {d} is {dim}; dimensions must be between 1 and {int.MaxValue}.");
            dims[d] = (int)dim;
            total *= dim; // at most (2^31)^2 before the check below, so no long overflow
            if (total > Array.MaxLength)
                throw new InvalidDataException(
                    $"{kind} '{path}': dimensions [{string.Join(", ", dims[..(d + 1)])}] hold more than {Array.MaxLength} elements.");
        }

        byte[] data = GC.AllocateUninitializedArray<byte>((int)total);
        got = ReadFully(stream, data);
        if (got < data.Length)
            throw new InvalidDataException(
                $"{kind} '{path}' is truncated: expected {data.Length} bytes of {(expectedDims == 1 ? "label" : "pixel")} data, found {got}.");

        long trailing = 0;
        Span<byte> rest = stackalloc byte[4096];
        int n;
        while ((n = stream.Read(rest)) > 0) trailing += n;
        if (trailing > 0)
            throw new InvalidDataException(
                $"{kind} '{path}' has {trailing} unexpected trailing bytes after the {data.Length} bytes of data " +
                $"its header [{string.Join(", ", dims)}] describes.");
        return data;
    }

    private static int ReadFully(Stream stream, Span<byte> buffer)
    {
        int total = 0;
        while (total < buffer.Length)
        {
            int n = stream.Read(buffer[total..]);
            if (n == 0) break;
            total += n;
        }
        return total;
    }

    private static string TypeName(byte type) => type switch
    {
        0x08 => "uint8",
        0x09 => "int8",
        0x0B => "int16",
        0x0C => "int32",
        0x0D => "float32",
        0x0E => "float64",
        _ => "unknown",
    };
}
