using System.Linq;
using System.Text;
using DeepNotes.Text;

namespace DeepNotes.Runtime.Tests;

public class TokenizerTests
{
    [Fact]
    public void DefaultTokenizerLowerCasesAndSplitsOnEverythingButAsciiLettersAndDigits()
    {
        List<string> tokens = WordTokenizer.Default.Tokenize("Hello, World! Don't stop 2 be-lieving...\tCafé Ünïcode 42nd");
        Assert.Equal(new[] { "hello", "world", "don", "t", "stop", "2", "be", "lieving", "caf", "n", "code", "42nd" }, tokens);
        Assert.Empty(WordTokenizer.Default.Tokenize(" ,.;!? \n\t "));
        Assert.Equal(12, WordTokenizer.Default.CountTokens("Hello, World! Don't stop 2 be-lieving...\tCafé Ünïcode 42nd"));
    }

    [Fact]
    public void TokenizerOptions()
    {
        WordTokenizer unicode = new(characters: WordCharacters.LettersAndDigits);
        Assert.Equal(new[] { "café", "ünïcode", "straße" }, unicode.Tokenize("Café ÜNÏCODE, Straße!"));

        WordTokenizer punctuation = new(punctuationTokens: true);
        Assert.Equal(new[] { "hi", ",", "there", "!", "(", "x", ")" }, punctuation.Tokenize("Hi, there! (x)"));

        WordTokenizer keepCase = new(lowerCase: false);
        Assert.Equal(new[] { "Hello", "World" }, keepCase.Tokenize("Hello World"));
        Assert.False(keepCase.LowerCase);
        Assert.Throws<ArgumentOutOfRangeException>(() => new WordTokenizer(characters: (WordCharacters)7));
    }

    [Fact]
    public void WordsLongerThanTheLimitAreSplitConsistently()
    {
        string longWord = new('a', WordTokenizer.MaxTokenLength * 2 + 3);
        List<string> tokens = WordTokenizer.Default.Tokenize("x " + longWord.ToUpperInvariant() + " y");
        Assert.Equal(new[] { 1, WordTokenizer.MaxTokenLength, WordTokenizer.MaxTokenLength, 3, 1 }, tokens.Select(t => t.Length));
        Dictionary<string, long> counts = new();
        WordTokenizer.Default.CountWords(longWord, counts);
        Assert.Equal(2, counts[new string('a', WordTokenizer.MaxTokenLength)]);
        Assert.Equal(1, counts["aaa"]);
    }

    [Fact]
    public void EncodeMatchesTokenizeAndAllocatesNothing()
    {
        Vocabulary vocab = Vocabulary.Build(Counts(("the", 5), ("cat", 3), ("sat", 2)));
        const string text = "The CAT sat on the mat.";
        int[] ids = new int[16];
        int n = WordTokenizer.Default.Encode(text, vocab, ids);
        Assert.Equal(6, n);
        Assert.Equal(new[] { 1, 2, 3, 0, 1, 0 }, ids[..n]);
        Assert.Equal(WordTokenizer.Default.Tokenize(text).Select(vocab.GetId), ids[..n]);
        Assert.Equal("the cat sat <unk> the <unk>", WordTokenizer.Decode(ids.AsSpan(0, n), vocab));

        // Too short a buffer: filled as far as it goes, full count returned.
        int[] two = new int[2];
        Assert.Equal(6, WordTokenizer.Default.Encode(text, vocab, two));
        Assert.Equal(new[] { 1, 2 }, two);

        WordTokenizer.Default.Encode(text, vocab, ids);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++) WordTokenizer.Default.Encode(text, vocab, ids);
        Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
    }

    [Fact]
    public void VocabularyOrdersByCountThenOrdinallyWithUnknownFirst()
    {
        Vocabulary vocab = Vocabulary.Build(Counts(("b", 3), ("a", 3), ("c", 5), ("d", 1), ("e", 2), ("B", 3)), minCount: 2);
        Assert.Equal(new[] { "<unk>", "c", "B", "a", "b", "e" }, vocab.Words.ToArray());
        Assert.Equal(new long[] { 1, 5, 3, 3, 3, 2 }, vocab.Counts.ToArray());
        Assert.Equal(17, vocab.TotalCount);
        Assert.Equal(6, vocab.Count);
        Assert.Equal(3, vocab.GetId("a"));
        Assert.Equal(Vocabulary.UnknownId, vocab.GetId("d"));
        Assert.Equal(Vocabulary.UnknownId, vocab.GetId("A"));
        Assert.False(vocab.TryGetId("d", out _));
        Assert.True(vocab.TryGetId("<unk>", out int unk));
        Assert.Equal(0, unk);
        Assert.Equal("e", vocab.GetWord(5));
        Assert.Equal(2, vocab.GetCount(5));
        Assert.Throws<ArgumentOutOfRangeException>(() => vocab.GetWord(6));
        Assert.Throws<ArgumentOutOfRangeException>(() => vocab.GetCount(-1));

        Vocabulary capped = Vocabulary.Build(Counts(("b", 3), ("a", 3), ("c", 5), ("d", 1), ("e", 2)), maxSize: 3);
        Assert.Equal(new[] { "<unk>", "c", "a" }, capped.Words.ToArray());
        Assert.Equal(1 + 3 + 2, capped.GetCount(0));
    }

    [Fact]
    public void VocabularyRejectsBadCounts()
    {
        Assert.Contains("reserved", Assert.Throws<ArgumentException>(() => Vocabulary.Build(Counts(("<unk>", 3)))).Message);
        Assert.Contains("empty", Assert.Throws<ArgumentException>(() => Vocabulary.Build(Counts(("", 3)))).Message);
        Assert.Contains("negative", Assert.Throws<ArgumentException>(() => Vocabulary.Build(Counts(("a", -1)))).Message);
        Assert.Contains("surrogate", Assert.Throws<ArgumentException>(() => Vocabulary.Build(Counts(("a\uD800", 1)))).Message);
        Assert.Contains("twice", Assert.Throws<ArgumentException>(() => Vocabulary.Build(Counts(("a", 1), ("a", 1)))).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Vocabulary.Build(Counts(("a", 1)), minCount: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Vocabulary.Build(Counts(("a", 1)), maxSize: 0));
    }

    [Fact]
    public void VocabularySavesAnExactTextFormatAtomically()
    {
        using TempDir dir = new();
        string path = dir.File("vocab.tsv");
        File.WriteAllText(path, "an older file, replaced whole");
        Vocabulary vocab = Vocabulary.Build(Counts(("the", 4), ("a\tb", 2), ("back\\slash", 2), ("new\nline", 1), ("bell\a", 1), ("naïve 😀", 1)));
        vocab.Save(path);
        Assert.Equal(
            "deepnotes-vocabulary\t1\twords\t7\n" +
            "<unk>\t0\n" +
            "the\t4\n" +
            "a\\tb\t2\n" +
            "back\\\\slash\t2\n" +
            "bell\\u0007\t1\n" +
            "naïve 😀\t1\n" +
            "new\\nline\t1\n",
            File.ReadAllText(path, Encoding.UTF8));
        Assert.Equal(new[] { "vocab.tsv" }, Directory.GetFiles(dir.Path).Select(Path.GetFileName));

        Vocabulary loaded = Vocabulary.Load(path);
        Assert.Equal(vocab.Words.ToArray(), loaded.Words.ToArray());
        Assert.Equal(vocab.Counts.ToArray(), loaded.Counts.ToArray());
        Assert.Equal(2, loaded.GetId("a\tb"));
    }

    [Fact]
    public void VocabularyOfTheShippedCorpusRoundTrips()
    {
        using TempDir dir = new();
        Vocabulary vocab = ShippedCorpus.Vocabulary;
        string path = dir.File("fortunes.vocab");
        vocab.Save(path);
        Vocabulary loaded = Vocabulary.Load(path);
        Assert.Equal(vocab.Words.ToArray(), loaded.Words.ToArray());
        Assert.Equal(vocab.Counts.ToArray(), loaded.Counts.ToArray());
        for (int id = 0; id < vocab.Count; id += 97) Assert.Equal(id, loaded.GetId(vocab.GetWord(id)));

        // The saved file is byte-for-byte the same when saved again (deterministic order and format).
        string again = dir.File("again.vocab");
        loaded.Save(again);
        Assert.Equal(File.ReadAllBytes(path), File.ReadAllBytes(again));
    }

    public static TheoryData<string, int, string> CorruptVocabularies => new()
    {
        { "", 1, "the file is empty" },
        { "word\t5\n", 1, "not a DeepNotes vocabulary file" },
        { "deepnotes-vocabulary\t2\twords\t1\n<unk>\t0\n", 1, "format version \"2\" is not supported" },
        { "deepnotes-vocabulary\t1\tphrases\t1\n<unk>\t0\n", 1, "kind \"phrases\"" },
        { "deepnotes-vocabulary\t1\twords\tmany\n<unk>\t0\n", 1, "size \"many\" is not a positive integer" },
        { "deepnotes-vocabulary\t1\twords\t3\n<unk>\t0\nthe\t5\n", 3, "ends after 2 entries, but the header announces 3" },
        { "deepnotes-vocabulary\t1\twords\t2\n<unk>\t0\nthe\t5\nand\t4\n", 4, "more lines" },
        { "deepnotes-vocabulary\t1\twords\t2\n<unk>\t0\nthe 5\n", 3, "found no tab" },
        { "deepnotes-vocabulary\t1\twords\t2\n<unk>\t0\nthe\t5\t6\n", 3, "more than one tab" },
        { "deepnotes-vocabulary\t1\twords\t2\n<unk>\t0\nthe\tfive\n", 3, "count \"five\" of word \"the\" is not a non-negative integer" },
        { "deepnotes-vocabulary\t1\twords\t2\n<unk>\t0\nthe\t-5\n", 3, "count \"-5\"" },
        { "deepnotes-vocabulary\t1\twords\t2\nthe\t5\n<unk>\t0\n", 2, "the first entry (id 0) must be <unk>" },
        { "deepnotes-vocabulary\t1\twords\t3\n<unk>\t0\nthe\t5\nthe\t5\n", 4, "listed twice (first at line 3)" },
        { "deepnotes-vocabulary\t1\twords\t3\n<unk>\t0\nthe\t5\n<unk>\t1\n", 4, "<unk> appears again" },
        { "deepnotes-vocabulary\t1\twords\t3\n<unk>\t0\nand\t4\nthe\t5\n", 4, "out of order" },
        { "deepnotes-vocabulary\t1\twords\t3\n<unk>\t0\nthe\t5\nand\t5\n", 4, "out of order" },
        { "deepnotes-vocabulary\t1\twords\t2\n<unk>\t0\n\t5\n", 3, "the word is empty" },
        { "deepnotes-vocabulary\t1\twords\t2\n<unk>\t0\nthe\\q\t5\n", 3, "unknown escape '\\q'" },
        { "deepnotes-vocabulary\t1\twords\t2\n<unk>\t0\nthe\\\t5\n", 3, "lone backslash" },
        { "deepnotes-vocabulary\t1\twords\t2\n<unk>\t0\nx\\u12\t5\n", 3, "four hexadecimal digits" },
        { "deepnotes-vocabulary\t1\twords\t2\n<unk>\t0\nx\\uD800\t5\n", 3, "unpaired surrogate" },
        { "deepnotes-vocabulary\t1\tcharacters\t2\n<unk>\t0\na\t5\n", 1, "CharTokenizer.Load" },
    };

    [Theory]
    [MemberData(nameof(CorruptVocabularies))]
    public void CorruptVocabularyFilesAreRejectedNamingLineAndProblem(string content, int line, string problem)
    {
        using TempDir dir = new();
        string path = dir.File("bad.vocab");
        File.WriteAllText(path, content, new UTF8Encoding(false));
        InvalidDataException e = Assert.Throws<InvalidDataException>(() => Vocabulary.Load(path));
        Assert.Contains(path, e.Message);
        Assert.Contains($"line {line}:", e.Message);
        Assert.Contains(problem, e.Message);
    }

    [Fact]
    public void VocabularyFileWithInvalidUtf8OrMissingIsRejected()
    {
        using TempDir dir = new();
        string path = dir.File("latin1.vocab");
        byte[] header = Encoding.UTF8.GetBytes("deepnotes-vocabulary\t1\twords\t2\n<unk>\t0\ncaf");
        File.WriteAllBytes(path, header.Concat(new byte[] { 0xE9, (byte)'\t', (byte)'5', (byte)'\n' }).ToArray());
        InvalidDataException e = Assert.Throws<InvalidDataException>(() => Vocabulary.Load(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("not valid UTF-8", e.Message);

        string missing = dir.File("missing.vocab");
        FileNotFoundException notFound = Assert.Throws<FileNotFoundException>(() => Vocabulary.Load(missing));
        Assert.Contains(missing, notFound.Message);
    }

    [Fact]
    public void BlankLinesAfterTheLastEntryAndABomAreTolerated()
    {
        using TempDir dir = new();
        string path = dir.File("ok.vocab");
        File.WriteAllText(path, "\uFEFFdeepnotes-vocabulary\t1\twords\t2\n<unk>\t0\nthe\t5\n\n\n", new UTF8Encoding(false));
        Assert.Equal(new[] { "<unk>", "the" }, Vocabulary.Load(path).Words.ToArray());
    }

    [Fact]
    public void CharTokenizerRoundTripsTextAndItsFile()
    {
        const string text = "Hello, wörld! 😀 hello";
        CharTokenizer chars = CharTokenizer.Build(new[] { text, "zz" }, minCount: 1);
        Assert.Equal("<unk>", chars.Vocabulary.GetWord(0));
        Assert.Equal("l", chars.Vocabulary.GetWord(1)); // 5 times, the most frequent
        int[] ids = chars.Encode(text);
        Assert.Equal(text.EnumerateRunes().Count(), ids.Length); // the emoji is one token, not two
        Assert.DoesNotContain(0, ids);
        Assert.Equal(text, chars.Decode(ids));
        int[] unknown = chars.Encode("Hi?\uD800");
        Assert.Equal(new[] { chars.Encode("H")[0], 0, 0, 0 }, unknown); // 'i', '?' unseen; the lone surrogate is unknown
        Assert.Equal("H\uFFFD\uFFFD\uFFFD", chars.Decode(unknown));

        using TempDir dir = new();
        string path = dir.File("chars.vocab");
        chars.Save(path);
        Assert.StartsWith("deepnotes-vocabulary\t1\tcharacters\t", File.ReadAllText(path));
        CharTokenizer loaded = CharTokenizer.Load(path);
        Assert.Equal(chars.Vocabulary.Words.ToArray(), loaded.Vocabulary.Words.ToArray());
        Assert.Equal(ids, loaded.Encode(text));

        Span<int> buffer = stackalloc int[64];
        chars.Encode(text, buffer);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++) chars.Encode(text, buffer);
        Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());

        // A word vocabulary is not a character vocabulary, and vice versa.
        string words = dir.File("words.vocab");
        Vocabulary.Build(Counts(("the", 2), ("xy", 1))).Save(words);
        InvalidDataException e = Assert.Throws<InvalidDataException>(() => CharTokenizer.Load(words));
        Assert.Contains("line 1:", e.Message);
        Assert.Contains("Vocabulary.Load", e.Message);
        File.WriteAllText(words, "deepnotes-vocabulary\t1\tcharacters\t2\n<unk>\t0\nxy\t1\n");
        e = Assert.Throws<InvalidDataException>(() => CharTokenizer.Load(words));
        Assert.Contains("line 3:", e.Message);
        Assert.Contains("not a single character", e.Message);
    }

    [Fact]
    public void CharTokenizerFromFileCountsTheCharactersOfEveryLine()
    {
        // The shipped corpus is a-z, 0-9 and single spaces: 36 characters and the space, which is the most
        // frequent (single spaces between the 446,610 words of 15,216 lines: 446,610 - 15,216), then 'e'; no line end counts.
        CharTokenizer chars = CharTokenizer.FromFile(ShippedCorpus.Path);
        Assert.Equal(1 + 37, chars.Vocabulary.Count);
        Assert.Equal((" ", 446_610L - 15_216), (chars.Vocabulary.GetWord(1), chars.Vocabulary.GetCount(1)));
        Assert.Equal("e", chars.Vocabulary.GetWord(2));
        Assert.Equal(0, chars.Vocabulary.GetCount(Vocabulary.UnknownId));
        Assert.Equal(new[] { 0 }, chars.Encode("\n"));
        Assert.Equal("the 42nd", chars.Decode(chars.Encode("the 42nd")));

        using TempDir dir = new();
        string path = dir.File("small.txt");
        File.WriteAllText(path, "aab\r\nbbc\n");
        CharTokenizer small = CharTokenizer.FromFile(path, minCount: 2);
        Assert.Equal(new[] { "<unk>", "b", "a" }, small.Vocabulary.Words.ToArray());
        Assert.Equal(new[] { 1L, 3, 2 }, small.Vocabulary.Counts.ToArray()); // 'c' (once) below min-count: <unk>'s count
        Assert.Equal(CharTokenizer.Build(new[] { "aab", "bbc" }, minCount: 2).Vocabulary.Words.ToArray(), small.Vocabulary.Words.ToArray());
        Assert.Throws<FileNotFoundException>(() => CharTokenizer.FromFile(dir.File("none.txt")));
    }

    [Fact]
    public void CharTokenizerKeepsWhiteSpaceAndControlCharactersThroughTheFile()
    {
        const string text = "a b\tc\nd\r\\e";
        CharTokenizer chars = CharTokenizer.Build(new[] { text });
        using TempDir dir = new();
        string path = dir.File("chars.vocab");
        chars.Save(path);
        CharTokenizer loaded = CharTokenizer.Load(path);
        Assert.Equal(text, loaded.Decode(loaded.Encode(text)));
        Assert.Equal(chars.Encode(text), loaded.Encode(text));
    }

    internal static IEnumerable<KeyValuePair<string, long>> Counts(params (string Word, long Count)[] counts)
        => counts.Select(c => new KeyValuePair<string, long>(c.Word, c.Count));
}
