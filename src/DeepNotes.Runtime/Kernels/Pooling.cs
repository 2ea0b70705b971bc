namespace DeepNotes.Kernels;

// Interim naive kernels (replaced by the tuned implementation).
public readonly record struct Pool2dShape(int Channels, int InHeight, int InWidth, int KernelHeight, int KernelWidth, int StrideHeight, int StrideWidth, int PadHeight, int PadWidth)
{
    public int OutHeight => (InHeight + 2 * PadHeight - KernelHeight) / StrideHeight + 1;
    public int OutWidth => (InWidth + 2 * PadWidth - KernelWidth) / StrideWidth + 1;
    public int InSize => Channels * InHeight * InWidth;
    public int OutSize => Channels * OutHeight * OutWidth;
}

public static class Pooling
{
    public static void MaxForward(Span<float> y, ReadOnlySpan<float> x, int batch, in Pool2dShape s)
    {
        for (int b = 0; b < batch; b++)
            for (int c = 0; c < s.Channels; c++)
                for (int oy = 0; oy < s.OutHeight; oy++)
                    for (int ox = 0; ox < s.OutWidth; ox++)
                        y[((b * s.Channels + c) * s.OutHeight + oy) * s.OutWidth + ox] = x[ArgMax(x, b, c, oy, ox, s)];
    }

    public static void MaxBackward(Span<float> dx, ReadOnlySpan<float> dy, ReadOnlySpan<float> x, int batch, in Pool2dShape s)
    {
        dx[..(batch * s.InSize)].Clear();
        for (int b = 0; b < batch; b++)
            for (int c = 0; c < s.Channels; c++)
                for (int oy = 0; oy < s.OutHeight; oy++)
                    for (int ox = 0; ox < s.OutWidth; ox++)
                        dx[ArgMax(x, b, c, oy, ox, s)] += dy[((b * s.Channels + c) * s.OutHeight + oy) * s.OutWidth + ox];
    }

    public static void AvgForward(Span<float> y, ReadOnlySpan<float> x, int batch, in Pool2dShape s)
    {
        float scale = 1f / (s.KernelHeight * s.KernelWidth);
        for (int b = 0; b < batch; b++)
            for (int c = 0; c < s.Channels; c++)
                for (int oy = 0; oy < s.OutHeight; oy++)
                    for (int ox = 0; ox < s.OutWidth; ox++)
                    {
                        float sum = 0;
                        for (int ky = 0; ky < s.KernelHeight; ky++)
                            for (int kx = 0; kx < s.KernelWidth; kx++)
                            {
                                int iy = oy * s.StrideHeight - s.PadHeight + ky, ix = ox * s.StrideWidth - s.PadWidth + kx;
                                if ((uint)iy < (uint)s.InHeight && (uint)ix < (uint)s.InWidth) sum += x[((b * s.Channels + c) * s.InHeight + iy) * s.InWidth + ix];
                            }
                        y[((b * s.Channels + c) * s.OutHeight + oy) * s.OutWidth + ox] = sum * scale;
                    }
    }

    public static void AvgBackward(Span<float> dx, ReadOnlySpan<float> dy, int batch, in Pool2dShape s)
    {
        dx[..(batch * s.InSize)].Clear();
        float scale = 1f / (s.KernelHeight * s.KernelWidth);
        for (int b = 0; b < batch; b++)
            for (int c = 0; c < s.Channels; c++)
                for (int oy = 0; oy < s.OutHeight; oy++)
                    for (int ox = 0; ox < s.OutWidth; ox++)
                        for (int ky = 0; ky < s.KernelHeight; ky++)
                            for (int kx = 0; kx < s.KernelWidth; kx++)
                            {
                                int iy = oy * s.StrideHeight - s.PadHeight + ky, ix = ox * s.StrideWidth - s.PadWidth + kx;
                                if ((uint)iy < (uint)s.InHeight && (uint)ix < (uint)s.InWidth)
                                    dx[((b * s.Channels + c) * s.InHeight + iy) * s.InWidth + ix] += dy[((b * s.Channels + c) * s.OutHeight + oy) * s.OutWidth + ox] * scale;
                            }
    }

    public static void GlobalAvgForward(Span<float> y, ReadOnlySpan<float> x, int batch, int channels, int spatial)
    {
        for (int i = 0; i < batch * channels; i++)
        {
            float sum = 0;
            for (int j = 0; j < spatial; j++) sum += x[i * spatial + j];
            y[i] = sum / spatial;
        }
    }

    public static void GlobalAvgBackward(Span<float> dx, ReadOnlySpan<float> dy, int batch, int channels, int spatial)
    {
        for (int i = 0; i < batch * channels; i++)
            for (int j = 0; j < spatial; j++) dx[i * spatial + j] = dy[i] / spatial;
    }

    private static int ArgMax(ReadOnlySpan<float> x, int b, int c, int oy, int ox, in Pool2dShape s)
    {
        int best = -1; float max = float.NegativeInfinity;
        for (int ky = 0; ky < s.KernelHeight; ky++)
            for (int kx = 0; kx < s.KernelWidth; kx++)
            {
                int iy = oy * s.StrideHeight - s.PadHeight + ky, ix = ox * s.StrideWidth - s.PadWidth + kx;
                if ((uint)iy >= (uint)s.InHeight || (uint)ix >= (uint)s.InWidth) continue;
                int index = ((b * s.Channels + c) * s.InHeight + iy) * s.InWidth + ix;
                if (best < 0 || x[index] > max) { best = index; max = x[index]; }
            }
        return best;
    }
}
