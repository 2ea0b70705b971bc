using System.Diagnostics;
using System.Globalization;

namespace DeepNotes.Cli.Commands;

/// <summary>
/// <c>deepnotes train</c>: trains a model, one line per epoch, optionally saving a checkpoint; with
/// --folds, cross-validates instead (<see cref="CrossValidation"/>).
/// </summary>
internal static class TrainCommand
{
    public static int Run(TrainOptions o, CliContext context)
    {
        if (o.Threads is { } threads) Parallelism.ThreadCount = threads;
        string? savePath = o.SavePath is null ? null : CheckOutputPath("--save", o.SavePath, "model.safetensors", "save to", context.WorkingDirectory);
        DataSplit data = DataSource.Load(o.DataPath, context.WorkingDirectory, fashionDirectory: context.FashionMnistDirectory);
        if (data.Train.Count == 0) throw new CliException("the training set is empty");
        AugmentationPipeline? augment = o.Augment ? CreateAugmentation(data, o.Seed) : null;
        if (o.Folds > 0) return CrossValidation.Run(o, data, augment, context);
        int batch = o.FullBatch ? data.Train.Count : Math.Min(o.BatchSize, data.Train.Count);

        // One arena sized for the larger of a training batch and an evaluation chunk, so evaluation here
        // and in `eval` runs the same Predict calls and reports the same accuracy.
        IModel model = o.Model.Create(Math.Max(batch, o.Model.EvalBatch), o.Seed);
        DataSource.CheckFits(data, o.Model, model);
        Trainer trainer = new(model, data.Train, batch, o.Seed, new Sgd(o.LearningRate, o.Momentum, o.WeightDecay), augment, o.Model.InputImage, o.Model.Kind);
        Evaluator heldOut = new(model, o.Model, data.HeldOut);
        ProgressBar? bar = context.ErrorIsTerminal ? new ProgressBar(context.Error) : null;

        TextWriter w = context.Out;
        w.WriteLine(Invariant($"{Describe(o.Model, model)}: {data.Train.Count} training / {data.HeldOut.Count} held-out {data.Noun}, {data.Description}"));
        w.WriteLine(Invariant($"sgd lr {o.LearningRate} ({o.Schedule.Name()} schedule) momentum {o.Momentum} weight decay {o.WeightDecay}, batch {batch}{(o.FullBatch ? " (full batch)" : "")}, {trainer.BatchesPerEpoch} step{(trainer.BatchesPerEpoch == 1 ? "" : "s")} per epoch, seed {o.Seed}"));
        if (trainer.Resizer.Resizes)
            w.WriteLine(Invariant($"input: {data.Train.Rows}x{data.Train.Cols} images resized to {o.Model.InputShape} (bilinear) for every batch"));
        if (augment is not null) w.WriteLine(DescribeAugmentation(augment.Options));

        Evaluation result = default;
        for (int epoch = 1; epoch <= o.Epochs; epoch++)
        {
            long start = Stopwatch.GetTimestamp();
            EpochStats stats = RunEpoch(trainer, epoch, o, bar);
            result = heldOut.Run();
            double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            w.WriteLine(o.Model.Kind == ModelKind.Reconstruction
                ? Invariant($"epoch {epoch}/{o.Epochs}  loss {stats.Loss:F5}  held-out mse {result.Loss:F5}  ({seconds:F2} s)")
                : Invariant($"epoch {epoch}/{o.Epochs}  loss {stats.Loss:F4}  train acc {stats.Accuracy:F4}  held-out acc {result.Accuracy:F4}  ({seconds:F2} s)"));
            w.Flush();
        }
        w.WriteLine(o.Model.Kind == ModelKind.Reconstruction
            ? Invariant($"final held-out mse {result.Loss:F5} per pixel")
            : Invariant($"final held-out accuracy {result.Accuracy:F4}"));

        if (savePath is not null)
        {
            Dictionary<string, string> metadata = new(StringComparer.Ordinal)
            {
                ["model"] = o.Model.Name,
                ["class"] = o.Model.ClassName,
                ["epochs"] = Invariant($"{o.Epochs}"),
                ["seed"] = Invariant($"{o.Seed}"),
                ["batch"] = Invariant($"{batch}"),
                ["lr"] = Invariant($"{o.LearningRate}"),
                ["schedule"] = o.Schedule.Name(),
                ["held_out_count"] = Invariant($"{result.Count}"),
                ["data"] = data.Description,
            };
            if (o.Model.Kind == ModelKind.Reconstruction) metadata["held_out_mse"] = Invariant($"{result.Loss:F5}");
            else metadata["held_out_accuracy"] = Invariant($"{result.Accuracy:F4}");
            if (augment is not null) metadata["augment"] = DescribeAugmentation(augment.Options);
            try
            {
                Safetensors.Save(savePath, model.Tensors, model.Parameters, metadata);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new CliException($"cannot save the checkpoint to '{savePath}': {e.Message}");
            }
            w.WriteLine($"saved {savePath}");
        }
        return ExitCodes.Ok;
    }

    /// <summary>"mlp (Mlp, 203,530 parameters)".</summary>
    internal static string Describe(ModelEntry entry, IModel model)
        => Invariant($"{entry.Name} ({entry.ClassName}, {model.Parameters.Length:N0} parameters)");

    /// <summary>
    /// One epoch (1-based <paramref name="epoch"/>) with the progress bar, at the rate the schedule gives that
    /// epoch; a non-finite loss is a failure.
    /// </summary>
    internal static EpochStats RunEpoch(Trainer trainer, int epoch, TrainOptions o, ProgressBar? bar)
    {
        trainer.LearningRate = o.Schedule.Rate(o.LearningRate, epoch - 1, o.Epochs);
        bar?.Start(epoch, o.Epochs, trainer.BatchesPerEpoch);
        EpochStats stats = trainer.RunEpoch(epoch - 1, bar);
        bar?.Clear();
        if (!double.IsFinite(stats.Loss))
            throw new CliException(Invariant($"training diverged in epoch {epoch} (loss {stats.Loss}); try a smaller --lr than {o.LearningRate}"));
        return stats;
    }

    /// <summary>
    /// --augment for 28×28-style grey images: shifts of up to 2 pixels, brightness and contrast ±20 %,
    /// a blur or sharpen on one image in five, and left-right mirrors only for Fashion-MNIST (a mirrored
    /// 2 or 7 is not a digit).
    /// </summary>
    internal static AugmentationPipeline CreateAugmentation(DataSplit data, ulong seed)
    {
        AugmentationOptions options = new()
        {
            CropPadding = 2,
            FlipProbability = data.Kind == DataKind.Fashion ? 0.5f : 0f,
            Brightness = 0.2f,
            Contrast = 0.2f,
            FilterProbability = 0.2f,
            Seed = seed,
        };
        return new AugmentationPipeline(1, data.Train.Rows, data.Train.Cols, options);
    }

    internal static string DescribeAugmentation(AugmentationOptions a)
        => Invariant($"augment: random crop (padding {a.CropPadding}), ")
           + (a.FlipProbability > 0f ? Invariant($"horizontal flip p {a.FlipProbability}") : "no flips")
           + Invariant($", brightness ±{a.Brightness}, contrast ±{a.Contrast}, blur/sharpen p {a.FilterProbability}");

    /// <summary>
    /// The full path of an output file (<paramref name="option"/> <paramref name="path"/>), checked before any
    /// work: a file that could not be written fails now, not after training.
    /// </summary>
    internal static string CheckOutputPath(string option, string path, string exampleName, string verb, string workingDirectory)
    {
        string full = Path.GetFullPath(path, workingDirectory);
        if (Directory.Exists(full))
            throw new CliException($"{option} '{path}' is a directory; give a file name such as {Path.Combine(path, exampleName)}");
        string? dir = Path.GetDirectoryName(full);
        if (dir is null || !Directory.Exists(dir))
            throw new CliException($"cannot {verb} '{path}': directory '{dir}' does not exist");
        return full;
    }

    internal static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
