using DeepNotes.Cli.Commands;

namespace DeepNotes.Cli.Tests;

/// <summary>--schedule: the per-epoch rates, the per-model defaults, and that training really uses them.</summary>
public class ScheduleTests
{
    [Fact]
    public void Constant_keeps_the_rate()
    {
        for (int e = 0; e < 7; e++) Assert.Equal(0.3f, LearningRateSchedule.Constant.Rate(0.3f, e, 7));
    }

    [Fact]
    public void Cosine_anneals_from_the_rate_towards_zero()
    {
        const float lr = 0.05f;
        const int epochs = 10;
        Assert.Equal(lr, LearningRateSchedule.Cosine.Rate(lr, 0, epochs));
        Assert.Equal(lr / 2, LearningRateSchedule.Cosine.Rate(lr, 5, epochs), 1e-7f);       // cos(π/2) = 0
        Assert.Equal(lr * 0.5f * (1 + MathF.Cos(MathF.PI * 0.9f)), LearningRateSchedule.Cosine.Rate(lr, 9, epochs), 1e-7f);
        float previous = float.PositiveInfinity;
        for (int e = 0; e < epochs; e++)
        {
            float rate = LearningRateSchedule.Cosine.Rate(lr, e, epochs);
            Assert.Equal(lr * 0.5 * (1 + Math.Cos(Math.PI * e / epochs)), rate, 1e-7);
            Assert.True(rate < previous);
            Assert.True(rate > 0f); // the last epoch still trains: lr·½(1 − cos(π/E)) > 0
            previous = rate;
        }
        Assert.Equal(lr, LearningRateSchedule.Cosine.Rate(lr, 0, 1)); // one epoch: the plain rate
    }

    [Fact]
    public void Epochs_outside_the_run_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => LearningRateSchedule.Cosine.Rate(0.1f, 10, 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => LearningRateSchedule.Cosine.Rate(0.1f, -1, 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => LearningRateSchedule.Constant.Rate(0.1f, 0, 0));
    }

    [Theory]
    [InlineData("softmax", "constant")]
    [InlineData("perceptron", "constant")]
    [InlineData("mlp", "constant")]
    [InlineData("dropout-mlp", "constant")]
    [InlineData("book-mlp", "constant")]
    [InlineData("book-dropout-mlp", "constant")]
    [InlineData("lenet", "cosine")]
    [InlineData("lenet-classic", "constant")]
    [InlineData("alexnet", "constant")]
    [InlineData("nin", "cosine")]
    [InlineData("resnet", "cosine")]
    [InlineData("autoencoder", "constant")]
    public void Each_model_has_its_default_schedule(string model, string schedule)
    {
        Assert.True(Schedules.TryParse(schedule, out LearningRateSchedule expected));
        Assert.Equal(schedule, expected.Name());
        Assert.Equal(expected, ModelRegistry.Find(model)!.DefaultSchedule);
        Assert.Equal(expected, Assert.IsType<TrainOptions>(CommandLine.Parse(["train", model])).Schedule);
    }

    [Fact]
    public void The_option_overrides_the_default_in_any_case()
    {
        Assert.Equal(LearningRateSchedule.Constant, Assert.IsType<TrainOptions>(CommandLine.Parse(["train", "lenet", "--schedule", "constant"])).Schedule);
        Assert.Equal(LearningRateSchedule.Cosine, Assert.IsType<TrainOptions>(CommandLine.Parse(["train", "mlp", "--schedule=COSINE"])).Schedule);

        CliResult bad = CliRunner.Run(["train", "mlp", "--schedule", "step"]);
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("option --schedule expects constant or cosine, got 'step'", bad.Error);
        CliResult missing = CliRunner.Run(["train", "mlp", "--schedule"]);
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("option --schedule needs a value", missing.Error);
    }

    [Fact]
    public void Each_epoch_starts_at_the_scheduled_rate()
    {
        ImageDataset data = ImageDataset.LoadMnistShipped(Repo.DataDirectory()).Slice(0, 128);
        ModelEntry entry = ModelRegistry.Find("softmax")!;
        TrainOptions o = Assert.IsType<TrainOptions>(CommandLine.Parse(["train", "softmax", "--lr", "0.4", "--epochs", "4", "--schedule", "cosine"]));
        Trainer trainer = new(entry.Create(Evaluator.ChunkSize, 0), data, 64, 0, new Sgd(o.LearningRate));
        float[] expected = [0.4f, 0.4f * 0.5f * (1 + MathF.Cos(MathF.PI / 4)), 0.2f, 0.4f * 0.5f * (1 + MathF.Cos(3 * MathF.PI / 4))];
        for (int epoch = 1; epoch <= 4; epoch++)
        {
            TrainCommand.RunEpoch(trainer, epoch, o, null);
            Assert.Equal(expected[epoch - 1], trainer.LearningRate, 1e-6f);
        }
    }

    [Fact]
    public void Cosine_trains_the_first_epoch_as_constant_and_the_second_slower()
    {
        string[] common = ["train", "softmax", "--epochs", "2", "--batch", "500", "--lr", "0.5"];
        CliResult constant = CliRunner.Run([.. common, "--schedule", "constant"]);
        CliResult cosine = CliRunner.Run([.. common, "--schedule", "cosine"]);
        Assert.Equal(0, constant.ExitCode);
        Assert.Equal(0, cosine.ExitCode);
        Assert.Contains("sgd lr 0.5 (constant schedule) momentum 0 weight decay 0, batch 500", constant.OutLines[1]);
        Assert.Contains("sgd lr 0.5 (cosine schedule) momentum 0 weight decay 0, batch 500", cosine.OutLines[1]);
        // Epoch 1 runs at lr 0.5 either way: the same loss and accuracies (the time differs).
        Assert.StartsWith("epoch 1/2  loss ", constant.OutLines[2]);
        Assert.Equal(Untimed(constant.OutLines[2]), Untimed(cosine.OutLines[2]));
        // Epoch 2 runs at 0.25 under the cosine: another trajectory.
        Assert.StartsWith("epoch 2/2  loss ", constant.OutLines[3]);
        Assert.NotEqual(Untimed(constant.OutLines[3]), Untimed(cosine.OutLines[3]));
    }

    /// <summary>An epoch line without its "  (1.23 s)".</summary>
    private static string Untimed(string line) => line[..line.LastIndexOf("  (", StringComparison.Ordinal)];
}
