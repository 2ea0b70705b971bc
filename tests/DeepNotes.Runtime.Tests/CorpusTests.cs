using System.IO.Compression;
using System.Linq;
using System.Text;
using DeepNotes.Text;

namespace DeepNotes.Runtime.Tests;

/// <summary>The shipped corpus, data/fortunes.txt.gz, loaded once for all tests.</summary>
internal static class ShippedCorpus
{
    public static string Path { get; } = System.IO.Path.Combine(TestFiles.RepoRoot(), "data", "fortunes.txt.gz");

    private static readonly Lazy<Vocabulary> s_vocabulary = new(() => Vocabulary.FromFile(Path, minCount: 5));
    private static readonly Lazy<Corpus> s_corpus = new(() => Corpus.Load(Path, Vocabulary, dropUnknown: true));

    /// <summary>Vocabulary at min-count 5.</summary>
    public static Vocabulary Vocabulary => s_vocabulary.Value;

    /// <summary>The corpus with words below min-count 5 left out, as word2vec trains on it.</summary>
    public static Corpus Dropped => s_corpus.Value;
}

public class CorpusTests
{
    // The figures scripts/make-fortunes-corpus.py printed (data/fortunes.README.md).
    private const int Words = 446_610;
    private const int Lines = 15_216;
    private const int VocabularyWords = 7_767;
    private const int CoveredWords = 408_335;
    private const int DistinctWords = 31_393;

    [Fact]
    public void ShippedCorpusHasTheFiguresOfItsScript()
    {
        Dictionary<string, long> counts = Corpus.CountWords(ShippedCorpus.Path);
        Assert.Equal(DistinctWords, counts.Count);
        Assert.Equal(Words, counts.Values.Sum());

        Vocabulary vocab = ShippedCorpus.Vocabulary;
        Assert.Equal(VocabularyWords + 1, vocab.Count); // + <unk>; REFERENCE.md's 7,768 counts word2vec's </s> instead
        Assert.Equal(Words, vocab.TotalCount);
        Assert.Equal(Words - CoveredWords, vocab.GetCount(Vocabulary.UnknownId));
        Assert.Equal(("the", 21_567L), (vocab.GetWord(1), vocab.GetCount(1)));
        Assert.Equal(("a", 12_201L), (vocab.GetWord(2), vocab.GetCount(2)));
        Assert.Equal(5, vocab.GetCount(vocab.Count - 1));

        Corpus all = Corpus.Load(ShippedCorpus.Path, vocab);
        Assert.Equal(Words, all.TokenCount);
        Assert.Equal(Lines, all.LineCount);
        Assert.Equal(445, all.LongestLine);
        Assert.Equal(0, all.DroppedUnknown);
        Assert.Equal(vocab.Counts.ToArray(), all.TokenCounts.ToArray());

        Corpus dropped = ShippedCorpus.Dropped;
        Assert.Equal(CoveredWords, dropped.TokenCount);
        Assert.Equal(Lines, dropped.LineCount);
        Assert.Equal(Words - CoveredWords, dropped.DroppedUnknown);
        Assert.Equal(0, dropped.TokenCounts[Vocabulary.UnknownId]);
        Assert.DoesNotContain(Vocabulary.UnknownId, dropped.Tokens.ToArray());
    }

    [Fact]
    public void LinesOfTheShippedCorpusAreItsFortunes()
    {
        Corpus corpus = Corpus.Load(ShippedCorpus.Path, ShippedCorpus.Vocabulary);
        string[] lines = ReadGzipLines(ShippedCorpus.Path);
        Assert.Equal(lines.Length, corpus.LineCount);
        ReadOnlySpan<int> starts = corpus.LineStarts;
        Assert.Equal(0, starts[0]);
        Assert.Equal(corpus.TokenCount, starts[^1]);
        foreach (int i in new[] { 0, 1, 2, 777, 9_999, lines.Length - 1 })
        {
            string[] words = lines[i].Split(' ');
            Assert.Equal(words.Select(ShippedCorpus.Vocabulary.GetId), corpus.Line(i).ToArray());
            Assert.Equal(i, corpus.LineOf(starts[i]));
            Assert.Equal(i, corpus.LineOf(starts[i + 1] - 1));
        }
        Assert.StartsWith("7 30 channel 5 the <unk> dog" /* "bionic" is rarer than 5 */, WordTokenizer.Decode(corpus.Line(0)[..7], ShippedCorpus.Vocabulary));
    }

    [Fact]
    public void PlainAndGzipFilesLoadTheSameWithEmptyLinesKept()
    {
        using TempDir dir = new();
        const string text = "The cat sat.\n\nOn the MAT, the cat sat!\r\nzebra\n";
        File.WriteAllText(dir.File("plain.txt"), text);
        File.WriteAllBytes(dir.File("packed.bin"), TestFiles.Gzip(Encoding.UTF8.GetBytes(text)));
        Vocabulary vocab = Vocabulary.FromFile(dir.File("plain.txt"), minCount: 2);
        Assert.Equal(new[] { "<unk>", "the", "cat", "sat" }, vocab.Words.ToArray());
        Assert.Equal(3, vocab.GetCount(0)); // on, mat, zebra

        Corpus plain = Corpus.Load(dir.File("plain.txt"), vocab);
        Corpus packed = Corpus.Load(dir.File("packed.bin"), vocab);
        Assert.Equal(plain.Tokens.ToArray(), packed.Tokens.ToArray());
        Assert.Equal(new[] { 1, 2, 3, 0, 1, 0, 1, 2, 3, 0 }, plain.Tokens.ToArray());
        Assert.Equal(new[] { 0, 3, 3, 9, 10 }, plain.LineStarts.ToArray());
        Assert.Equal(4, plain.LineCount);
        Assert.Equal(0, plain.Line(1).Length);
        Assert.Equal(2, plain.LineOf(3)); // the empty line 1 holds no position

        Corpus dropped = Corpus.Load(dir.File("packed.bin"), vocab, dropUnknown: true);
        Assert.Equal(new[] { 1, 2, 3, 1, 1, 2, 3 }, dropped.Tokens.ToArray());
        Assert.Equal(new[] { 0, 3, 3, 7, 7 }, dropped.LineStarts.ToArray());
        Assert.Equal(3, dropped.DroppedUnknown);
        Assert.Equal(new long[] { 0, 3, 2, 2 }, dropped.TokenCounts.ToArray());

        Corpus lines = Corpus.FromLines(text.Split('\n')[..^1], vocab);
        Assert.Equal(plain.Tokens.ToArray(), lines.Tokens.ToArray());
        Assert.Equal(plain.LineStarts.ToArray(), lines.LineStarts.ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => plain.Line(4));
        Assert.Throws<ArgumentOutOfRangeException>(() => plain.LineOf(10));
    }

    [Fact]
    public void MissingAndCorruptCorpusFilesAreRejectedNamingTheFile()
    {
        using TempDir dir = new();
        Vocabulary vocab = Vocabulary.Build(TokenizerTests.Counts(("the", 1)));

        string missing = dir.File("missing.txt.gz");
        FileNotFoundException notFound = Assert.Throws<FileNotFoundException>(() => Corpus.Load(missing, vocab));
        Assert.Contains(missing, notFound.Message);
        Assert.Contains("Corpus file not found", notFound.Message);

        // A gzip file cut short.
        byte[] gz = TestFiles.Gzip(Encoding.UTF8.GetBytes(string.Join('\n', Enumerable.Repeat("the quick brown fox", 2000))));
        string truncated = dir.File("truncated.txt.gz");
        File.WriteAllBytes(truncated, gz[..(gz.Length / 2)]);
        InvalidDataException e = Assert.Throws<InvalidDataException>(() => Corpus.Load(truncated, vocab));
        Assert.Contains(truncated, e.Message);
        Assert.Contains("not valid gzip data", e.Message);

        // Gzip data with a flipped byte in the compressed stream.
        string flipped = dir.File("flipped.txt.gz");
        byte[] bad = (byte[])gz.Clone();
        for (int i = 20; i < 40; i++) bad[i] ^= 0x5A;
        File.WriteAllBytes(flipped, bad);
        e = Assert.Throws<InvalidDataException>(() => Corpus.Load(flipped, vocab));
        Assert.Contains(flipped, e.Message);

        // Not UTF-8 (Latin-1 é) on line 2.
        string latin1 = dir.File("latin1.txt");
        File.WriteAllBytes(latin1, new byte[] { (byte)'o', (byte)'k', (byte)'\n', (byte)'c', (byte)'a', (byte)'f', 0xE9, (byte)'\n' });
        e = Assert.Throws<InvalidDataException>(() => Corpus.Load(latin1, vocab));
        Assert.Contains(latin1, e.Message);
        Assert.Contains("not valid UTF-8", e.Message);
        Assert.Throws<InvalidDataException>(() => Corpus.CountWords(latin1));
    }

    private static string[] ReadGzipLines(string path)
    {
        using FileStream file = File.OpenRead(path);
        using GZipStream gzip = new(file, CompressionMode.Decompress);
        using StreamReader reader = new(gzip);
        return reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }
}
