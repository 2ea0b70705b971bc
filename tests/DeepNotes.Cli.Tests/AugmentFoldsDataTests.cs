using System.Globalization;
using System.Text.RegularExpressions;

namespace DeepNotes.Cli.Tests;

/// <summary>A fact that is skipped, saying why, where Fashion-MNIST is not installed.</summary>
public sealed class FashionMnistFactAttribute : FactAttribute
{
    public FashionMnistFactAttribute()
    {
        if (!Directory.Exists(DataSource.FashionMnistDirectory))
            Skip = $"Fashion-MNIST is not installed ({DataSource.FashionMnistDirectory} is missing): sudo apt-get install dataset-fashion-mnist";
    }
}

/// <summary>train --augment, --folds and --data keywords, end to end on the real data.</summary>
public partial class AugmentFoldsDataTests
{
    [GeneratedRegex(@"^fold (\d)/3  loss \d+\.\d{4}  train acc (\d\.\d{4})  validation acc (\d\.\d{4})  \((\d+) train / (\d+) validation, \d+\.\d\d s\)$")]
    private static partial Regex FoldLine();

    [GeneratedRegex(@"^mean validation accuracy (\d\.\d{4}) ± (\d\.\d{4}) \(std over 3 folds\)$")]
    private static partial Regex MeanLine();

    [GeneratedRegex(@"^mean train − validation gap (-?\d\.\d{4})$")]
    private static partial Regex GapLine();

    private static double Number(Match m, int group) => double.Parse(m.Groups[group].Value, CultureInfo.InvariantCulture);

    private static double FinalAccuracy(CliResult result)
    {
        Assert.StartsWith("final held-out accuracy ", result.OutLines[^1]);
        return double.Parse(result.OutLines[^1]["final held-out accuracy ".Length..], CultureInfo.InvariantCulture);
    }

    [Fact]
    public void Three_folds_print_each_fold_and_the_mean_and_std()
    {
        CliResult result = CliRunner.Run(["train", "softmax", "--folds", "3", "--epochs", "1"]);
        Assert.Equal(0, result.ExitCode);
        Assert.Equal("", result.Error);
        Assert.Contains("3-fold cross-validation over 8000 training digits (held-out set not used)", result.Out);
        Assert.DoesNotContain("held-out acc", result.Out);

        double[] validation = new double[3], gaps = new double[3];
        int examples = 0;
        for (int f = 0; f < 3; f++)
        {
            string line = Assert.Single(result.OutLines, l => l.StartsWith($"fold {f + 1}/3", StringComparison.Ordinal));
            Match m = FoldLine().Match(line);
            Assert.True(m.Success, line);
            Assert.InRange(Number(m, 2), 0.7, 1.0);
            validation[f] = Number(m, 3);
            Assert.InRange(validation[f], 0.7, 1.0);
            gaps[f] = Number(m, 2) - validation[f];
            Assert.Equal(8000, int.Parse(m.Groups[4].Value, CultureInfo.InvariantCulture) + int.Parse(m.Groups[5].Value, CultureInfo.InvariantCulture));
            examples += int.Parse(m.Groups[5].Value, CultureInfo.InvariantCulture);
        }
        Assert.Equal(8000, examples); // every training digit validated once

        Match mean = MeanLine().Match(result.OutLines[^2]);
        Assert.True(mean.Success, result.Out);
        Assert.Equal((validation[0] + validation[1] + validation[2]) / 3, Number(mean, 1), 1e-4);
        Assert.InRange(Number(mean, 2), 0.0, 0.05);
        Match gap = GapLine().Match(result.OutLines[^1]);
        Assert.True(gap.Success, result.Out);
        Assert.Equal((gaps[0] + gaps[1] + gaps[2]) / 3, Number(gap, 1), 1e-3);
    }

    [Fact]
    public void Folds_with_full_batch_and_too_many_folds()
    {
        CliResult full = CliRunner.Run(["train", "softmax", "--folds", "2", "--full-batch", "--epochs", "1", "--lr", "1"]);
        Assert.Equal(0, full.ExitCode);
        Assert.Contains("batch all training folds (full batch)", full.Out);
        Assert.Contains("(std over 2 folds)", full.Out);

        CliResult many = CliRunner.Run(["train", "softmax", "--folds", "8001"]);
        Assert.Equal(1, many.ExitCode);
        Assert.Equal("", many.Out);
        Assert.Equal("deepnotes: error: --folds 8001 is more than the 8000 training digits: every fold needs at least one\n", many.Error);
    }

    [Fact]
    public void Augment_trains_softmax_without_flipping_digits()
    {
        CliResult result = CliRunner.Run(["train", "softmax", "--augment", "--epochs", "1"]);
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("augment: random crop (padding 2), no flips, brightness ±0.2, contrast ±0.2, blur/sharpen p 0.2", result.Out);
        Assert.InRange(FinalAccuracy(result), 0.75, 1.0);
    }

    [Fact]
    public void Data_mnist_is_the_shipped_digits()
    {
        DataSplit keyword = DataSource.Load("mnist", Environment.CurrentDirectory);
        DataSplit plain = DataSource.Load(null, Environment.CurrentDirectory);
        Assert.Equal(plain.Description, keyword.Description);
        Assert.Equal(DataKind.Digits, keyword.Kind);
        Assert.Equal(8000, keyword.Train.Count);
        Assert.True(plain.HeldOut.Features.SequenceEqual(keyword.HeldOut.Features));
    }

    [FashionMnistFact]
    public void Data_fashion_mnist_trains_softmax()
    {
        CliResult result = CliRunner.Run(["train", "softmax", "--data", "fashion-mnist", "--epochs", "1"]);
        Assert.Equal(0, result.ExitCode);
        Assert.Contains($"60000 training / 10000 held-out images, Fashion-MNIST in {DataSource.FashionMnistDirectory}", result.Out);
        Assert.InRange(FinalAccuracy(result), 0.7, 1.0);
    }

    [Fact]
    public void Missing_fashion_mnist_says_how_to_install_it()
    {
        using TempDir temp = new();
        string missing = temp.File("fashion-mnist");
        foreach (string[] args in new[]
        {
            new[] { "train", "softmax", "--data", "fashion-mnist" },
            new[] { "eval", "softmax", "--load", temp.File("none.safetensors"), "--data", "FASHION-MNIST" },
        })
        {
            File.WriteAllText(temp.File("none.safetensors"), "");
            CliResult result = CliRunner.Run(args, fashionDirectory: missing);
            Assert.Equal(1, result.ExitCode);
            Assert.Equal("", result.Out);
            Assert.Equal($"deepnotes: error: Fashion-MNIST is not installed: '{missing}' does not exist; install it with "
                + "'sudo apt-get install dataset-fashion-mnist', or download its four IDX files and pass --data PATH (their directory)\n",
                result.Error);
        }
    }

    [Fact]
    public void A_fashion_directory_given_by_path_is_mirrored_by_augment()
    {
        using TempDir temp = new();
        string dir = temp.File("my-fashion-data");
        Directory.CreateDirectory(dir);
        File.WriteAllBytes(Path.Combine(dir, "train-images-idx3-ubyte"), Idx.Images(100, 1));
        File.WriteAllBytes(Path.Combine(dir, "train-labels-idx1-ubyte"), Idx.Labels(100, 2));
        File.WriteAllBytes(Path.Combine(dir, "t10k-images-idx3-ubyte"), Idx.Images(20, 3));
        File.WriteAllBytes(Path.Combine(dir, "t10k-labels-idx1-ubyte"), Idx.Labels(20, 4));
        CliResult result = CliRunner.Run(["train", "softmax", "--data", dir, "--epochs", "1", "--augment"]);
        Assert.Equal(0, result.ExitCode);
        Assert.Contains($"100 training / 20 held-out images, Fashion-MNIST in {dir}", result.Out);
        Assert.Contains("horizontal flip p 0.5", result.Out);

        // Fashion-MNIST's files loaded from the injected keyword directory, and an empty one.
        CliResult keyword = CliRunner.Run(["train", "softmax", "--data", "fashion-mnist", "--epochs", "1"], fashionDirectory: dir);
        Assert.Equal(0, keyword.ExitCode);
        Assert.Contains($"Fashion-MNIST in {dir}", keyword.Out);
        CliResult empty = CliRunner.Run(["train", "softmax", "--data", "fashion-mnist"], fashionDirectory: temp.Path);
        Assert.Equal(1, empty.ExitCode);
        Assert.StartsWith("deepnotes: error: cannot load Fashion-MNIST: Neither", empty.Error);
    }
}
