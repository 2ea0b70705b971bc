using System.IO;
using System.IO.Compression;
using System.Text;

namespace DeepNotes.Text;

/// <summary>
/// Reading text files that may be gzip-compressed (detected by the 1f 8b magic bytes, not by the
/// name) as strict UTF-8, and writing text files atomically (temporary file, then rename).
/// </summary>
internal static class TextFiles
{
    /// <summary>UTF-8 that throws on invalid bytes instead of substituting U+FFFD, and writes no BOM.</summary>
    public static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Calls <paramref name="onLine"/> for each line of the file (without its terminator), counting lines from 1.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">Corrupt gzip data or invalid UTF-8, with the file and line named.</exception>
    public static void ReadLines<TState>(string path, string what, ref TState state, LineHandler<TState> onLine)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
            throw new FileNotFoundException($"{Capitalize(what)} not found: '{path}'.", path);

        using FileStream file = new(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        Span<byte> sniff = stackalloc byte[2];
        int sniffed = file.ReadAtLeast(sniff, 2, throwOnEndOfStream: false);
        file.Position = 0;
        bool gzip = sniffed == 2 && sniff[0] == 0x1F && sniff[1] == 0x8B;
        using Stream stream = gzip ? new GZipStream(file, CompressionMode.Decompress) : file;
        using StreamReader reader = new(stream, StrictUtf8, detectEncodingFromByteOrderMarks: false, bufferSize: 1 << 16);

        int lineNumber = 0;
        try
        {
            string? line;
            while ((line = reader.ReadLine()) is not null)
            {
                lineNumber++;
                if (lineNumber == 1 && line.Length > 0 && line[0] == '\uFEFF') line = line[1..]; // a UTF-8 BOM
                onLine(ref state, line, lineNumber);
            }
        }
        catch (DecoderFallbackException e)
        {
            throw new InvalidDataException(
                $"{Capitalize(what)} '{path}', line {lineNumber + 1}: not valid UTF-8 ({e.Message}).", e);
        }
        catch (InvalidDataException e) when (!e.Message.Contains(path, StringComparison.Ordinal))
        {
            // GZipStream's own errors (corrupt deflate data, bad CRC, truncation) do not name the file.
            throw new InvalidDataException(
                $"{Capitalize(what)} '{path}' is not valid gzip data (after line {lineNumber}): {e.Message}", e);
        }
    }

    /// <summary>A callback of <see cref="ReadLines"/>.</summary>
    public delegate void LineHandler<TState>(ref TState state, string line, int lineNumber);

    /// <summary>Writes <paramref name="text"/> as UTF-8 (no BOM) to a temporary file beside <paramref name="path"/>, then renames it over <paramref name="path"/>.</summary>
    public static void WriteAtomically(string path, string text)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string full = Path.GetFullPath(path);
        string directory = Path.GetDirectoryName(full) ?? throw new ArgumentException($"'{path}' has no directory.", nameof(path));
        string temp = Path.Combine(directory, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (FileStream file = new(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                file.Write(StrictUtf8.GetBytes(text));
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

    private static string Capitalize(string what) => what.Length == 0 ? what : char.ToUpperInvariant(what[0]) + what[1..];
}
