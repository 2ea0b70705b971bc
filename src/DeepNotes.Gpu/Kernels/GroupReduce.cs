using ILGPU;
using ILGPU.Algorithms;

namespace DeepNotes.Gpu.Kernels;

/// <summary>
/// Reductions across one group, in device code: every thread passes its partial value and gets the
/// group's total back. A fixed tree over shared memory, so a result is the same from run to run (no
/// atomics). <c>scratch</c> is the kernel's <c>SharedMemory.Allocate&lt;T&gt;(GroupKernel.MaxThreads)</c>;
/// the group size is a power of two (<see cref="GroupKernel.Threads"/>). Each call ends with a barrier,
/// so the scratch can be reused at once and writes made before the call are visible after it.
/// </summary>
internal static class GroupReduce
{
    public static float Sum(ArrayView<float> scratch, float value)
    {
        int t = Group.IdxX;
        scratch[t] = value;
        Group.Barrier();
        for (int s = Group.DimX / 2; s > 0; s >>= 1)
        {
            if (t < s) scratch[t] += scratch[t + s];
            Group.Barrier();
        }
        float total = scratch[0];
        Group.Barrier();
        return total;
    }

    public static double Sum(ArrayView<double> scratch, double value)
    {
        int t = Group.IdxX;
        scratch[t] = value;
        Group.Barrier();
        for (int s = Group.DimX / 2; s > 0; s >>= 1)
        {
            if (t < s) scratch[t] += scratch[t + s];
            Group.Barrier();
        }
        double total = scratch[0];
        Group.Barrier();
        return total;
    }

    public static float Max(ArrayView<float> scratch, float value)
    {
        int t = Group.IdxX;
        scratch[t] = value;
        Group.Barrier();
        for (int s = Group.DimX / 2; s > 0; s >>= 1)
        {
            if (t < s) scratch[t] = XMath.Max(scratch[t], scratch[t + s]);
            Group.Barrier();
        }
        float total = scratch[0];
        Group.Barrier();
        return total;
    }
}
