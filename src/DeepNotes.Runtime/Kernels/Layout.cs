namespace DeepNotes.Kernels;

/// <summary>
/// Permute: the per-example axes of a tensor (up to 4) in a new order, as PyTorch's <c>permute</c> followed by
/// <c>contiguous</c>. Multi-head attention moves its head axis with it: [n, h, d] → [h, n, d] and back.
/// Its backward is the inverse permutation.
/// </summary>
public static partial class Layout
{
    /// <summary>
    /// y = x.permute(axes) per example. <paramref name="d0"/>..<paramref name="d3"/> are x's per-example dims
    /// padded in front with 1s to four, and <paramref name="a0"/>..<paramref name="a3"/> the permutation of those
    /// four axes (the padding axes stay in front). y must not share memory with x.
    /// </summary>
    public static void Permute(Span<float> y, ReadOnlySpan<float> x, int batch, int d0, int d1, int d2, int d3, int a0, int a1, int a2, int a3)
    {
        Span<int> dims = stackalloc int[] { d0, d1, d2, d3 };
        Span<int> strides = stackalloc int[] { d1 * d2 * d3, d2 * d3, d3, 1 };
        int n0 = dims[a0], n1 = dims[a1], n2 = dims[a2], n3 = dims[a3];
        int s0 = strides[a0], s1 = strides[a1], s2 = strides[a2], s3 = strides[a3];
        int size = d0 * d1 * d2 * d3;
        for (int b = 0; b < batch; b++)
        {
            ReadOnlySpan<float> xb = x.Slice(b * size, size);
            Span<float> yb = y.Slice(b * size, size);
            int o = 0;
            for (int i0 = 0; i0 < n0; i0++)
            for (int i1 = 0; i1 < n1; i1++)
            for (int i2 = 0; i2 < n2; i2++)
            {
                int from = i0 * s0 + i1 * s1 + i2 * s2;
                if (s3 == 1)
                {
                    // The last axis stays last: whole rows are copied.
                    xb.Slice(from, n3).CopyTo(yb.Slice(o, n3));
                    o += n3;
                    continue;
                }
                for (int i3 = 0; i3 < n3; i3++) yb[o++] = xb[from + i3 * s3];
            }
        }
    }
}
