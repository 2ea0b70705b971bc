using System.Numerics.Tensors;
using BenchmarkDotNet.Attributes;
using DeepNotes.Kernels;

namespace DeepNotes.Benchmarks;

/// <summary>
/// Scaled dot-product attention, softmax(Q·Kᵀ·s)·V, at REFERENCE.md's attention workload (batch 32, sequence 64,
/// width 128), one thread: the composition the generator emits (batched GEMM for the scores with K read
/// transposed in place, a row softmax with the scale folded in, batched GEMM for weights·V) against a hand-fused
/// kernel that does all three in one pass per query row (64 dot products into a stack row, softmax, 64 axpys of V
/// rows), once without and once with the weights written out (training keeps them for backward). The whole
/// SelfAttention training step (projections, backward, SGD) is measured beside them for scale.
/// </summary>
[MemoryDiagnoser, MinColumn, MedianColumn]
public class AttentionFusionBenchmarks
{
    private const int Batch = 32, N = 64, D = 128;
    private const float Scale = 0.088388347648318f; // 1/√128
    private const double CoreFlops = 2.0 * Batch * N * N * D * 2;

    private int _savedThreads;
    private float[] _q = null!, _k = null!, _v = null!, _scores = null!, _weights = null!, _out = null!, _fused = null!;
    private DeepNotes.Models.SelfAttention _model = null!;
    private float[] _x = null!, _t = null!;
    private Sgd _sgd;

    [GlobalSetup]
    public void Setup()
    {
        _savedThreads = Parallelism.ThreadCount;
        Parallelism.ThreadCount = 1;
        var random = new Random(42);
        float[] Fill(int n)
        {
            var a = new float[n];
            for (int i = 0; i < n; i++) a[i] = random.NextSingle() * 2f - 1f;
            return a;
        }
        _q = Fill(Batch * N * D); _k = Fill(Batch * N * D); _v = Fill(Batch * N * D);
        _scores = new float[Batch * N * N]; _weights = new float[Batch * N * N];
        _out = new float[Batch * N * D]; _fused = new float[Batch * N * D];
        // The two must agree before either is timed.
        Composed();
        FusedKeepingWeights();
        for (int i = 0; i < _out.Length; i++)
            if (MathF.Abs(_out[i] - _fused[i]) > 1e-4f * MathF.Max(1f, MathF.Abs(_out[i])))
                throw new InvalidOperationException($"fused attention differs at {i}: {_fused[i]} against {_out[i]}");

        _model = DeepNotes.Models.SelfAttention.Create(Batch, 1);
        _x = Fill(Batch * DeepNotes.Models.SelfAttention.InputSize);
        _t = Fill(Batch * DeepNotes.Models.SelfAttention.TargetSize);
        _sgd = new Sgd(0.01f, momentum: 0.9f);
    }

    [GlobalCleanup]
    public void Cleanup() => Parallelism.ThreadCount = _savedThreads;

    /// <summary>What the generated SelfAttention runs: three kernel calls over the whole batch.</summary>
    [Benchmark(Baseline = true), Flops(CoreFlops)]
    public void Composed()
    {
        BatchedMatMul.Forward(_scores, _q, _k, Batch, N, D, N, transposeB: true);
        Softmax.Forward(_weights, _scores, Batch * N, N, Scale);
        BatchedMatMul.Forward(_out, _weights, _v, Batch, N, N, D);
    }

    /// <summary>One pass per query row; the weights are never stored (inference).</summary>
    [Benchmark, Flops(CoreFlops)]
    public void Fused() => FusedAttention(_fused, default, _q, _k, _v);

    /// <summary>One pass per query row, writing the weights for backward (training).</summary>
    [Benchmark, Flops(CoreFlops)]
    public void FusedKeepingWeights() => FusedAttention(_fused, _weights, _q, _k, _v);

    /// <summary>The whole SelfAttention training step at batch 32, for scale.</summary>
    [Benchmark]
    public float SelfAttentionTrainStep() => _model.TrainStep(_x, _t, Batch, ref _sgd);

    private static void FusedAttention(Span<float> output, Span<float> weights, ReadOnlySpan<float> q, ReadOnlySpan<float> k, ReadOnlySpan<float> v)
    {
        Span<float> row = stackalloc float[N];
        for (int b = 0; b < Batch; b++)
        {
            ReadOnlySpan<float> kb = k.Slice(b * N * D, N * D), vb = v.Slice(b * N * D, N * D);
            for (int i = 0; i < N; i++)
            {
                ReadOnlySpan<float> qi = q.Slice((b * N + i) * D, D);
                for (int j = 0; j < N; j++) row[j] = TensorPrimitives.Dot(qi, kb.Slice(j * D, D)) * Scale;
                TensorPrimitives.Subtract(row, TensorPrimitives.Max(row), row);
                TensorPrimitives.Exp(row, row);
                TensorPrimitives.Multiply(row, 1f / TensorPrimitives.Sum(row), row);
                if (!weights.IsEmpty) row.CopyTo(weights.Slice((b * N + i) * N, N));
                Span<float> oi = output.Slice((b * N + i) * D, D);
                TensorPrimitives.Multiply(vb.Slice(0, D), row[0], oi);
                for (int j = 1; j < N; j++) TensorPrimitives.MultiplyAdd(vb.Slice(j * D, D), row[j], oi, oi);
            }
        }
    }
}
