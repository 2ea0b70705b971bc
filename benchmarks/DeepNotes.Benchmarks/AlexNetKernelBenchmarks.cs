using BenchmarkDotNet.Attributes;
using DeepNotes.Kernels;

namespace DeepNotes.Benchmarks;

/// <summary>
/// Where AlexNet's training step (batch 8, 1×224×224, the slowest workload) spends its time: each
/// convolution's three passes with the shapes of the generated code and random data, at 1 and 2
/// threads (<see cref="AlexNetDenseBenchmarks"/>: the largest linear layer and the SGD update).
/// </summary>
[MemoryDiagnoser]
public class AlexNetConvBenchmarks
{
    private const int Batch = 8;

    private static readonly Conv2dShape[] s_convs =
    [
        new(1, 224, 224, 96, 11, 11, 4, 4, 1, 1),
        new(96, 26, 26, 256, 5, 5, 1, 1, 2, 2),
        new(256, 12, 12, 384, 3, 3, 1, 1, 1, 1),
        new(384, 12, 12, 384, 3, 3, 1, 1, 1, 1),
        new(384, 12, 12, 256, 3, 3, 1, 1, 1, 1),
    ];

    private float[][] _x = null!, _y = null!, _w = null!, _b = null!, _scratch = null!;
    private int _savedThreads;

    [Params(1, 2)]
    public int Threads { get; set; }

    /// <summary>Conv1 … Conv5.</summary>
    [Params(1, 2, 3, 4, 5)]
    public int Layer { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _savedThreads = Parallelism.ThreadCount;
        Parallelism.ThreadCount = Threads;
        var rng = new System.Random(3);
        float[] R(long n) { var a = new float[n]; for (long i = 0; i < n; i++) a[i] = rng.NextSingle() - 0.5f; return a; }
        int n = s_convs.Length;
        (_x, _y, _w, _b, _scratch) = (new float[n][], new float[n][], new float[n][], new float[n][], new float[n][]);
        for (int i = 0; i < n; i++)
        {
            Conv2dShape s = s_convs[i];
            (_x[i], _y[i], _w[i], _b[i], _scratch[i]) = (R(Batch * s.InSize), R(Batch * s.OutSize), R(s.WeightSize), R(s.OutChannels), new float[s.ScratchSize]);
        }
    }

    [GlobalCleanup]
    public void Cleanup() => Parallelism.ThreadCount = _savedThreads;

    private Conv2dShape Shape => s_convs[Layer - 1];

    [Benchmark]
    public void ConvForward() => Conv2d.Forward(_y[Layer - 1], _x[Layer - 1], _w[Layer - 1], _b[Layer - 1], Batch, Shape, Activation.Relu, _scratch[Layer - 1]);

    [Benchmark]
    public void ConvWeightGrad() => Conv2d.BackwardWeights(_w[Layer - 1], _b[Layer - 1], _y[Layer - 1], _x[Layer - 1], Batch, Shape, _scratch[Layer - 1], overwrite: true);

    [Benchmark]
    public void ConvDataGrad() => Conv2d.BackwardData(_x[Layer - 1], _y[Layer - 1], _w[Layer - 1], Batch, Shape, _scratch[Layer - 1]);
}

/// <summary>AlexNet's Fc6 (6400 → 4096) at batch 8 and the SGD update over all 46,764,746 parameters, at 1 and 2 threads.</summary>
[MemoryDiagnoser]
public class AlexNetDenseBenchmarks
{
    private const int Batch = 8;
    private float[] _fcX = null!, _fcW = null!, _fcY = null!, _fcB = null!, _fcGrad = null!;
    private float[] _p = null!, _g = null!, _v = null!;
    private TensorInfo[] _tensors = null!;
    private Sgd _sgd;
    private int _savedThreads;

    [Params(1, 2)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _savedThreads = Parallelism.ThreadCount;
        Parallelism.ThreadCount = Threads;
        var rng = new System.Random(3);
        float[] R(long n) { var a = new float[n]; for (long i = 0; i < n; i++) a[i] = rng.NextSingle() - 0.5f; return a; }
        (_fcX, _fcW, _fcY, _fcB, _fcGrad) = (R(Batch * 6400), R(4096 * 6400), R(Batch * 4096), R(4096), new float[4096 * 6400]);
        const int parameters = 46_764_746;
        (_p, _g, _v) = (R(parameters), R(parameters), new float[parameters]);
        _tensors = [new TensorInfo("all.weight", 0, [parameters], TensorRole.Weight)];
        _sgd = new Sgd(0.01f, momentum: 0.9f);
    }

    [GlobalCleanup]
    public void Cleanup() => Parallelism.ThreadCount = _savedThreads;

    /// <summary>Fc6 forward: y[8×4096] = x[8×6400]·Wᵀ + b, ReLU.</summary>
    [Benchmark]
    public void Fc6Forward() => Dense.Forward(_fcY, _fcX, _fcW, _fcB, Batch, 6400, 4096, Activation.Relu);

    [Benchmark]
    public void Fc6WeightGrad() => Dense.BackwardWeights(_fcGrad, _fcB, _fcY, _fcX, Batch, 6400, 4096, overwrite: true);

    [Benchmark]
    public void Fc6DataGrad() => Dense.BackwardData(_fcX, _fcY, _fcW, Batch, 6400, 4096);

    /// <summary>SGD with momentum over AlexNet's parameter count (memory-bound: 187 MB per array).</summary>
    [Benchmark]
    public void SgdUpdate() => _sgd.Update(_p, _g, _v, _tensors);
}
