using System.IO.Compression;
using System.Text;
using DeepNotes.Text;
using Microsoft.ML.Tokenizers;

namespace DeepNotes.Text.Bpe.Tests;

public class BpeTokenizerTests
{
    private static readonly BpeTokenizer s_gpt2 = BpeTokenizer.ForModel(BpeTokenizer.Gpt2);

    [Fact]
    public void EncodesGpt2sIdsForKnownText()
    {
        // GPT-2's ids (OpenAI's r50k_base table): "Hello" 15496, " world" 995; single bytes 'a' 64 and 'b' 65
        // (the printable bytes come first, from '!' = 0); <|endoftext|> 50256.
        Assert.Equal([15496, 995], s_gpt2.Encode("Hello world"));
        Assert.Equal([64, 50256, 65], s_gpt2.Encode("a<|endoftext|>b"));
        Assert.Equal(50_257, s_gpt2.VocabularySize);
        Assert.Equal(50_256, s_gpt2.EndOfTextId);
        Assert.Equal("gpt2", s_gpt2.Model);
        Assert.Equal("Hello world", s_gpt2.Decode([15496, 995]));
        Assert.Equal("Hello<|endoftext|> world", s_gpt2.Decode([15496, 50256, 995]));
    }

    [Fact]
    public void VocabularySizeIsTheLibrarysIdRange()
    {
        // Every id below VocabularySize decodes to some text; the first id above it is one the library
        // itself drops (decodes to nothing), so the range checks reject exactly the ids it does not know.
        TiktokenTokenizer library = TiktokenTokenizer.CreateForModel("gpt2");
        for (int id = 0; id < s_gpt2.VocabularySize; id++)
            Assert.NotEqual("", s_gpt2.Decode([id]));
        Assert.Equal("", library.Decode([s_gpt2.VocabularySize]));
    }

    [Fact]
    public void ShippedCorpusRoundTrips()
    {
        string text = ReadShippedCorpus();
        int[] ids = s_gpt2.Encode(text);
        // Measured once (Microsoft.ML.Tokenizers 2.0.1): 2,374,660 characters of lower-case words in 15,216 lines.
        Assert.Equal(2_374_660, text.Length);
        Assert.Equal(CorpusTokens, ids.Length);
        Assert.Equal(CorpusTokens, s_gpt2.CountTokens(text));
        Assert.All(ids, id => Assert.InRange(id, 0, s_gpt2.VocabularySize - 1));
        Assert.Equal(text, s_gpt2.Decode(ids));

        int[] span = new int[ids.Length + 3];
        Array.Fill(span, -7);
        Assert.Equal(ids.Length, s_gpt2.Encode(text, span));
        Assert.Equal(ids, span[..ids.Length]);
        Assert.Equal([-7, -7, -7], span[ids.Length..]);
    }

    private const int CorpusTokens = 521_359;

    [Theory]
    [InlineData("café ☕ 😀 \r\n  x")]
    [InlineData("Grüße aus Köln, 東京 and Москва!\tTabs,   spaces\n\nand \"quotes\" don't split oddly.")]
    [InlineData("")]
    [InlineData("<|endoftext|>")]
    public void TextRoundTrips(string text)
    {
        int[] ids = s_gpt2.Encode(text);
        Assert.Equal(text, s_gpt2.Decode(ids));
        Assert.Equal(ids.Length, s_gpt2.CountTokens(text));
    }

    [Fact]
    public void UnpairedSurrogateDecodesAsReplacementCharacters()
    {
        // It has no UTF-8 form: the library writes U+D800 in UTF-8's three-byte pattern, ED A0 80 (bytes GPT-2
        // numbers 169, 254, 222; not merged, since valid text never holds them), and the strict decoding of
        // those bytes gives one U+FFFD per byte.
        Assert.Equal([169, 254, 222, 87], s_gpt2.Encode("\uD800x"));
        Assert.Equal("\uFFFD\uFFFD\uFFFDx", s_gpt2.Decode([169, 254, 222, 87]));
        Assert.Equal([4210, 87], s_gpt2.Encode("\uFFFDx")); // U+FFFD itself is one token
    }

    [Theory]
    [InlineData(50_257)]
    [InlineData(-1)]
    [InlineData(int.MaxValue)]
    public void UnknownIdIsAnError(int bad)
    {
        ArgumentOutOfRangeException e = Assert.Throws<ArgumentOutOfRangeException>(() => s_gpt2.Decode([15496, bad, 995]));
        Assert.Equal("ids", e.ParamName);
        Assert.Equal(bad, e.ActualValue);
        Assert.Contains($"ids[1] is {bad}", e.Message, StringComparison.Ordinal);
        Assert.Contains("from 0 to 50256", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ShortBufferIsAnErrorNamingTheLengthNeeded()
    {
        int[] buffer = [-1];
        ArgumentException e = Assert.Throws<ArgumentException>(() => s_gpt2.Encode("Hello world", buffer));
        Assert.Equal("ids", e.ParamName);
        Assert.Contains("encodes to 2 ids, but the span holds 1", e.Message, StringComparison.Ordinal);
        Assert.Contains("length 2 or more", e.Message, StringComparison.Ordinal);
        Assert.Equal([-1], buffer); // nothing written

        int[] exact = new int[2];
        Assert.Equal(2, s_gpt2.Encode("Hello world", exact));
        Assert.Equal([15496, 995], exact);
        Assert.Equal(0, s_gpt2.Encode("", Span<int>.Empty));
    }

    [Fact]
    public void ModelsByName()
    {
        Assert.Equal(["gpt2"], BpeTokenizer.Models);
        Assert.Equal([15496, 995], BpeTokenizer.ForModel("GPT2").Encode("Hello world"));
        ArgumentException e = Assert.Throws<ArgumentException>(() => BpeTokenizer.ForModel("cl100k_base"));
        Assert.Equal("model", e.ParamName);
        Assert.Contains("Unknown BPE tokenizer 'cl100k_base' (known: gpt2)", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentNullException>(() => BpeTokenizer.ForModel(null!));
    }

    /// <summary>data/fortunes.txt.gz, its lines joined by '\n' (as the file holds them).</summary>
    private static string ReadShippedCorpus()
    {
        string path = Path.Combine(RepoRoot(), "data", "fortunes.txt.gz");
        using FileStream file = File.OpenRead(path);
        using GZipStream gzip = new(file, CompressionMode.Decompress);
        using StreamReader reader = new(gzip, new UTF8Encoding(false, throwOnInvalidBytes: true));
        return reader.ReadToEnd();
    }

    /// <summary>The repository root: the first folder above the test binaries holding DeepNotes.sln.</summary>
    private static string RepoRoot()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "DeepNotes.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException($"No DeepNotes.sln above {AppContext.BaseDirectory}.");
    }
}
