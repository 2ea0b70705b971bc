namespace DeepNotes.Cli.Commands;

/// <summary><c>deepnotes eval</c>: loads a checkpoint and measures it on the held-out set.</summary>
internal static class EvalCommand
{
    public static int Run(EvalOptions o, CliContext context)
    {
        if (o.Threads is { } threads) Parallelism.ThreadCount = threads;
        string path = CheckCheckpointPath(o.LoadPath, context.WorkingDirectory);
        DataSplit data = DataSource.Load(o.DataPath, context.WorkingDirectory, includeTrain: false, context.FashionMnistDirectory);

        IModel model = o.Model.Create(o.Model.EvalBatch, 0);
        DataSource.CheckFits(data, o.Model, model);
        IReadOnlyDictionary<string, string> metadata = LoadCheckpoint(model, o.Model, path, o.LoadPath);

        Evaluation result = new Evaluator(model, o.Model, data.HeldOut).Run();
        TextWriter w = context.Out;
        w.WriteLine(TrainCommand.Invariant($"{o.Model.Name} from {path}{Describe(metadata)}"));
        w.WriteLine(o.Model.Kind == ModelKind.Reconstruction
            ? TrainCommand.Invariant($"held-out mse {result.Loss:F5} per pixel  ({result.Count} {data.Noun}, {data.Description})")
            : TrainCommand.Invariant($"held-out accuracy {result.Accuracy:F4}  loss {result.Loss:F4}  ({result.Count} {data.Noun}, {data.Description})"));
        return ExitCodes.Ok;
    }

    /// <summary>The full path of <paramref name="loadPath"/>, which must be an existing file.</summary>
    internal static string CheckCheckpointPath(string loadPath, string workingDirectory)
    {
        string path = Path.GetFullPath(loadPath, workingDirectory);
        if (!File.Exists(path))
            throw new CliException(Directory.Exists(path) ? $"checkpoint '{loadPath}' is a directory" : $"checkpoint '{loadPath}' does not exist");
        return path;
    }

    /// <summary>
    /// Loads the checkpoint at <paramref name="path"/> into <paramref name="model"/> and returns its metadata; a file
    /// that does not fit, or that was saved from another model, is a <see cref="CliException"/> saying so.
    /// </summary>
    internal static IReadOnlyDictionary<string, string> LoadCheckpoint(IModel model, ModelEntry entry, string path, string givenPath)
    {
        IReadOnlyDictionary<string, string> metadata;
        try
        {
            Safetensors.Load(path, model.Tensors, model.Parameters, out metadata);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            throw new CliException($"cannot load the checkpoint into {entry.Name}: {e.Message}{Hint(path, entry)}");
        }
        if (metadata.TryGetValue("model", out string? trainedAs)
            && !string.Equals(trainedAs, entry.Name, StringComparison.OrdinalIgnoreCase))
            throw new CliException($"checkpoint '{givenPath}' was saved from model '{trainedAs}', not '{entry.Name}'");
        return metadata;
    }

    /// <summary>
    /// When the file loads into another registered model, says which, so a mix-up is obvious. Models whose
    /// parameters alone would not fit in the file are not tried (nor allocated: AlexNet's take 560 MB).
    /// </summary>
    private static string Hint(string path, ModelEntry wanted)
    {
        long length = new FileInfo(path).Length;
        foreach (ModelEntry other in ModelRegistry.All)
        {
            if (other == wanted || length < 8 + 4L * other.ParameterCount) continue;
            IModel model = other.Create(1, 0);
            try
            {
                Safetensors.Load(path, model.Tensors, model.Parameters, out _);
                return $" It matches {other.Name}: run 'deepnotes eval {other.Name} --load {path}'.";
            }
            catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
            {
            }
        }
        return "";
    }

    internal static string Describe(IReadOnlyDictionary<string, string> metadata)
    {
        List<string> parts = new();
        if (metadata.TryGetValue("epochs", out string? epochs)) parts.Add($"{epochs} epochs");
        if (metadata.TryGetValue("seed", out string? seed)) parts.Add($"seed {seed}");
        if (metadata.TryGetValue("held_out_accuracy", out string? accuracy)) parts.Add($"held-out accuracy {accuracy} when saved");
        if (metadata.TryGetValue("held_out_mse", out string? mse)) parts.Add($"held-out mse {mse} when saved");
        return parts.Count == 0 ? "" : " (" + string.Join(", ", parts) + ")";
    }
}
