using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace DeepNotes.Runtime.Tests;

public class SafetensorsTests
{
    private const float Sentinel = -12345f;

    private static TensorInfo T(string name, int offset, params int[] shape) => new(name, offset, shape, TensorRole.Weight);

    /// <summary>fc.weight [2, 3] at 0, fc.bias [3] at 6, bn.mean [2] at 9: 11 floats.</summary>
    private static TensorInfo[] Model() => new[]
    {
        T("fc.weight", 0, 2, 3),
        new TensorInfo("fc.bias", 6, new[] { 3 }, TensorRole.Bias),
        new TensorInfo("bn.mean", 9, new[] { 2 }, TensorRole.State),
    };

    private static float[] Values(int n, float scale = 1.5f)
    {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (i - 4) * scale + 0.125f;
        return v;
    }

    /// <summary>Writes a file with the given header text (space-padded to 8) and data bytes.</summary>
    private static void Craft(string path, string headerJson, byte[] data, long? headerLengthOverride = null)
    {
        byte[] json = Encoding.UTF8.GetBytes(headerJson);
        int padded = (json.Length + 7) & ~7;
        byte[] file = new byte[8 + padded + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(file, (ulong)(headerLengthOverride ?? padded));
        json.CopyTo(file, 8);
        file.AsSpan(8 + json.Length, padded - json.Length).Fill((byte)' ');
        data.CopyTo(file, 8 + padded);
        File.WriteAllBytes(path, file);
    }

    private static byte[] FloatBytes(params float[] values)
    {
        byte[] b = new byte[values.Length * 4];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(b.AsSpan(4 * i), values[i]);
        return b;
    }

    /// <summary>Asserts Load rejects the file with InvalidDataException naming the path and all fragments, leaving the vector untouched.</summary>
    private static void AssertRejected(string path, TensorInfo[] tensors, params string[] fragments)
    {
        float[] destination = new float[20];
        Array.Fill(destination, Sentinel);
        InvalidDataException e = Assert.Throws<InvalidDataException>(() => Safetensors.Load(path, tensors, destination, out _));
        Assert.Contains(path, e.Message);
        foreach (string f in fragments) Assert.Contains(f, e.Message);
        Assert.All(destination, v => Assert.Equal(Sentinel, v));
    }

    [Fact]
    public void RoundTripsIntoADifferentLayout()
    {
        using TempDir dir = new();
        string path = dir.File("model.safetensors");
        float[] saved = Values(11);
        Dictionary<string, string> meta = new() { ["format"] = "pt", ["epoch"] = "3", ["note"] = "é \"quoted\" <tag>" };
        Safetensors.Save(path, Model(), saved, meta);

        // Same names and shapes, different positions in a longer vector with gaps.
        TensorInfo[] other =
        {
            T("bn.mean", 0, 2),
            T("fc.weight", 4, 2, 3),
            T("fc.bias", 12, 3),
        };
        float[] loaded = new float[16];
        Array.Fill(loaded, Sentinel);
        Safetensors.Load(path, other, loaded, out IReadOnlyDictionary<string, string> readMeta);
        Assert.Equal(saved[9..11], loaded[0..2]);
        Assert.Equal(saved[0..6], loaded[4..10]);
        Assert.Equal(saved[6..9], loaded[12..15]);
        Assert.Equal(new[] { Sentinel, Sentinel, Sentinel, Sentinel }, new[] { loaded[2], loaded[3], loaded[10], loaded[11] });
        Assert.Equal(Sentinel, loaded[15]);
        Assert.Equal(3, readMeta.Count);
        Assert.Equal("é \"quoted\" <tag>", readMeta["note"]);
        Assert.Equal("3", readMeta["epoch"]);

        // Special values survive bit for bit.
        float[] special = { float.NaN, float.PositiveInfinity, -0f, float.Epsilon, 1e-40f, -3.4e38f };
        Safetensors.Save(path, new[] { T("s", 0, 6) }, special);
        float[] back = new float[6];
        Safetensors.Load(path, new[] { T("s", 0, 6) }, back, out readMeta);
        Assert.Empty(readMeta);
        for (int i = 0; i < 6; i++) Assert.Equal(BitConverter.SingleToInt32Bits(special[i]), BitConverter.SingleToInt32Bits(back[i]));
    }

    [Fact]
    public void TinyFileHasExactBytes()
    {
        using TempDir dir = new();
        string path = dir.File("tiny.safetensors");
        Safetensors.Save(path, new[] { T("w", 0, 2) }, new[] { 1f, -2f }, new Dictionary<string, string> { ["format"] = "pt" });
        byte[] file = File.ReadAllBytes(path);

        const string json = "{\"__metadata__\":{\"format\":\"pt\"},\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}";
        int padded = (json.Length + 7) / 8 * 8;
        Assert.Equal((ulong)padded, BinaryPrimitives.ReadUInt64LittleEndian(file));
        Assert.Equal(0, padded % 8);
        Assert.Equal(json + new string(' ', padded - json.Length), Encoding.UTF8.GetString(file, 8, padded));
        Assert.Equal(new byte[] { 0, 0, 0x80, 0x3F, 0, 0, 0, 0xC0 }, file[(8 + padded)..]);
    }

    [Fact]
    public void HeaderIsReadableByAnIndependentParser()
    {
        using TempDir dir = new();
        string path = dir.File("m.safetensors");
        float[] values = Values(11);
        Safetensors.Save(path, Model(), values);
        byte[] file = File.ReadAllBytes(path);

        long n = (long)BinaryPrimitives.ReadUInt64LittleEndian(file);
        Assert.Equal(0, n % 8);
        Assert.True(8 + n <= file.Length);
        Dictionary<string, object> header = (Dictionary<string, object>)new MiniJson(Encoding.UTF8.GetString(file, 8, (int)n)).ParseDocument();
        Assert.Equal(new[] { "fc.weight", "fc.bias", "bn.mean" }, header.Keys);
        ReadOnlySpan<byte> data = file.AsSpan((int)(8 + n));

        long expectedBegin = 0;
        foreach (TensorInfo t in Model())
        {
            Dictionary<string, object> entry = (Dictionary<string, object>)header[t.Name];
            Assert.Equal("F32", entry["dtype"]);
            Assert.Equal(t.Shape.ToArray(), ((List<object>)entry["shape"]).ConvertAll(o => (int)(long)o));
            List<object> offsets = (List<object>)entry["data_offsets"];
            long begin = (long)offsets[0], end = (long)offsets[1];
            Assert.Equal(expectedBegin, begin); // tensors are stored contiguously in the given order
            Assert.Equal(t.Length * 4L, end - begin);
            for (int i = 0; i < t.Length; i++)
                Assert.Equal(values[t.Offset + i], BinaryPrimitives.ReadSingleLittleEndian(data.Slice((int)begin + 4 * i)));
            expectedBegin = end;
        }
        Assert.Equal(expectedBegin, data.Length);
    }

    [Fact]
    public void OutputIsDeterministicAndMetadataOrderDoesNotMatter()
    {
        using TempDir dir = new();
        float[] values = Values(11);
        Safetensors.Save(dir.File("a"), Model(), values, new Dictionary<string, string> { ["x"] = "1", ["a"] = "2" });
        Safetensors.Save(dir.File("b"), Model(), values, new Dictionary<string, string> { ["a"] = "2", ["x"] = "1" });
        Assert.Equal(File.ReadAllBytes(dir.File("a")), File.ReadAllBytes(dir.File("b")));
    }

    [Fact]
    public void SaveReplacesAtomicallyAndLeavesNoTemporaryFiles()
    {
        using TempDir dir = new();
        string path = dir.File("ckpt.safetensors");
        Safetensors.Save(path, Model(), Values(11, 1f));
        Safetensors.Save(path, Model(), Values(11, 2f));
        float[] loaded = new float[11];
        Safetensors.Load(path, Model(), loaded, out _);
        Assert.Equal(Values(11, 2f), loaded);
        Assert.Equal(new[] { path }, Directory.GetFiles(dir.Path));

        // A save that fails validation leaves the existing checkpoint as it was.
        byte[] before = File.ReadAllBytes(path);
        Assert.Throws<ArgumentException>(() => Safetensors.Save(path, Model(), new float[10]));
        Assert.Throws<ArgumentException>(() => Safetensors.Save(path, new[] { T("a", 0, 1), T("a", 1, 1) }, new float[2]));
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Equal(new[] { path }, Directory.GetFiles(dir.Path));
    }

    [Fact]
    public void RefusesTruncatedFile()
    {
        using TempDir dir = new();
        string path = dir.File("t.safetensors");
        Safetensors.Save(path, Model(), Values(11));
        byte[] file = File.ReadAllBytes(path);
        File.WriteAllBytes(path, file[..^4]);
        AssertRejected(path, Model(), "truncated", "bn.mean");

        File.WriteAllBytes(path, file[..20]); // cut inside the header
        AssertRejected(path, Model(), "exceeds", "truncated");

        File.WriteAllBytes(path, file[..5]);
        AssertRejected(path, Model(), "truncated");
    }

    [Fact]
    public void RefusesWrongDtype()
    {
        using TempDir dir = new();
        string path = dir.File("f16.safetensors");
        Craft(path, "{\"w\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,4]}}", new byte[4]);
        AssertRejected(path, new[] { T("w", 0, 2) }, "tensor 'w' has dtype F16, expected F32");
    }

    [Fact]
    public void RefusesWrongShapeShowingBoth()
    {
        using TempDir dir = new();
        string path = dir.File("s.safetensors");
        Safetensors.Save(path, new[] { T("w", 0, 2, 3) }, Values(6));
        AssertRejected(path, new[] { T("w", 0, 3, 2) }, "tensor 'w' has shape [2, 3] in the file, expected [3, 2]");
        AssertRejected(path, new[] { T("w", 0, 6) }, "[2, 3]", "[6]");
    }

    [Fact]
    public void RefusesMissingAndExtraTensorsListingThem()
    {
        using TempDir dir = new();
        string path = dir.File("m.safetensors");
        Safetensors.Save(path, Model(), Values(11));
        TensorInfo[] more = { T("fc.weight", 0, 2, 3), T("fc.bias", 6, 3), T("bn.mean", 9, 2), T("bn.var", 11, 2) };
        AssertRejected(path, more, "missing 'bn.var'");
        TensorInfo[] fewer = { T("fc.weight", 0, 2, 3) };
        AssertRejected(path, fewer, "unexpected 'bn.mean', 'fc.bias'");
        TensorInfo[] renamed = { T("fc.weight", 0, 2, 3), T("fc.b", 6, 3), T("bn.mean", 9, 2) };
        AssertRejected(path, renamed, "missing 'fc.b'", "unexpected 'fc.bias'");
    }

    [Fact]
    public void RefusesGarbageHeaders()
    {
        using TempDir dir = new();
        string path = dir.File("g.safetensors");
        TensorInfo[] w = { T("w", 0, 1) };

        File.WriteAllBytes(path, TestFiles.RandomBytes(4096, 9));
        AssertRejected(path, w, "header length");

        Craft(path, "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],", new byte[4]);
        AssertRejected(path, w, "not valid JSON");

        Craft(path, "[1, 2, 3]", new byte[4]);
        AssertRejected(path, w, "does not start with '{'");

        Craft(path, "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}} trailing", new byte[4]);
        AssertRejected(path, w, "not valid JSON");

        Craft(path, "{\"w\":{\"dtype\":\"F32\",\"shape\":[1]}}", new byte[4]);
        AssertRejected(path, w, "data_offsets");

        Craft(path, "{\"w\":{\"dtype\":\"F32\",\"shape\":[1.5],\"data_offsets\":[0,4]}}", new byte[4]);
        AssertRejected(path, w, "shape entry 1.5");

        Craft(path, "{\"__metadata__\":{\"n\":3},\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", new byte[4]);
        AssertRejected(path, w, "metadata 'n'");

        Craft(path, "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", new byte[4]);
        AssertRejected(path, w, "appears twice");

        Craft(path, "{}", new byte[4], headerLengthOverride: 200_000_000);
        AssertRejected(path, w, "header length 200000000 exceeds the 100000000-byte limit");
    }

    [Fact]
    public void RefusesBadOffsets()
    {
        using TempDir dir = new();
        string path = dir.File("o.safetensors");
        TensorInfo[] ab = { T("a", 0, 1), T("b", 1, 1) };

        Craft(path, "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}", new byte[12]);
        AssertRejected(path, ab, "tensor 'a' has data_offsets [0, 8] (8 bytes)", "needs 4 bytes");

        Craft(path, "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", new byte[8]);
        AssertRejected(path, ab, "overlaps");

        Craft(path, "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}", new byte[12]);
        AssertRejected(path, ab, "belong to no tensor");

        Craft(path, "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", new byte[16]);
        AssertRejected(path, ab, "8 trailing bytes");

        Craft(path, "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,0]},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", new byte[8]);
        AssertRejected(path, ab, "end before begin");

        // The same layout with correct offsets loads, in file order b then a.
        Craft(path, "{\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", FloatBytes(2f, 1f));
        float[] ok = new float[2];
        Safetensors.Load(path, ab, ok, out _);
        Assert.Equal(new[] { 1f, 2f }, ok);
    }

    [Fact]
    public void ArgumentErrorsAndMissingFile()
    {
        using TempDir dir = new();
        string path = dir.File("none.safetensors");
        FileNotFoundException e = Assert.Throws<FileNotFoundException>(() => Safetensors.Load(path, Model(), new float[11], out _));
        Assert.Contains(path, e.Message);
        Assert.Throws<ArgumentException>(() => Safetensors.Load(path, Model(), new float[10], out _));
        Assert.Throws<ArgumentException>(() => Safetensors.Save(path, new[] { T("__metadata__", 0, 1) }, new float[1]));
    }

    [Fact]
    public void TensorInfoDescribesItsSlice()
    {
        int[] shape = { 4, 3, 2 };
        TensorInfo t = new("conv.weight", 10, shape, TensorRole.Weight);
        Assert.Equal(24, t.Length);
        Assert.Equal("conv.weight [4, 3, 2]", t.ToString());
        shape[0] = 99; // defensive copy
        Assert.Equal(4, t.Shape[0]);
        Assert.Equal(1, new TensorInfo("scale", 0, Array.Empty<int>(), TensorRole.State).Length);
        Assert.Equal(0, T("empty", 0, 3, 0).Length);
        Assert.Throws<ArgumentException>(() => new TensorInfo("", 0, shape, TensorRole.Bias));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TensorInfo("x", -1, shape, TensorRole.Bias));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TensorInfo("x", 0, new[] { 2, -1 }, TensorRole.Bias));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TensorInfo("x", 0, new[] { 65536, 65536 }, TensorRole.Bias));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TensorInfo("x", int.MaxValue, new[] { 2 }, TensorRole.Bias));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TensorInfo("x", 0, new[] { 2 }, (TensorRole)7));
    }

    /// <summary>A deliberately small JSON parser (objects keep key order, integers as long) for checking the header independently.</summary>
    private sealed class MiniJson
    {
        private readonly string _s;
        private int _i;

        public MiniJson(string s) => _s = s;

        public object ParseDocument()
        {
            object v = Value();
            SkipSpace();
            if (_i != _s.Length) throw new FormatException($"trailing text at {_i}");
            return v;
        }

        private object Value()
        {
            SkipSpace();
            char c = _s[_i];
            if (c == '{')
            {
                Dictionary<string, object> obj = new(); // enumerates in insertion order (no removals)
                _i++;
                SkipSpace();
                if (_s[_i] == '}') { _i++; return obj; }
                while (true)
                {
                    SkipSpace();
                    string key = String();
                    SkipSpace();
                    Expect(':');
                    if (!obj.TryAdd(key, Value())) throw new FormatException($"duplicate key {key}");
                    SkipSpace();
                    if (_s[_i] == ',') { _i++; continue; }
                    Expect('}');
                    return obj;
                }
            }
            if (c == '[')
            {
                List<object> list = new();
                _i++;
                SkipSpace();
                if (_s[_i] == ']') { _i++; return list; }
                while (true)
                {
                    list.Add(Value());
                    SkipSpace();
                    if (_s[_i] == ',') { _i++; continue; }
                    Expect(']');
                    return list;
                }
            }
            if (c == '"') return String();
            int start = _i;
            while (_i < _s.Length && (char.IsAsciiDigit(_s[_i]) || _s[_i] == '-')) _i++;
            return long.Parse(_s.AsSpan(start, _i - start), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        }

        private string String()
        {
            Expect('"');
            StringBuilder sb = new();
            while (_s[_i] != '"')
            {
                if (_s[_i] == '\\') throw new FormatException("escapes not expected in these names");
                sb.Append(_s[_i++]);
            }
            _i++;
            return sb.ToString();
        }

        private void Expect(char c)
        {
            if (_s[_i] != c) throw new FormatException($"expected '{c}' at {_i}, found '{_s[_i]}'");
            _i++;
        }

        private void SkipSpace()
        {
            while (_i < _s.Length && _s[_i] == ' ') _i++;
        }
    }
}
