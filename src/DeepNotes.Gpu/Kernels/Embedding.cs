using System;
using System.Runtime.CompilerServices;
using ILGPU;
using ILGPU.Runtime;

namespace DeepNotes.Gpu.Kernels;

/// <summary>
/// The token ops, the GPU twins of <c>DeepNotes.Kernels.Embedding</c>: lookup (gather) and its backward, one-hot,
/// the masked mean over slots and the fused bag of embeddings. Ids are checked on the host by the generated
/// plan before they are uploaded, as on the CPU (<c>ModelChecks.Tokens</c>); a kernel cannot throw.
/// <para>
/// The two scatters (<see cref="Backward"/>, <see cref="BagBackward"/>) add into the gradient table with
/// <c>Atomic.Add</c>: a row named twice accumulates both, in an order that may differ from run to run (so the
/// last bits may too). The plan clears the table's gradient each step and updates it densely.
/// Everything else is a gather, one thread per output element, summing the slots in the CPU's order.
/// </para>
/// </summary>
public static class Embedding
{
    internal struct TokenArgs
    {
        public int Count, Width, Slots;
    }

    private static readonly ElementKernel<ArrayView<float>, ArrayView<int>, ArrayView<float>, TokenArgs> s_forward = new(ForwardKernel);
    private static readonly ElementKernel<ArrayView<float>, ArrayView<float>, ArrayView<int>, TokenArgs> s_backward = new(BackwardKernel);
    private static readonly ElementKernel<ArrayView<float>, ArrayView<int>, TokenArgs> s_oneHot = new(OneHotKernel);
    private static readonly ElementKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, TokenArgs> s_maskedMean = new(MaskedMeanKernel);
    private static readonly ElementKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, TokenArgs> s_maskedMeanBackward = new(MaskedMeanBackwardKernel);
    private static readonly ElementKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, TokenArgs> s_maskedMeanBackwardMask = new(MaskedMeanBackwardMaskKernel);
    private static readonly ElementKernel<ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<float>, TokenArgs> s_bag = new(BagKernel);
    private static readonly ElementKernel<ArrayView<float>, ArrayView<float>, ArrayView<int>, ArrayView<float>, TokenArgs> s_bagBackward = new(BagBackwardKernel);

    /// <summary>y[i, :] = table[ids[i], :] for the first <paramref name="count"/> ids.</summary>
    public static void Forward(GpuDevice device, ArrayView<float> y, ArrayView<int> ids, ArrayView<float> table, int count, int width)
    {
        Check(count, width, ids.Length, (nameof(y), y.Length, count));
        s_forward.Launch(device, (long)count * width, y, ids, table, new TokenArgs { Count = count, Width = width });
    }

    /// <summary>dTable[ids[i], :] += dy[i, :] (atomic adds; a row named twice accumulates both).</summary>
    public static void Backward(GpuDevice device, ArrayView<float> dTable, ArrayView<float> dy, ArrayView<int> ids, int count, int width)
    {
        Check(count, width, ids.Length, (nameof(dy), dy.Length, count));
        s_backward.Launch(device, (long)count * width, dTable, dy, ids, new TokenArgs { Count = count, Width = width });
    }

    /// <summary>y[i, :] = onehot(ids[i]) over <paramref name="classes"/> columns (overwrites).</summary>
    public static void OneHot(GpuDevice device, ArrayView<float> y, ArrayView<int> ids, int count, int classes)
    {
        Check(count, classes, ids.Length, (nameof(y), y.Length, count));
        s_oneHot.Launch(device, (long)count * classes, y, ids, new TokenArgs { Count = count, Width = classes });
    }

    /// <summary>y[b, :] = Σₛ mask[b, s]·x[b, s, :] / Σₛ mask[b, s] for x [rows, slots, width] (zeros where the mask sums to 0).</summary>
    public static void MaskedMeanForward(GpuDevice device, ArrayView<float> y, ArrayView<float> x, ArrayView<float> mask, int rows, int slots, int width)
    {
        CheckSlots(rows, slots, width, mask.Length, (nameof(y), y.Length, rows), (nameof(x), x.Length, (long)rows * slots));
        s_maskedMean.Launch(device, (long)rows * width, y, x, mask, new TokenArgs { Count = rows, Slots = slots, Width = width });
    }

    /// <summary>dx[b, s, :] = dy[b, :]·mask[b, s] / Σₛ mask[b, s] (overwrites; 0 where the mask sums to 0).</summary>
    public static void MaskedMeanBackward(GpuDevice device, ArrayView<float> dx, ArrayView<float> dy, ArrayView<float> mask, int rows, int slots, int width)
    {
        CheckSlots(rows, slots, width, mask.Length, (nameof(dx), dx.Length, (long)rows * slots), (nameof(dy), dy.Length, rows));
        s_maskedMeanBackward.Launch(device, (long)rows * slots * width, dx, dy, mask, new TokenArgs { Count = rows, Slots = slots, Width = width });
    }

    /// <summary>dmask[b, s] = dy[b, :]·(x[b, s, :] − y[b, :]) / Σₛ mask[b, s] (overwrites; 0 where the mask sums to 0).</summary>
    public static void MaskedMeanBackwardMask(GpuDevice device, ArrayView<float> dmask, ArrayView<float> dy, ArrayView<float> x, ArrayView<float> y,
                                              ArrayView<float> mask, int rows, int slots, int width)
    {
        CheckSlots(rows, slots, width, mask.Length, (nameof(dy), dy.Length, rows), (nameof(x), x.Length, (long)rows * slots), (nameof(y), y.Length, rows));
        if (dmask.Length < (long)rows * slots) throw new ArgumentException($"dmask needs {(long)rows * slots} elements", nameof(dmask));
        s_maskedMeanBackwardMask.Launch(device, (long)rows * slots, dmask, dy, x, y, mask, new TokenArgs { Count = rows, Slots = slots, Width = width });
    }

    /// <summary>y[b, :] = Σₛ mask[b, s]·table[ids[b, s], :] / Σₛ mask[b, s] (zeros where the mask sums to 0; weight-0 slots are not read).</summary>
    public static void BagForward(GpuDevice device, ArrayView<float> y, ArrayView<int> ids, ArrayView<float> mask, ArrayView<float> table, int rows, int slots, int width)
    {
        CheckSlots(rows, slots, width, mask.Length, (nameof(y), y.Length, rows));
        if (ids.Length < (long)rows * slots) throw new ArgumentException($"expected {(long)rows * slots} ids, got {ids.Length}", nameof(ids));
        s_bag.Launch(device, (long)rows * width, y, ids, mask, table, new TokenArgs { Count = rows, Slots = slots, Width = width });
    }

    /// <summary>dTable[ids[b, s], :] += dy[b, :]·mask[b, s] / Σₛ mask[b, s] for the slots whose weight is not 0 (atomic adds).</summary>
    public static void BagBackward(GpuDevice device, ArrayView<float> dTable, ArrayView<float> dy, ArrayView<int> ids, ArrayView<float> mask, int rows, int slots, int width)
    {
        CheckSlots(rows, slots, width, mask.Length, (nameof(dy), dy.Length, rows));
        if (ids.Length < (long)rows * slots) throw new ArgumentException($"expected {(long)rows * slots} ids, got {ids.Length}", nameof(ids));
        s_bagBackward.Launch(device, (long)rows * slots * width, dTable, dy, ids, mask, new TokenArgs { Count = rows, Slots = slots, Width = width });
    }

    private static void Check(int count, int width, long ids, (string Name, long Length, long Rows) view)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        if (ids < count) throw new ArgumentException($"expected {count} ids, got {ids}", "ids");
        if (view.Length < view.Rows * width) throw new ArgumentException($"'{view.Name}' needs {view.Rows * width} elements", view.Name);
    }

    private static void CheckSlots(int rows, int slots, int width, long mask, params ReadOnlySpan<(string Name, long Length, long Rows)> views)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(slots);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        if (mask < (long)rows * slots) throw new ArgumentException($"the mask needs {(long)rows * slots} weights, it has {mask}", "mask");
        foreach ((string name, long length, long count) in views)
            if (length < count * width) throw new ArgumentException($"'{name}' needs {count * width} elements", name);
    }

    /// <summary>Σₛ mask[b, s], serially in slot order.</summary>
    private static float Total(ArrayView<float> mask, int b, int slots)
    {
        float total = 0f;
        for (int s = 0; s < slots; s++) total += mask[b * slots + s];
        return total;
    }

    private static void ForwardKernel(int count, ArrayView<float> y, ArrayView<int> ids, ArrayView<float> table, TokenArgs args)
    {
        for (int i = Elements.First, step = Elements.Stride; i < count; i += step) ForwardAt(i, y, ids, table, args);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ForwardAt(int i, ArrayView<float> y, ArrayView<int> ids, ArrayView<float> table, TokenArgs args)
    {
        int row = i / args.Width;
        y[i] = table[(long)ids[row] * args.Width + (i - row * args.Width)];
    }

    private static void BackwardKernel(int count, ArrayView<float> dTable, ArrayView<float> dy, ArrayView<int> ids, TokenArgs args)
    {
        for (int i = Elements.First, step = Elements.Stride; i < count; i += step) BackwardAt(i, dTable, dy, ids, args);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void BackwardAt(int i, ArrayView<float> dTable, ArrayView<float> dy, ArrayView<int> ids, TokenArgs args)
    {
        int row = i / args.Width;
        Atomic.Add(ref dTable[(long)ids[row] * args.Width + (i - row * args.Width)], dy[i]);
    }

    private static void OneHotKernel(int count, ArrayView<float> y, ArrayView<int> ids, TokenArgs args)
    {
        for (int i = Elements.First, step = Elements.Stride; i < count; i += step) OneHotAt(i, y, ids, args);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void OneHotAt(int i, ArrayView<float> y, ArrayView<int> ids, TokenArgs args)
    {
        int row = i / args.Width;
        y[i] = i - row * args.Width == ids[row] ? 1f : 0f;
    }

    // One thread per (b, j): y = Σ x·(m/total), accumulated in slot order as the CPU's MultiplyAdd.
    private static void MaskedMeanKernel(int count, ArrayView<float> y, ArrayView<float> x, ArrayView<float> mask, TokenArgs args)
    {
        for (int i = Elements.First, step = Elements.Stride; i < count; i += step) MaskedMeanAt(i, y, x, mask, args);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void MaskedMeanAt(int i, ArrayView<float> y, ArrayView<float> x, ArrayView<float> mask, TokenArgs args)
    {
        int b = i / args.Width, j = i - b * args.Width;
        float total = Total(mask, b, args.Slots), sum = 0f;
        if (total != 0f)
            for (int s = 0; s < args.Slots; s++)
            {
                float m = mask[b * args.Slots + s];
                if (m != 0f) sum = x[((long)b * args.Slots + s) * args.Width + j] * (m / total) + sum;
            }
        y[i] = sum;
    }

    private static void MaskedMeanBackwardKernel(int count, ArrayView<float> dx, ArrayView<float> dy, ArrayView<float> mask, TokenArgs args)
    {
        for (int i = Elements.First, step = Elements.Stride; i < count; i += step) MaskedMeanBackwardAt(i, dx, dy, mask, args);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void MaskedMeanBackwardAt(int i, ArrayView<float> dx, ArrayView<float> dy, ArrayView<float> mask, TokenArgs args)
    {
        int bs = i / args.Width, j = i - bs * args.Width, b = bs / args.Slots;
        float total = Total(mask, b, args.Slots), m = mask[bs];
        dx[i] = total == 0f || m == 0f ? 0f : dy[(long)b * args.Width + j] * (m / total);
    }

    private static void MaskedMeanBackwardMaskKernel(int count, ArrayView<float> dmask, ArrayView<float> dy, ArrayView<float> x, ArrayView<float> y,
                                                     ArrayView<float> mask, TokenArgs args)
    {
        for (int bs = Elements.First, step = Elements.Stride; bs < count; bs += step) MaskedMeanBackwardMaskAt(bs, dmask, dy, x, y, mask, args);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void MaskedMeanBackwardMaskAt(int bs, ArrayView<float> dmask, ArrayView<float> dy, ArrayView<float> x, ArrayView<float> y,
                                                     ArrayView<float> mask, TokenArgs args)
    {
        int b = bs / args.Slots;
        float total = Total(mask, b, args.Slots);
        if (total == 0f)
        {
            dmask[bs] = 0f;
            return;
        }
        float dyDotY = 0f, dyDotX = 0f;
        long row = (long)b * args.Width, slot = (long)bs * args.Width;
        for (int j = 0; j < args.Width; j++)
        {
            float g = dy[row + j];
            dyDotY += g * y[row + j];
            dyDotX += g * x[slot + j];
        }
        dmask[bs] = (dyDotX - dyDotY) / total;
    }

    private static void BagKernel(int count, ArrayView<float> y, ArrayView<int> ids, ArrayView<float> mask, ArrayView<float> table, TokenArgs args)
    {
        for (int i = Elements.First, step = Elements.Stride; i < count; i += step) BagAt(i, y, ids, mask, table, args);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void BagAt(int i, ArrayView<float> y, ArrayView<int> ids, ArrayView<float> mask, ArrayView<float> table, TokenArgs args)
    {
        int b = i / args.Width, j = i - b * args.Width;
        float total = Total(mask, b, args.Slots), sum = 0f;
        if (total != 0f)
            for (int s = 0; s < args.Slots; s++)
            {
                float m = mask[b * args.Slots + s];
                if (m != 0f) sum = table[(long)ids[b * args.Slots + s] * args.Width + j] * (m / total) + sum;
            }
        y[i] = sum;
    }

    private static void BagBackwardKernel(int count, ArrayView<float> dTable, ArrayView<float> dy, ArrayView<int> ids, ArrayView<float> mask, TokenArgs args)
    {
        for (int i = Elements.First, step = Elements.Stride; i < count; i += step) BagBackwardAt(i, dTable, dy, ids, mask, args);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void BagBackwardAt(int i, ArrayView<float> dTable, ArrayView<float> dy, ArrayView<int> ids, ArrayView<float> mask, TokenArgs args)
    {
        int bs = i / args.Width, j = i - bs * args.Width, b = bs / args.Slots;
        float m = mask[bs];
        if (m == 0f) return;
        float total = Total(mask, b, args.Slots);
        if (total == 0f) return;
        Atomic.Add(ref dTable[(long)ids[bs] * args.Width + j], dy[(long)b * args.Width + j] * (m / total));
    }
}
