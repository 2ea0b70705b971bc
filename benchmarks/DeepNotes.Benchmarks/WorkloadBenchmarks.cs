using BenchmarkDotNet.Attributes;
using DeepNotes.Models;

namespace DeepNotes.Benchmarks;

/// <summary>
/// REFERENCE.md's fixed workloads (<see cref="Workload.All"/>, the same ones <c>deepnotes bench</c> times):
/// a training step (forward, cross-entropy or MSE, backward, SGD lr 0.01 momentum 0.9) and a Predict, at 1 and 2
/// threads, on seeded random data cycled over <see cref="WorkloadRun.Batches"/> batches. The GFLOP/s column
/// counts 3× the forward multiply-adds for a step (REFERENCE.md's convention), 1× for Predict.
/// </summary>
public abstract class WorkloadBenchmark
{
    private IWorkloadRun _run = null!;
    private int _savedThreads;
    private float _lastLoss = float.NaN;

    [Params(1, 2)]
    public int Threads { get; set; }

    /// <summary>The <see cref="Workload.Name"/> this class measures.</summary>
    public abstract string WorkloadName { get; }

    public Workload Workload => Workload.Find(WorkloadName) ?? throw new InvalidOperationException($"no workload '{WorkloadName}'");

    [GlobalSetup]
    public void Setup()
    {
        _savedThreads = Parallelism.ThreadCount;
        Parallelism.ThreadCount = Threads;
        _run = Workload.Start();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        Parallelism.ThreadCount = _savedThreads;
        MemoryReport m = _run.Model.Memory;
        Console.WriteLine($"// {WorkloadName}: {_run.Model.Step} steps, last loss {_lastLoss:G4}; arena {m.ArenaBytes(Workload.Batch):N0} B, "
            + $"every intermediate kept {m.IntermediateBytes(Workload.Batch):N0} B");
    }

    [Benchmark]
    public float TrainStep() => _lastLoss = _run.TrainStep();

    [Benchmark]
    public float Predict() => _run.Predict();
}

/// <summary>784-256-128-10 MLP, batch 64 (libtorch: 1.01 / 1.00 ms train, 0.35 / 0.24 ms inference at 1 / 2 threads).</summary>
[MemoryDiagnoser]
public class MlpWorkload : WorkloadBenchmark
{
    public override string WorkloadName => "mlp";
}

/// <summary>LeNet-5 (ReLU, max pooling), batch 64 (libtorch: 5.38 / 4.00 ms train, 3.01 / 1.77 ms inference).</summary>
[MemoryDiagnoser]
public class LeNetWorkload : WorkloadBenchmark
{
    public override string WorkloadName => "lenet";
}

/// <summary>Skip-gram, 10,000 × 100 tables, 1,024 pairs × 5 noise words (libtorch, dense gradients: 4.9 / 3.6 ms train, 0.63 / 0.44 ms inference).</summary>
[MemoryDiagnoser]
public class SkipGramWorkload : WorkloadBenchmark
{
    public override string WorkloadName => "skipgram";
}

/// <summary>d2l AlexNet on 1×224×224, batch 8 (libtorch: 367 / 222 ms train, 120 / 72 ms inference).</summary>
[MemoryDiagnoser]
public class AlexNetWorkload : WorkloadBenchmark
{
    public override string WorkloadName => "alexnet";
}

/// <summary>Single-head self-attention, 64×128 sequences, batch 32 (libtorch: 11.0 / 6.6 ms train, 4.1 / 2.3 ms inference).</summary>
[MemoryDiagnoser]
public class AttentionWorkload : WorkloadBenchmark
{
    public override string WorkloadName => "attention";
}
