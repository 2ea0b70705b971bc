using System.Buffers.Binary;
using System.IO.Compression;

namespace DeepNotes.Cli.Tests;

/// <summary>Small random MNIST-shaped IDX files.</summary>
internal static class Idx
{
    public static byte[] Images(int count, int seed)
    {
        byte[] bytes = new byte[16 + count * 784];
        BinaryPrimitives.WriteInt32BigEndian(bytes, 0x00000803);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4), count);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(8), 28);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(12), 28);
        new Random(seed).NextBytes(bytes.AsSpan(16));
        return bytes;
    }

    public static byte[] Labels(int count, int seed)
    {
        byte[] bytes = new byte[8 + count];
        BinaryPrimitives.WriteInt32BigEndian(bytes, 0x00000801);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4), count);
        Random random = new(seed);
        for (int i = 0; i < count; i++) bytes[8 + i] = (byte)random.Next(10);
        return bytes;
    }

    public static byte[] Gzip(byte[] raw)
    {
        using MemoryStream ms = new();
        using (GZipStream gz = new(ms, CompressionLevel.Fastest, leaveOpen: true)) gz.Write(raw);
        return ms.ToArray();
    }
}
