namespace DeepNotes.Runtime.Tests;

public class ResizeTests
{
    /// <summary>
    /// Bilinear resize written straight from the definition, in double: output pixel d sits at input
    /// coordinate (d + ½)·in/out − ½, clamped below at 0; the value is the weighted mean of the two
    /// pixels around that coordinate along each axis, the second clamped to the last pixel.
    /// </summary>
    private static float[] Reference(float[] src, int batch, int channels, int h, int w, int nh, int nw)
    {
        float[] dst = new float[batch * channels * nh * nw];
        for (int p = 0; p < batch * channels; p++)
        {
            for (int oy = 0; oy < nh; oy++)
            {
                for (int ox = 0; ox < nw; ox++)
                {
                    double sy = Math.Max((oy + 0.5) * h / nh - 0.5, 0), sx = Math.Max((ox + 0.5) * w / nw - 0.5, 0);
                    int y0 = (int)Math.Floor(sy), x0 = (int)Math.Floor(sx);
                    int y1 = Math.Min(y0 + 1, h - 1), x1 = Math.Min(x0 + 1, w - 1);
                    double fy = sy - y0, fx = sx - x0;
                    double At(int y, int x) => src[p * h * w + y * w + x];
                    double v = (1 - fy) * ((1 - fx) * At(y0, x0) + fx * At(y0, x1)) + fy * ((1 - fx) * At(y1, x0) + fx * At(y1, x1));
                    dst[p * nh * nw + oy * nw + ox] = (float)v;
                }
            }
        }
        return dst;
    }

    private static float[] RandomImages(int n, int seed)
    {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = CounterRng.Uniform((ulong)seed, 1, (ulong)i);
        return x;
    }

    [Theory]
    [InlineData(2, 3, 5, 7, 11, 13)]   // upscale
    [InlineData(1, 2, 9, 8, 4, 3)]     // downscale
    [InlineData(1, 1, 28, 28, 14, 14)] // halving
    [InlineData(3, 1, 6, 5, 6, 5)]     // same size
    [InlineData(1, 1, 3, 8, 7, 2)]     // non-square, up one axis and down the other
    [InlineData(1, 1, 1, 1, 3, 4)]     // a single pixel
    [InlineData(2, 1, 28, 28, 32, 32)]
    public void Matches_the_naive_reference(int batch, int channels, int h, int w, int nh, int nw)
    {
        float[] src = RandomImages(batch * channels * h * w, h * 100 + nw);
        float[] dst = new float[batch * channels * nh * nw];
        Resize.Bilinear(dst, src, batch, channels, h, w, nh, nw);
        float[] expected = Reference(src, batch, channels, h, w, nh, nw);
        for (int i = 0; i < dst.Length; i++) Assert.Equal(expected[i], dst[i], 1e-5f);
    }

    [Fact]
    public void Same_size_is_exactly_the_identity()
    {
        float[] src = RandomImages(2 * 3 * 7 * 9, 5);
        float[] dst = new float[src.Length];
        Resize.Bilinear(dst, src, 2, 3, 7, 9, 7, 9);
        Assert.Equal(src, dst);
    }

    [Fact]
    public void Two_by_two_to_four_by_four_matches_pytorch()
    {
        // F.interpolate(torch.tensor([[[[1., 2.], [3., 4.]]]]), size=(4, 4), mode='bilinear', align_corners=False).
        // By hand: scale ½, so output d samples s = (d + ½)/2 − ½ = −¼ → 0, ¼, ¾, 1¼ (→ pixel 1, clamped
        // neighbour): weights along a row [1 0], [¾ ¼], [¼ ¾], [0 1], giving rows 1 1.25 1.75 2 and
        // 3 3.25 3.75 4, then the same weights down the columns.
        float[] src = [1, 2, 3, 4];
        float[] dst = new float[16];
        Resize.Bilinear(dst, src, 1, 1, 2, 2, 4, 4);
        float[] expected =
        [
            1.00f, 1.25f, 1.75f, 2.00f,
            1.50f, 1.75f, 2.25f, 2.50f,
            2.50f, 2.75f, 3.25f, 3.50f,
            3.00f, 3.25f, 3.75f, 4.00f,
        ];
        Assert.Equal(expected, dst);
    }

    [Fact]
    public void Halving_averages_two_by_two_blocks()
    {
        // Scale 2: output d samples s = 2d + ½, exactly between input pixels 2d and 2d + 1.
        float[] src = RandomImages(16, 9);
        float[] dst = new float[4];
        Resize.Bilinear(dst, src, 1, 1, 4, 4, 2, 2);
        for (int y = 0; y < 2; y++)
        {
            for (int x = 0; x < 2; x++)
            {
                float mean = (src[8 * y + 2 * x] + src[8 * y + 2 * x + 1] + src[8 * y + 4 + 2 * x] + src[8 * y + 4 + 2 * x + 1]) / 4;
                Assert.Equal(mean, dst[2 * y + x], 1e-6f);
            }
        }
    }

    [Fact]
    public void Rejects_wrong_sizes_and_overlap()
    {
        float[] src = new float[2 * 4 * 4];
        Assert.Throws<ArgumentException>(() => Resize.Bilinear(new float[2 * 9], src, 2, 1, 4, 4, 3, 2));
        Assert.Throws<ArgumentException>(() => Resize.Bilinear(new float[2 * 9], src.AsSpan(1), 2, 1, 4, 4, 3, 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => Resize.Bilinear(new float[0], src, 2, 1, 4, 4, 0, 3));
        float[] both = new float[64];
        Assert.Throws<ArgumentException>(() => Resize.Bilinear(both.AsSpan(16, 32), both.AsSpan(0, 32), 2, 1, 4, 4, 4, 4));
    }
}
