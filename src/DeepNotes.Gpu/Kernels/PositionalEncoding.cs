using System;
using System.Runtime.CompilerServices;
using ILGPU;
using ILGPU.Runtime;

namespace DeepNotes.Gpu.Kernels;

/// <summary>
/// The sinusoidal positional encoding's addition, the GPU twin of <c>DeepNotes.Kernels.PositionalEncoding.Add</c>.
/// The table itself is the CPU's (<c>PositionalEncoding.Table</c>, computed on the host in double precision):
/// the plan uploads it once into its device buffer and passes that view on every call.
/// </summary>
public static class PositionalEncoding
{
    private static readonly ElementKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>> s_add = new(AddKernel);

    /// <summary>y = x + table for each of <paramref name="batch"/> examples of table.Length floats. y may be x.</summary>
    public static void Add(GpuDevice device, ArrayView<float> y, ArrayView<float> x, ArrayView<float> table, int batch)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(batch);
        long count = batch * table.Length;
        if (x.Length < count) throw new ArgumentException($"'x' has {x.Length} elements, {count} are needed", nameof(x));
        if (y.Length < count) throw new ArgumentException($"'y' has {y.Length} elements, {count} are needed", nameof(y));
        s_add.Launch(device, count, y, x, table);
    }

    private static void AddKernel(int count, ArrayView<float> y, ArrayView<float> x, ArrayView<float> table)
    {
        for (int i = Elements.First, step = Elements.Stride; i < count; i += step) AddAt(i, y, x, table);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddAt(int i, ArrayView<float> y, ArrayView<float> x, ArrayView<float> table) => y[i] = x[i] + table[i % table.IntLength];
}
