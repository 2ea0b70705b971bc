namespace DeepNotes;

/// <summary>Resizing of NCHW float batches.</summary>
public static class Resize
{
    /// <summary>
    /// Bilinear resize of every channel plane from height × width to newHeight × newWidth, as PyTorch's
    /// <c>F.interpolate(x, size=(newHeight, newWidth), mode='bilinear', align_corners=False)</c>
    /// (no antialias): output pixel d samples the input at s = (d + 0.5) · in/out − 0.5 (half-pixel
    /// centres), s below 0 is taken as 0, and the right/bottom neighbour is clamped to the last pixel.
    /// The arithmetic follows PyTorch's CPU kernel in float (scale in/out, then the lambda weights), so
    /// results agree to rounding. Allocation-free; <paramref name="dst"/> must not overlap <paramref name="src"/>.
    /// </summary>
    public static void Bilinear(Span<float> dst, ReadOnlySpan<float> src, int batch, int channels, int height, int width,
                                int newHeight, int newWidth)
    {
        Augment.CheckImages(src, batch, channels, height, width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(newHeight);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(newWidth);
        long outSize = (long)channels * newHeight * newWidth;
        if (outSize * batch != dst.Length)
            throw new ArgumentException(
                $"The destination has {dst.Length} floats; {batch} x {channels} x {newHeight} x {newWidth} need {outSize * batch}.", nameof(dst));
        if (dst.Overlaps(src)) throw new ArgumentException("The destination overlaps the source.", nameof(dst));

        float scaleY = (float)height / newHeight, scaleX = (float)width / newWidth;
        int planes = batch * channels, inPlane = height * width, outPlane = newHeight * newWidth;
        for (int p = 0; p < planes; p++)
        {
            ReadOnlySpan<float> input = src.Slice(p * inPlane, inPlane);
            Span<float> output = dst.Slice(p * outPlane, outPlane);
            for (int oy = 0; oy < newHeight; oy++)
            {
                Source(oy, scaleY, height, out int y0, out int y1, out float ly0, out float ly1);
                ReadOnlySpan<float> row0 = input.Slice(y0 * width, width), row1 = input.Slice(y1 * width, width);
                Span<float> outRow = output.Slice(oy * newWidth, newWidth);
                for (int ox = 0; ox < newWidth; ox++)
                {
                    Source(ox, scaleX, width, out int x0, out int x1, out float lx0, out float lx1);
                    outRow[ox] = ly0 * (lx0 * row0[x0] + lx1 * row0[x1]) + ly1 * (lx0 * row1[x0] + lx1 * row1[x1]);
                }
            }
        }
    }

    /// <summary>The two input indices and weights of output index <paramref name="d"/> (PyTorch's area_pixel_compute_source_index).</summary>
    private static void Source(int d, float scale, int inLength, out int i0, out int i1, out float l0, out float l1)
    {
        float s = Math.Max(scale * (d + 0.5f) - 0.5f, 0f);
        i0 = Math.Min((int)s, inLength - 1);
        i1 = i0 < inLength - 1 ? i0 + 1 : i0;
        l1 = s - i0;
        l0 = 1f - l1;
    }
}
