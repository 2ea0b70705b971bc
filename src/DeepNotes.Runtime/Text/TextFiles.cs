using System.Buffers.Binary;
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
        GzipTrailer trailer = gzip ? ReadTrailer(file, path, what) : default;
        using CheckedStream? checkedGzip = gzip ? new CheckedStream(new GZipStream(file, CompressionMode.Decompress)) : null;
        using StreamReader reader = new(checkedGzip ?? (Stream)file, StrictUtf8, detectEncodingFromByteOrderMarks: false, bufferSize: 1 << 16);

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
            if (checkedGzip is not null && (checkedGzip.Crc != trailer.Crc || (uint)checkedGzip.Length != trailer.Size))
                throw new InvalidDataException(
                    $"{Capitalize(what)} '{path}' is not valid gzip data (truncated or corrupt): its trailer records {trailer.Size} bytes " +
                    $"with CRC-32 {trailer.Crc:x8}, but the data decompress to {checkedGzip.Length} bytes with CRC-32 {checkedGzip.Crc:x8}. " +
                    "(A file of several concatenated gzip members is not supported either.)");
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
    public static void WriteAtomically(string path, string text) => AtomicFile.Write(path, StrictUtf8.GetBytes(text));

    private readonly record struct GzipTrailer(uint Crc, uint Size);

    /// <summary>The last 8 bytes of a gzip file: CRC-32 and length mod 2^32 of the data (RFC 1952). The stream is left at 0.</summary>
    private static GzipTrailer ReadTrailer(FileStream file, string path, string what)
    {
        // GZipStream ends quietly at the end of a truncated file, so the trailer is checked by hand.
        if (file.Length < 18)
            throw new InvalidDataException($"{Capitalize(what)} '{path}' is not valid gzip data: {file.Length} bytes, less than a gzip header and trailer.");
        Span<byte> trailer = stackalloc byte[8];
        file.Position = file.Length - 8;
        file.ReadExactly(trailer);
        file.Position = 0;
        return new GzipTrailer(BinaryPrimitives.ReadUInt32LittleEndian(trailer), BinaryPrimitives.ReadUInt32LittleEndian(trailer[4..]));
    }

    /// <summary>A read-only pass-through that counts the bytes read and their CRC-32 (IEEE 802.3, as gzip's).</summary>
    private sealed class CheckedStream(Stream inner) : Stream
    {
        public uint Crc { get; private set; }
        public override long Length => _length;
        private long _length;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Position { get => _length; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            int n = inner.Read(buffer);
            Crc = Crc32.Append(Crc, buffer[..n]);
            _length += n;
            return n;
        }

        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing) inner.Dispose();
            base.Dispose(disposing);
        }
    }

    private static string Capitalize(string what) => what.Length == 0 ? what : char.ToUpperInvariant(what[0]) + what[1..];
}
