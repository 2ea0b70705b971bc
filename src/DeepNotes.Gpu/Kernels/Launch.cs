using System;
using ILGPU;
using ILGPU.Runtime;

namespace DeepNotes.Gpu.Kernels;

// The one load-and-launch path of the library kernels. Each kernel is a static readonly instance of
// ElementKernel<...> (a grid-stride loop over the elements, Elements) or GroupKernel<...> (a grid of
// groups, one per row or channel, of up to GroupKernel.MaxThreads threads reducing in shared memory). The
// instance is also the kernel's key in GpuDevice's cache, and it holds its loader, so a launch allocates
// nothing: no closure, no delegate, no device memory. Every launch goes to the default stream. Arities 2 to 9:
// views, then one argument struct for the scalars.

/// <summary>Sizes shared by the grouped kernels and their in-group reductions (<see cref="GroupReduce"/>).</summary>
internal static class GroupKernel
{
    /// <summary>Shared-memory slots a reduction allocates: the largest group size used.</summary>
    public const int MaxThreads = 256;

    /// <summary>
    /// Threads per group on this accelerator: the largest power of two not above <see cref="MaxThreads"/>
    /// and the accelerator's limit (ILGPU's CPU accelerator allows fewer than a GPU). A power of two, so
    /// the tree reductions halve evenly.
    /// </summary>
    public static int Threads(Accelerator accelerator)
    {
        int limit = Math.Min(MaxThreads, accelerator.MaxNumThreadsPerGroup), size = 1;
        while (size * 2 <= limit) size *= 2;
        return size;
    }

    /// <summary>
    /// Threads for groups of <paramref name="perGroup"/> elements each: enough powers of two to cover them, at least
    /// a warp and at most <see cref="Threads(Accelerator)"/>, so a 10-class row does not keep 256 threads waiting.
    /// </summary>
    public static int Threads(Accelerator accelerator, int perGroup)
    {
        int limit = Threads(accelerator), size = Math.Min(limit, Math.Max(1, accelerator.WarpSize));
        while (size < perGroup && size < limit) size *= 2;
        return size;
    }
}

/// <summary>An element kernel, <c>kernel(count, ...)</c>, looping over [0, count) (<see cref="Elements"/>).</summary>
internal sealed class ElementKernel<T1, T2>
    where T1 : struct
    where T2 : struct
{
    private readonly Func<Accelerator, Action<KernelConfig, int, T1, T2>> _load;

    public ElementKernel(Action<int, T1, T2> kernel) => _load = a => a.LoadStreamKernel(kernel);

    public void Launch(GpuDevice device, long count, T1 a1, T2 a2)
    {
        if (count <= 0) return;
        device.Kernel(this, _load)(Elements.Config(device.Accelerator, count), (int)count, a1, a2);
    }
}

/// <summary>
/// A kernel launched as <c>groups</c> groups, each working through <c>perGroup</c> elements (a row's columns, a
/// channel's values) with <see cref="GroupKernel.Threads(Accelerator, int)"/> threads.
/// </summary>
internal sealed class GroupKernel<T1, T2>
    where T1 : struct
    where T2 : struct
{
    private readonly Func<Accelerator, Action<KernelConfig, T1, T2>> _load;

    public GroupKernel(Action<T1, T2> kernel) => _load = a => a.LoadStreamKernel(kernel);

    public void Launch(GpuDevice device, int groups, int perGroup, T1 a1, T2 a2)
    {
        if (groups <= 0) return;
        device.Kernel(this, _load)(new KernelConfig(groups, GroupKernel.Threads(device.Accelerator, perGroup)), a1, a2);
    }
}

/// <summary>An element kernel, <c>kernel(count, ...)</c>, looping over [0, count) (<see cref="Elements"/>).</summary>
internal sealed class ElementKernel<T1, T2, T3>
    where T1 : struct
    where T2 : struct
    where T3 : struct
{
    private readonly Func<Accelerator, Action<KernelConfig, int, T1, T2, T3>> _load;

    public ElementKernel(Action<int, T1, T2, T3> kernel) => _load = a => a.LoadStreamKernel(kernel);

    public void Launch(GpuDevice device, long count, T1 a1, T2 a2, T3 a3)
    {
        if (count <= 0) return;
        device.Kernel(this, _load)(Elements.Config(device.Accelerator, count), (int)count, a1, a2, a3);
    }
}

/// <summary>
/// A kernel launched as <c>groups</c> groups, each working through <c>perGroup</c> elements (a row's columns, a
/// channel's values) with <see cref="GroupKernel.Threads(Accelerator, int)"/> threads.
/// </summary>
internal sealed class GroupKernel<T1, T2, T3>
    where T1 : struct
    where T2 : struct
    where T3 : struct
{
    private readonly Func<Accelerator, Action<KernelConfig, T1, T2, T3>> _load;

    public GroupKernel(Action<T1, T2, T3> kernel) => _load = a => a.LoadStreamKernel(kernel);

    public void Launch(GpuDevice device, int groups, int perGroup, T1 a1, T2 a2, T3 a3)
    {
        if (groups <= 0) return;
        device.Kernel(this, _load)(new KernelConfig(groups, GroupKernel.Threads(device.Accelerator, perGroup)), a1, a2, a3);
    }
}

/// <summary>An element kernel, <c>kernel(count, ...)</c>, looping over [0, count) (<see cref="Elements"/>).</summary>
internal sealed class ElementKernel<T1, T2, T3, T4>
    where T1 : struct
    where T2 : struct
    where T3 : struct
    where T4 : struct
{
    private readonly Func<Accelerator, Action<KernelConfig, int, T1, T2, T3, T4>> _load;

    public ElementKernel(Action<int, T1, T2, T3, T4> kernel) => _load = a => a.LoadStreamKernel(kernel);

    public void Launch(GpuDevice device, long count, T1 a1, T2 a2, T3 a3, T4 a4)
    {
        if (count <= 0) return;
        device.Kernel(this, _load)(Elements.Config(device.Accelerator, count), (int)count, a1, a2, a3, a4);
    }
}

/// <summary>
/// A kernel launched as <c>groups</c> groups, each working through <c>perGroup</c> elements (a row's columns, a
/// channel's values) with <see cref="GroupKernel.Threads(Accelerator, int)"/> threads.
/// </summary>
internal sealed class GroupKernel<T1, T2, T3, T4>
    where T1 : struct
    where T2 : struct
    where T3 : struct
    where T4 : struct
{
    private readonly Func<Accelerator, Action<KernelConfig, T1, T2, T3, T4>> _load;

    public GroupKernel(Action<T1, T2, T3, T4> kernel) => _load = a => a.LoadStreamKernel(kernel);

    public void Launch(GpuDevice device, int groups, int perGroup, T1 a1, T2 a2, T3 a3, T4 a4)
    {
        if (groups <= 0) return;
        device.Kernel(this, _load)(new KernelConfig(groups, GroupKernel.Threads(device.Accelerator, perGroup)), a1, a2, a3, a4);
    }
}

/// <summary>An element kernel, <c>kernel(count, ...)</c>, looping over [0, count) (<see cref="Elements"/>).</summary>
internal sealed class ElementKernel<T1, T2, T3, T4, T5>
    where T1 : struct
    where T2 : struct
    where T3 : struct
    where T4 : struct
    where T5 : struct
{
    private readonly Func<Accelerator, Action<KernelConfig, int, T1, T2, T3, T4, T5>> _load;

    public ElementKernel(Action<int, T1, T2, T3, T4, T5> kernel) => _load = a => a.LoadStreamKernel(kernel);

    public void Launch(GpuDevice device, long count, T1 a1, T2 a2, T3 a3, T4 a4, T5 a5)
    {
        if (count <= 0) return;
        device.Kernel(this, _load)(Elements.Config(device.Accelerator, count), (int)count, a1, a2, a3, a4, a5);
    }
}

/// <summary>
/// A kernel launched as <c>groups</c> groups, each working through <c>perGroup</c> elements (a row's columns, a
/// channel's values) with <see cref="GroupKernel.Threads(Accelerator, int)"/> threads.
/// </summary>
internal sealed class GroupKernel<T1, T2, T3, T4, T5>
    where T1 : struct
    where T2 : struct
    where T3 : struct
    where T4 : struct
    where T5 : struct
{
    private readonly Func<Accelerator, Action<KernelConfig, T1, T2, T3, T4, T5>> _load;

    public GroupKernel(Action<T1, T2, T3, T4, T5> kernel) => _load = a => a.LoadStreamKernel(kernel);

    public void Launch(GpuDevice device, int groups, int perGroup, T1 a1, T2 a2, T3 a3, T4 a4, T5 a5)
    {
        if (groups <= 0) return;
        device.Kernel(this, _load)(new KernelConfig(groups, GroupKernel.Threads(device.Accelerator, perGroup)), a1, a2, a3, a4, a5);
    }
}

/// <summary>An element kernel, <c>kernel(count, ...)</c>, looping over [0, count) (<see cref="Elements"/>).</summary>
internal sealed class ElementKernel<T1, T2, T3, T4, T5, T6>
    where T1 : struct
    where T2 : struct
    where T3 : struct
    where T4 : struct
    where T5 : struct
    where T6 : struct
{
    private readonly Func<Accelerator, Action<KernelConfig, int, T1, T2, T3, T4, T5, T6>> _load;

    public ElementKernel(Action<int, T1, T2, T3, T4, T5, T6> kernel) => _load = a => a.LoadStreamKernel(kernel);

    public void Launch(GpuDevice device, long count, T1 a1, T2 a2, T3 a3, T4 a4, T5 a5, T6 a6)
    {
        if (count <= 0) return;
        device.Kernel(this, _load)(Elements.Config(device.Accelerator, count), (int)count, a1, a2, a3, a4, a5, a6);
    }
}

/// <summary>
/// A kernel launched as <c>groups</c> groups, each working through <c>perGroup</c> elements (a row's columns, a
/// channel's values) with <see cref="GroupKernel.Threads(Accelerator, int)"/> threads.
/// </summary>
internal sealed class GroupKernel<T1, T2, T3, T4, T5, T6>
    where T1 : struct
    where T2 : struct
    where T3 : struct
    where T4 : struct
    where T5 : struct
    where T6 : struct
{
    private readonly Func<Accelerator, Action<KernelConfig, T1, T2, T3, T4, T5, T6>> _load;

    public GroupKernel(Action<T1, T2, T3, T4, T5, T6> kernel) => _load = a => a.LoadStreamKernel(kernel);

    public void Launch(GpuDevice device, int groups, int perGroup, T1 a1, T2 a2, T3 a3, T4 a4, T5 a5, T6 a6)
    {
        if (groups <= 0) return;
        device.Kernel(this, _load)(new KernelConfig(groups, GroupKernel.Threads(device.Accelerator, perGroup)), a1, a2, a3, a4, a5, a6);
    }
}

/// <summary>An element kernel, <c>kernel(count, ...)</c>, looping over [0, count) (<see cref="Elements"/>).</summary>
internal sealed class ElementKernel<T1, T2, T3, T4, T5, T6, T7>
    where T1 : struct
    where T2 : struct
    where T3 : struct
    where T4 : struct
    where T5 : struct
    where T6 : struct
    where T7 : struct
{
    private readonly Func<Accelerator, Action<KernelConfig, int, T1, T2, T3, T4, T5, T6, T7>> _load;

    public ElementKernel(Action<int, T1, T2, T3, T4, T5, T6, T7> kernel) => _load = a => a.LoadStreamKernel(kernel);

    public void Launch(GpuDevice device, long count, T1 a1, T2 a2, T3 a3, T4 a4, T5 a5, T6 a6, T7 a7)
    {
        if (count <= 0) return;
        device.Kernel(this, _load)(Elements.Config(device.Accelerator, count), (int)count, a1, a2, a3, a4, a5, a6, a7);
    }
}

/// <summary>
/// A kernel launched as <c>groups</c> groups, each working through <c>perGroup</c> elements (a row's columns, a
/// channel's values) with <see cref="GroupKernel.Threads(Accelerator, int)"/> threads.
/// </summary>
internal sealed class GroupKernel<T1, T2, T3, T4, T5, T6, T7>
    where T1 : struct
    where T2 : struct
    where T3 : struct
    where T4 : struct
    where T5 : struct
    where T6 : struct
    where T7 : struct
{
    private readonly Func<Accelerator, Action<KernelConfig, T1, T2, T3, T4, T5, T6, T7>> _load;

    public GroupKernel(Action<T1, T2, T3, T4, T5, T6, T7> kernel) => _load = a => a.LoadStreamKernel(kernel);

    public void Launch(GpuDevice device, int groups, int perGroup, T1 a1, T2 a2, T3 a3, T4 a4, T5 a5, T6 a6, T7 a7)
    {
        if (groups <= 0) return;
        device.Kernel(this, _load)(new KernelConfig(groups, GroupKernel.Threads(device.Accelerator, perGroup)), a1, a2, a3, a4, a5, a6, a7);
    }
}

/// <summary>An element kernel, <c>kernel(count, ...)</c>, looping over [0, count) (<see cref="Elements"/>).</summary>
internal sealed class ElementKernel<T1, T2, T3, T4, T5, T6, T7, T8>
    where T1 : struct
    where T2 : struct
    where T3 : struct
    where T4 : struct
    where T5 : struct
    where T6 : struct
    where T7 : struct
    where T8 : struct
{
    private readonly Func<Accelerator, Action<KernelConfig, int, T1, T2, T3, T4, T5, T6, T7, T8>> _load;

    public ElementKernel(Action<int, T1, T2, T3, T4, T5, T6, T7, T8> kernel) => _load = a => a.LoadStreamKernel(kernel);

    public void Launch(GpuDevice device, long count, T1 a1, T2 a2, T3 a3, T4 a4, T5 a5, T6 a6, T7 a7, T8 a8)
    {
        if (count <= 0) return;
        device.Kernel(this, _load)(Elements.Config(device.Accelerator, count), (int)count, a1, a2, a3, a4, a5, a6, a7, a8);
    }
}

/// <summary>
/// A kernel launched as <c>groups</c> groups, each working through <c>perGroup</c> elements (a row's columns, a
/// channel's values) with <see cref="GroupKernel.Threads(Accelerator, int)"/> threads.
/// </summary>
internal sealed class GroupKernel<T1, T2, T3, T4, T5, T6, T7, T8>
    where T1 : struct
    where T2 : struct
    where T3 : struct
    where T4 : struct
    where T5 : struct
    where T6 : struct
    where T7 : struct
    where T8 : struct
{
    private readonly Func<Accelerator, Action<KernelConfig, T1, T2, T3, T4, T5, T6, T7, T8>> _load;

    public GroupKernel(Action<T1, T2, T3, T4, T5, T6, T7, T8> kernel) => _load = a => a.LoadStreamKernel(kernel);

    public void Launch(GpuDevice device, int groups, int perGroup, T1 a1, T2 a2, T3 a3, T4 a4, T5 a5, T6 a6, T7 a7, T8 a8)
    {
        if (groups <= 0) return;
        device.Kernel(this, _load)(new KernelConfig(groups, GroupKernel.Threads(device.Accelerator, perGroup)), a1, a2, a3, a4, a5, a6, a7, a8);
    }
}

/// <summary>An element kernel, <c>kernel(count, ...)</c>, looping over [0, count) (<see cref="Elements"/>).</summary>
internal sealed class ElementKernel<T1, T2, T3, T4, T5, T6, T7, T8, T9>
    where T1 : struct
    where T2 : struct
    where T3 : struct
    where T4 : struct
    where T5 : struct
    where T6 : struct
    where T7 : struct
    where T8 : struct
    where T9 : struct
{
    private readonly Func<Accelerator, Action<KernelConfig, int, T1, T2, T3, T4, T5, T6, T7, T8, T9>> _load;

    public ElementKernel(Action<int, T1, T2, T3, T4, T5, T6, T7, T8, T9> kernel) => _load = a => a.LoadStreamKernel(kernel);

    public void Launch(GpuDevice device, long count, T1 a1, T2 a2, T3 a3, T4 a4, T5 a5, T6 a6, T7 a7, T8 a8, T9 a9)
    {
        if (count <= 0) return;
        device.Kernel(this, _load)(Elements.Config(device.Accelerator, count), (int)count, a1, a2, a3, a4, a5, a6, a7, a8, a9);
    }
}

/// <summary>
/// A kernel launched as <c>groups</c> groups, each working through <c>perGroup</c> elements (a row's columns, a
/// channel's values) with <see cref="GroupKernel.Threads(Accelerator, int)"/> threads.
/// </summary>
internal sealed class GroupKernel<T1, T2, T3, T4, T5, T6, T7, T8, T9>
    where T1 : struct
    where T2 : struct
    where T3 : struct
    where T4 : struct
    where T5 : struct
    where T6 : struct
    where T7 : struct
    where T8 : struct
    where T9 : struct
{
    private readonly Func<Accelerator, Action<KernelConfig, T1, T2, T3, T4, T5, T6, T7, T8, T9>> _load;

    public GroupKernel(Action<T1, T2, T3, T4, T5, T6, T7, T8, T9> kernel) => _load = a => a.LoadStreamKernel(kernel);

    public void Launch(GpuDevice device, int groups, int perGroup, T1 a1, T2 a2, T3 a3, T4 a4, T5 a5, T6 a6, T7 a7, T8 a8, T9 a9)
    {
        if (groups <= 0) return;
        device.Kernel(this, _load)(new KernelConfig(groups, GroupKernel.Threads(device.Accelerator, perGroup)), a1, a2, a3, a4, a5, a6, a7, a8, a9);
    }
}
