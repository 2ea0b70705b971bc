using System.Threading;
using System.Threading.Tasks;
using DeepNotes.Kernels;
using DeepNotes.Threading;
using static DeepNotes.Runtime.Tests.TestArrays;

namespace DeepNotes.Runtime.Tests;

/// <summary>Tests that change <see cref="Parallelism.ThreadCount"/> or the split threshold run alone.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ParallelismCollection
{
    public const string Name = "Parallelism";
}

/// <summary>Sets the thread count (and, for tiny test shapes, the split threshold) and restores both.</summary>
internal readonly struct ThreadScope : IDisposable
{
    private readonly int _threads;
    private readonly long _minWork;

    public ThreadScope(int threads, long minWorkPerPart = 1)
    {
        _threads = Parallelism.ThreadCount;
        _minWork = Gemm.MinWorkPerPart;
        Parallelism.ThreadCount = threads;
        Gemm.MinWorkPerPart = minWorkPerPart;
    }

    public void Dispose()
    {
        Parallelism.ThreadCount = _threads;
        Gemm.MinWorkPerPart = _minWork;
    }
}

[Collection(ParallelismCollection.Name)]
public class WorkerPoolTests
{
    /// <summary>Counts each part and records the thread that ran it.</summary>
    private sealed class Recorder : ParallelWork
    {
        public readonly int[] Count = new int[16];
        public readonly int[] Thread = new int[16];
        public int Parts;

        public override void Execute(int part, int parts)
        {
            Parts = parts;
            Interlocked.Increment(ref Count[part]);
            Thread[part] = Environment.CurrentManagedThreadId;
        }

        public void Reset()
        {
            Array.Clear(Count);
            Array.Clear(Thread);
        }
    }

    [Fact]
    public void EveryPartRunsExactlyOncePartZeroOnTheCaller()
    {
        var pool = new WorkerPool();
        var work = new Recorder();
        int[] partCounts = { 2, 3, 2, 4, 1, 3, 2 };
        for (int round = 0; round < 2000; round++)
        {
            int parts = partCounts[round % partCounts.Length];
            work.Reset();
            pool.Run(work, parts);
            for (int p = 0; p < 16; p++) Assert.Equal(p < parts ? 1 : 0, work.Count[p]);
            Assert.Equal(Environment.CurrentManagedThreadId, work.Thread[0]);
            for (int p = 1; p < parts; p++) Assert.NotEqual(Environment.CurrentManagedThreadId, work.Thread[p]);
        }
        Assert.Equal(3, pool.WorkerCount);
    }

    [Fact]
    public void SleepingWorkersWakeForTheNextRun()
    {
        var pool = new WorkerPool();
        var work = new Recorder();
        for (int round = 0; round < 5; round++)
        {
            work.Reset();
            pool.Run(work, 2);
            Assert.Equal(1, work.Count[1]);
            Thread.Sleep(5);   // well past the spin phase: the worker sleeps on the monitor
        }
    }

    private sealed class Thrower : ParallelWork
    {
        public override void Execute(int part, int parts)
        {
            if (part == 1) throw new InvalidOperationException("part 1 failed");
        }
    }

    [Fact]
    public void AnExceptionInAWorkerReachesTheCallerAndThePoolGoesOn()
    {
        var pool = new WorkerPool();
        var error = Assert.Throws<InvalidOperationException>(() => pool.Run(new Thrower(), 2));
        Assert.Equal("part 1 failed", error.Message);
        var work = new Recorder();
        pool.Run(work, 2);
        Assert.Equal(1, work.Count[0]);
        Assert.Equal(1, work.Count[1]);
        Assert.False(pool.IsBusy);
    }

    private sealed class Nested : ParallelWork
    {
        public WorkerPool Pool = null!;
        public readonly Recorder[] Inner = { new(), new() };

        public override void Execute(int part, int parts) => Pool.Run(Inner[part], 3);
    }

    [Fact]
    public void ARunInsideAPartRunsItsPartsInline()
    {
        var pool = new WorkerPool();
        var work = new Nested { Pool = pool };
        pool.Run(work, 2);
        foreach (Recorder inner in work.Inner)
        {
            for (int p = 0; p < 3; p++) Assert.Equal(1, inner.Count[p]);
            Assert.Equal(inner.Thread[0], inner.Thread[1]);
            Assert.Equal(inner.Thread[0], inner.Thread[2]);
        }
        Assert.NotEqual(work.Inner[0].Thread[0], work.Inner[1].Thread[0]);
    }

    private sealed class RangeSum : ParallelWork
    {
        public readonly long[] PartSums = new long[4];
        public int Length;

        public override void Execute(int part, int parts)
        {
            int lo = (int)((long)Length * part / parts), hi = (int)((long)Length * (part + 1) / parts);
            long sum = 0;
            for (int i = lo; i < hi; i++) sum += i;
            PartSums[part] = sum;
        }
    }

    [Fact]
    public async Task ConcurrentCallersAllGetTheirResults()
    {
        var pool = new WorkerPool();
        var tasks = new Task[4];
        for (int t = 0; t < tasks.Length; t++)
        {
            int length = 1000 + 17 * t;
            tasks[t] = Task.Run(() =>
            {
                var work = new RangeSum { Length = length };
                for (int round = 0; round < 300; round++)
                {
                    Array.Clear(work.PartSums);
                    pool.Run(work, 3);
                    Assert.Equal((long)length * (length - 1) / 2, work.PartSums[0] + work.PartSums[1] + work.PartSums[2]);
                }
            });
        }
        await Task.WhenAll(tasks);
    }

    [Fact]
    public void ARunAllocatesNothing()
    {
        var pool = new WorkerPool();
        var work = new RangeSum { Length = 100 };
        pool.Run(work, 2);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++) pool.Run(work, 2);
        Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
    }

    [Fact]
    public void ThreadCountIsValidated()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Parallelism.ThreadCount = 0);
        Assert.Throws<ArgumentOutOfRangeException>(() => Parallelism.ThreadCount = Parallelism.MaxThreads + 1);
        Assert.InRange(Parallelism.ThreadCount, 1, Parallelism.MaxThreads);
    }
}

/// <summary>Split kernels give the same bits as one thread, on shapes that do not divide into tiles.</summary>
[Collection(ParallelismCollection.Name)]
public class ParallelKernelTests
{
    public static IEnumerable<object[]> Threads() => new[] { new object[] { 2 }, new object[] { 3 } };

    [Theory, MemberData(nameof(Threads))]
    public void GemmSplitIsBitIdentical(int threads)
    {
        var rng = new Random(threads);
        var shapes = new List<(int M, int N, int K)> { (64, 256, 784), (256, 784, 64), (7, 300, 33), (300, 7, 33), (1, 97, 5), (97, 1, 5), (33, 65, 257) };
        for (int t = 0; t < 6; t++) shapes.Add((rng.Next(1, 150), rng.Next(1, 150), rng.Next(1, 300)));
        foreach (var (m, n, k) in shapes)
            foreach (bool transA in new[] { false, true })
                foreach (bool transB in new[] { false, true })
                    foreach (float beta in new[] { 0f, 1f })
                    {
                        float[] a = Uniform(rng, m * k), b = Uniform(rng, k * n), c0 = Uniform(rng, m * n);
                        float[] serial = (float[])c0.Clone(), split = (float[])c0.Clone();
                        using (new ThreadScope(1)) Gemm.Multiply(serial, a, b, m, n, k, transA, transB, beta);
                        using (new ThreadScope(threads)) Gemm.Multiply(split, a, b, m, n, k, transA, transB, beta);
                        Assert.True(serial.AsSpan().SequenceEqual(split), $"{m}×{n}×{k} transA={transA} transB={transB} beta={beta}");
                    }
    }

    [Theory, MemberData(nameof(Threads))]
    public void ConvolutionSplitIsBitIdentical(int threads)
    {
        var shapes = new Conv2dShape[]
        {
            new(1, 28, 28, 6, 5, 5, 1, 1, 2, 2),    // LeNet C1: direct path, split by examples
            new(6, 14, 14, 16, 5, 5, 1, 1, 0, 0),   // LeNet C3
            new(3, 9, 11, 4, 3, 3, 2, 2, 1, 1),     // strided, padded: im2col
            new(7, 6, 5, 33, 3, 2, 2, 1, 1, 0),     // asymmetric
            new(3, 8, 8, 6, 1, 1, 1, 1, 0, 0),      // 1×1: no im2col
            new(5, 12, 40, 8, 5, 5, 1, 1, 2, 0),
            new(1, 35, 35, 8, 11, 11, 4, 4, 1, 1),
            new(5, 3, 2, 3, 2, 2, 1, 1, 1, 1),      // fewer output positions than threads·tiles
            new(20, 7, 7, 24, 3, 3, 1, 1, 1, 1),    // enough input channels to split the data gradient; 24 outputs: no channel vectors
        };
        var rng = new Random(10 + threads);
        const int batch = 5;
        foreach (Conv2dShape s in shapes)
        {
            float[] x = Uniform(rng, batch * s.InSize), w = Uniform(rng, s.WeightSize), bias = Uniform(rng, s.OutChannels);
            float[] dy = Uniform(rng, batch * s.OutSize), dw0 = Uniform(rng, s.WeightSize), db0 = Uniform(rng, s.OutChannels);
            foreach (Conv2dPath path in new[] { Conv2dPath.Auto, Conv2dPath.Im2Col, Conv2dPath.Direct256, Conv2dPath.Direct512, Conv2dPath.Channels })
            {
                float[] y1 = Run(1, () => { var y = new float[batch * s.OutSize]; Conv2d.Forward(y, x, w, bias, batch, s, Activation.Relu, new float[s.ScratchSize], path); return y; });
                float[] yN = Run(threads, () => { var y = new float[batch * s.OutSize]; Conv2d.Forward(y, x, w, bias, batch, s, Activation.Relu, new float[s.ScratchSize], path); return y; });
                Assert.True(y1.AsSpan().SequenceEqual(yN), $"forward {s} {path}");
            }
            float[] dx1 = Run(1, () => { var dx = Filled(batch * s.InSize, float.NaN); Conv2d.BackwardData(dx, dy, w, batch, s, new float[s.ScratchSize]); return dx; });
            float[] dxN = Run(threads, () => { var dx = Filled(batch * s.InSize, float.NaN); Conv2d.BackwardData(dx, dy, w, batch, s, new float[s.ScratchSize]); return dx; });
            Assert.True(dx1.AsSpan().SequenceEqual(dxN), $"backward data {s}");

            foreach (WeightsPath path in ConvTests.WeightPaths)
            {
                float[] grads1 = Run(1, () => Weights(s, dy, x, dw0, db0, path));
                float[] gradsN = Run(threads, () => Weights(s, dy, x, dw0, db0, path));
                Assert.True(grads1.AsSpan().SequenceEqual(gradsN), $"backward weights {s} {path}");
            }
        }
    }

    [Theory, MemberData(nameof(Threads))]
    public void PoolingSplitIsBitIdentical(int threads)
    {
        var rng = new Random(20 + threads);
        var shapes = new Pool2dShape[] { new(6, 28, 28, 2, 2, 2, 2, 0, 0), new(3, 9, 11, 3, 3, 2, 2, 1, 1), new(4, 7, 7, 3, 3, 1, 1, 1, 1) };
        const int batch = 7;
        foreach (Pool2dShape s in shapes)
        {
            float[] x = Uniform(rng, batch * s.InSize), dy = Uniform(rng, batch * s.OutSize);
            foreach (bool max in new[] { true, false })
            {
                float[] Forward() { var y = new float[batch * s.OutSize]; if (max) Pooling.MaxForward(y, x, batch, s); else Pooling.AvgForward(y, x, batch, s); return y; }
                float[] Backward() { var dx = Filled(batch * s.InSize, float.NaN); if (max) Pooling.MaxBackward(dx, dy, x, batch, s); else Pooling.AvgBackward(dx, dy, batch, s); return dx; }
                Assert.True(Run(1, Forward).AsSpan().SequenceEqual(Run(threads, Forward)), $"forward {s} max={max}");
                Assert.True(Run(1, Backward).AsSpan().SequenceEqual(Run(threads, Backward)), $"backward {s} max={max}");
            }
        }
    }

    [Theory, MemberData(nameof(Threads))]
    public void SgdSplitMatchesTheRuleOnEveryElement(int threads)
    {
        // Tensors past the split threshold (2^16 elements per part), with every role, across part boundaries.
        var tensors = new[]
        {
            new TensorInfo("a.weight", 0, [300, 500], TensorRole.Weight),
            new TensorInfo("a.bias", 150_000, [300], TensorRole.Bias),
            new TensorInfo("bn.running_mean", 150_300, [7], TensorRole.State),
            new TensorInfo("b.weight", 150_307, [77_777], TensorRole.Weight),
        };
        int n = 150_307 + 77_777;
        var rng = new Random(threads);
        float[] w0 = Uniform(rng, n), g = Uniform(rng, n), v0 = Uniform(rng, n);
        foreach (float momentum in new[] { 0f, 0.9f })
        {
            float[] w1 = (float[])w0.Clone(), v1 = (float[])v0.Clone(), wN = (float[])w0.Clone(), vN = (float[])v0.Clone();
            var sgd1 = new Sgd(0.1f, momentum, weightDecay: 0.01f);
            var sgdN = new Sgd(0.1f, momentum, weightDecay: 0.01f);
            using (new ThreadScope(1)) sgd1.Update(w1, g, v1, tensors);
            using (new ThreadScope(threads, minWorkPerPart: Gemm.MinWorkPerPart)) sgdN.Update(wN, g, vN, tensors);
            Assert.True(w1.AsSpan().SequenceEqual(wN) && v1.AsSpan().SequenceEqual(vN), $"momentum {momentum}");
            for (int i = 0; i < n; i++)
            {
                var role = i < 150_000 ? TensorRole.Weight : i < 150_300 ? TensorRole.Bias : i < 150_307 ? TensorRole.State : TensorRole.Weight;
                float decay = role == TensorRole.Weight ? 0.01f : 0f;
                float w = w0[i], v = v0[i];
                if (role == TensorRole.State)
                {
                    Assert.Equal(w, w1[i]);
                    continue;
                }
                if (momentum == 0f)
                {
                    w = w * (1f - 0.1f * decay) + g[i] * -0.1f;
                }
                else
                {
                    v = v * momentum + g[i] + w * decay;
                    w += v * -0.1f;
                    Assert.Equal(v, v1[i], 6);
                }
                Assert.Equal(w, w1[i], 6);
            }
        }
    }

    private static float[] Weights(Conv2dShape s, float[] dy, float[] x, float[] dw0, float[] db0, WeightsPath path)
    {
        float[] dw = (float[])dw0.Clone(), db = (float[])db0.Clone();
        Conv2d.BackwardWeights(dw, db, dy, x, dy.Length / s.OutSize, s, new float[s.ScratchSize], path);
        return [.. dw, .. db];
    }

    private static float[] Run(int threads, Func<float[]> body)
    {
        using var scope = new ThreadScope(threads);
        return body();
    }

    [Fact]
    public void SplitKernelsAllocateNothingAfterWarmUp()
    {
        using var scope = new ThreadScope(2);
        var rng = new Random(5);
        var s = new Conv2dShape(6, 14, 14, 16, 5, 5, 1, 1, 0, 0);
        const int batch = 8;
        float[] x = Uniform(rng, batch * s.InSize), w = Uniform(rng, s.WeightSize), y = new float[batch * s.OutSize];
        float[] dx = new float[batch * s.InSize], dw = new float[s.WeightSize], db = new float[s.OutChannels], scratch = new float[s.ScratchSize];
        float[] a = Uniform(rng, 64 * 784), b = Uniform(rng, 784 * 256), c = new float[64 * 256];

        void RunAll()
        {
            Conv2d.Forward(y, x, w, default, batch, s, Activation.Relu, scratch);
            Conv2d.BackwardData(dx, y, w, batch, s, scratch);
            Conv2d.BackwardWeights(dw, db, y, x, batch, s, scratch);
            Gemm.Multiply(c, a, b, 64, 256, 784);
        }

        RunAll();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 20; i++) RunAll();
        Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
        Assert.True(WorkerPool.Shared.WorkerCount >= 1);
    }
}
