using System.Buffers;
using System.Buffers.Binary;
using System.IO;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Microsoft.Win32.SafeHandles;

namespace DeepNotes;

/// <summary>
/// Reads and writes float32 tensors in the safetensors format (https://github.com/huggingface/safetensors):
/// an 8-byte little-endian header length N, N bytes of UTF-8 JSON
/// (<c>{"__metadata__":{..},"name":{"dtype":"F32","shape":[..],"data_offsets":[begin,end]},..}</c>,
/// padded with spaces to a multiple of 8), then the little-endian tensor data, offsets relative to its start.
/// </summary>
public static class Safetensors
{
    /// <summary>Largest header accepted by <see cref="Load"/> (the reference implementation's limit).</summary>
    public const int MaxHeaderBytes = 100_000_000;

    private const string MetadataKey = "__metadata__";

    /// <summary>
    /// Writes <paramref name="tensors"/>, taken from the flat vector <paramref name="parameters"/>, to
    /// <paramref name="path"/>, in the given order, with optional string <paramref name="metadata"/> (keys sorted).
    /// The file is written to a temporary file in the same directory and then renamed over
    /// <paramref name="path"/>, so a crash never leaves a partial file behind. The output is deterministic.
    /// </summary>
    public static void Save(string path, ReadOnlySpan<TensorInfo> tensors, ReadOnlySpan<float> parameters,
        IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ValidateTensors(tensors, parameters.Length, nameof(parameters));
        byte[] header = BuildHeader(tensors, metadata);

        string full = Path.GetFullPath(path);
        string directory = Path.GetDirectoryName(full) ?? throw new ArgumentException($"'{path}' has no directory.", nameof(path));
        string temp = Path.Combine(directory, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (FileStream file = new(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                Span<byte> prefix = stackalloc byte[8];
                BinaryPrimitives.WriteUInt64LittleEndian(prefix, (ulong)header.Length);
                file.Write(prefix);
                file.Write(header);
                foreach (TensorInfo tensor in tensors)
                    WriteFloats(file, parameters.Slice(tensor.Offset, tensor.Length));
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

    /// <summary>
    /// Reads <paramref name="tensors"/> from <paramref name="path"/> into the flat vector <paramref name="parameters"/>.
    /// The whole file is validated (header, names, dtypes, shapes, offsets, size) and all data read before
    /// anything is written to <paramref name="parameters"/>: on any error it is left unchanged.
    /// </summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is malformed or does not hold exactly the expected tensors.</exception>
    public static void Load(string path, ReadOnlySpan<TensorInfo> tensors, Span<float> parameters,
        out IReadOnlyDictionary<string, string> metadata)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ValidateTensors(tensors, parameters.Length, nameof(parameters));
        if (!File.Exists(path))
            throw new FileNotFoundException($"Safetensors file not found: '{path}'.", path);

        using SafeFileHandle handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.RandomAccess);
        long fileLength = RandomAccess.GetLength(handle);
        if (fileLength < 8)
            throw Bad(path, $"file is truncated: {fileLength} bytes, less than the 8-byte header length prefix.");
        Span<byte> prefix = stackalloc byte[8];
        ReadExactly(handle, prefix, 0, path);
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (headerLength > MaxHeaderBytes)
            throw Bad(path, $"header length {headerLength} exceeds the {MaxHeaderBytes}-byte limit (not a safetensors file?).");
        if ((long)headerLength > fileLength - 8)
            throw Bad(path, $"header length {headerLength} exceeds the {fileLength - 8} bytes after the length prefix (truncated, or not a safetensors file).");
        if (headerLength < 2)
            throw Bad(path, $"header length {headerLength} is too small for a JSON object.");

        byte[] header = new byte[headerLength];
        ReadExactly(handle, header, 8, path);
        long dataStart = 8 + (long)headerLength;
        long dataLength = fileLength - dataStart;

        Dictionary<string, Entry> entries = ParseHeader(header, path, out Dictionary<string, string> meta);
        Entry[] matched = Match(tensors, entries, path);

        // Offsets: each tensor inside the data section, sized exactly, and together covering it without holes or overlap.
        for (int i = 0; i < tensors.Length; i++)
        {
            TensorInfo t = tensors[i];
            Entry e = matched[i];
            if (e.End < e.Begin)
                throw Bad(path, $"tensor '{t.Name}' has data_offsets [{e.Begin}, {e.End}] with end before begin.");
            if (e.End - e.Begin != (ulong)t.Length * sizeof(float))
                throw Bad(path, $"tensor '{t.Name}' has data_offsets [{e.Begin}, {e.End}] ({e.End - e.Begin} bytes), " +
                    $"but shape {Format(t.Shape)} of F32 needs {(ulong)t.Length * sizeof(float)} bytes.");
            if (e.End > (ulong)dataLength)
                throw Bad(path, $"file is truncated: tensor '{t.Name}' occupies data bytes [{e.Begin}, {e.End}) " +
                    $"but the data section holds only {dataLength} bytes.");
        }
        CheckCoverage(matched, tensors, (ulong)dataLength, path);

        // Read everything into scratch memory first; only a fully read file reaches the parameters.
        int total = 0;
        foreach (TensorInfo t in tensors) total = checked(total + t.Length);
        float[] scratch = GC.AllocateUninitializedArray<float>(total);
        int at = 0;
        for (int i = 0; i < tensors.Length; i++)
        {
            Span<float> dest = scratch.AsSpan(at, tensors[i].Length);
            ReadExactly(handle, MemoryMarshal.AsBytes(dest), dataStart + (long)matched[i].Begin, path);
            if (!BitConverter.IsLittleEndian)
            {
                Span<int> bits = MemoryMarshal.Cast<float, int>(dest);
                BinaryPrimitives.ReverseEndianness(bits, bits);
            }
            at += tensors[i].Length;
        }

        at = 0;
        foreach (TensorInfo t in tensors)
        {
            scratch.AsSpan(at, t.Length).CopyTo(parameters.Slice(t.Offset, t.Length));
            at += t.Length;
        }
        metadata = meta;
    }

    private readonly record struct Entry(string DType, long[] Shape, ulong Begin, ulong End);

    private static void ValidateTensors(ReadOnlySpan<TensorInfo> tensors, int vectorLength, string vectorName)
    {
        HashSet<string> names = new(StringComparer.Ordinal);
        foreach (TensorInfo t in tensors)
        {
            if (t is null) throw new ArgumentException("A tensor description is null.", nameof(tensors));
            if (t.Name == MetadataKey)
                throw new ArgumentException($"'{MetadataKey}' is reserved and cannot name a tensor.", nameof(tensors));
            if (!names.Add(t.Name))
                throw new ArgumentException($"Tensor name '{t.Name}' appears twice.", nameof(tensors));
            if ((long)t.Offset + t.Length > vectorLength)
                throw new ArgumentException(
                    $"Tensor {t} spans [{t.Offset}, {(long)t.Offset + t.Length}) but the vector has {vectorLength} elements.", vectorName);
        }
    }

    private static byte[] BuildHeader(ReadOnlySpan<TensorInfo> tensors, IReadOnlyDictionary<string, string>? metadata)
    {
        ArrayBufferWriter<byte> buffer = new();
        using (Utf8JsonWriter json = new(buffer, new JsonWriterOptions { Indented = false }))
        {
            json.WriteStartObject();
            if (metadata is not null && metadata.Count > 0)
            {
                string[] keys = new string[metadata.Count];
                int k = 0;
                foreach (KeyValuePair<string, string> pair in metadata)
                {
                    if (pair.Key is null || pair.Value is null)
                        throw new ArgumentException("Metadata keys and values must not be null.", nameof(metadata));
                    keys[k++] = pair.Key;
                }
                Array.Sort(keys, StringComparer.Ordinal);
                json.WriteStartObject(MetadataKey);
                foreach (string key in keys) json.WriteString(key, metadata[key]);
                json.WriteEndObject();
            }

            ulong offset = 0;
            foreach (TensorInfo t in tensors)
            {
                json.WriteStartObject(t.Name);
                json.WriteString("dtype", "F32");
                json.WriteStartArray("shape");
                foreach (int d in t.Shape) json.WriteNumberValue(d);
                json.WriteEndArray();
                ulong end = offset + (ulong)t.Length * sizeof(float);
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                json.WriteNumberValue(end);
                json.WriteEndArray();
                json.WriteEndObject();
                offset = end;
            }
            json.WriteEndObject();
        }

        int length = (buffer.WrittenCount + 7) & ~7;
        byte[] header = new byte[length];
        buffer.WrittenSpan.CopyTo(header);
        header.AsSpan(buffer.WrittenCount).Fill((byte)' ');
        return header;
    }

    private static void WriteFloats(FileStream file, ReadOnlySpan<float> values)
    {
        if (BitConverter.IsLittleEndian)
        {
            file.Write(MemoryMarshal.AsBytes(values));
            return;
        }
        Span<byte> chunk = stackalloc byte[4096];
        while (!values.IsEmpty)
        {
            int n = Math.Min(values.Length, chunk.Length / sizeof(float));
            for (int i = 0; i < n; i++) BinaryPrimitives.WriteSingleLittleEndian(chunk.Slice(i * sizeof(float)), values[i]);
            file.Write(chunk[..(n * sizeof(float))]);
            values = values[n..];
        }
    }

    private static Dictionary<string, Entry> ParseHeader(byte[] header, string path, out Dictionary<string, string> metadata)
    {
        if (header[0] != (byte)'{')
            throw Bad(path, $"header does not start with '{{' (first byte 0x{header[0]:X2}); not a safetensors file.");
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(header, new JsonDocumentOptions { AllowTrailingCommas = false, CommentHandling = JsonCommentHandling.Disallow });
        }
        catch (JsonException e)
        {
            throw Bad(path, $"header is not valid JSON: {e.Message}", e);
        }
        catch (ArgumentException e) // invalid UTF-8
        {
            throw Bad(path, $"header is not valid UTF-8 JSON: {e.Message}", e);
        }

        using (document)
        {
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw Bad(path, $"header is a JSON {root.ValueKind}, expected an object.");

            Dictionary<string, Entry> entries = new(StringComparer.Ordinal);
            metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            bool sawMetadata = false;
            foreach (JsonProperty property in root.EnumerateObject())
            {
                string name = property.Name;
                if (name == MetadataKey)
                {
                    if (sawMetadata) throw Bad(path, $"header has '{MetadataKey}' twice.");
                    sawMetadata = true;
                    if (property.Value.ValueKind != JsonValueKind.Object)
                        throw Bad(path, $"'{MetadataKey}' is a JSON {property.Value.ValueKind}, expected an object of strings.");
                    foreach (JsonProperty m in property.Value.EnumerateObject())
                    {
                        if (m.Value.ValueKind != JsonValueKind.String)
                            throw Bad(path, $"metadata '{m.Name}' is a JSON {m.Value.ValueKind}, expected a string.");
                        if (!metadata.TryAdd(m.Name, m.Value.GetString()!))
                            throw Bad(path, $"metadata key '{m.Name}' appears twice.");
                    }
                    continue;
                }
                if (entries.ContainsKey(name))
                    throw Bad(path, $"tensor '{name}' appears twice in the header.");
                entries.Add(name, ParseEntry(name, property.Value, path));
            }
            return entries;
        }
    }

    private static Entry ParseEntry(string name, JsonElement value, string path)
    {
        if (value.ValueKind != JsonValueKind.Object)
            throw Bad(path, $"tensor '{name}' is a JSON {value.ValueKind}, expected an object.");
        if (!value.TryGetProperty("dtype", out JsonElement dtype) || dtype.ValueKind != JsonValueKind.String)
            throw Bad(path, $"tensor '{name}' has no string \"dtype\".");
        if (!value.TryGetProperty("shape", out JsonElement shapeElement) || shapeElement.ValueKind != JsonValueKind.Array)
            throw Bad(path, $"tensor '{name}' has no array \"shape\".");
        if (!value.TryGetProperty("data_offsets", out JsonElement offsets) || offsets.ValueKind != JsonValueKind.Array
            || offsets.GetArrayLength() != 2)
            throw Bad(path, $"tensor '{name}' has no two-element array \"data_offsets\".");

        long[] shape = new long[shapeElement.GetArrayLength()];
        int i = 0;
        foreach (JsonElement d in shapeElement.EnumerateArray())
        {
            if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt64(out long dim) || dim < 0)
                throw Bad(path, $"tensor '{name}' has shape entry {d.GetRawText()}, expected a non-negative integer.");
            shape[i++] = dim;
        }
        if (offsets[0].ValueKind != JsonValueKind.Number || !offsets[0].TryGetUInt64(out ulong begin)
            || offsets[1].ValueKind != JsonValueKind.Number || !offsets[1].TryGetUInt64(out ulong end))
            throw Bad(path, $"tensor '{name}' has data_offsets {offsets.GetRawText()}, expected two non-negative integers.");
        return new Entry(dtype.GetString()!, shape, begin, end);
    }

    private static Entry[] Match(ReadOnlySpan<TensorInfo> tensors, Dictionary<string, Entry> entries, string path)
    {
        Entry[] matched = new Entry[tensors.Length];
        List<string> missing = new();
        HashSet<string> expected = new(StringComparer.Ordinal);
        for (int i = 0; i < tensors.Length; i++)
        {
            expected.Add(tensors[i].Name);
            if (entries.TryGetValue(tensors[i].Name, out Entry e)) matched[i] = e;
            else missing.Add(tensors[i].Name);
        }
        List<string> extra = new();
        foreach (string name in entries.Keys)
        {
            if (!expected.Contains(name)) extra.Add(name);
        }
        if (missing.Count > 0 || extra.Count > 0)
        {
            extra.Sort(StringComparer.Ordinal);
            StringBuilder message = new("tensors do not match the model:");
            if (missing.Count > 0) message.Append(" missing ").Append(string.Join(", ", missing.ConvertAll(n => $"'{n}'"))).Append(';');
            if (extra.Count > 0) message.Append(" unexpected ").Append(string.Join(", ", extra.ConvertAll(n => $"'{n}'"))).Append(';');
            message.Length--;
            message.Append('.');
            throw Bad(path, message.ToString());
        }

        for (int i = 0; i < tensors.Length; i++)
        {
            TensorInfo t = tensors[i];
            Entry e = matched[i];
            if (e.DType != "F32")
                throw Bad(path, $"tensor '{t.Name}' has dtype {e.DType}, expected F32.");
            bool same = e.Shape.Length == t.Shape.Length;
            for (int d = 0; same && d < e.Shape.Length; d++) same = e.Shape[d] == t.Shape[d];
            if (!same)
                throw Bad(path, $"tensor '{t.Name}' has shape {Format(e.Shape)} in the file, expected {Format(t.Shape)}.");
        }
        return matched;
    }

    private static void CheckCoverage(Entry[] matched, ReadOnlySpan<TensorInfo> tensors, ulong dataLength, string path)
    {
        int[] byBegin = new int[matched.Length];
        for (int i = 0; i < byBegin.Length; i++) byBegin[i] = i;
        Array.Sort(byBegin, (a, b) => matched[a].Begin.CompareTo(matched[b].Begin));
        ulong expected = 0;
        foreach (int i in byBegin)
        {
            if (matched[i].Begin != expected)
                throw Bad(path, matched[i].Begin < expected
                    ? $"tensor '{tensors[i].Name}' at data bytes [{matched[i].Begin}, {matched[i].End}) overlaps the previous tensor, which ends at {expected}."
                    : $"data bytes [{expected}, {matched[i].Begin}) before tensor '{tensors[i].Name}' belong to no tensor.");
            expected = matched[i].End;
        }
        if (expected != dataLength)
            throw Bad(path, $"the data section holds {dataLength} bytes but the tensors cover only {expected}; {dataLength - expected} trailing bytes.");
    }

    private static void ReadExactly(SafeFileHandle handle, Span<byte> buffer, long offset, string path)
    {
        int done = 0;
        while (done < buffer.Length)
        {
            int n = RandomAccess.Read(handle, buffer[done..], offset + done);
            if (n == 0)
                throw Bad(path, $"file is truncated: expected {buffer.Length} bytes at offset {offset}, found {done}.");
            done += n;
        }
    }

    private static string Format(ReadOnlySpan<int> shape)
    {
        StringBuilder s = new("[");
        for (int i = 0; i < shape.Length; i++) s.Append(i == 0 ? "" : ", ").Append(shape[i]);
        return s.Append(']').ToString();
    }

    private static string Format(long[] shape) => "[" + string.Join(", ", shape) + "]";

    private static InvalidDataException Bad(string path, string problem, Exception? inner = null)
        => new($"Safetensors file '{path}': {problem}", inner);
}
