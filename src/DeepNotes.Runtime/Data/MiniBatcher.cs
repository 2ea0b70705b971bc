namespace DeepNotes;

/// <summary>
/// Splits an <see cref="ImageDataset"/> into mini-batches, copying each batch's rows into buffers
/// allocated once in the constructor: after construction <see cref="StartEpoch"/> and
/// <see cref="Next"/> allocate nothing.
/// </summary>
/// <remarks>
/// With shuffling, epoch e visits the examples in the order of an identity permutation shuffled by
/// <see cref="CounterRng.Shuffle"/> with (seed, <see cref="ShuffleStream"/>(e)), so the order is a pure
/// function of (seed, epoch), whatever epochs were run before.
/// </remarks>
public sealed class MiniBatcher
{
    private readonly ImageDataset _data;
    private readonly int[] _order;
    private readonly float[] _features;
    private readonly int[] _labels;
    private int _position = -1;
    private int _current;
    private int _currentStart;

    /// <summary>Creates a batcher; call <see cref="StartEpoch"/> before the first <see cref="Next"/>.</summary>
    public MiniBatcher(ImageDataset data, int batchSize, ulong seed, bool shuffle = true, bool dropLast = false)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        if (data.Count == 0)
            throw new ArgumentException("The data set is empty.", nameof(data));
        if (dropLast && batchSize > data.Count)
            throw new ArgumentException(
                $"Batch size {batchSize} exceeds the {data.Count} examples and dropLast is set, so an epoch would have no batches.",
                nameof(batchSize));
        if ((long)batchSize * data.FeatureSize > Array.MaxLength)
            throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "The feature buffer would be too large.");

        _data = data;
        BatchSize = batchSize;
        Seed = seed;
        Shuffles = shuffle;
        DropLast = dropLast;
        _order = new int[data.Count];
        for (int i = 0; i < _order.Length; i++) _order[i] = i;
        _features = new float[batchSize * data.FeatureSize];
        _labels = new int[batchSize];
        BatchesPerEpoch = dropLast ? data.Count / batchSize : (data.Count + batchSize - 1) / batchSize;
    }

    /// <summary>The data set being batched.</summary>
    public ImageDataset Data => _data;

    /// <summary>Examples per full batch.</summary>
    public int BatchSize { get; }

    /// <summary>The seed of the shuffles.</summary>
    public ulong Seed { get; }

    /// <summary>Whether each epoch is shuffled.</summary>
    public bool Shuffles { get; }

    /// <summary>Whether a final batch smaller than <see cref="BatchSize"/> is skipped.</summary>
    public bool DropLast { get; }

    /// <summary>Batches that <see cref="Next"/> yields per epoch.</summary>
    public int BatchesPerEpoch { get; }

    /// <summary>The epoch started last, or -1 before the first <see cref="StartEpoch"/>.</summary>
    public int Epoch { get; private set; } = -1;

    /// <summary>Features of the current batch, [batch, FeatureSize] row-major.</summary>
    public ReadOnlySpan<float> Features => _features.AsSpan(0, _current * _data.FeatureSize);

    /// <summary>Labels of the current batch.</summary>
    public ReadOnlySpan<int> Labels => _labels.AsSpan(0, _current);

    /// <summary>Data set indices of the current batch's examples.</summary>
    public ReadOnlySpan<int> Indices => _order.AsSpan(_currentStart, _current);

    /// <summary>The order in which the current epoch visits the data set.</summary>
    public ReadOnlySpan<int> Order => _order;

    /// <summary>The RNG stream used to shuffle <paramref name="epoch"/> (distinct from streams near 0 used elsewhere).</summary>
    public static ulong ShuffleStream(int epoch) => 0x5348_5546_0000_0000UL | (uint)epoch; // "SHUF" tag

    /// <summary>Starts epoch <paramref name="epoch"/>: resets the order to identity and, if shuffling, shuffles it.</summary>
    public void StartEpoch(int epoch)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(epoch);
        for (int i = 0; i < _order.Length; i++) _order[i] = i;
        if (Shuffles) CounterRng.Shuffle(_order, Seed, ShuffleStream(epoch));
        Epoch = epoch;
        _position = 0;
        _current = 0;
        _currentStart = 0;
    }

    /// <summary>
    /// Copies the next batch into <see cref="Features"/> and <see cref="Labels"/>; returns false (with
    /// <paramref name="batch"/> = 0) when the epoch is over.
    /// </summary>
    public bool Next(out int batch)
    {
        if (_position < 0) throw new InvalidOperationException("Call StartEpoch before Next.");
        int remaining = _order.Length - _position;
        int size = Math.Min(BatchSize, remaining);
        if (size == 0 || (DropLast && size < BatchSize))
        {
            _position = _order.Length;
            _current = 0;
            _currentStart = _order.Length;
            batch = 0;
            return false;
        }

        int featureSize = _data.FeatureSize;
        ReadOnlySpan<float> all = _data.Features;
        ReadOnlySpan<int> labels = _data.Labels;
        for (int b = 0; b < size; b++)
        {
            int index = _order[_position + b];
            all.Slice(index * featureSize, featureSize).CopyTo(_features.AsSpan(b * featureSize, featureSize));
            _labels[b] = labels[index];
        }
        _currentStart = _position;
        _position += size;
        _current = size;
        batch = size;
        return true;
    }
}
