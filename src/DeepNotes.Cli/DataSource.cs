namespace DeepNotes.Cli;

/// <summary>What the images show: it decides the wording and whether mirroring is a fair augmentation.</summary>
internal enum DataKind
{
    /// <summary>Handwritten digits: a mirrored digit is not the same digit, so no flips.</summary>
    Digits,

    /// <summary>Fashion-MNIST clothing: a mirrored shirt is still a shirt.</summary>
    Fashion,
}

/// <summary>A training set and its held-out set, with where they came from.</summary>
internal sealed record DataSplit(ImageDataset Train, ImageDataset HeldOut, string Description, DataKind Kind = DataKind.Digits)
{
    /// <summary>"digits" or "images", for messages.</summary>
    public string Noun => Kind == DataKind.Fashion ? "images" : "digits";
}

/// <summary>
/// Finds and loads the data: the shipped 10,000 digits (first 8,000 train, last 2,000 held out, see
/// data/README.md), Fashion-MNIST where Debian's <c>dataset-fashion-mnist</c> installs it, or a
/// directory of MNIST-format IDX files (train set / t10k test set). Every failure is a
/// <see cref="CliException"/> naming the path.
/// </summary>
internal static class DataSource
{
    public const int ShippedTrainCount = 8000;
    public const int ShippedHeldOutCount = 2000;

    /// <summary><c>--data mnist</c>: the shipped digits, the same as no --data.</summary>
    public const string MnistKeyword = "mnist";

    /// <summary><c>--data fashion-mnist</c>: Fashion-MNIST from <see cref="FashionMnistDirectory"/>.</summary>
    public const string FashionMnistKeyword = "fashion-mnist";

    /// <summary>Where Debian's (and Ubuntu's) <c>dataset-fashion-mnist</c> package puts the four IDX files.</summary>
    public const string FashionMnistDirectory = "/usr/share/datasets/fashion-mnist";

    private const string SolutionFile = "DeepNotes.sln";

    /// <summary>
    /// Loads both sets; <paramref name="includeTrain"/> false skips reading a separate training file (eval).
    /// <paramref name="dataPath"/> is null or <c>mnist</c> (the shipped digits), <c>fashion-mnist</c> (looked up in
    /// <paramref name="fashionDirectory"/>) or a directory; the keywords win over directories of the same name
    /// (write <c>./mnist</c> for those).
    /// </summary>
    public static DataSplit Load(string? dataPath, string workingDirectory, bool includeTrain = true,
                                 string fashionDirectory = FashionMnistDirectory)
    {
        string dir;
        DataKind kind = DataKind.Digits;
        if (dataPath is null || string.Equals(dataPath, MnistKeyword, StringComparison.OrdinalIgnoreCase))
        {
            dir = FindShippedDirectory(workingDirectory);
        }
        else if (string.Equals(dataPath, FashionMnistKeyword, StringComparison.OrdinalIgnoreCase))
        {
            dir = fashionDirectory;
            kind = DataKind.Fashion;
            if (!Directory.Exists(dir))
                throw new CliException($"Fashion-MNIST is not installed: '{dir}' does not exist; install it with "
                    + "'sudo apt-get install dataset-fashion-mnist', or download its four IDX files and pass --data PATH (their directory)");
        }
        else
        {
            dir = Path.GetFullPath(dataPath, workingDirectory);
            // A directory whose name says fashion is taken to hold Fashion-MNIST, so --augment may mirror its images.
            if (Path.GetFileName(Path.TrimEndingDirectorySeparator(dir)).Contains("fashion", StringComparison.OrdinalIgnoreCase))
                kind = DataKind.Fashion;
        }
        if (!Directory.Exists(dir))
            throw new CliException(File.Exists(dir)
                ? $"--data '{dataPath}' is a file; pass the directory that holds the IDX files"
                : $"data directory '{dir}' does not exist");

        string what = kind == DataKind.Fashion ? "Fashion-MNIST" : "the digits";
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
            if (kind == DataKind.Fashion || HasIdx(dir, "train-images-idx3-ubyte") || HasIdx(dir, "t10k-images-idx3-ubyte"))
            {
                ImageDataset heldOut = ImageDataset.LoadIdxDirectory(dir, train: false);
                ImageDataset train = includeTrain ? ImageDataset.LoadIdxDirectory(dir, train: true) : heldOut.Slice(0, 0);
                string description = kind == DataKind.Fashion ? $"Fashion-MNIST in {dir}" : $"IDX files in {dir}";
                return new DataSplit(train, heldOut, description, kind);
            }
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            throw new CliException($"cannot load {what}: {e.Message}");
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
                + $"or '{AppContext.BaseDirectory}'; pass --data PATH or --data fashion-mnist");
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

    /// <summary>
    /// Checks that the images fit the model's input, as they are or resized to the height and width of a model
    /// that takes one-channel images (<see cref="InputResizer"/>), and the labels its outputs.
    /// </summary>
    public static void CheckFits(DataSplit data, ModelEntry entry, IModel model)
    {
        ImageDataset d = data.HeldOut;
        bool resized = entry.InputImage is { Channels: 1 } image && image.Size == model.InputLength;
        if (!resized && d.FeatureSize != model.InputLength)
            throw new CliException($"the images are {d.Rows}x{d.Cols} ({d.FeatureSize} values) but {entry.Name} takes {model.InputLength} inputs {entry.InputShape}");
        if (d.NumClasses > model.OutputLength)
            throw new CliException($"the labels have {d.NumClasses} classes but {entry.Name} has {model.OutputLength} outputs");
    }
}
