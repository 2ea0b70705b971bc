using System;
using System.Runtime.CompilerServices;
using ILGPU;
using ILGPU.Runtime;

namespace DeepNotes.Gpu.Kernels;

/// <summary>
/// Permute, the GPU twin of <c>DeepNotes.Kernels.Layout</c>: the per-example axes (up to 4) in a new order, one
/// thread per output element gathering its source. Its backward is the inverse permutation (the plan passes it).
/// Concat's and Split's block copies are in <c>LayoutSlices.cs</c>.
/// </summary>
public static partial class Layout
{
    internal struct PermuteArgs
    {
        public int Size, N0, N1, N2, N3, S0, S1, S2, S3;
    }

    private static readonly ElementKernel<ArrayView<float>, ArrayView<float>, PermuteArgs> s_permute = new(PermuteKernel);

    /// <summary>
    /// y = x.permute(axes) per example; <paramref name="d0"/>..<paramref name="d3"/> are x's per-example dims padded
    /// in front with 1s, <paramref name="a0"/>..<paramref name="a3"/> the permutation. y must not share memory with x.
    /// </summary>
    public static void Permute(GpuDevice device, ArrayView<float> y, ArrayView<float> x, int batch, int d0, int d1, int d2, int d3, int a0, int a1, int a2, int a3)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(batch);
        Span<int> dims = [d0, d1, d2, d3];
        Span<int> strides = [d1 * d2 * d3, d2 * d3, d3, 1];
        Span<bool> seen = stackalloc bool[4];
        foreach (int a in (ReadOnlySpan<int>)[a0, a1, a2, a3])
        {
            if ((uint)a >= 4 || seen[a]) throw new ArgumentException($"({a0}, {a1}, {a2}, {a3}) is not a permutation of four axes");
            seen[a] = true;
        }
        int size = d0 * d1 * d2 * d3;
        long count = (long)batch * size;
        if (x.Length < count || y.Length < count) throw new ArgumentException($"x and y need {count} elements");
        var args = new PermuteArgs
        {
            Size = size,
            N0 = dims[a0], N1 = dims[a1], N2 = dims[a2], N3 = dims[a3],
            S0 = strides[a0], S1 = strides[a1], S2 = strides[a2], S3 = strides[a3],
        };
        s_permute.Launch(device, count, y, x, args);
    }

    private static void PermuteKernel(int count, ArrayView<float> y, ArrayView<float> x, PermuteArgs p)
    {
        for (int i = Elements.First, step = Elements.Stride; i < count; i += step) PermuteAt(i, y, x, p);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void PermuteAt(int i, ArrayView<float> y, ArrayView<float> x, PermuteArgs p)
    {
        int b = i / p.Size, o = i - b * p.Size;
        int i3 = o % p.N3; o /= p.N3;
        int i2 = o % p.N2; o /= p.N2;
        int i1 = o % p.N1;
        int i0 = o / p.N1;
        y[i] = x[(long)b * p.Size + i0 * p.S0 + i1 * p.S1 + i2 * p.S2 + i3 * p.S3];
    }
}
