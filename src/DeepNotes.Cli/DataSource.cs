namespace DeepNotes.Cli;

/// <summary>A training set and its held-out set, with where they came from.</summary>
internal sealed record DataSplit(ImageDataset Train, ImageDataset HeldOut, string Description);

/// <summary>
/// Finds and loads the digits: the shipped 10,000 (first 8,000 train, last 2,000 held out, see
/// data/README.md) or a directory of MNIST's standard IDX files (train set / t10k test set).
/// Every failure is a <see cref="CliException"/> naming the path.
/// </summary>
internal static class DataSource
{
    public const int ShippedTrainCount = 8000;
    public const int ShippedHeldOutCount = 2000;
    private const string SolutionFile = "DeepNotes.sln";

    /// <summary>Loads both sets; <paramref name="includeTrain"/> false skips reading a separate training file (eval).</summary>
    public static DataSplit Load(string? dataPath, string workingDirectory, bool includeTrain = true)
    {
        string dir = dataPath is null ? FindShippedDirectory(workingDirectory) : Path.GetFullPath(dataPath, workingDirectory);
        if (!Directory.Exists(dir))
            throw new CliException(File.Exists(dir)
                ? $"--data '{dataPath}' is a file; pass the directory that holds the IDX files"
                : $"data directory '{dir}' does not exist");

        try
        {
            if (File.Exists(Path.Combine(dir, ImageDataset.ShippedImagesFile)))
            {
                ImageDataset all = ImageDataset.LoadMnistShipped(dir);
                if (all.Count != ShippedTrainCount + ShippedHeldOutCount)
                    throw new CliException($"'{Path.Combine(dir, ImageDataset.ShippedImagesFile)}' holds {all.Count} digits, expected {ShippedTrainCount + ShippedHeldOutCount}");
                ImageDataset train = includeTrain ? all.Slice(0, ShippedTrainCount) : all.Slice(0, 0);
                return new DataSplit(train, all.Slice(ShippedTrainCount, ShippedHeldOutCount), $"shipped digits in {dir}");
            }
            if (HasIdx(dir, "train-images-idx3-ubyte") || HasIdx(dir, "t10k-images-idx3-ubyte"))
            {
                ImageDataset heldOut = ImageDataset.LoadIdxDirectory(dir, train: false);
                ImageDataset train = includeTrain ? ImageDataset.LoadIdxDirectory(dir, train: true) : heldOut.Slice(0, 0);
                return new DataSplit(train, heldOut, $"IDX files in {dir}");
            }
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            throw new CliException($"cannot load the digits: {e.Message}");
        }
        throw new CliException($"no digits in '{dir}': expected {ImageDataset.ShippedImagesFile} and {ImageDataset.ShippedLabelsFile}, "
            + "or train-/t10k-{images-idx3,labels-idx1}-ubyte[.gz]");
    }

    /// <summary>
    /// The data/ folder next to DeepNotes.sln, searched upwards from the working directory and then from the
    /// executable's directory (so an installed or published binary run inside the repository finds it).
    /// </summary>
    public static string FindShippedDirectory(string workingDirectory)
    {
        string? root = FindRepositoryRoot(workingDirectory) ?? FindRepositoryRoot(AppContext.BaseDirectory);
        if (root is null)
            throw new CliException($"cannot find the shipped digits: no {SolutionFile} above '{workingDirectory}' "
                + $"or '{AppContext.BaseDirectory}'; pass --data PATH");
        return Path.Combine(root, "data");
    }

    private static string? FindRepositoryRoot(string start)
    {
        for (DirectoryInfo? dir = new(Path.GetFullPath(start)); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, SolutionFile))) return dir.FullName;
        }
        return null;
    }

    private static bool HasIdx(string dir, string name)
        => File.Exists(Path.Combine(dir, name)) || File.Exists(Path.Combine(dir, name + ".gz"));

    /// <summary>Checks that the images fit the model's input and the labels its outputs.</summary>
    public static void CheckFits(DataSplit data, ModelEntry entry, IModel model)
    {
        ImageDataset d = data.HeldOut;
        if (d.FeatureSize != model.InputLength)
            throw new CliException($"the images are {d.Rows}x{d.Cols} ({d.FeatureSize} values) but {entry.Name} takes {model.InputLength} inputs {entry.InputShape}");
        if (d.NumClasses > model.OutputLength)
            throw new CliException($"the labels have {d.NumClasses} classes but {entry.Name} has {model.OutputLength} outputs");
    }
}
