using System.IO;

namespace DeepNotes;

/// <summary>
/// An in-memory image classification data set: float features (pixel / 255, row-major,
/// <see cref="Count"/> x <see cref="FeatureSize"/>) and integer labels in [0, <see cref="NumClasses"/>).
/// </summary>
public sealed class ImageDataset
{
    /// <summary>File name of the shipped images (see data/README.md).</summary>
    public const string ShippedImagesFile = "mnist-10k-images-idx3-ubyte.gz";

    /// <summary>File name of the shipped labels (see data/README.md).</summary>
    public const string ShippedLabelsFile = "mnist-10k-labels-idx1-ubyte.gz";

    private readonly float[] _features;
    private readonly int[] _labels;

    /// <summary>
    /// Wraps <paramref name="features"/> ([count, rows*cols], row-major) and <paramref name="labels"/>
    /// without copying. <paramref name="numClasses"/> of 0 means max label + 1.
    /// </summary>
    public ImageDataset(float[] features, int[] labels, int rows, int cols, int numClasses = 0)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rows);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(cols);
        ArgumentOutOfRangeException.ThrowIfNegative(numClasses);
        long featureSize = (long)rows * cols;
        if (featureSize > int.MaxValue || (long)labels.Length * featureSize != features.Length)
            throw new ArgumentException(
                $"{features.Length} features do not make {labels.Length} examples of {rows}x{cols}.", nameof(features));

        int max = -1;
        for (int i = 0; i < labels.Length; i++)
        {
            if (labels[i] < 0)
                throw new ArgumentException($"Label {i} is {labels[i]}; labels must be non-negative.", nameof(labels));
            if (numClasses > 0 && labels[i] >= numClasses)
                throw new ArgumentException(
                    $"Label {i} is {labels[i]}, outside [0, {numClasses}).", nameof(labels));
            max = Math.Max(max, labels[i]);
        }
        if (numClasses == 0 && max < 0)
            throw new ArgumentException("numClasses must be given for an empty data set.", nameof(numClasses));

        _features = features;
        _labels = labels;
        Rows = rows;
        Cols = cols;
        FeatureSize = (int)featureSize;
        NumClasses = numClasses > 0 ? numClasses : max + 1;
    }

    /// <summary>Number of examples.</summary>
    public int Count => _labels.Length;

    /// <summary>Image height.</summary>
    public int Rows { get; }

    /// <summary>Image width.</summary>
    public int Cols { get; }

    /// <summary>Floats per example: Rows * Cols.</summary>
    public int FeatureSize { get; }

    /// <summary>Number of classes; every label is in [0, NumClasses).</summary>
    public int NumClasses { get; }

    /// <summary>All features, [Count, FeatureSize] row-major.</summary>
    public ReadOnlySpan<float> Features => _features;

    /// <summary>All labels.</summary>
    public ReadOnlySpan<int> Labels => _labels;

    /// <summary>The features of example <paramref name="index"/>.</summary>
    public ReadOnlySpan<float> GetFeatures(int index)
    {
        if ((uint)index >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(index), index, $"Data set has {Count} examples.");
        return _features.AsSpan(index * FeatureSize, FeatureSize);
    }

    /// <summary>The label of example <paramref name="index"/>.</summary>
    public int GetLabel(int index)
    {
        if ((uint)index >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(index), index, $"Data set has {Count} examples.");
        return _labels[index];
    }

    /// <summary>A copy of examples [start, start + count), keeping this data set's <see cref="NumClasses"/>.</summary>
    public ImageDataset Slice(int start, int count)
    {
        if (start < 0 || count < 0 || start > Count - count)
            throw new ArgumentOutOfRangeException(nameof(count),
                $"Slice [{start}, {(long)start + count}) is outside the {Count} examples.");
        float[] features = _features.AsSpan(start * FeatureSize, count * FeatureSize).ToArray();
        int[] labels = _labels.AsSpan(start, count).ToArray();
        return new ImageDataset(features, labels, Rows, Cols, NumClasses);
    }

    /// <summary>
    /// A copy of the examples at <paramref name="indices"/>, in that order (repeats allowed), keeping this
    /// data set's <see cref="NumClasses"/>: e.g. the training or validation part of a <see cref="KFold.Split(ReadOnlySpan{int}, int, int)"/>.
    /// </summary>
    public ImageDataset Select(ReadOnlySpan<int> indices)
    {
        float[] features = GC.AllocateUninitializedArray<float>(checked(indices.Length * FeatureSize));
        int[] labels = new int[indices.Length];
        for (int i = 0; i < indices.Length; i++)
        {
            int index = indices[i];
            if ((uint)index >= (uint)Count)
                throw new ArgumentOutOfRangeException(nameof(indices), $"Index {i} is {index}, outside the {Count} examples.");
            _features.AsSpan(index * FeatureSize, FeatureSize).CopyTo(features.AsSpan(i * FeatureSize, FeatureSize));
            labels[i] = _labels[index];
        }
        return new ImageDataset(features, labels, Rows, Cols, NumClasses);
    }

    /// <summary>Builds a data set from uint8 pixels (scaled by 1/255) and uint8 labels.</summary>
    public static ImageDataset FromBytes(ReadOnlySpan<byte> pixels, int rows, int cols, ReadOnlySpan<byte> labels, int numClasses = 0)
    {
        long featureSize = (long)rows * cols;
        if (rows <= 0 || cols <= 0 || featureSize * labels.Length != pixels.Length)
            throw new ArgumentException(
                $"{pixels.Length} pixels do not make {labels.Length} images of {rows}x{cols}.", nameof(pixels));
        float[] features = GC.AllocateUninitializedArray<float>(pixels.Length);
        for (int i = 0; i < pixels.Length; i++) features[i] = pixels[i] / 255f;
        int[] ints = new int[labels.Length];
        for (int i = 0; i < labels.Length; i++) ints[i] = labels[i];
        return new ImageDataset(features, ints, rows, cols, numClasses);
    }

    /// <summary>
    /// Loads IDX image and label files (raw or gzip). <paramref name="numClasses"/> of 0 means max label + 1;
    /// otherwise every label must be below it.
    /// </summary>
    /// <exception cref="FileNotFoundException">A file does not exist.</exception>
    /// <exception cref="InvalidDataException">A file is malformed, the counts differ, or a label is out of range.</exception>
    public static ImageDataset LoadIdx(string imagesPath, string labelsPath, int numClasses = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(numClasses);
        IdxImages images = Idx.ReadImages(imagesPath);
        byte[] labels = Idx.ReadLabels(labelsPath);
        if (labels.Length != images.Count)
            throw new InvalidDataException(
                $"'{imagesPath}' holds {images.Count} images but '{labelsPath}' holds {labels.Length} labels.");
        if (numClasses > 0)
        {
            for (int i = 0; i < labels.Length; i++)
            {
                if (labels[i] >= numClasses)
                    throw new InvalidDataException(
                        $"'{labelsPath}': label {i} is {labels[i]}, outside [0, {numClasses}).");
            }
        }
        return FromBytes(images.Pixels, images.Rows, images.Cols, labels, numClasses);
    }

    /// <summary>
    /// Loads the 10,000 MNIST digits shipped in the repository's data/ folder (see data/README.md):
    /// by convention the first 8,000 are for training and the last 2,000 held out.
    /// </summary>
    public static ImageDataset LoadMnistShipped(string dataDir)
    {
        ArgumentNullException.ThrowIfNull(dataDir);
        return LoadIdx(Path.Combine(dataDir, ShippedImagesFile), Path.Combine(dataDir, ShippedLabelsFile), 10);
    }

    /// <summary>
    /// Loads the training (<c>train-images-idx3-ubyte</c>, <c>train-labels-idx1-ubyte</c>) or test
    /// (<c>t10k-...</c>) split of full MNIST or Fashion-MNIST from <paramref name="dir"/>, each file
    /// raw or with a <c>.gz</c> suffix (the raw file is preferred when both exist). Labels must be in [0, 10).
    /// </summary>
    /// <exception cref="FileNotFoundException">Neither form of a file exists.</exception>
    public static ImageDataset LoadIdxDirectory(string dir, bool train)
    {
        ArgumentNullException.ThrowIfNull(dir);
        string prefix = train ? "train" : "t10k";
        string images = FindIdx(dir, prefix + "-images-idx3-ubyte");
        string labels = FindIdx(dir, prefix + "-labels-idx1-ubyte");
        return LoadIdx(images, labels, 10);
    }

    private static string FindIdx(string dir, string name)
    {
        string raw = Path.Combine(dir, name);
        if (File.Exists(raw)) return raw;
        string gz = raw + ".gz";
        if (File.Exists(gz)) return gz;
        throw new FileNotFoundException($"Neither '{raw}' nor '{gz}' exists.", raw);
    }
}
