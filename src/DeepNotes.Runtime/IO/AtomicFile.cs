using System.IO;

namespace DeepNotes;

/// <summary>
/// Writes a file so that <c>path</c> never holds a partial one: the bytes go to a temporary file in the
/// same directory (same file system, so the rename is atomic), are flushed to disk, and the temporary
/// file is then renamed over <c>path</c>. On any failure the temporary file is removed and the old
/// <c>path</c>, if any, is left as it was.
/// </summary>
internal static class AtomicFile
{
    public static void Write(string path, ReadOnlySpan<byte> bytes)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string full = Path.GetFullPath(path);
        if (Directory.Exists(full)) throw new IOException($"cannot write '{path}': it is a directory");
        string directory = Path.GetDirectoryName(full) ?? throw new ArgumentException($"'{path}' has no directory.", nameof(path));
        string temp = Path.Combine(directory, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (FileStream file = new(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                file.Write(bytes);
                file.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            try { File.Delete(temp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            throw;
        }
    }
}
