using DeepNotes.Cli.Commands;

namespace DeepNotes.Cli.Tests;

public class TrainerTests
{
    private static ImageDataset s_digits = null!;

    private static ImageDataset FirstDigits(int count)
    {
        s_digits ??= ImageDataset.LoadMnistShipped(Repo.DataDirectory());
        return s_digits.Slice(0, count);
    }

    [Theory]
    [InlineData("mlp", false)]
    [InlineData("dropout-mlp", false)]
    [InlineData("perceptron", false)]
    [InlineData("mlp", true)]
    public void An_epoch_allocates_nothing_after_the_first(string name, bool augment)
    {
        ModelEntry entry = ModelRegistry.Find(name)!;
        ImageDataset data = FirstDigits(640);
        IModel model = entry.Create(Evaluator.ChunkSize, 1);
        AugmentationPipeline? pipeline = augment
            ? TrainCommand.CreateAugmentation(new DataSplit(data, data, "test", DataKind.Fashion), 1)
            : null;
        Trainer trainer = new(model, data, 64, 1, new Sgd(0.1f, 0.9f, 1e-4f), pipeline);
        ProgressBar bar = new(TextWriter.Null);
        bar.Start(1, 3, trainer.BatchesPerEpoch);
        trainer.RunEpoch(0, bar); // warm-up: JIT, GEMM packing buffers

        long before = GC.GetAllocatedBytesForCurrentThread();
        bar.Start(2, 3, trainer.BatchesPerEpoch);
        EpochStats stats = trainer.RunEpoch(1, bar);
        bar.Clear();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.Equal(10, stats.Steps);
        Assert.True(double.IsFinite(stats.Loss));
        Assert.InRange(stats.Accuracy, 0.0, 1.0);
    }

    [Fact]
    public void Training_is_deterministic_for_a_seed()
    {
        ImageDataset data = FirstDigits(256);
        ModelEntry entry = ModelRegistry.Find("dropout-mlp")!;
        float[] Train(ulong seed)
        {
            IModel model = entry.Create(Evaluator.ChunkSize, seed);
            Trainer trainer = new(model, data, 32, seed, new Sgd(0.1f));
            trainer.RunEpoch(0, null);
            return model.Parameters.ToArray();
        }
        Assert.Equal(Train(3), Train(3));
        Assert.NotEqual(Train(3), Train(4));
    }

    [Fact]
    public void Augmented_training_is_deterministic_and_differs_from_plain()
    {
        ImageDataset data = FirstDigits(256);
        ModelEntry entry = ModelRegistry.Find("mlp")!;
        float[] Train(bool augment)
        {
            IModel model = entry.Create(Evaluator.ChunkSize, 2);
            AugmentationPipeline? pipeline = augment
                ? TrainCommand.CreateAugmentation(new DataSplit(data, data, "test"), 2)
                : null;
            Trainer trainer = new(model, data, 32, 2, new Sgd(0.1f), pipeline);
            trainer.RunEpoch(0, null);
            trainer.RunEpoch(1, null);
            return model.Parameters.ToArray();
        }
        Assert.Equal(Train(true), Train(true));
        Assert.NotEqual(Train(false), Train(true));
    }

    [Fact]
    public void Augment_mirrors_fashion_but_never_digits()
    {
        ImageDataset data = FirstDigits(10);
        AugmentationOptions digits = TrainCommand.CreateAugmentation(new DataSplit(data, data, "d"), 5).Options;
        AugmentationOptions fashion = TrainCommand.CreateAugmentation(new DataSplit(data, data, "f", DataKind.Fashion), 5).Options;
        Assert.Equal(0f, digits.FlipProbability);
        Assert.Equal(0.5f, fashion.FlipProbability);
        Assert.Equal(digits with { FlipProbability = 0.5f }, fashion);
        Assert.Equal(new AugmentationOptions { CropPadding = 2, Brightness = 0.2f, Contrast = 0.2f, FilterProbability = 0.2f, Seed = 5 }, digits);
    }

    [Fact]
    public void Mean_and_population_std()
    {
        (double mean, double std) = CrossValidation.MeanStd([0.8, 0.9, 1.0]);
        Assert.Equal(0.9, mean, 1e-12);
        Assert.Equal(Math.Sqrt(0.02 / 3), std, 1e-12);
    }

    [Fact]
    public void Evaluator_counts_the_first_maximum()
    {
        float[] output = [0.1f, 0.7f, 0.2f, 0.5f, 0.5f, 0f];
        Assert.Equal(2, Evaluator.CountCorrect(output, [1, 0], 3));
        Assert.Equal(0, Evaluator.CountCorrect(output, [2, 1], 3));
    }

    [Fact]
    public void The_progress_bar_draws_only_on_a_terminal()
    {
        string[] args = ["train", "softmax", "--epochs", "1", "--batch", "500"];
        CliResult terminal = CliRunner.Run(args, errorIsTerminal: true);
        Assert.Equal(0, terminal.ExitCode);
        Assert.Contains("\repoch 1/1 [..............................] 0/16", terminal.Error);
        Assert.Contains("\repoch 1/1 [##############################] 16/16  loss ", terminal.Error);
        Assert.EndsWith(new string(' ', 99) + "\r", terminal.Error); // erased before the epoch line

        CliResult redirected = CliRunner.Run(args);
        Assert.Equal("", redirected.Error);
        Assert.Equal(terminal.Out.Split('\n')[2][..60], redirected.Out.Split('\n')[2][..60]);
    }
}
