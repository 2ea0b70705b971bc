using System.Globalization;
using System.Linq;
using System.Text.RegularExpressions;
using DeepNotes.Cli.Commands;
using DeepNotes.Models;
using DeepNotes.Testing;

namespace DeepNotes.Cli.Tests;

/// <summary>
/// A reconstruction model that records what it is trained on and outputs half its input, without allocating:
/// the trainer's and evaluator's handling of models whose target is their input, checked exactly.
/// </summary>
internal sealed class HalvingAutoEncoder(int pixels, int maxBatch) : IRegressor
{
    private readonly float[] _parameters = new float[1];
    private readonly float[] _gradients = new float[1];
    private static readonly TensorInfo[] s_tensors = [new TensorInfo("w.weight", 0, [1], TensorRole.Weight)];

    public int InputLength => pixels;
    public int OutputLength => pixels;
    public int TargetLength => pixels;
    public int MaxBatch => maxBatch;
    public Span<float> Parameters => _parameters;
    public Span<float> Gradients => _gradients;
    public ReadOnlySpan<TensorInfo> Tensors => s_tensors;
    public long Step { get; set; }
    public MemoryReport Memory => new(1, 0, 0, 0, 0, 0, 0);
    public int PredictCalls { get; private set; }
    public int Steps { get; private set; }
    /// <summary>Steps whose targets were not the very input (same memory and length).</summary>
    public int StepsWithOtherTargets { get; private set; }

    public void Predict(ReadOnlySpan<float> input, Span<float> output, int batch)
    {
        PredictCalls++;
        for (int i = 0; i < batch * pixels; i++) output[i] = 0.5f * input[i];
    }

    public float TrainStep(ReadOnlySpan<float> input, ReadOnlySpan<float> targets, int batch, ref Sgd optimizer)
    {
        Steps++;
        if (!targets.Overlaps(input, out int offset) || offset != 0 || targets.Length != input.Length) StepsWithOtherTargets++;
        return 0.25f;
    }

    public float ComputeGradients(ReadOnlySpan<float> input, ReadOnlySpan<float> targets, int batch) => 0f;
    public float ComputeLoss(ReadOnlySpan<float> input, ReadOnlySpan<float> targets, int batch) => 0f;
    public void Initialize(ulong seed) => Step = 0;
}

public partial class ReconstructTests
{
    [GeneratedRegex(@"^epoch (\d+)/(\d+)  loss (\d\.\d{5})  held-out mse (\d\.\d{5})  \((\d+\.\d\d) s\)$")]
    private static partial Regex EpochLine();

    [GeneratedRegex(@"^held-out mse (\d\.\d{5}) per pixel over all 2000 digits, (\d\.\d{5}) over the (\d+) shown \(shipped digits in ")]
    private static partial Regex ReconstructLine();

    private static readonly Lazy<ImageDataset> s_digits = new(() => ImageDataset.LoadMnistShipped(Repo.DataDirectory()));

    /// <summary>An untrained autoencoder's checkpoint, as train --save writes it: for the failures, which need no training.</summary>
    private static string UntrainedCheckpoint(TempDir temp)
    {
        string path = temp.File("untrained.safetensors");
        AutoEncoder model = AutoEncoder.Create(1, 0);
        Safetensors.Save(path, model.Tensors, model.Parameters, new Dictionary<string, string> { ["model"] = "autoencoder" });
        return path;
    }

    [Fact]
    public void Autoencoder_trains_saves_evaluates_and_writes_digits_above_their_reconstructions()
    {
        using TempDir temp = new();
        string checkpoint = temp.File("ae.safetensors");
        CliResult train = CliRunner.Run(["train", "autoencoder", "--epochs", "2", "--save", checkpoint]);
        Assert.Equal(0, train.ExitCode);
        Assert.Equal("", train.Error);
        Assert.Contains("autoencoder (AutoEncoder, 439,728 parameters): 8000 training / 2000 held-out digits", train.Out);
        Assert.Contains("sgd lr 2 (constant schedule) momentum 0.9", train.Out);
        Match[] epochs = train.OutLines.Select(l => EpochLine().Match(l)).Where(m => m.Success).ToArray();
        Assert.Equal(2, epochs.Length);
        double first = double.Parse(epochs[0].Groups[4].Value, CultureInfo.InvariantCulture);
        double second = double.Parse(epochs[1].Groups[4].Value, CultureInfo.InvariantCulture);
        // The mean image misses by 0.068 per pixel; after one epoch the autoencoder is well under it, and it improves.
        Assert.InRange(first, 0.01, 0.06);
        Assert.True(second < first, train.Out);
        Assert.Equal($"final held-out mse {epochs[1].Groups[4].Value} per pixel", train.OutLines[^2]);
        Assert.Equal($"saved {checkpoint}", train.OutLines[^1]);
        Assert.DoesNotContain("acc", train.Out);

        CliResult eval = CliRunner.Run(["eval", "autoencoder", "--load", checkpoint]);
        Assert.Equal(0, eval.ExitCode);
        Assert.Contains($"(2 epochs, seed 0, held-out mse {epochs[1].Groups[4].Value} when saved)", eval.Out);
        Assert.Contains($"held-out mse {epochs[1].Groups[4].Value} per pixel  (2000 digits, shipped digits in", eval.Out);

        string png = temp.File("digits.png");
        CliResult result = CliRunner.Run(["reconstruct", "AutoEncoder", "--load", checkpoint, "--png", png, "--count", "12"]);
        Assert.Equal(0, result.ExitCode);
        Assert.Equal("", result.Error);
        Match line = ReconstructLine().Match(result.OutLines[1]);
        Assert.True(line.Success, result.Out);
        Assert.Equal(epochs[1].Groups[4].Value, line.Groups[1].Value);
        Assert.Equal("12", line.Groups[3].Value);
        Assert.Equal($"wrote {png}: 280x114 pixels, 12 held-out digits in rows of 10, each row above the row of their reconstructions", result.OutLines[2]);
        Assert.Single(Directory.GetFiles(temp.Path, "*.png"));
        Assert.Empty(Directory.GetFiles(temp.Path, "*.tmp"));

        // Two pairs of rows (10 digits, then 2), 28 + 28 + 2 grey + 28 + 28 rows high.
        DecodedPng image = PngDecoder.Decode(png);
        Assert.Equal((280, 114, 8, 0), (image.Width, image.Height, image.BitDepth, image.ColorType));
        ImageDataset heldOut = s_digits.Value.Slice(8000, 2000);
        double error = 0;
        for (int d = 0; d < 12; d++)
        {
            int top = d / 10 * 58, left = d % 10 * 28;
            ReadOnlySpan<float> digit = heldOut.GetFeatures(d);
            for (int y = 0; y < 28; y++)
            {
                for (int x = 0; x < 28; x++)
                {
                    // The shipped pixels are bytes k stored as k / 255: they come back exactly.
                    Assert.Equal(Png.ToByte(digit[y * 28 + x]), image.Pixels[(top + y) * 280 + left + x]);
                    double r = image.Pixels[(top + 28 + y) * 280 + left + x] / 255.0 - digit[y * 28 + x];
                    error += r * r;
                }
            }
        }
        // The reconstructions in the file, rounded to bytes, miss the digits by what the command printed.
        double printed = double.Parse(line.Groups[2].Value, CultureInfo.InvariantCulture);
        Assert.Equal(printed, error / (12 * 784), 3);
        Assert.All(image.Pixels.AsSpan(56 * 280, 2 * 280).ToArray(), p => Assert.Equal(128, p)); // the grey line
        Assert.All(image.Pixels.AsSpan(58 * 280 + 2 * 28, 28).ToArray(), p => Assert.Equal(0, p)); // past the last digit: black
    }

    [Fact]
    public void Ten_digits_by_default_in_one_pair_of_rows()
    {
        using TempDir temp = new();
        string png = temp.File("ten.png");
        CliResult result = CliRunner.Run(["reconstruct", "autoencoder", "--load", UntrainedCheckpoint(temp), "--png", png]);
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("over the 10 shown", result.Out);
        DecodedPng image = PngDecoder.Decode(png);
        Assert.Equal((280, 56), (image.Width, image.Height));
    }

    [Fact]
    public void Sheet_puts_each_row_of_images_above_their_reconstructions()
    {
        // Three 2x3 images 1, 2, 3 and reconstructions 11, 12, 13 (every pixel the image's number).
        float[] originals = [.. Enumerable.Repeat(1f, 6), .. Enumerable.Repeat(2f, 6), .. Enumerable.Repeat(3f, 6)];
        float[] reconstructions = originals.Select(v => v + 10f).ToArray();
        ContactSheet sheet = ReconstructCommand.Sheet(originals, reconstructions, 3, 2, 3);
        Assert.Equal((9, 4), (sheet.Width, sheet.Height));
        Assert.Equal(
            new float[] { 1, 1, 1, 2, 2, 2, 3, 3, 3,  1, 1, 1, 2, 2, 2, 3, 3, 3,  11, 11, 11, 12, 12, 12, 13, 13, 13,  11, 11, 11, 12, 12, 12, 13, 13, 13 },
            sheet.Pixels);

        // Twelve 1x1 images: two pairs of rows, the second holding 2 images, a grey line between the pairs.
        float[] twelve = Enumerable.Range(1, 12).Select(i => (float)i).ToArray();
        ContactSheet grid = ReconstructCommand.Sheet(twelve, twelve.Select(v => -v).ToArray(), 12, 1, 1);
        Assert.Equal((10, 6), (grid.Width, grid.Height));
        Assert.Equal(Enumerable.Range(1, 10).Select(i => (float)i), grid.Pixels[..10]);
        Assert.Equal(Enumerable.Range(1, 10).Select(i => (float)-i), grid.Pixels[10..20]);
        Assert.All(grid.Pixels[20..40], p => Assert.Equal(ReconstructCommand.SeparatorLevel, p));
        Assert.Equal(new float[] { 11, 12, 0, 0, 0, 0, 0, 0, 0, 0 }, grid.Pixels[40..50]);
        Assert.Equal(new float[] { -11, -12, 0, 0, 0, 0, 0, 0, 0, 0 }, grid.Pixels[50..60]);
    }

    [Fact]
    public void The_trainer_gives_a_reconstruction_model_its_input_as_target_and_allocates_nothing()
    {
        ImageDataset data = s_digits.Value.Slice(0, 96);
        HalvingAutoEncoder model = new(784, 32);
        Trainer trainer = new(model, data, 16, 1, new Sgd(0.1f), kind: ModelKind.Reconstruction);
        trainer.RunEpoch(0, null); // warm-up: JIT

        long before = GC.GetAllocatedBytesForCurrentThread();
        EpochStats stats = trainer.RunEpoch(1, null);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.Equal(6, stats.Steps);
        Assert.Equal(12, model.Steps);
        Assert.Equal(0, model.StepsWithOtherTargets);
        Assert.Equal(0, model.PredictCalls); // no running accuracy: there are no classes
        Assert.Equal(0.25, stats.Loss, 6);
        Assert.True(double.IsNaN(stats.Accuracy));

        // Asked for nothing, the trainer takes an IRegressor for one fitted to one-hot targets.
        HalvingAutoEncoder oneHot = new(784, 32);
        new Trainer(oneHot, data, 16, 1, new Sgd(0.1f)).RunEpoch(0, null);
        Assert.Equal(6, oneHot.StepsWithOtherTargets);
    }

    [Fact]
    public void The_evaluator_measures_a_reconstruction_against_its_input()
    {
        ImageDataset data = s_digits.Value.Slice(0, 70);
        HalvingAutoEncoder model = new(784, 32);
        Evaluation result = new Evaluator(model, ModelKind.Reconstruction, data, chunk: 32).Run();
        double expected = 0;
        foreach (float x in data.Features) expected += 0.25 * x * x; // (x/2 - x)²
        Assert.Equal(expected / (70 * 784), result.Loss, 6);
        Assert.Equal(70, result.Count);
        Assert.True(double.IsNaN(result.Accuracy));
        Assert.Equal(3, model.PredictCalls);
    }

    [Fact]
    public void A_reconstruction_model_must_give_back_as_many_values_as_it_takes()
    {
        ImageDataset data = s_digits.Value.Slice(0, 8);
        IModel perceptron = ModelRegistry.Find("perceptron")!.Create(8, 0);
        var trainer = Assert.Throws<ArgumentException>(() => new Trainer(perceptron, data, 8, 0, new Sgd(0.1f), kind: ModelKind.Reconstruction));
        Assert.Contains("a reconstruction model's output and target must be as long as its input (784), not 10 and 10", trainer.Message);
        var evaluator = Assert.Throws<ArgumentException>(() => new Evaluator(perceptron, ModelKind.Reconstruction, data, chunk: 8));
        Assert.Contains("a reconstruction model's output must be as long as its input (784), not 10", evaluator.Message);
    }

    [Fact]
    public void Failures_at_run_time_exit_1_with_one_line()
    {
        using TempDir temp = new();
        string checkpoint = UntrainedCheckpoint(temp);
        string png = temp.File("out.png");

        CliResult missing = CliRunner.Run(["reconstruct", "autoencoder", "--load", temp.File("none.safetensors"), "--png", png]);
        Assert.Equal(1, missing.ExitCode);
        Assert.Equal($"deepnotes: error: checkpoint '{temp.File("none.safetensors")}' does not exist\n", missing.Error);

        string noDirectory = Path.Combine(temp.Path, "no", "out.png");
        CliResult badPng = CliRunner.Run(["reconstruct", "autoencoder", "--load", checkpoint, "--png", noDirectory]);
        Assert.Equal(1, badPng.ExitCode);
        Assert.Equal($"deepnotes: error: cannot write the PNG to '{noDirectory}': directory '{Path.GetDirectoryName(noDirectory)}' does not exist\n", badPng.Error);

        CliResult directory = CliRunner.Run(["reconstruct", "autoencoder", "--load", checkpoint, "--png", temp.Path]);
        Assert.Equal(1, directory.ExitCode);
        Assert.StartsWith($"deepnotes: error: --png '{temp.Path}' is a directory; give a file name such as {Path.Combine(temp.Path, "digits.png")}", directory.Error);

        // A checkpoint of another model: refused, naming the model it fits.
        string mlp = temp.File("mlp.safetensors");
        IModel mlpModel = ModelRegistry.Find("mlp")!.Create(1, 0);
        Safetensors.Save(mlp, mlpModel.Tensors, mlpModel.Parameters);
        CliResult wrong = CliRunner.Run(["reconstruct", "autoencoder", "--load", mlp, "--png", png]);
        Assert.Equal(1, wrong.ExitCode);
        Assert.StartsWith($"deepnotes: error: cannot load the checkpoint into autoencoder: Safetensors file '{mlp}': tensors do not match the model", wrong.Error);
        Assert.EndsWith($"It matches mlp: run 'deepnotes eval mlp --load {mlp}'.\n", wrong.Error);

        // More digits than the held-out set has.
        File.WriteAllBytes(temp.File("train-images-idx3-ubyte"), Idx.Images(30, 1));
        File.WriteAllBytes(temp.File("train-labels-idx1-ubyte"), Idx.Labels(30, 2));
        File.WriteAllBytes(temp.File("t10k-images-idx3-ubyte"), Idx.Images(7, 3));
        File.WriteAllBytes(temp.File("t10k-labels-idx1-ubyte"), Idx.Labels(7, 4));
        CliResult tooMany = CliRunner.Run(["reconstruct", "autoencoder", "--load", checkpoint, "--png", png, "--count", "8", "--data", temp.Path]);
        Assert.Equal(1, tooMany.ExitCode);
        Assert.Equal("deepnotes: error: --count 8 is more than the 7 held-out digits\n", tooMany.Error);

        // Weights that are not numbers (a diverged run) are reported, not written as a picture.
        string diverged = temp.File("nan.safetensors");
        AutoEncoder broken = AutoEncoder.Create(1, 0);
        broken.Parameters.Fill(float.NaN);
        Safetensors.Save(diverged, broken.Tensors, broken.Parameters);
        CliResult nan = CliRunner.Run(["reconstruct", "autoencoder", "--load", diverged, "--png", png]);
        Assert.Equal(1, nan.ExitCode);
        Assert.Equal($"deepnotes: error: autoencoder's output for held-out image 0 is NaN: the checkpoint '{diverged}' holds weights that are not finite (did its training diverge?)\n", nan.Error);

        Assert.False(File.Exists(png));
        foreach (CliResult r in new[] { missing, badPng, directory, wrong, tooMany, nan })
        {
            Assert.Equal("", r.Out);
            CliRunner.AssertNoStackTrace(r);
        }
    }
}
