using System.Globalization;
using System.Text.RegularExpressions;

namespace DeepNotes.Cli.Tests;

/// <summary>End to end, in process, on the shipped digits: train, save, evaluate, and the ways that fails.</summary>
public partial class TrainEvalTests
{
    [GeneratedRegex(@"^epoch (\d+)/(\d+)  loss (\d+\.\d{4})  train acc (\d\.\d{4})  held-out acc (\d\.\d{4})  \((\d+\.\d\d) s\)$")]
    private static partial Regex EpochLine();

    [GeneratedRegex(@"held-out accuracy (\d\.\d{4})  loss (\d+\.\d{4})  \(2000 digits")]
    private static partial Regex EvalLine();

    private static double FinalAccuracy(CliResult result)
    {
        string last = result.OutLines[^1].StartsWith("saved ", StringComparison.Ordinal) ? result.OutLines[^2] : result.OutLines[^1];
        Assert.StartsWith("final held-out accuracy ", last);
        return double.Parse(last["final held-out accuracy ".Length..], CultureInfo.InvariantCulture);
    }

    [Fact]
    public void Softmax_trains_saves_and_evaluates_to_the_same_accuracy()
    {
        using TempDir temp = new();
        string checkpoint = temp.File("softmax.safetensors");
        CliResult train = CliRunner.Run(["train", "softmax", "--epochs", "1", "--save", checkpoint]);
        Assert.Equal(0, train.ExitCode);
        Assert.Equal("", train.Error); // not a terminal: no progress bar
        Assert.Contains("8000 training / 2000 held-out digits", train.Out);

        Match epoch = Assert.Single(train.OutLines, l => l.StartsWith("epoch ", StringComparison.Ordinal)) is { } line
            ? EpochLine().Match(line) : Match.Empty;
        Assert.True(epoch.Success, train.Out);
        Assert.Equal("1", epoch.Groups[1].Value);
        double accuracy = FinalAccuracy(train);
        Assert.InRange(accuracy, 0.80, 1.0);
        Assert.Equal(epoch.Groups[5].Value, accuracy.ToString("F4", CultureInfo.InvariantCulture));
        Assert.Equal($"saved {checkpoint}", train.OutLines[^1]);
        Assert.True(File.Exists(checkpoint));
        Assert.Empty(Directory.GetFiles(temp.Path, "*.tmp", SearchOption.AllDirectories));

        CliResult eval = CliRunner.Run(["eval", "SoftmaxRegression", "--load", checkpoint]);
        Assert.Equal(0, eval.ExitCode);
        Match m = EvalLine().Match(eval.Out);
        Assert.True(m.Success, eval.Out);
        Assert.Equal(accuracy.ToString("F4", CultureInfo.InvariantCulture), m.Groups[1].Value);
        Assert.Contains("1 epochs, seed 0", eval.Out);

        // The same file evaluated as another model: exit 1, one line naming the problem and the right model.
        CliResult wrong = CliRunner.Run(["eval", "mlp", "--load", checkpoint]);
        Assert.Equal(1, wrong.ExitCode);
        Assert.Equal("", wrong.Out);
        Assert.Equal(
            $"deepnotes: error: cannot load the checkpoint into mlp: Safetensors file '{checkpoint}': tensors do not match the model: "
            + $"missing 'Hidden.weight', 'Hidden.bias'. It matches softmax: run 'deepnotes eval softmax --load {checkpoint}'.\n",
            wrong.Error);

        // A damaged copy: cut short.
        string truncated = temp.File("truncated.safetensors");
        byte[] bytes = File.ReadAllBytes(checkpoint);
        File.WriteAllBytes(truncated, bytes.AsSpan(0, bytes.Length - 100).ToArray());
        CliResult corrupt = CliRunner.Run(["eval", "softmax", "--load", truncated]);
        Assert.Equal(1, corrupt.ExitCode);
        Assert.Contains("cannot load the checkpoint into softmax: Safetensors file", corrupt.Error);
        Assert.Contains("truncated", corrupt.Error);
        Assert.Single(corrupt.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        CliRunner.AssertNoStackTrace(corrupt);
    }

    [Fact]
    public void Eval_rejects_garbage_and_missing_files()
    {
        using TempDir temp = new();
        string garbage = temp.File("garbage.safetensors");
        File.WriteAllText(garbage, "this is not a checkpoint at all");
        CliResult bad = CliRunner.Run(["eval", "mlp", "--load", garbage]);
        Assert.Equal(1, bad.ExitCode);
        Assert.StartsWith($"deepnotes: error: cannot load the checkpoint into mlp: Safetensors file '{garbage}': header length", bad.Error);
        CliRunner.AssertNoStackTrace(bad);

        CliResult missing = CliRunner.Run(["eval", "mlp", "--load", temp.File("none.safetensors")]);
        Assert.Equal(1, missing.ExitCode);
        Assert.Equal($"deepnotes: error: checkpoint '{temp.File("none.safetensors")}' does not exist\n", missing.Error);
    }

    [Fact]
    public void Missing_data_is_a_runtime_failure()
    {
        using TempDir temp = new();
        CliResult none = CliRunner.Run(["train", "mlp", "--data", temp.File("nowhere")]);
        Assert.Equal(1, none.ExitCode);
        Assert.Equal($"deepnotes: error: data directory '{temp.File("nowhere")}' does not exist\n", none.Error);

        CliResult empty = CliRunner.Run(["train", "mlp", "--data", temp.Path]);
        Assert.Equal(1, empty.ExitCode);
        Assert.StartsWith($"deepnotes: error: no digits in '{temp.Path}': expected mnist-10k-images-idx3-ubyte.gz", empty.Error);

        // Only the images file of the IDX pair.
        File.WriteAllBytes(temp.File("train-images-idx3-ubyte"), Idx.Images(2, 1));
        CliResult half = CliRunner.Run(["train", "mlp", "--data", temp.Path]);
        Assert.Equal(1, half.ExitCode);
        Assert.StartsWith("deepnotes: error: cannot load the digits: Neither", half.Error);
        CliRunner.AssertNoStackTrace(half);
    }

    [Fact]
    public void Save_into_a_missing_directory_fails_before_training()
    {
        using TempDir temp = new();
        string target = Path.Combine(temp.Path, "no", "model.safetensors");
        CliResult result = CliRunner.Run(["train", "softmax", "--save", target]);
        Assert.Equal(1, result.ExitCode);
        Assert.Equal("", result.Out);
        Assert.Equal($"deepnotes: error: cannot save to '{target}': directory '{Path.GetDirectoryName(target)}' does not exist\n", result.Error);
    }

    [Fact]
    public void Trains_on_a_directory_of_standard_idx_files()
    {
        using TempDir temp = new();
        File.WriteAllBytes(temp.File("train-images-idx3-ubyte.gz"), Idx.Gzip(Idx.Images(300, 1)));
        File.WriteAllBytes(temp.File("train-labels-idx1-ubyte"), Idx.Labels(300, 2));
        File.WriteAllBytes(temp.File("t10k-images-idx3-ubyte"), Idx.Images(70, 3));
        File.WriteAllBytes(temp.File("t10k-labels-idx1-ubyte.gz"), Idx.Gzip(Idx.Labels(70, 4)));
        CliResult result = CliRunner.Run(["train", "perceptron", "--data", temp.Path, "--epochs", "2", "--batch", "32"]);
        Assert.Equal(0, result.ExitCode);
        Assert.Contains($"300 training / 70 held-out digits, IDX files in {temp.Path}", result.Out);
        Assert.Contains("batch 32, 10 steps per epoch", result.Out);
        Assert.Equal(2, Array.FindAll(result.OutLines, l => EpochLine().IsMatch(l)).Length);
    }

    [Fact]
    public void Full_batch_takes_one_step_per_epoch_over_all_8000_digits()
    {
        CliResult result = CliRunner.Run(["train", "softmax", "--full-batch", "--epochs", "2", "--lr", "1"]);
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("batch 8000 (full batch), 1 step per epoch", result.Out);
        Assert.Equal(2, Array.FindAll(result.OutLines, l => EpochLine().IsMatch(l)).Length);
    }

    [Fact]
    public void Divergence_is_reported_as_a_failure()
    {
        CliResult result = CliRunner.Run(["train", "mlp", "--epochs", "3", "--lr", "1e30"]);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("deepnotes: error: training diverged in epoch 1", result.Error);
        Assert.Contains("try a smaller --lr", result.Error);
    }
}
