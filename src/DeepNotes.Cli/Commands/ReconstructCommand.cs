namespace DeepNotes.Cli.Commands;

/// <summary>A greyscale image of images: pixels row by row, <see cref="Width"/> × <see cref="Height"/>.</summary>
internal sealed record ContactSheet(float[] Pixels, int Width, int Height);

/// <summary>
/// <c>deepnotes reconstruct</c>: loads the checkpoint of a reconstruction model (an autoencoder), runs the first
/// --count held-out images through it and writes one greyscale PNG of them: rows of up to <see cref="Columns"/>
/// images, each row of originals followed by the row of their reconstructions. It also prints the squared error
/// per pixel over the images shown and over the whole held-out set.
/// </summary>
internal static class ReconstructCommand
{
    /// <summary>Images per row of the sheet.</summary>
    public const int Columns = 10;

    /// <summary>Rows of mid-grey (<see cref="SeparatorLevel"/>) between one pair of rows and the next, so pairs stand apart.</summary>
    public const int SeparatorRows = 2;

    public const float SeparatorLevel = 0.5f;

    public static int Run(ReconstructOptions o, CliContext context)
    {
        if (o.Threads is { } threads) Parallelism.ThreadCount = threads;
        string pngPath = TrainCommand.CheckOutputPath("--png", o.PngPath, "digits.png", "write the PNG to", context.WorkingDirectory);
        string path = EvalCommand.CheckCheckpointPath(o.LoadPath, context.WorkingDirectory);
        DataSplit data = DataSource.Load(o.DataPath, context.WorkingDirectory, includeTrain: false, context.FashionMnistDirectory);
        ImageDataset heldOut = data.HeldOut;
        if (o.Count > heldOut.Count)
            throw new CliException($"--count {o.Count} is more than the {heldOut.Count} held-out {data.Noun}");

        IModel model = o.Model.Create(Math.Max(o.Model.EvalBatch, o.Count), 0);
        DataSource.CheckFits(data, o.Model, model);
        if (heldOut.FeatureSize != model.InputLength)
            throw new CliException($"the images are {heldOut.Rows}x{heldOut.Cols}, but {o.Model.Name} reconstructs images of {model.InputLength} pixels {o.Model.InputShape}");
        IReadOnlyDictionary<string, string> metadata = EvalCommand.LoadCheckpoint(model, o.Model, path, o.LoadPath);

        int pixels = heldOut.FeatureSize;
        ReadOnlySpan<float> shown = heldOut.Features[..(o.Count * pixels)];
        float[] reconstructions = new float[o.Count * pixels];
        model.Predict(shown, reconstructions, o.Count);
        double shownError = 0;
        for (int i = 0; i < reconstructions.Length; i++)
        {
            if (!float.IsFinite(reconstructions[i]))
                throw new CliException($"{o.Model.Name}'s output for held-out image {i / pixels} is {reconstructions[i]}: "
                    + $"the checkpoint '{o.LoadPath}' holds weights that are not finite (did its training diverge?)");
            double d = reconstructions[i] - shown[i];
            shownError += d * d;
        }
        shownError /= reconstructions.Length;
        Evaluation all = new Evaluator(model, o.Model, heldOut).Run();

        ContactSheet sheet = Sheet(shown, reconstructions, o.Count, heldOut.Rows, heldOut.Cols);
        try
        {
            Png.WriteGray(pngPath, sheet.Pixels, sheet.Width, sheet.Height);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"cannot write the PNG to '{o.PngPath}': {e.Message}");
        }

        TextWriter w = context.Out;
        w.WriteLine(TrainCommand.Invariant($"{o.Model.Name} from {path}{EvalCommand.Describe(metadata)}"));
        w.WriteLine(TrainCommand.Invariant(
            $"held-out mse {all.Loss:F5} per pixel over all {all.Count} {data.Noun}, {shownError:F5} over the {o.Count} shown ({data.Description})"));
        w.WriteLine(TrainCommand.Invariant(
            $"wrote {pngPath}: {sheet.Width}x{sheet.Height} pixels, {o.Count} held-out {data.Noun} in rows of {Math.Min(o.Count, Columns)}, each row above the row of their reconstructions"));
        return ExitCodes.Ok;
    }

    /// <summary>
    /// Lays out <paramref name="count"/> images of <paramref name="rows"/> × <paramref name="cols"/> and their
    /// reconstructions: up to <see cref="Columns"/> per row, each row of originals directly above the row of their
    /// reconstructions, pairs of rows apart by <see cref="SeparatorRows"/> grey rows; cells past the last image stay black.
    /// </summary>
    internal static ContactSheet Sheet(ReadOnlySpan<float> originals, ReadOnlySpan<float> reconstructions, int count, int rows, int cols)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        int size = rows * cols;
        if (originals.Length < count * size || reconstructions.Length < count * size)
            throw new ArgumentException($"{count} images of {rows}x{cols} need {count * size} values each in originals and reconstructions");
        int perRow = Math.Min(count, Columns), groups = (count + perRow - 1) / perRow;
        int pitch = 2 * rows + SeparatorRows; // from one pair of rows to the next
        int width = perRow * cols, height = groups * pitch - SeparatorRows;
        float[] pixels = new float[width * height];
        for (int group = 1; group < groups; group++)
            pixels.AsSpan((group * pitch - SeparatorRows) * width, SeparatorRows * width).Fill(SeparatorLevel);
        for (int image = 0; image < count; image++)
        {
            int top = image / perRow * pitch, left = image % perRow * cols;
            for (int y = 0; y < rows; y++)
            {
                originals.Slice(image * size + y * cols, cols).CopyTo(pixels.AsSpan((top + y) * width + left, cols));
                reconstructions.Slice(image * size + y * cols, cols).CopyTo(pixels.AsSpan((top + rows + y) * width + left, cols));
            }
        }
        return new ContactSheet(pixels, width, height);
    }
}
