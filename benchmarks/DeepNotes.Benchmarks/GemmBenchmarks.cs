using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using BenchmarkDotNet.Attributes;
using DeepNotes.Kernels;

namespace DeepNotes.Benchmarks;

/// <summary>
/// <see cref="Gemm.Multiply"/> at 1 and 2 threads on square problems and on the shapes the models use
/// (the Mlp's first layer at batch 64, LeNet's C3 and AlexNet's Conv2 per example, AlexNet's Fc6 at
/// batch 8); <see cref="FmaPeakBenchmarks"/> gives the core's peak in the same run. The GFLOP/s column
/// is 2·m·n·k / Mean.
/// </summary>
[MemoryDiagnoser]
public class GemmBenchmarks
{
    private int _savedThreads;

    [Params(1, 2)]
    public int Threads { get; set; }

    private const int MaxSize = 4096 * 6400;   // AlexNet's Fc6 weight, the largest operand
    private float[] _a = null!;
    private float[] _b = null!;
    private float[] _c = null!;

    [GlobalCleanup]
    public void Cleanup() => Parallelism.ThreadCount = _savedThreads;

    [GlobalSetup]
    public void Setup()
    {
        _savedThreads = Parallelism.ThreadCount;
        Parallelism.ThreadCount = Threads;
        var random = new Random(42);
        _a = new float[MaxSize];
        _b = new float[MaxSize];
        _c = new float[MaxSize];
        for (int i = 0; i < MaxSize; i++)
        {
            _a[i] = random.NextSingle() * 2f - 1f;
            _b[i] = random.NextSingle() * 2f - 1f;
        }
    }

    [Benchmark, Flops(2.0 * 256 * 256 * 256)]
    public void Square256() => Gemm.Multiply(_c, _a, _b, 256, 256, 256);

    [Benchmark, Flops(2.0 * 512 * 512 * 512)]
    public void Square512() => Gemm.Multiply(_c, _a, _b, 512, 512, 512);

    [Benchmark, Flops(2.0 * 1024 * 1024 * 1024)]
    public void Square1024() => Gemm.Multiply(_c, _a, _b, 1024, 1024, 1024);

    /// <summary>Mlp hidden layer forward: y[64×256] = x[64×784]·Wᵀ, W stored [256×784].</summary>
    [Benchmark, Flops(2.0 * 64 * 256 * 784)]
    public void LayerForward() => Gemm.Multiply(_c, _a, _b, 64, 256, 784, transB: true);

    /// <summary>Its weight gradient: dW[256×784] += dyᵀ·x, dy stored [64×256].</summary>
    [Benchmark, Flops(2.0 * 256 * 784 * 64)]
    public void LayerWeightGrad() => Gemm.Multiply(_c, _a, _b, 256, 784, 64, transA: true, beta: 1f);

    /// <summary>Its data gradient: dx[64×784] = dy[64×256]·W[256×784].</summary>
    [Benchmark, Flops(2.0 * 64 * 784 * 256)]
    public void LayerDataGrad() => Gemm.Multiply(_c, _a, _b, 64, 784, 256);

    /// <summary>LeNet's C3 forward, one example: W[16×150]·col[150×100].</summary>
    [Benchmark, Flops(2.0 * 16 * 100 * 150)]
    public void LeNetC3() => Gemm.Multiply(_c, _a, _b, 16, 100, 150);

    /// <summary>AlexNet's Conv2 forward, one example: W[256×2400]·col[2400×676].</summary>
    [Benchmark, Flops(2.0 * 256 * 676 * 2400)]
    public void AlexNetConv2() => Gemm.Multiply(_c, _a, _b, 256, 676, 2400);

    /// <summary>AlexNet's Fc6 forward at batch 8: y[8×4096] = x[8×6400]·Wᵀ, W stored [4096×6400].</summary>
    [Benchmark, Flops(2.0 * 8 * 4096 * 6400)]
    public void AlexNetFc6() => Gemm.Multiply(_c, _a, _b, 8, 4096, 6400, transB: true);
}

/// <summary>
/// The core's FMA peak, measured in the same run as the GEMMs: 16 independent <see cref="Vector512"/> /
/// <see cref="Vector256"/> FMA chains on one thread.
/// </summary>
public class FmaPeakBenchmarks
{
    // Peak: 16 independent FMA chains (enough to cover latency × pipes), x ← x·m + a, which converges
    // to a / (1 - m) = 1, so no value overflows or goes denormal.
    private const int FmaIterations = 100_000;
    private const int Chains = 16;
    private float _m = 0.999f;
    private float _add = 0.001f;

    [Benchmark, Flops(2.0 * Chains * 16 * FmaIterations)]
    public float FmaPeak512()
    {
        Vector512<float> m = Vector512.Create(_m), c = Vector512.Create(_add);
        Vector512<float> x0 = c, x1 = c, x2 = c, x3 = c, x4 = c, x5 = c, x6 = c, x7 = c;
        Vector512<float> x8 = c, x9 = c, x10 = c, x11 = c, x12 = c, x13 = c, x14 = c, x15 = c;
        for (int i = 0; i < FmaIterations; i++)
        {
            x0 = Vector512.FusedMultiplyAdd(x0, m, c); x1 = Vector512.FusedMultiplyAdd(x1, m, c);
            x2 = Vector512.FusedMultiplyAdd(x2, m, c); x3 = Vector512.FusedMultiplyAdd(x3, m, c);
            x4 = Vector512.FusedMultiplyAdd(x4, m, c); x5 = Vector512.FusedMultiplyAdd(x5, m, c);
            x6 = Vector512.FusedMultiplyAdd(x6, m, c); x7 = Vector512.FusedMultiplyAdd(x7, m, c);
            x8 = Vector512.FusedMultiplyAdd(x8, m, c); x9 = Vector512.FusedMultiplyAdd(x9, m, c);
            x10 = Vector512.FusedMultiplyAdd(x10, m, c); x11 = Vector512.FusedMultiplyAdd(x11, m, c);
            x12 = Vector512.FusedMultiplyAdd(x12, m, c); x13 = Vector512.FusedMultiplyAdd(x13, m, c);
            x14 = Vector512.FusedMultiplyAdd(x14, m, c); x15 = Vector512.FusedMultiplyAdd(x15, m, c);
        }
        return Vector512.Sum(((x0 + x1) + (x2 + x3)) + ((x4 + x5) + (x6 + x7)) + ((x8 + x9) + (x10 + x11)) + ((x12 + x13) + (x14 + x15)));
    }

    [Benchmark, Flops(2.0 * Chains * 8 * FmaIterations)]
    public float FmaPeak256()
    {
        Vector256<float> m = Vector256.Create(_m), c = Vector256.Create(_add);
        Vector256<float> x0 = c, x1 = c, x2 = c, x3 = c, x4 = c, x5 = c, x6 = c, x7 = c;
        Vector256<float> x8 = c, x9 = c, x10 = c, x11 = c, x12 = c, x13 = c, x14 = c, x15 = c;
        for (int i = 0; i < FmaIterations; i++)
        {
            x0 = Vector256.FusedMultiplyAdd(x0, m, c); x1 = Vector256.FusedMultiplyAdd(x1, m, c);
            x2 = Vector256.FusedMultiplyAdd(x2, m, c); x3 = Vector256.FusedMultiplyAdd(x3, m, c);
            x4 = Vector256.FusedMultiplyAdd(x4, m, c); x5 = Vector256.FusedMultiplyAdd(x5, m, c);
            x6 = Vector256.FusedMultiplyAdd(x6, m, c); x7 = Vector256.FusedMultiplyAdd(x7, m, c);
            x8 = Vector256.FusedMultiplyAdd(x8, m, c); x9 = Vector256.FusedMultiplyAdd(x9, m, c);
            x10 = Vector256.FusedMultiplyAdd(x10, m, c); x11 = Vector256.FusedMultiplyAdd(x11, m, c);
            x12 = Vector256.FusedMultiplyAdd(x12, m, c); x13 = Vector256.FusedMultiplyAdd(x13, m, c);
            x14 = Vector256.FusedMultiplyAdd(x14, m, c); x15 = Vector256.FusedMultiplyAdd(x15, m, c);
        }
        return Vector256.Sum(((x0 + x1) + (x2 + x3)) + ((x4 + x5) + (x6 + x7)) + ((x8 + x9) + (x10 + x11)) + ((x12 + x13) + (x14 + x15)));
    }
}
