using System;
using System.Runtime.CompilerServices;
using ILGPU;
using ILGPU.Runtime;

namespace DeepNotes.Gpu.Kernels;

/// <summary>
/// Inverted dropout, the GPU twin of <c>DeepNotes.Kernels.Dropout</c>, with the CPU's masks bit for bit: each
/// thread calls the runtime's own <see cref="CounterRng.Next64"/> (ILGPU compiles it into the kernel) for one
/// 64-bit draw and applies its four 16-bit lanes to four elements, as the CPU does. The stream is the CPU's
/// <c>DeepNotes.Kernels.Dropout.Stream(step, op)</c>, a host function the plan calls as it is.
/// </summary>
public static class Dropout
{
    internal struct MaskArgs
    {
        public ulong Seed, Stream;
        public uint Threshold;
        public float KeepScale;
        public int Count;
    }

    private static readonly ElementKernel<ArrayView<float>, ArrayView<float>, MaskArgs> s_apply = new(ApplyKernel);

    public static void Forward(GpuDevice device, ArrayView<float> y, ArrayView<float> x, float p, ulong seed, ulong stream)
        => Apply(device, y, x, p, seed, stream);

    /// <summary>dx = dy · mask / (1 − p), with the forward pass's mask.</summary>
    public static void Backward(GpuDevice device, ArrayView<float> dx, ArrayView<float> dy, float p, ulong seed, ulong stream)
        => Apply(device, dx, dy, p, seed, stream);

    private static void Apply(GpuDevice device, ArrayView<float> y, ArrayView<float> x, float p, ulong seed, ulong stream)
    {
        if (!(p >= 0f && p < 1f)) throw new ArgumentOutOfRangeException(nameof(p), p, "dropout probability must be in [0, 1)");
        if (y.Length < x.Length) throw new ArgumentException("output is shorter than input", nameof(y));
        var args = new MaskArgs
        {
            Seed = seed,
            Stream = stream,
            Threshold = (uint)MathF.Round(p * 65536f),
            KeepScale = 1f / (1f - p),
            Count = checked((int)x.Length),
        };
        s_apply.Launch(device, (x.Length + 3) / 4, y, x, args);
    }

    // One thread per 64-bit draw: elements 4·block .. 4·block + 3, lane k taking bits 16k .. 16k + 15.
    private static void ApplyKernel(int count, ArrayView<float> y, ArrayView<float> x, MaskArgs args)
    {
        for (int block = Elements.First, step = Elements.Stride; block < count; block += step) ApplyAt(block, y, x, args);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ApplyAt(int block, ArrayView<float> y, ArrayView<float> x, MaskArgs args)
    {
        ulong bits = CounterRng.Next64(args.Seed, args.Stream, (ulong)block);
        int start = block * 4;
        for (int lane = 0; lane < 4; lane++, bits >>= 16)
        {
            int i = start + lane;
            if (i >= args.Count) return;
            y[i] = (uint)(bits & 0xFFFF) >= args.Threshold ? x[i] * args.KeepScale : 0f;
        }
    }
}
