using DeepNotes.Cli.Commands;

namespace DeepNotes.Cli.Tests;

/// <summary><c>deepnotes tokenize</c>: GPT-2's BPE (built in), and the shipped corpus's words and characters.</summary>
public class TokenizeCommandTests
{
    [Theory]
    [InlineData("Hello world")]
    [InlineData("--bpe", "gpt2", "Hello world")]
    [InlineData("Hello world", "--bpe=GPT2")]
    [InlineData("--", "Hello world")]
    public void Bpe_prints_gpt2s_ids_and_tokens(params string[] args)
    {
        CliResult result = CliRunner.Run(["tokenize", .. args]);
        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Equal("", result.Error);
        Assert.Equal(
            "gpt2 (byte-level BPE, ids 0 to 50,256): 2 tokens\n" +
            "15496  \"Hello\"\n" +
            "  995  \" world\"\n",
            result.Out);
    }

    [Fact]
    public void Bpe_text_may_start_with_dashes_after_the_separator_and_be_empty()
    {
        CliResult dashes = CliRunner.Run(["tokenize", "--", "--x"]);
        Assert.True(dashes.ExitCode == 0, dashes.Error);
        Assert.Equal("gpt2 (byte-level BPE, ids 0 to 50,256): 2 tokens\n438  \"--\"\n 87  \"x\"\n", dashes.Out);

        CliResult help = CliRunner.Run(["tokenize", "--", "--help"]); // text, not a request for the usage
        Assert.True(help.ExitCode == 0, help.Error);
        Assert.StartsWith("gpt2 (byte-level BPE, ids 0 to 50,256): 2 tokens\n", help.Out);
        Assert.EndsWith("  \"help\"\n", help.Out);

        CliResult empty = CliRunner.Run(["tokenize", ""]);
        Assert.True(empty.ExitCode == 0, empty.Error);
        Assert.Equal("gpt2 (byte-level BPE, ids 0 to 50,256): 0 tokens\n", empty.Out);
    }

    [Fact]
    public void Words_use_the_shipped_corpus_vocabulary()
    {
        CliResult result = CliRunner.Run(["tokenize", "--words", "The cat's qwertyzz"]);
        Assert.True(result.ExitCode == 0, result.Error);
        string[] lines = result.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(5, lines.Length);
        Assert.StartsWith("words (7,768 ids: the words of ", lines[0]);
        Assert.EndsWith("fortunes.txt.gz seen 5+ times, <unk> = 0): 4 tokens", lines[0]);
        Assert.Equal("1  \"the\"", lines[1].TrimStart()); // the most frequent word of the corpus
        Assert.EndsWith("\"cat\"", lines[2]);
        Assert.EndsWith("\"s\"", lines[3]);
        Assert.Equal("0  \"qwertyzz\"  <unk>", lines[4].TrimStart());
    }

    [Fact]
    public void Chars_use_the_shipped_corpus_characters()
    {
        CliResult result = CliRunner.Run(["tokenize", "--chars", "a é"]);
        Assert.True(result.ExitCode == 0, result.Error);
        string[] lines = result.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(4, lines.Length);
        Assert.StartsWith("characters (38 ids: the characters of ", lines[0]);
        Assert.EndsWith(", <unk> = 0): 3 tokens", lines[0]);
        Assert.EndsWith("\"a\"", lines[1]);
        Assert.NotEqual("0", lines[1].TrimStart().Split(' ')[0]);
        Assert.Equal("1  \" \"", lines[2].TrimStart()); // the space, the corpus's most frequent character
        Assert.Equal("0  \"é\"  <unk>", lines[3].TrimStart());
    }

    [Fact]
    public void A_missing_corpus_is_an_error()
    {
        using TempDir temp = new();
        CliResult result = CliRunner.Run(["tokenize", "--words", "--data", temp.File("none.txt"), "hello"]);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("does not exist", result.Error);
        CliRunner.AssertNoStackTrace(result);
    }

    [Theory]
    [InlineData(new[] { "tokenize" }, "'tokenize' needs a TEXT")]
    [InlineData(new[] { "tokenize", "--words" }, "'tokenize' needs a TEXT")]
    [InlineData(new[] { "tokenize", "a", "b" }, "'tokenize' takes one TEXT, got 'a' and 'b'")]
    [InlineData(new[] { "tokenize", "--bpe", "cl100k_base", "x" }, "unknown BPE tokenizer 'cl100k_base' (expected gpt2)")]
    [InlineData(new[] { "tokenize", "--bpe" }, "option --bpe needs a value")]
    [InlineData(new[] { "tokenize", "--bpe=", "x" }, "option --bpe needs a value")]
    [InlineData(new[] { "tokenize", "--bpe", "gpt2", "--chars", "x" }, "--bpe and --chars cannot be combined")]
    [InlineData(new[] { "tokenize", "--words", "--chars", "x" }, "--words and --chars cannot be combined")]
    [InlineData(new[] { "tokenize", "--words", "--words", "x" }, "option --words is given twice")]
    [InlineData(new[] { "tokenize", "--chars=yes", "x" }, "option --chars takes no value")]
    [InlineData(new[] { "tokenize", "--data", "corpus.txt", "x" }, "--data is the corpus whose vocabulary --chars and --words use")]
    [InlineData(new[] { "tokenize", "--lower", "x" }, "unknown option '--lower' for 'tokenize' (expected --bpe, --chars, --words, --data)")]
    [InlineData(new[] { "tokenize", "x", "--" }, "'--' must be followed by the TEXT")]
    public void Usage_errors_name_the_problem(string[] args, string message)
    {
        CliResult result = CliRunner.Run(args);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains(message, result.Error);
    }

    [Fact]
    public void Parsed_options()
    {
        TokenizeOptions bpe = Assert.IsType<TokenizeOptions>(CommandLine.Parse(["tokenize", "x"]));
        Assert.Equal(new TokenizeOptions(TokenizerKind.Bpe, "x", "gpt2", null), bpe);
        TokenizeOptions words = Assert.IsType<TokenizeOptions>(CommandLine.Parse(["tokenize", "x y", "--data=c.txt", "--words"]));
        Assert.Equal(new TokenizeOptions(TokenizerKind.Words, "x y", null, "c.txt"), words);
        TokenizeOptions chars = Assert.IsType<TokenizeOptions>(CommandLine.Parse(["tokenize", "--chars", "--", "-x"]));
        Assert.Equal(new TokenizeOptions(TokenizerKind.Characters, "-x", null, null), chars);
    }

    [Theory]
    [InlineData(" world", "\" world\"")]
    [InlineData("a\"b\\c", "\"a\\\"b\\\\c\"")]
    [InlineData("\n\r\t\u0001", "\"\\n\\r\\t\\u0001\"")]
    [InlineData("😀", "\"😀\"")]
    public void Tokens_are_quoted_with_escapes(string token, string quoted)
        => Assert.Equal(quoted, TokenizeCommand.Quote(token));

    [Fact]
    public void Unpaired_surrogates_are_escaped()
    {
        // Built in code: an attribute argument cannot carry an unpaired surrogate intact.
        string token = new(['a', (char)0xD800, 'b', (char)0xDC00]);
        Assert.Equal("\"a\\uD800b\\uDC00\"", TokenizeCommand.Quote(token));
    }
}
