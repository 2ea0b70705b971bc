using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Threading;

namespace DeepNotes.Threading;

/// <summary>The per-thread scratch buffers of the kernels.</summary>
internal enum ScratchKind
{
    GemmPackA,
    GemmPackB,
    ConvPackedWeight,
    PoolRow,
    PoolGrad,
}

/// <summary>
/// Per-thread, pinned, 64-byte aligned scratch buffers that only grow. Any thread may run any part
/// of a split kernel (a busy machine decides which), so a thread could meet a large part for the first
/// time long after warm-up and allocate then. To keep steps allocation-free once every buffer has
/// reached its size, the largest size any thread has needed is recorded per kind, and every thread
/// grows its buffers to those sizes whenever it joins a parallel run (<see cref="GrowToMarks"/>).
/// </summary>
internal static unsafe class ThreadScratch
{
    private const int Kinds = (int)ScratchKind.PoolGrad + 1, Slack = 16;

    [ThreadStatic] private static float[]?[]? t_buffers;
    private static readonly int[] s_marks = new int[Kinds];

    /// <summary>A 64-byte aligned pointer into this thread's buffer of <paramref name="kind"/>, at least <paramref name="floats"/> long.</summary>
    public static float* Pointer(ScratchKind kind, int floats)
    {
        float[] buffer = Buffer(kind, floats);
        nint p = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(buffer));
        return (float*)((p + 63) & ~(nint)63);
    }

    /// <summary>This thread's buffer of <paramref name="kind"/> as a span of exactly <paramref name="floats"/>.</summary>
    public static Span<float> Span(ScratchKind kind, int floats) => Buffer(kind, floats).AsSpan(0, floats);

    /// <summary>Grows this thread's buffers to the largest sizes any thread has needed (nothing once they are there).</summary>
    public static void GrowToMarks()
    {
        for (int k = 0; k < Kinds; k++)
        {
            int mark = Volatile.Read(ref s_marks[k]);
            if (mark > 0) Buffer((ScratchKind)k, mark);
        }
    }

    private static float[] Buffer(ScratchKind kind, int floats)
    {
        float[]?[] buffers = t_buffers ??= new float[]?[Kinds];
        ref float[]? buffer = ref buffers[(int)kind];
        if (buffer is null || buffer.Length < floats + Slack)
        {
            buffer = GC.AllocateUninitializedArray<float>(floats + Slack, pinned: true);
            RaiseMark(ref s_marks[(int)kind], floats);
        }
        return buffer;
    }

    private static void RaiseMark(ref int mark, int floats)
    {
        int seen;
        while ((seen = Volatile.Read(ref mark)) < floats && Interlocked.CompareExchange(ref mark, floats, seen) != seen) { }
    }
}
