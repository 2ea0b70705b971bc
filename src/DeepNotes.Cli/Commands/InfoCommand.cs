namespace DeepNotes.Cli.Commands;

/// <summary><c>deepnotes info</c>: a model's parameters, tensors and memory plan.</summary>
internal static class InfoCommand
{
    /// <summary>The batch the arena figures are quoted at (the default training batch).</summary>
    public const int ReportBatch = TrainOptions.DefaultBatchSize;

    public static int Run(InfoOptions o, CliContext context)
    {
        IModel model = o.Model.Create(1, 0);
        MemoryReport m = model.Memory;
        TextWriter w = context.Out;
        string kind = o.Model.Kind switch
        {
            ModelKind.Classifier => "classifier (cross-entropy on labels)",
            ModelKind.Regressor => "regressor (loss on one-hot targets)",
            _ => "reconstruction (squared error against its own input, no labels)",
        };
        w.WriteLine(TrainCommand.Invariant($"model        {o.Model.Name} (DeepNotes.Models.{o.Model.ClassName}), {kind}"));
        w.WriteLine(TrainCommand.Invariant($"input        {o.Model.InputShape} = {model.InputLength} floats per example; output [{model.OutputLength}]"));
        if (o.Model.InputImage is { } image && (image.Height != 28 || image.Width != 28))
            w.WriteLine(TrainCommand.Invariant($"             train and eval resize 28x28 images to {image.Height}x{image.Width} (bilinear)"));
        w.WriteLine(TrainCommand.Invariant($"defaults     --lr {o.Model.DefaultLearningRate} --momentum {o.Model.DefaultMomentum} --schedule {o.Model.DefaultSchedule.Name()}; evaluated {o.Model.EvalBatch} rows per Predict"));
        w.WriteLine(TrainCommand.Invariant($"parameters   {m.ParameterCount:N0} ({4L * m.ParameterCount:N0} bytes as float32)"));
        w.WriteLine("tensors");
        int width = 0, shapeWidth = 12;
        foreach (TensorInfo t in model.Tensors)
        {
            width = Math.Max(width, t.Name.Length);
            shapeWidth = Math.Max(shapeWidth, Shape(t).Length);
        }
        foreach (TensorInfo t in model.Tensors)
            w.WriteLine(TrainCommand.Invariant($"  {t.Name.PadRight(width)}  {Shape(t).PadRight(shapeWidth)} {t.Length,10:N0}  {t.Role.ToString().ToLowerInvariant()}"));

        w.WriteLine("memory plan (floats; per-row figures scale with the batch)");
        w.WriteLine(TrainCommand.Invariant($"  training arena             {m.TrainingArenaPerRow,7:N0} per row + {m.TrainingArenaFixed:N0}"));
        w.WriteLine(TrainCommand.Invariant($"  every intermediate kept    {m.TrainingIntermediatesPerRow,7:N0} per row + {m.TrainingIntermediatesFixed:N0}{Saving(m)}"));
        w.WriteLine(TrainCommand.Invariant($"  inference arena            {m.InferenceArenaPerRow,7:N0} per row + {m.InferenceArenaFixed:N0}"));
        long parameterBytes = 3L * 4 * m.ParameterCount;
        w.WriteLine(TrainCommand.Invariant($"at batch {ReportBatch}"));
        w.WriteLine(TrainCommand.Invariant($"  activation arena           {m.ArenaBytes(ReportBatch),12:N0} bytes (intermediates without sharing: {m.IntermediateBytes(ReportBatch):N0})"));
        w.WriteLine(TrainCommand.Invariant($"  parameters, gradients, SGD {parameterBytes,12:N0} bytes (3 x {m.ParameterCount:N0} floats)"));
        w.WriteLine(TrainCommand.Invariant($"  one allocation in all      {parameterBytes + m.ArenaBytes(ReportBatch),12:N0} bytes"));
        return ExitCodes.Ok;
    }

    private static string Shape(TensorInfo t) => "[" + string.Join(", ", t.Shape.ToArray()) + "]";

    private static string Saving(MemoryReport m)
        => m.TrainingIntermediatesPerRow == 0 ? ""
            : TrainCommand.Invariant($" (the plan's sharing saves {100.0 * (m.TrainingIntermediatesPerRow - m.TrainingArenaPerRow) / m.TrainingIntermediatesPerRow:F1} % per row)");
}
