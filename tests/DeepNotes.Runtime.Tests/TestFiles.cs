using System.IO.Compression;

namespace DeepNotes.Runtime.Tests;

/// <summary>A temporary directory deleted on dispose, plus helpers shared by the data tests.</summary>
internal sealed class TempDir : IDisposable
{
    public TempDir()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "deepnotes-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }
}

internal static class TestFiles
{
    /// <summary>The repository root: the first folder above the test binaries holding DeepNotes.sln.</summary>
    public static string RepoRoot()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "DeepNotes.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException($"No DeepNotes.sln above {AppContext.BaseDirectory}.");
    }

    /// <summary>An IDX file of uint8 data: magic 0x000008DD, big-endian dims, payload.</summary>
    public static byte[] Idx(int[] dims, ReadOnlySpan<byte> payload)
    {
        byte[] bytes = new byte[4 + 4 * dims.Length + payload.Length];
        bytes[2] = 0x08;
        bytes[3] = (byte)dims.Length;
        for (int d = 0; d < dims.Length; d++)
            System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4 + 4 * d), dims[d]);
        payload.CopyTo(bytes.AsSpan(4 + 4 * dims.Length));
        return bytes;
    }

    public static byte[] Gzip(byte[] raw)
    {
        using MemoryStream ms = new();
        using (GZipStream gz = new(ms, CompressionLevel.Optimal, leaveOpen: true)) gz.Write(raw);
        return ms.ToArray();
    }

    public static byte[] RandomBytes(int n, int seed)
    {
        byte[] b = new byte[n];
        new Random(seed).NextBytes(b);
        return b;
    }
}
