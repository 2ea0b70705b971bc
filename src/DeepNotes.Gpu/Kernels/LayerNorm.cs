using System;
using System.Runtime.CompilerServices;
using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Runtime;

namespace DeepNotes.Gpu.Kernels;

/// <summary>
/// Layer normalisation over the last axis of [rows, features], the GPU twin of <c>DeepNotes.Kernels.LayerNorm</c>:
/// one group per row for the forward and for dx; the parameter gradients (sums over rows) run one thread per
/// feature, looping over the rows in order: no atomics, the same result every run. y may be x.
/// </summary>
public static class LayerNorm
{
    internal struct RowArgs
    {
        public int Rows, Features;
        public float Epsilon;
    }

    private static readonly GroupKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>,
        RowArgs> s_forward = new(ForwardKernel);
    private static readonly GroupKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>,
        RowArgs> s_backwardData = new(BackwardDataKernel);
    private static readonly ElementKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>,
        RowArgs> s_backwardParameters = new(BackwardParametersKernel);

    public static void Forward(GpuDevice device, ArrayView<float> y, ArrayView<float> mean, ArrayView<float> invStd, ArrayView<float> x,
                               ArrayView<float> weight, ArrayView<float> bias, int rows, int features, float epsilon)
    {
        Check(rows, features, (nameof(y), y.Length), (nameof(x), x.Length));
        Check(1, rows, (nameof(mean), mean.Length), (nameof(invStd), invStd.Length));
        Check(1, features, (nameof(weight), weight.Length), (nameof(bias), bias.Length));
        s_forward.Launch(device, rows, features, y, mean, invStd, x, weight, bias, new RowArgs { Rows = rows, Features = features, Epsilon = epsilon });
    }

    /// <summary>
    /// dx = (1/σ)·(g − mean(g) − x̂·mean(g·x̂)) with g = dy·weight; dweight += Σ dy·x̂ and dbias += Σ dy over the
    /// rows (accumulate). dx must not share memory with dy or x.
    /// </summary>
    public static void Backward(GpuDevice device, ArrayView<float> dx, ArrayView<float> dweight, ArrayView<float> dbias, ArrayView<float> dy, ArrayView<float> x,
                                ArrayView<float> weight, ArrayView<float> mean, ArrayView<float> invStd, int rows, int features)
    {
        Check(rows, features, (nameof(dx), dx.Length), (nameof(dy), dy.Length), (nameof(x), x.Length));
        Check(1, rows, (nameof(mean), mean.Length), (nameof(invStd), invStd.Length));
        Check(1, features, (nameof(weight), weight.Length), (nameof(dweight), dweight.Length), (nameof(dbias), dbias.Length));
        var args = new RowArgs { Rows = rows, Features = features };
        s_backwardParameters.Launch(device, features, dweight, dbias, dy, x, mean, invStd, args);
        s_backwardData.Launch(device, rows, features, dx, dy, x, weight, mean, invStd, args);
    }

    private static void Check(int rows, int features, params ReadOnlySpan<(string Name, long Length)> views)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(features);
        foreach ((string name, long length) in views)
            if (length < (long)rows * features)
                throw new ArgumentException($"'{name}' has {length} elements, {(long)rows * features} are needed", name);
    }

    // As the CPU: m = Σx/N; s = 1/√(Σ(x − m)²/N + ε); y = ((x − m)·s)·w + b.
    private static void ForwardKernel(ArrayView<float> y, ArrayView<float> mean, ArrayView<float> invStd, ArrayView<float> x,
                                      ArrayView<float> weight, ArrayView<float> bias, RowArgs args)
    {
        ArrayView<float> scratch = SharedMemory.Allocate<float>(GroupKernel.MaxThreads);
        int r = Grid.IdxX, features = args.Features;
        long start = (long)r * features;
        float sum = 0f;
        for (int i = Group.IdxX; i < features; i += Group.DimX) sum += x[start + i];
        float m = GroupReduce.Sum(scratch, sum) / features;
        float squares = 0f;
        for (int i = Group.IdxX; i < features; i += Group.DimX)
        {
            float d = x[start + i] - m;
            squares += d * d;
        }
        float s = 1f / XMath.Sqrt(GroupReduce.Sum(scratch, squares) / features + args.Epsilon);
        for (int i = Group.IdxX; i < features; i += Group.DimX)
            y[start + i] = (x[start + i] - m) * s * weight[i] + bias[i];
        if (Group.IdxX == 0)
        {
            mean[r] = m;
            invStd[r] = s;
        }
    }

    // As the CPU: dx = s·(x̂·(−Σg·x̂/N) + dy·w − Σg/N), g = dy·w.
    private static void BackwardDataKernel(ArrayView<float> dx, ArrayView<float> dy, ArrayView<float> x, ArrayView<float> weight,
                                           ArrayView<float> mean, ArrayView<float> invStd, RowArgs args)
    {
        ArrayView<float> scratch = SharedMemory.Allocate<float>(GroupKernel.MaxThreads);
        int r = Grid.IdxX, features = args.Features;
        long start = (long)r * features;
        float m = mean[r], s = invStd[r];
        float g = 0f, gx = 0f;
        for (int i = Group.IdxX; i < features; i += Group.DimX)
        {
            float dyw = dy[start + i] * weight[i];
            g += dyw;
            gx += dyw * ((x[start + i] - m) * s);
        }
        float sumG = GroupReduce.Sum(scratch, g), sumGx = GroupReduce.Sum(scratch, gx);
        for (int i = Group.IdxX; i < features; i += Group.DimX)
        {
            float xhat = (x[start + i] - m) * s;
            dx[start + i] = (xhat * (-sumGx / features) + dy[start + i] * weight[i] + -sumG / features) * s;
        }
    }

    private static void BackwardParametersKernel(int count, ArrayView<float> dweight, ArrayView<float> dbias, ArrayView<float> dy, ArrayView<float> x,
                                                 ArrayView<float> mean, ArrayView<float> invStd, RowArgs args)
    {
        for (int j = Elements.First, step = Elements.Stride; j < count; j += step) BackwardParametersAt(j, dweight, dbias, dy, x, mean, invStd, args);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void BackwardParametersAt(int j, ArrayView<float> dweight, ArrayView<float> dbias, ArrayView<float> dy, ArrayView<float> x,
                                                 ArrayView<float> mean, ArrayView<float> invStd, RowArgs args)
    {
        float w = dweight[j], b = dbias[j];
        for (int r = 0; r < args.Rows; r++)
        {
            long i = (long)r * args.Features + j;
            float g = dy[i];
            w += g * ((x[i] - mean[r]) * invStd[r]);
            b += g;
        }
        dweight[j] = w;
        dbias[j] = b;
    }
}
