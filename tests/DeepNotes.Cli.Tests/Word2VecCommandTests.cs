namespace DeepNotes.Cli.Tests;

/// <summary><c>train skipgram|cbow</c> and <c>similar</c> end to end on the shipped fortunes corpus.</summary>
public class Word2VecCommandTests
{
    [Theory]
    [InlineData("skipgram")]
    [InlineData("cbow")]
    public void Trains_on_the_shipped_corpus_saves_and_answers_similar(string model)
    {
        using var temp = new TempDir();
        string checkpoint = temp.File("words.safetensors");
        CliResult train = CliRunner.Run(["train", model, "--epochs", "1", "--save", checkpoint, "--threads", "1"]);
        Assert.True(train.ExitCode == 0, train.Error);
        Assert.Contains("446,610 words in 15,216 lines", train.Out);
        Assert.Contains("vocabulary 7,768 words (min-count 5, <unk> included)", train.Out);
        string epoch = Assert.Single(train.Out.Split('\n'), l => l.StartsWith("epoch 1/1", StringComparison.Ordinal));
        Assert.Contains("words/s", epoch);
        Assert.Contains("nearest to day:", train.Out);
        Assert.True(File.Exists(checkpoint) && File.Exists(checkpoint + ".vocab"));

        CliResult similar = CliRunner.Run(["similar", "day", "--load", checkpoint, "--top", "4"]);
        Assert.True(similar.ExitCode == 0, similar.Error);
        string[] lines = similar.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(4, lines.Length);
        float previous = float.PositiveInfinity;
        foreach (string line in lines)
        {
            string[] parts = line.Split('\t');
            Assert.NotEqual("day", parts[0]);
            float s = float.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture);
            Assert.InRange(s, -1f, previous);   // cosine similarities, best first
            previous = s;
        }

        CliResult unknown = CliRunner.Run(["similar", "qwertyuiop", "--load", checkpoint]);
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("'qwertyuiop' is not in the vocabulary (7,768 words", unknown.Error);
    }

    [Theory]
    [InlineData(new[] { "train", "cbow", "--window", "3" }, "option --window must be 5 for cbow")]
    [InlineData(new[] { "train", "skipgram", "--subsample", "-1" }, "option --subsample expects a number, zero or positive")]
    [InlineData(new[] { "train", "skipgram", "--augment" }, "unknown option '--augment' for 'train'")]
    [InlineData(new[] { "similar" }, "'similar' needs a word")]
    [InlineData(new[] { "similar", "day" }, "'similar' needs --load FILE")]
    [InlineData(new[] { "similar", "day", "--load", "x", "--top", "0" }, "option --top must be from 1 to 1,000, got 0")]
    public void Usage_errors_name_the_problem(string[] args, string message)
    {
        CliResult result = CliRunner.Run(args);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains(message, result.Error);
    }

    [Fact]
    public void Similar_refuses_a_missing_or_foreign_checkpoint()
    {
        using var temp = new TempDir();
        CliResult missing = CliRunner.Run(["similar", "day", "--load", temp.File("none.safetensors")]);
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("does not exist", missing.Error);

        string mlp = temp.File("mlp.safetensors");
        Assert.Equal(0, CliRunner.Run(["train", "softmax", "--epochs", "1", "--save", mlp]).ExitCode);
        File.WriteAllText(mlp + ".vocab", "");
        CliResult foreign = CliRunner.Run(["similar", "day", "--load", mlp]);
        Assert.Equal(1, foreign.ExitCode);
        Assert.Contains("deepnotes: error:", foreign.Error);
    }
}
