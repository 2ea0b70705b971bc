using System;
using ILGPU;
using ILGPU.Runtime;

namespace DeepNotes.Gpu;

/// <summary>
/// How element kernels cover their elements: kernel(count, ...) walks i = <see cref="First"/>, + <see cref="Stride"/>, ...
/// below count (a grid-stride loop), launched as <see cref="Config"/> says. On a GPU that is one thread per element, as
/// an auto-grouped launch would be (the loop runs once). On ILGPU's CPU accelerator it is one group per multiprocessor:
/// there, reading a thread's index and starting a thread cost about a microsecond each (its threads are OS threads
/// simulating a group), so a thread per element made an SGD step over AlexNet's 47M weights take over a minute, and a
/// loop of a few nanoseconds an element takes a fraction of a second. The loop reads the indices once, before it starts.
/// The library's element kernels (ElementKernel in Launch.cs) and a generated plan's fused element-wise kernels use it.
/// </summary>
public static class Elements
{
    /// <summary>This thread's first element.</summary>
    public static int First => Grid.GlobalIndex.X;

    /// <summary>Threads in the grid: the distance between one thread's elements.</summary>
    public static int Stride => Grid.DimX * Group.DimX;

    /// <summary>
    /// The launch of an element kernel over <paramref name="count"/> elements on <paramref name="accelerator"/>. The grid
    /// never has more than int.MaxValue − count threads, so a thread's next index (below count + threads) cannot overflow
    /// an int: past 2³⁰ elements a GPU thread takes more than one.
    /// </summary>
    public static KernelConfig Config(Accelerator accelerator, long count)
    {
        int threads = Kernels.GroupKernel.Threads(accelerator);
        int most = accelerator.AcceleratorType == AcceleratorType.CPU ? Math.Max(1, accelerator.NumMultiprocessors) : int.MaxValue;
        return new KernelConfig(Groups(count, threads, most), threads);
    }

    /// <summary>
    /// Groups of <paramref name="threads"/> for <paramref name="count"/> elements: one thread each, but at most
    /// <paramref name="most"/> groups and at most int.MaxValue − count threads in all (at least one group).
    /// </summary>
    internal static int Groups(long count, int threads, int most)
    {
        if (count > int.MaxValue - threads)
            throw new NotSupportedException($"an element kernel over {count} elements (at most {int.MaxValue - threads} here)");
        long groups = (count + threads - 1) / threads;
        groups = Math.Min(groups, Math.Max(1, (int.MaxValue - count) / threads));
        return (int)Math.Max(1, Math.Min(groups, most));
    }
}
