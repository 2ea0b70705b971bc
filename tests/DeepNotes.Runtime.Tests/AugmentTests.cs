namespace DeepNotes.Runtime.Tests;

public class AugmentTests
{
    private static float[] RandomImages(int n, ulong seed, float low = 0f, float high = 1f)
    {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = low + (high - low) * CounterRng.Uniform(seed, 7, (ulong)i);
        return x;
    }

    /// <summary>Where the single non-zero value of an image plane is, or (-1, -1) if there is none.</summary>
    private static (int y, int x) Bright(ReadOnlySpan<float> plane, int h, int w)
    {
        (int, int) found = (-1, -1);
        for (int i = 0; i < h * w; i++)
        {
            if (plane[i] == 0f) continue;
            Assert.Equal((-1, -1), found); // only one
            found = (i / w, i % w);
        }
        return found;
    }

    [Fact]
    public void Crop_moves_a_bright_pixel_by_at_most_the_padding_and_covers_every_offset()
    {
        const int n = 300, c = 2, h = 9, w = 8, pad = 2;
        float[] images = new float[n * c * h * w];
        for (int i = 0; i < n; i++)
        {
            images[i * c * h * w + 4 * w + 3] = 1f;             // channel 0, (4, 3)
            images[i * c * h * w + h * w + 4 * w + 3] = 0.5f;   // channel 1, same place
        }
        float[] scratch = new float[Augment.RandomCropScratchSize(c, h, w)];
        Assert.Equal(c * h * w, scratch.Length);
        Augment.RandomCrop(images, n, c, h, w, pad, seed: 3, stream: 11, scratch);

        HashSet<(int, int)> shifts = new();
        for (int i = 0; i < n; i++)
        {
            (int y, int x) = Bright(images.AsSpan(i * c * h * w, h * w), h, w);
            (int y1, int x1) = Bright(images.AsSpan(i * c * h * w + h * w, h * w), h, w);
            Assert.Equal((y, x), (y1, x1));                    // channels move together
            Assert.Equal(0.5f, images[i * c * h * w + h * w + y * w + x]);
            Assert.InRange(y - 4, -pad, pad);
            Assert.InRange(x - 3, -pad, pad);
            shifts.Add((y - 4, x - 3));
        }
        Assert.Equal(25, shifts.Count); // all (2·2 + 1)² offsets occur
    }

    [Fact]
    public void Crop_shifts_the_whole_content_and_fills_with_zeros()
    {
        const int n = 40, h = 6, w = 7, pad = 3;
        float[] original = RandomImages(n * h * w, 1, 0.1f, 1f); // no zeros of its own
        float[] cropped = (float[])original.Clone();
        float[] markers = new float[n * h * w];
        for (int i = 0; i < n; i++) markers[i * h * w + 3 * w + 3] = 1f;
        float[] scratch = new float[h * w];
        Augment.RandomCrop(cropped, n, 1, h, w, pad, 5, 6, scratch);
        Augment.RandomCrop(markers, n, 1, h, w, pad, 5, 6, scratch); // same draws: the marker shows the shift

        for (int i = 0; i < n; i++)
        {
            (int my, int mx) = Bright(markers.AsSpan(i * h * w, h * w), h, w);
            if (my < 0) continue; // shifted out of the picture
            int dy = 3 - my, dx = 3 - mx; // out[y, x] = in[y + dy, x + dx]
            for (int y = 0; y < h; y++)
            {
                for (int x = 0; x < w; x++)
                {
                    int sy = y + dy, sx = x + dx;
                    float expected = sy >= 0 && sy < h && sx >= 0 && sx < w ? original[i * h * w + sy * w + sx] : 0f;
                    Assert.Equal(expected, cropped[i * h * w + y * w + x]);
                }
            }
        }
    }

    [Fact]
    public void Crop_with_padding_zero_is_the_identity()
    {
        float[] images = RandomImages(5 * 3 * 4 * 4, 2);
        float[] copy = (float[])images.Clone();
        Augment.RandomCrop(images, 5, 3, 4, 4, 0, 1, 2, new float[48]);
        Assert.Equal(copy, images);
    }

    [Fact]
    public void Flip_twice_is_the_identity_and_once_mirrors_rows()
    {
        const int n = 6, c = 3, h = 4, w = 5;
        float[] images = RandomImages(n * c * h * w, 3);
        float[] original = (float[])images.Clone();
        Augment.HorizontalFlip(images, n, c, h, w, 1, 2, probability: 1f);
        for (int r = 0; r < n * c * h; r++)
        {
            for (int x = 0; x < w; x++) Assert.Equal(original[r * w + w - 1 - x], images[r * w + x]);
        }
        Augment.HorizontalFlip(images, n, c, h, w, 1, 2, probability: 1f);
        Assert.Equal(original, images);

        // With p = 0.5 the same draws flip the same images, so twice is the identity again.
        Augment.HorizontalFlip(images, n, c, h, w, 9, 9);
        Augment.HorizontalFlip(images, n, c, h, w, 9, 9);
        Assert.Equal(original, images);

        Augment.HorizontalFlip(images, n, c, h, w, 1, 2, probability: 0f);
        Assert.Equal(original, images);
    }

    [Fact]
    public void Flip_probability_is_respected()
    {
        const int n = 2000, w = 3;
        float[] images = new float[n * w];
        for (int i = 0; i < n; i++) images[i * w] = 1f;
        Augment.HorizontalFlip(images, n, 1, 1, w, 4, 4, probability: 0.3f);
        int flipped = 0;
        for (int i = 0; i < n; i++) flipped += images[i * w + w - 1] == 1f ? 1 : 0;
        Assert.InRange(flipped, 520, 680); // 600 ± 4.9 standard deviations
    }

    [Fact]
    public void Brightness_scales_each_image_by_a_factor_in_range()
    {
        const int n = 500, size = 3 * 5 * 5;
        float[] images = RandomImages(n * size, 4, 0.05f, 0.8f); // ×1.2 stays below 1: no clamping
        float[] original = (float[])images.Clone();
        Augment.BrightnessContrast(images, n, 3, 5, 5, brightness: 0.2f, contrast: 0f, seed: 8, stream: 1);
        double min = 2, max = 0;
        for (int i = 0; i < n; i++)
        {
            double factor = images[i * size] / original[i * size];
            Assert.InRange(factor, 0.8 - 1e-6, 1.2 + 1e-6);
            for (int j = 0; j < size; j++) Assert.Equal(factor * original[i * size + j], images[i * size + j], 1e-5);
            min = Math.Min(min, factor);
            max = Math.Max(max, factor);
        }
        Assert.InRange(min, 0.8, 0.81);
        Assert.InRange(max, 1.19, 1.2);
    }

    [Fact]
    public void Contrast_keeps_the_mean_and_scales_deviations_in_range()
    {
        const int n = 500, size = 7 * 7;
        float[] images = RandomImages(n * size, 5, 0.3f, 0.7f); // deviations ×1.3 stay inside [0, 1]
        float[] original = (float[])images.Clone();
        Augment.BrightnessContrast(images, n, 1, 7, 7, brightness: 0f, contrast: 0.3f, seed: 8, stream: 2);
        double min = 2, max = 0;
        for (int i = 0; i < n; i++)
        {
            ReadOnlySpan<float> before = original.AsSpan(i * size, size), after = images.AsSpan(i * size, size);
            double mean = Mean(before);
            Assert.Equal(mean, Mean(after), 1e-5);
            double ratio = Std(after, mean) / Std(before, mean);
            Assert.InRange(ratio, 0.7 - 1e-4, 1.3 + 1e-4);
            min = Math.Min(min, ratio);
            max = Math.Max(max, ratio);
        }
        Assert.InRange(min, 0.7 - 1e-4, 0.72);
        Assert.InRange(max, 1.28, 1.3 + 1e-4);
    }

    [Fact]
    public void Brightness_and_contrast_clamp_to_the_unit_interval()
    {
        const int n = 200, size = 10 * 10;
        float[] images = RandomImages(n * size, 6);
        Augment.BrightnessContrast(images, n, 1, 10, 10, 1f, 1f, 3, 3);
        foreach (float v in images) Assert.InRange(v, 0f, 1f);
    }

    private static double Mean(ReadOnlySpan<float> x)
    {
        double s = 0;
        foreach (float v in x) s += v;
        return s / x.Length;
    }

    private static double Std(ReadOnlySpan<float> x, double mean)
    {
        double s = 0;
        foreach (float v in x) s += (v - mean) * (v - mean);
        return Math.Sqrt(s / x.Length);
    }

    /// <summary>Zero-padded 3×3 cross-correlation of one plane, the textbook way.</summary>
    private static float[] FilterReference(float[] plane, int h, int w, ReadOnlySpan<float> k)
    {
        float[] output = new float[h * w];
        for (int y = 0; y < h; y++)
        {
            for (int x = 0; x < w; x++)
            {
                double s = 0;
                for (int i = 0; i < 3; i++)
                {
                    for (int j = 0; j < 3; j++)
                    {
                        int sy = y + i - 1, sx = x + j - 1;
                        if (sy >= 0 && sy < h && sx >= 0 && sx < w) s += k[3 * i + j] * plane[sy * w + sx];
                    }
                }
                output[y * w + x] = (float)s;
            }
        }
        return output;
    }

    [Theory]
    [InlineData(5, 6)]
    [InlineData(1, 4)]
    [InlineData(4, 1)]
    [InlineData(1, 1)]
    [InlineData(28, 28)]
    public void Filter_matches_the_reference(int h, int w)
    {
        const int n = 2, c = 2;
        float[] images = RandomImages(n * c * h * w, 7);
        float[] kernel = RandomImages(9, 8, -1f, 1f);
        float[] expected = new float[images.Length];
        for (int p = 0; p < n * c; p++)
            FilterReference(images[(p * h * w)..((p + 1) * h * w)], h, w, kernel).CopyTo(expected, p * h * w);
        Augment.Filter3x3(images, n, c, h, w, kernel, new float[Augment.FilterScratchSize(h, w)]);
        for (int i = 0; i < images.Length; i++) Assert.Equal(expected[i], images[i], 1e-5f);
    }

    [Fact]
    public void Blur_and_sharpen_keep_a_constant_interior_constant()
    {
        float sum = 0, blurSum = 0;
        foreach (float v in Augment.Sharpen) sum += v;
        foreach (float v in Augment.Blur) blurSum += v;
        Assert.Equal(1f, sum);
        Assert.Equal(1f, blurSum, 1e-6f);

        const int h = 6, w = 7;
        float[] scratch = new float[h * w];
        foreach (bool blur in new[] { true, false })
        {
            float[] image = new float[h * w];
            Array.Fill(image, 0.4f);
            Augment.Filter3x3(image, 1, 1, h, w, blur ? Augment.Blur : Augment.Sharpen, scratch);
            for (int y = 1; y < h - 1; y++)
            {
                for (int x = 1; x < w - 1; x++) Assert.Equal(0.4f, image[y * w + x], 1e-6f);
            }
            // Zero padding: a blurred corner sees 9/16 of the kernel, a sharpened one 5 − 2 = 3 times the value.
            Assert.Equal(blur ? 0.4f * 9 / 16 : 0.4f * 3, image[0], 1e-6f);
        }
    }

    [Fact]
    public void Random_filter_blurs_sharpens_or_keeps_each_image()
    {
        const int n = 400, h = 5, w = 5;
        float[] images = RandomImages(n * h * w, 9);
        float[] original = (float[])images.Clone();
        float[] scratch = new float[h * w];
        Augment.RandomFilter(images, n, 1, h, w, 0.5f, 1, 2, scratch);
        int kept = 0, blurred = 0, sharpened = 0;
        for (int i = 0; i < n; i++)
        {
            float[] one = original[(i * h * w)..((i + 1) * h * w)];
            float[] blur = (float[])one.Clone(), sharp = (float[])one.Clone();
            Augment.Filter3x3(blur, 1, 1, h, w, Augment.Blur, scratch);
            Augment.Filter3x3(sharp, 1, 1, h, w, Augment.Sharpen, scratch);
            for (int j = 0; j < sharp.Length; j++) sharp[j] = Math.Clamp(sharp[j], 0f, 1f);
            ReadOnlySpan<float> got = images.AsSpan(i * h * w, h * w);
            if (got.SequenceEqual(one)) kept++;
            else if (got.SequenceEqual(blur)) blurred++;
            else if (got.SequenceEqual(sharp)) sharpened++;
            else Assert.Fail($"image {i} is neither kept, blurred nor sharpened");
        }
        Assert.InRange(kept, 160, 240);
        Assert.InRange(blurred, 70, 130);
        Assert.InRange(sharpened, 70, 130);

        float[] none = (float[])original.Clone();
        Augment.RandomFilter(none, n, 1, h, w, 0f, 1, 2, scratch);
        Assert.Equal(original, none);
    }

    [Fact]
    public void Normalize_subtracts_the_mean_and_divides_by_the_std_per_channel()
    {
        const int n = 3, c = 2, spatial = 10;
        float[] images = RandomImages(n * c * spatial, 10);
        float[] original = (float[])images.Clone();
        Augment.Normalize(images, n, c, spatial, [0.1307f, 0.5f], [0.3081f, 0.25f]);
        for (int i = 0; i < images.Length; i++)
        {
            int channel = i / spatial % c;
            float expected = (original[i] - (channel == 0 ? 0.1307f : 0.5f)) / (channel == 0 ? 0.3081f : 0.25f);
            Assert.Equal(expected, images[i]);
        }
        Assert.Throws<ArgumentException>(() => Augment.Normalize(images, n, c, spatial, [0f], [1f, 1f]));
        Assert.Throws<ArgumentOutOfRangeException>(() => Augment.Normalize(images, n, c, spatial, [0f, 0f], [1f, 0f]));
    }

    [Fact]
    public void Sizes_scratch_and_probabilities_are_checked()
    {
        float[] images = new float[2 * 3 * 4];
        Assert.Throws<ArgumentException>(() => Augment.HorizontalFlip(images, 3, 1, 3, 4, 0, 0));
        Assert.Throws<ArgumentException>(() => Augment.RandomCrop(images, 2, 1, 3, 4, 1, 0, 0, new float[11]));
        Assert.Throws<ArgumentException>(() => Augment.Filter3x3(images, 2, 1, 3, 4, Augment.Blur, new float[11]));
        Assert.Throws<ArgumentException>(() => Augment.Filter3x3(images, 2, 1, 3, 4, Augment.Blur[..8], new float[12]));
        Assert.Throws<ArgumentOutOfRangeException>(() => Augment.RandomCrop(images, 2, 1, 3, 4, -1, 0, 0, new float[12]));
        Assert.Throws<ArgumentOutOfRangeException>(() => Augment.HorizontalFlip(images, 2, 1, 3, 4, 0, 0, 1.5f));
        Assert.Throws<ArgumentOutOfRangeException>(() => Augment.BrightnessContrast(images, 2, 1, 3, 4, float.NaN, 0, 0, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new AugmentationPipeline(1, 3, 4, new AugmentationOptions { Contrast = 2f }));
    }

    private static AugmentationPipeline Pipeline(ulong seed) => new(1, 28, 28, new AugmentationOptions
    {
        CropPadding = 2,
        FlipProbability = 0.5f,
        Brightness = 0.2f,
        Contrast = 0.2f,
        FilterProbability = 0.2f,
        Seed = seed,
    });

    private static float[] Augmented(AugmentationPipeline pipeline, float[] batch, int epoch, int batchIndex)
    {
        float[] images = (float[])batch.Clone();
        pipeline.Apply(images, batch.Length / 784, epoch, batchIndex);
        return images;
    }

    [Fact]
    public void Pipeline_is_reproducible_from_the_seed_and_differs_per_batch_epoch_and_seed()
    {
        float[] batch = RandomImages(16 * 784, 11);
        AugmentationPipeline a = Pipeline(1), b = Pipeline(1);
        float[] first = Augmented(a, batch, 2, 5);
        Augmented(a, batch, 0, 0); // earlier calls do not matter: no hidden state
        Assert.Equal(first, Augmented(a, batch, 2, 5));
        Assert.Equal(first, Augmented(b, batch, 2, 5));
        Assert.NotEqual(first, Augmented(a, batch, 2, 6));
        Assert.NotEqual(first, Augmented(a, batch, 3, 5));
        Assert.NotEqual(first, Augmented(Pipeline(2), batch, 2, 5));
        Assert.NotEqual(batch, first);
        foreach (float v in first) Assert.InRange(v, 0f, 1f);
        Assert.NotEqual(AugmentationPipeline.Stream(0, 1), AugmentationPipeline.Stream(1, 0));
        Assert.NotEqual(AugmentationPipeline.Stream(0, 0), MiniBatcher.ShuffleStream(0));
    }

    [Fact]
    public void Pipeline_allocates_nothing_after_warm_up()
    {
        AugmentationPipeline pipeline = Pipeline(3);
        float[] images = RandomImages(64 * 784, 12);
        for (int step = 0; step < 10; step++) pipeline.Apply(images, 64, 0, step); // JIT, tiering
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int step = 10; step < 110; step++) pipeline.Apply(images, 64, step / 10, step);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
