using System.Numerics.Tensors;

namespace DeepNotes;

/// <summary>
/// Image augmentations over NCHW float batches ([batch, channels, height, width], pixels in [0, 1]),
/// in place, allocation-free, and reproducible: every random choice is a pure function of
/// (seed, stream, counter) through <see cref="CounterRng"/>.
/// </summary>
/// <remarks>
/// <para>
/// Counters: image <c>i</c> of a call (its index within the span, from 0) draws its values at
/// <c>i * <see cref="CounterStride"/> + k</c>, where each augmentation owns its own sub-counters
/// <c>k</c> (crop 0 and 1, flip 2, brightness 3, contrast 4, filter 5 and 6). So one (seed, stream)
/// can drive every augmentation of a batch without their choices being correlated, and a caller
/// that wants a different draw per batch passes a different stream, e.g.
/// <see cref="AugmentationPipeline.Stream"/>(epoch, batchIndex).
/// </para>
/// <para>
/// Sizes are checked: <c>images</c> must hold exactly <c>batch * channels * height * width</c> floats.
/// </para>
/// </remarks>
public static class Augment
{
    /// <summary>Counters reserved per image; image i uses i * CounterStride + [0, CounterStride).</summary>
    public const int CounterStride = 8;

    private const int CropY = 0, CropX = 1, FlipDraw = 2, BrightnessDraw = 3, ContrastDraw = 4, FilterDraw = 5, FilterKindDraw = 6;

    /// <summary>Gaussian 3×3 blur, [1 2 1; 2 4 2; 1 2 1] / 16 (row-major); sums to 1.</summary>
    public static ReadOnlySpan<float> Blur => s_blur;

    /// <summary>3×3 sharpen, [0 -1 0; -1 5 -1; 0 -1 0] (row-major): the identity plus a Laplacian edge boost; sums to 1.</summary>
    public static ReadOnlySpan<float> Sharpen => s_sharpen;

    // Arrays, not collection expressions: a span property returning a float collection expression
    // allocated a new array on every read when measured (AugmentTests.Pipeline_allocates_nothing_after_warm_up).
    private static readonly float[] s_blur = [1f / 16, 2f / 16, 1f / 16, 2f / 16, 4f / 16, 2f / 16, 1f / 16, 2f / 16, 1f / 16];
    private static readonly float[] s_sharpen = [0f, -1f, 0f, -1f, 5f, -1f, 0f, -1f, 0f];

    /// <summary>Floats of scratch <see cref="RandomCrop"/> needs: one image, channels * height * width.</summary>
    public static int RandomCropScratchSize(int channels, int height, int width) => checked(channels * height * width);

    /// <summary>Floats of scratch <see cref="Filter3x3"/> and <see cref="RandomFilter"/> need: one channel plane, height * width.</summary>
    public static int FilterScratchSize(int height, int width) => checked(height * width);

    /// <summary>
    /// Pads every image by <paramref name="padding"/> zeros on each side and takes a height × width
    /// crop at offsets (oy, ox), each uniform in [0, 2·padding]: the content moves by
    /// (padding − oy, padding − ox) and what comes in from outside is 0. Padding 0 leaves the images as they are.
    /// </summary>
    /// <param name="scratch">At least <see cref="RandomCropScratchSize"/> floats: a copy of one image.</param>
    public static void RandomCrop(Span<float> images, int batch, int channels, int height, int width, int padding,
                                  ulong seed, ulong stream, Span<float> scratch)
    {
        int size = CheckImages(images, batch, channels, height, width);
        ArgumentOutOfRangeException.ThrowIfNegative(padding);
        CheckScratch(scratch, size, nameof(RandomCropScratchSize));
        if (padding == 0) return;
        Span<float> copy = scratch[..size];
        for (int i = 0; i < batch; i++)
        {
            ulong counter = (ulong)i * CounterStride;
            int dy = CounterRng.NextInt(seed, stream, counter + CropY, 2 * padding + 1) - padding;
            int dx = CounterRng.NextInt(seed, stream, counter + CropX, 2 * padding + 1) - padding;
            Span<float> image = images.Slice(i * size, size);
            image.CopyTo(copy);
            Shift(image, copy, channels, height, width, dy, dx);
        }
    }

    /// <summary>out[y, x] = in[y + dy, x + dx], 0 where that is outside the image.</summary>
    private static void Shift(Span<float> image, ReadOnlySpan<float> source, int channels, int height, int width, int dy, int dx)
    {
        // Columns of the output that read inside the source: x in [x0, x1).
        int x0 = Math.Clamp(-dx, 0, width), x1 = Math.Clamp(width - dx, 0, width);
        for (int c = 0; c < channels; c++)
        {
            int plane = c * height * width;
            for (int y = 0; y < height; y++)
            {
                Span<float> row = image.Slice(plane + y * width, width);
                int sy = y + dy;
                if ((uint)sy >= (uint)height || x0 >= x1)
                {
                    row.Clear();
                    continue;
                }
                row[..x0].Clear();
                source.Slice(plane + sy * width + x0 + dx, x1 - x0).CopyTo(row[x0..x1]);
                row[x1..].Clear();
            }
        }
    }

    /// <summary>Mirrors each image left-right with probability <paramref name="probability"/>.</summary>
    public static void HorizontalFlip(Span<float> images, int batch, int channels, int height, int width,
                                      ulong seed, ulong stream, float probability = 0.5f)
    {
        int size = CheckImages(images, batch, channels, height, width);
        CheckProbability(probability);
        for (int i = 0; i < batch; i++)
        {
            if (!(CounterRng.Uniform(seed, stream, (ulong)i * CounterStride + FlipDraw) < probability)) continue;
            Span<float> image = images.Slice(i * size, size);
            for (int r = 0; r < channels * height; r++) image.Slice(r * width, width).Reverse();
        }
    }

    /// <summary>
    /// Per image: scales every pixel by b ~ U[1 − brightness, 1 + brightness] and clamps to [0, 1];
    /// then blends with the mean m of the scaled image (over all its channels and pixels) by
    /// c ~ U[1 − contrast, 1 + contrast], x ← (x − m)·c + m, and clamps to [0, 1] again
    /// (the order and clamps of torchvision's ColorJitter for a grey image). 0 turns either off.
    /// </summary>
    public static void BrightnessContrast(Span<float> images, int batch, int channels, int height, int width,
                                          float brightness, float contrast, ulong seed, ulong stream)
    {
        int size = CheckImages(images, batch, channels, height, width);
        if (!(brightness >= 0f && brightness <= 1f)) throw new ArgumentOutOfRangeException(nameof(brightness), brightness, "must be in [0, 1]");
        if (!(contrast >= 0f && contrast <= 1f)) throw new ArgumentOutOfRangeException(nameof(contrast), contrast, "must be in [0, 1]");
        for (int i = 0; i < batch; i++)
        {
            ulong counter = (ulong)i * CounterStride;
            Span<float> image = images.Slice(i * size, size);
            if (brightness > 0f)
            {
                float b = 1f - brightness + 2f * brightness * CounterRng.Uniform(seed, stream, counter + BrightnessDraw);
                TensorPrimitives.Multiply(image, b, image);
                Clamp01(image);
            }
            if (contrast > 0f)
            {
                float c = 1f - contrast + 2f * contrast * CounterRng.Uniform(seed, stream, counter + ContrastDraw);
                float mean = TensorPrimitives.Sum<float>(image) / size;
                TensorPrimitives.Multiply(image, c, image);                   // (x − m)·c + m = x·c + (1 − c)·m
                TensorPrimitives.Add(image, (1f - c) * mean, image);
                Clamp01(image);
            }
        }
    }

    /// <summary>
    /// 3×3 cross-correlation of every channel plane with <paramref name="kernel9"/> (row-major), zero
    /// padding, same size: out[y, x] = Σ k[i, j] · in[y + i − 1, x + j − 1]. No clamping.
    /// </summary>
    /// <param name="scratch">At least <see cref="FilterScratchSize"/> floats: a copy of one plane.</param>
    public static void Filter3x3(Span<float> images, int batch, int channels, int height, int width,
                                 ReadOnlySpan<float> kernel9, Span<float> scratch)
    {
        CheckImages(images, batch, channels, height, width);
        if (kernel9.Length != 9) throw new ArgumentException($"The kernel has {kernel9.Length} values, expected 9.", nameof(kernel9));
        CheckScratch(scratch, height * width, nameof(FilterScratchSize));
        for (int p = 0; p < batch * channels; p++)
            FilterPlane(images.Slice(p * height * width, height * width), height, width, kernel9, scratch);
    }

    /// <summary>
    /// Per image, with probability <paramref name="probability"/> applies a filter, <see cref="Blur"/> or
    /// <see cref="Sharpen"/> with equal chance, and clamps the result to [0, 1]; otherwise leaves it as it is.
    /// </summary>
    /// <param name="scratch">At least <see cref="FilterScratchSize"/> floats.</param>
    public static void RandomFilter(Span<float> images, int batch, int channels, int height, int width,
                                    float probability, ulong seed, ulong stream, Span<float> scratch)
    {
        int size = CheckImages(images, batch, channels, height, width);
        CheckProbability(probability);
        CheckScratch(scratch, height * width, nameof(FilterScratchSize));
        for (int i = 0; i < batch; i++)
        {
            ulong counter = (ulong)i * CounterStride;
            if (!(CounterRng.Uniform(seed, stream, counter + FilterDraw) < probability)) continue;
            ReadOnlySpan<float> kernel = CounterRng.Uniform(seed, stream, counter + FilterKindDraw) < 0.5f ? Blur : Sharpen;
            Span<float> image = images.Slice(i * size, size);
            for (int c = 0; c < channels; c++)
                FilterPlane(image.Slice(c * height * width, height * width), height, width, kernel, scratch);
            Clamp01(image);
        }
    }

    private static void FilterPlane(Span<float> plane, int height, int width, ReadOnlySpan<float> k, Span<float> scratch)
    {
        Span<float> src = scratch[..plane.Length];
        plane.CopyTo(src);
        for (int y = 0; y < height; y++)
        {
            Span<float> outRow = plane.Slice(y * width, width);
            outRow.Clear();
            for (int i = 0; i < 3; i++)
            {
                int sy = y + i - 1;
                if ((uint)sy >= (uint)height) continue;
                ReadOnlySpan<float> inRow = src.Slice(sy * width, width);
                float k0 = k[3 * i], k1 = k[3 * i + 1], k2 = k[3 * i + 2];
                // Centre tap over the whole row, then the left/right taps over the columns that have a neighbour.
                TensorPrimitives.MultiplyAdd(inRow, k1, outRow, outRow);
                if (width > 1)
                {
                    TensorPrimitives.MultiplyAdd(inRow[..^1], k0, outRow[1..], outRow[1..]);  // in[x − 1]
                    TensorPrimitives.MultiplyAdd(inRow[1..], k2, outRow[..^1], outRow[..^1]); // in[x + 1]
                }
            }
        }
    }

    /// <summary>
    /// Per channel c, x ← (x − mean[c]) / std[c] over each of the <paramref name="spatial"/> values of
    /// every image's plane c (PyTorch's transforms.Normalize).
    /// </summary>
    public static void Normalize(Span<float> images, int batch, int channels, int spatial,
                                 ReadOnlySpan<float> mean, ReadOnlySpan<float> std)
    {
        int size = CheckImages(images, batch, channels, 1, spatial);
        if (mean.Length != channels) throw new ArgumentException($"{mean.Length} means for {channels} channels.", nameof(mean));
        if (std.Length != channels) throw new ArgumentException($"{std.Length} standard deviations for {channels} channels.", nameof(std));
        for (int c = 0; c < channels; c++)
        {
            if (!(std[c] > 0f) || !float.IsFinite(std[c]))
                throw new ArgumentOutOfRangeException(nameof(std), std[c], $"std[{c}] must be positive and finite.");
        }
        for (int i = 0; i < batch; i++)
        {
            for (int c = 0; c < channels; c++)
            {
                Span<float> plane = images.Slice(i * size + c * spatial, spatial);
                TensorPrimitives.Subtract(plane, mean[c], plane);
                TensorPrimitives.Divide(plane, std[c], plane);
            }
        }
    }

    private static void Clamp01(Span<float> x)
    {
        TensorPrimitives.Max(x, 0f, x);
        TensorPrimitives.Min(x, 1f, x);
    }

    /// <summary>Checks the sizes; returns the floats per image.</summary>
    internal static int CheckImages(ReadOnlySpan<float> images, int batch, int channels, int height, int width)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(batch);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(channels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        long size = (long)channels * height * width;
        if (size * batch != images.Length)
            throw new ArgumentException(
                $"The images have {images.Length} floats; {batch} x {channels} x {height} x {width} need {size * batch}.", nameof(images));
        return (int)size;
    }

    private static void CheckScratch(ReadOnlySpan<float> scratch, int needed, string sizeMethod)
    {
        if (scratch.Length < needed)
            throw new ArgumentException($"The scratch has {scratch.Length} floats, {sizeMethod} says {needed} are needed.", nameof(scratch));
    }

    private static void CheckProbability(float probability)
    {
        if (!(probability >= 0f && probability <= 1f))
            throw new ArgumentOutOfRangeException(nameof(probability), probability, "must be in [0, 1]");
    }
}
