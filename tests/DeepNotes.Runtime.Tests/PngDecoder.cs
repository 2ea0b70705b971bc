using System.Buffers.Binary;
using System.IO;
using System.IO.Compression;
using System.Text;

namespace DeepNotes.Testing;

/// <summary>A decoded greyscale PNG: its header fields, pixels (row by row) and chunk types in file order.</summary>
internal sealed record DecodedPng(int Width, int Height, int BitDepth, int ColorType, int Interlace, byte[] Pixels, string[] Chunks);

/// <summary>
/// A strict decoder for the PNGs the tests write, independent of the writer: its own bit-by-bit CRC-32
/// and Adler-32, raw deflate for the data (so the zlib header and trailer are checked here, not by
/// ZLibStream), and all five scanline filters. It reads 8-bit greyscale, non-interlaced images and
/// throws <see cref="InvalidDataException"/> for anything else or anything malformed: a wrong
/// signature, a chunk CRC, IHDR not first, IDATs not consecutive, IEND not last or bytes after it, a
/// bad zlib header or checksum, a wrong amount of image data. Shared with the CLI tests (linked).
/// </summary>
internal static class PngDecoder
{
    private static readonly byte[] s_signature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    public static DecodedPng Decode(string path) => Decode(File.ReadAllBytes(path));

    public static DecodedPng Decode(byte[] file)
    {
        if (file.Length < 8 || !file.AsSpan(0, 8).SequenceEqual(s_signature)) throw Bad("no PNG signature");
        List<string> chunks = new();
        MemoryStream idat = new();
        int width = 0, height = 0, depth = 0, colorType = 0, interlace = 0;
        int at = 8;
        bool ended = false;
        while (at < file.Length)
        {
            if (ended) throw Bad($"{file.Length - at} bytes after IEND");
            if (file.Length - at < 12) throw Bad($"truncated chunk at byte {at}");
            uint length = BinaryPrimitives.ReadUInt32BigEndian(file.AsSpan(at));
            if (length > int.MaxValue || length > file.Length - at - 12) throw Bad($"chunk at byte {at} claims {length} bytes");
            string type = Encoding.ASCII.GetString(file, at + 4, 4);
            ReadOnlySpan<byte> data = file.AsSpan(at + 8, (int)length);
            uint stored = BinaryPrimitives.ReadUInt32BigEndian(file.AsSpan(at + 8 + (int)length));
            uint actual = BitwiseCrc32(file.AsSpan(at + 4, 4 + (int)length));
            if (stored != actual) throw Bad($"{type} chunk CRC {stored:x8}, computed {actual:x8}");

            if (chunks.Count == 0 && type != "IHDR") throw Bad($"first chunk is {type}, not IHDR");
            if (type == "IHDR")
            {
                if (chunks.Count != 0) throw Bad("IHDR is not the first chunk");
                if (length != 13) throw Bad($"IHDR holds {length} bytes, not 13");
                width = BinaryPrimitives.ReadInt32BigEndian(data);
                height = BinaryPrimitives.ReadInt32BigEndian(data[4..]);
                depth = data[8];
                colorType = data[9];
                if (data[10] != 0 || data[11] != 0) throw Bad($"compression method {data[10]}, filter method {data[11]}");
                interlace = data[12];
                if (width <= 0 || height <= 0) throw Bad($"size {width}x{height}");
            }
            else if (type == "IDAT")
            {
                if (chunks.Contains("IDAT") && chunks[^1] != "IDAT") throw Bad("IDAT chunks are not consecutive");
                idat.Write(data);
            }
            else if (type == "IEND")
            {
                if (length != 0) throw Bad("IEND has data");
                ended = true;
            }
            else if (char.IsUpper(type[0]))
            {
                throw Bad($"unknown critical chunk {type}");
            }
            chunks.Add(type);
            at += 12 + (int)length;
        }
        if (!ended) throw Bad("no IEND");
        if (depth != 8 || colorType != 0 || interlace != 0)
            throw Bad($"bit depth {depth}, colour type {colorType}, interlace {interlace}: only 8-bit greyscale, not interlaced, is read here");

        byte[] raw = Inflate(idat.ToArray());
        long expected = ((long)width + 1) * height;
        if (raw.Length != expected) throw Bad($"{raw.Length} bytes of scanlines, expected {expected}");
        return new DecodedPng(width, height, depth, colorType, interlace, Unfilter(raw, width, height), chunks.ToArray());
    }

    /// <summary>zlib (RFC 1950): header (deflate, 32K window or less, FCHECK, no dictionary), raw deflate, Adler-32 of the output.</summary>
    private static byte[] Inflate(byte[] zlib)
    {
        if (zlib.Length < 6) throw Bad($"zlib stream of {zlib.Length} bytes");
        byte cmf = zlib[0], flg = zlib[1];
        if ((cmf & 0x0F) != 8 || (cmf >> 4) > 7) throw Bad($"zlib CMF {cmf:x2} is not deflate with a window of 32K or less");
        if ((cmf * 256 + flg) % 31 != 0) throw Bad($"zlib header check fails: {cmf:x2} {flg:x2}");
        if ((flg & 0x20) != 0) throw Bad("zlib preset dictionary");
        using MemoryStream output = new();
        using (DeflateStream deflate = new(new MemoryStream(zlib, 2, zlib.Length - 6), CompressionMode.Decompress))
            deflate.CopyTo(output);
        byte[] raw = output.ToArray();
        uint stored = BinaryPrimitives.ReadUInt32BigEndian(zlib.AsSpan(zlib.Length - 4));
        if (stored != Adler32(raw)) throw Bad($"zlib Adler-32 {stored:x8}, computed {Adler32(raw):x8}");
        return raw;
    }

    /// <summary>Undoes the five PNG filters (None, Sub, Up, Average, Paeth) for one byte per pixel.</summary>
    private static byte[] Unfilter(byte[] raw, int width, int height)
    {
        byte[] pixels = new byte[width * height];
        for (int y = 0; y < height; y++)
        {
            int filter = raw[y * (width + 1)];
            for (int x = 0; x < width; x++)
            {
                int value = raw[y * (width + 1) + 1 + x];
                int left = x > 0 ? pixels[y * width + x - 1] : 0;
                int up = y > 0 ? pixels[(y - 1) * width + x] : 0;
                int upLeft = x > 0 && y > 0 ? pixels[(y - 1) * width + x - 1] : 0;
                int predictor = filter switch
                {
                    0 => 0,
                    1 => left,
                    2 => up,
                    3 => (left + up) / 2,
                    4 => Paeth(left, up, upLeft),
                    _ => throw Bad($"row {y} has filter type {filter}"),
                };
                pixels[y * width + x] = (byte)(value + predictor);
            }
        }
        return pixels;
    }

    private static int Paeth(int a, int b, int c)
    {
        int p = a + b - c, pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }

    /// <summary>CRC-32 (IEEE) one bit at a time, straight from the definition: no table shared with the code under test.</summary>
    public static uint BitwiseCrc32(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFFu;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1)));
        }
        return ~crc;
    }

    private static uint Adler32(ReadOnlySpan<byte> data)
    {
        uint a = 1, b = 0;
        foreach (byte x in data)
        {
            a = (a + x) % 65521;
            b = (b + a) % 65521;
        }
        return (b << 16) | a;
    }

    private static InvalidDataException Bad(string message) => new("not a valid PNG for these tests: " + message);
}
