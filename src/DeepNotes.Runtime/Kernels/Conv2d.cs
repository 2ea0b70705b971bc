namespace DeepNotes.Kernels;

// Interim naive kernels (replaced by the im2col/GEMM implementation).
public readonly record struct Conv2dShape(int InChannels, int InHeight, int InWidth, int OutChannels,
    int KernelHeight, int KernelWidth, int StrideHeight, int StrideWidth, int PadHeight, int PadWidth)
{
    public int OutHeight => (InHeight + 2 * PadHeight - KernelHeight) / StrideHeight + 1;
    public int OutWidth => (InWidth + 2 * PadWidth - KernelWidth) / StrideWidth + 1;
    public int InSize => InChannels * InHeight * InWidth;
    public int OutSize => OutChannels * OutHeight * OutWidth;
    public int WeightSize => OutChannels * InChannels * KernelHeight * KernelWidth;
    public int ScratchSize => KernelHeight == 1 && KernelWidth == 1 && StrideHeight == 1 && StrideWidth == 1 && PadHeight == 0 && PadWidth == 0
        ? 0 : InChannels * KernelHeight * KernelWidth * OutHeight * OutWidth;
}

public static class Conv2d
{
    public static void Forward(Span<float> y, ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> bias, int batch, in Conv2dShape s, Activation activation, Span<float> scratch)
    {
        Reference(y, x, w, bias, batch, s);
        if (activation != Activation.None) Activations.Forward(y[..(batch * s.OutSize)], y[..(batch * s.OutSize)], activation);
    }

    public static void BackwardData(Span<float> dx, ReadOnlySpan<float> dy, ReadOnlySpan<float> w, int batch, in Conv2dShape s, Span<float> scratch)
    {
        dx[..(batch * s.InSize)].Clear();
        Loops(0, dx, default, dy, w, default, batch, s);
    }

    public static void BackwardWeights(Span<float> dw, Span<float> dbias, ReadOnlySpan<float> dy, ReadOnlySpan<float> x, int batch, in Conv2dShape s, Span<float> scratch)
    {
        Loops(1, dw, x, dy, default, default, batch, s);
        if (!dbias.IsEmpty)
            for (int b = 0; b < batch; b++)
                for (int o = 0; o < s.OutChannels; o++)
                    for (int i = 0; i < s.OutHeight * s.OutWidth; i++) dbias[o] += dy[b * s.OutSize + o * s.OutHeight * s.OutWidth + i];
    }

    public static void Reference(Span<float> y, ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> bias, int batch, in Conv2dShape s)
    {
        for (int b = 0; b < batch; b++)
            for (int o = 0; o < s.OutChannels; o++)
                for (int i = 0; i < s.OutHeight * s.OutWidth; i++) y[b * s.OutSize + o * s.OutHeight * s.OutWidth + i] = bias.IsEmpty ? 0f : bias[o];
        Loops(2, y, x, default, w, default, batch, s);
    }

    // mode 0: target=dx += w·dy; 1: target=dw += x·dy; 2: target=y += w·x
    private static void Loops(int mode, Span<float> target, ReadOnlySpan<float> x, ReadOnlySpan<float> dy, ReadOnlySpan<float> w, ReadOnlySpan<float> unused, int batch, in Conv2dShape s)
    {
        for (int b = 0; b < batch; b++)
            for (int o = 0; o < s.OutChannels; o++)
                for (int oy = 0; oy < s.OutHeight; oy++)
                    for (int ox = 0; ox < s.OutWidth; ox++)
                        for (int c = 0; c < s.InChannels; c++)
                            for (int ky = 0; ky < s.KernelHeight; ky++)
                                for (int kx = 0; kx < s.KernelWidth; kx++)
                                {
                                    int iy = oy * s.StrideHeight - s.PadHeight + ky, ix = ox * s.StrideWidth - s.PadWidth + kx;
                                    if ((uint)iy >= (uint)s.InHeight || (uint)ix >= (uint)s.InWidth) continue;
                                    int k = ((o * s.InChannels + c) * s.KernelHeight + ky) * s.KernelWidth + kx;
                                    int xi = b * s.InSize + (c * s.InHeight + iy) * s.InWidth + ix;
                                    int yi = b * s.OutSize + (o * s.OutHeight + oy) * s.OutWidth + ox;
                                    if (mode == 0) target[xi] += w[k] * dy[yi];
                                    else if (mode == 1) target[k] += x[xi] * dy[yi];
                                    else target[yi] += w[k] * x[xi];
                                }
    }
}
