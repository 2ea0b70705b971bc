using System;
using System.Runtime.CompilerServices;
using ILGPU;
using ILGPU.Runtime;

namespace DeepNotes.Gpu.Kernels;

// Concat and Split along a per-example axis, the GPU twins of DeepNotes.Kernels.Layout.Slice and Place: the
// tensor seen as [blocks, block] with the axis' slice one contiguous run inside each block, so both are block
// copies, one thread per element written.
public static partial class Layout
{
    internal struct SliceArgs
    {
        public int Block, Offset, Length;
    }

    private static readonly ElementKernel<ArrayView<float>, ArrayView<float>, SliceArgs> s_slice = new(SliceKernel);
    private static readonly ElementKernel<ArrayView<float>, ArrayView<float>, SliceArgs> s_place = new(PlaceKernel);
    private static readonly ElementKernel<ArrayView<float>, ArrayView<float>, SliceArgs> s_placeClearing = new(PlaceClearingKernel);

    /// <summary>
    /// y[o, 0..length) = x[o·xBlock + offset, .. + length) for o in [0, blocks): the slice of each block of x.
    /// y must not share memory with x.
    /// </summary>
    public static void Slice(GpuDevice device, ArrayView<float> y, ArrayView<float> x, int blocks, int xBlock, int offset, int length)
    {
        CheckSlice(blocks, xBlock, offset, length, (nameof(y), y.Length, (long)blocks * length), (nameof(x), x.Length, (long)blocks * xBlock));
        s_slice.Launch(device, (long)blocks * length, y, x, new SliceArgs { Block = xBlock, Offset = offset, Length = length });
    }

    /// <summary>
    /// y[o·yBlock + offset, .. + length) = x[o·length, .. + length) for o in [0, blocks): x's blocks placed into
    /// y's. With <paramref name="clearRest"/> the rest of each block of y is zeroed (Split's backward, one thread per
    /// element of y); without, it is left as it is (one thread per element of x). y must not share memory with x.
    /// </summary>
    public static void Place(GpuDevice device, ArrayView<float> y, ArrayView<float> x, int blocks, int yBlock, int offset, int length, bool clearRest = false)
    {
        CheckSlice(blocks, yBlock, offset, length, (nameof(y), y.Length, (long)blocks * yBlock), (nameof(x), x.Length, (long)blocks * length));
        var args = new SliceArgs { Block = yBlock, Offset = offset, Length = length };
        if (clearRest) s_placeClearing.Launch(device, (long)blocks * yBlock, y, x, args);
        else s_place.Launch(device, (long)blocks * length, y, x, args);
    }

    private static void CheckSlice(int blocks, int block, int offset, int length, params ReadOnlySpan<(string Name, long Length, long Needed)> views)
    {
        if (offset < 0 || length < 0 || offset + length > block)
            throw new ArgumentOutOfRangeException(nameof(offset), offset, $"a slice [{offset}, {offset + length}) of blocks of {block}");
        ArgumentOutOfRangeException.ThrowIfNegative(blocks);
        foreach ((string name, long have, long needed) in views)
            if (have < needed) throw new ArgumentException($"'{name}' has {have} elements, {needed} are needed", name);
    }

    // i runs over y = [blocks, length].
    private static void SliceKernel(int count, ArrayView<float> y, ArrayView<float> x, SliceArgs s)
    {
        for (int i = Elements.First, step = Elements.Stride; i < count; i += step) SliceAt(i, y, x, s);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void SliceAt(int i, ArrayView<float> y, ArrayView<float> x, SliceArgs s)
    {
        int o = i / s.Length, j = i - o * s.Length;
        y[i] = x[(long)o * s.Block + s.Offset + j];
    }

    // i runs over x = [blocks, length].
    private static void PlaceKernel(int count, ArrayView<float> y, ArrayView<float> x, SliceArgs s)
    {
        for (int i = Elements.First, step = Elements.Stride; i < count; i += step) PlaceAt(i, y, x, s);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void PlaceAt(int i, ArrayView<float> y, ArrayView<float> x, SliceArgs s)
    {
        int o = i / s.Length, j = i - o * s.Length;
        y[(long)o * s.Block + s.Offset + j] = x[i];
    }

    // i runs over y = [blocks, block]: the slice copied, the rest zeroed.
    private static void PlaceClearingKernel(int count, ArrayView<float> y, ArrayView<float> x, SliceArgs s)
    {
        for (int i = Elements.First, step = Elements.Stride; i < count; i += step) PlaceClearingAt(i, y, x, s);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void PlaceClearingAt(int i, ArrayView<float> y, ArrayView<float> x, SliceArgs s)
    {
        int o = i / s.Block, j = i - o * s.Block - s.Offset;
        y[i] = j >= 0 && j < s.Length ? x[(long)o * s.Length + j] : 0f;
    }
}
