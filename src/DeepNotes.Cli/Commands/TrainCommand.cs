using System.Diagnostics;
using System.Globalization;

namespace DeepNotes.Cli.Commands;

/// <summary><c>deepnotes train</c>: trains a model on the digits, one line per epoch, optionally saving a checkpoint.</summary>
internal static class TrainCommand
{
    public static int Run(TrainOptions o, CliContext context)
    {
        string? savePath = o.SavePath is null ? null : CheckSavePath(o.SavePath, context.WorkingDirectory);
        DataSplit data = DataSource.Load(o.DataPath, context.WorkingDirectory);
        if (data.Train.Count == 0) throw new CliException("the training set is empty");
        int batch = o.FullBatch ? data.Train.Count : Math.Min(o.BatchSize, data.Train.Count);

        // One arena sized for the larger of a training batch and an evaluation chunk, so evaluation here
        // and in `eval` runs the same Predict calls and reports the same accuracy.
        IModel model = o.Model.Create(Math.Max(batch, Evaluator.ChunkSize), o.Seed);
        DataSource.CheckFits(data, o.Model, model);
        Trainer trainer = new(model, data.Train, batch, o.Seed, new Sgd(o.LearningRate, o.Momentum, o.WeightDecay));
        Evaluator heldOut = new(model, o.Model.Kind, data.HeldOut);
        ProgressBar? bar = context.ErrorIsTerminal ? new ProgressBar(context.Error) : null;

        TextWriter w = context.Out;
        w.WriteLine(Invariant($"{o.Model.Name} ({o.Model.ClassName}, {model.Parameters.Length:N0} parameters): {data.Train.Count} training / {data.HeldOut.Count} held-out digits, {data.Description}"));
        w.WriteLine(Invariant($"sgd lr {o.LearningRate} momentum {o.Momentum} weight decay {o.WeightDecay}, batch {batch}{(o.FullBatch ? " (full batch)" : "")}, {trainer.BatchesPerEpoch} step{(trainer.BatchesPerEpoch == 1 ? "" : "s")} per epoch, seed {o.Seed}"));

        Evaluation result = default;
        for (int epoch = 1; epoch <= o.Epochs; epoch++)
        {
            long start = Stopwatch.GetTimestamp();
            bar?.Start(epoch, o.Epochs, trainer.BatchesPerEpoch);
            EpochStats stats = trainer.RunEpoch(epoch - 1, bar);
            bar?.Clear();
            result = heldOut.Run();
            double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            w.WriteLine(Invariant($"epoch {epoch}/{o.Epochs}  loss {stats.Loss:F4}  train acc {stats.Accuracy:F4}  held-out acc {result.Accuracy:F4}  ({seconds:F2} s)"));
            w.Flush();
            if (!double.IsFinite(stats.Loss))
                throw new CliException(Invariant($"training diverged in epoch {epoch} (loss {stats.Loss}); try a smaller --lr than {o.LearningRate}"));
        }
        w.WriteLine(Invariant($"final held-out accuracy {result.Accuracy:F4}"));

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
                ["held_out_accuracy"] = Invariant($"{result.Accuracy:F4}"),
                ["held_out_count"] = Invariant($"{result.Count}"),
                ["data"] = data.Description,
            };
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

    /// <summary>Fails before training, not after it, when the checkpoint could not be written.</summary>
    private static string CheckSavePath(string path, string workingDirectory)
    {
        string full = Path.GetFullPath(path, workingDirectory);
        if (Directory.Exists(full))
            throw new CliException($"--save '{path}' is a directory; give a file name such as {Path.Combine(path, "model.safetensors")}");
        string? dir = Path.GetDirectoryName(full);
        if (dir is null || !Directory.Exists(dir))
            throw new CliException($"cannot save to '{path}': directory '{dir}' does not exist");
        return full;
    }

    internal static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
