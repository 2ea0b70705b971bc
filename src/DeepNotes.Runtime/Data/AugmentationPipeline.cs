namespace DeepNotes;

/// <summary>What an <see cref="AugmentationPipeline"/> does; every augmentation is off by default.</summary>
public sealed record AugmentationOptions
{
    /// <summary>Zero padding of <see cref="Augment.RandomCrop"/>: content shifts by up to this many pixels each way (0: off).</summary>
    public int CropPadding { get; init; }

    /// <summary>Probability of a left-right mirror (0: off). Leave it off for digits and text, whose mirror images are not examples of the class.</summary>
    public float FlipProbability { get; init; }

    /// <summary>Brightness factor range: b ~ U[1 − Brightness, 1 + Brightness] (0: off).</summary>
    public float Brightness { get; init; }

    /// <summary>Contrast factor range: c ~ U[1 − Contrast, 1 + Contrast] (0: off).</summary>
    public float Contrast { get; init; }

    /// <summary>Probability that an image is blurred or sharpened (half each) by <see cref="Augment.RandomFilter"/> (0: off).</summary>
    public float FilterProbability { get; init; }

    /// <summary>Seed of every random choice.</summary>
    public ulong Seed { get; init; }
}

/// <summary>
/// The augmentations of <see cref="AugmentationOptions"/> applied in place to training batches, in
/// the order crop, flip, filter, brightness/contrast. Scratch is allocated once, in the
/// constructor; <see cref="Apply"/> allocates nothing. The draws of a batch are a pure function of
/// (seed, epoch, batch index, image index within the batch).
/// </summary>
public sealed class AugmentationPipeline
{
    private readonly float[] _cropScratch;
    private readonly float[] _filterScratch;

    /// <summary>A pipeline for images of channels × height × width.</summary>
    public AugmentationPipeline(int channels, int height, int width, AugmentationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(channels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegative(options.CropPadding);
        CheckUnit(options.FlipProbability, nameof(options.FlipProbability));
        CheckUnit(options.Brightness, nameof(options.Brightness));
        CheckUnit(options.Contrast, nameof(options.Contrast));
        CheckUnit(options.FilterProbability, nameof(options.FilterProbability));

        Channels = channels;
        Height = height;
        Width = width;
        Options = options;
        _cropScratch = options.CropPadding > 0 ? new float[Augment.RandomCropScratchSize(channels, height, width)] : [];
        _filterScratch = options.FilterProbability > 0f ? new float[Augment.FilterScratchSize(height, width)] : [];
    }

    /// <summary>Channels per image.</summary>
    public int Channels { get; }

    /// <summary>Image height.</summary>
    public int Height { get; }

    /// <summary>Image width.</summary>
    public int Width { get; }

    /// <summary>What the pipeline does.</summary>
    public AugmentationOptions Options { get; }

    /// <summary>The stream of batch <paramref name="batchIndex"/> of <paramref name="epoch"/> (tagged "AUGM", apart from the shuffle streams).</summary>
    public static ulong Stream(int epoch, int batchIndex)
        => 0x4155_474D_0000_0000UL ^ ((ulong)(uint)epoch << 32 | (uint)batchIndex);

    /// <summary>
    /// Augments <paramref name="batch"/> images ([batch, Channels, Height, Width], exactly that long) in
    /// place, drawing from <see cref="Stream"/>(<paramref name="epoch"/>, <paramref name="batchIndex"/>).
    /// </summary>
    public void Apply(Span<float> images, int batch, int epoch, int batchIndex)
    {
        AugmentationOptions o = Options;
        ulong seed = o.Seed, stream = Stream(epoch, batchIndex);
        int c = Channels, h = Height, w = Width;
        Augment.CheckImages(images, batch, c, h, w);
        if (o.CropPadding > 0) Augment.RandomCrop(images, batch, c, h, w, o.CropPadding, seed, stream, _cropScratch);
        if (o.FlipProbability > 0f) Augment.HorizontalFlip(images, batch, c, h, w, seed, stream, o.FlipProbability);
        if (o.FilterProbability > 0f) Augment.RandomFilter(images, batch, c, h, w, o.FilterProbability, seed, stream, _filterScratch);
        if (o.Brightness > 0f || o.Contrast > 0f) Augment.BrightnessContrast(images, batch, c, h, w, o.Brightness, o.Contrast, seed, stream);
    }

    private static void CheckUnit(float value, string name)
    {
        if (!(value >= 0f && value <= 1f)) throw new ArgumentOutOfRangeException(name, value, "must be in [0, 1]");
    }
}
