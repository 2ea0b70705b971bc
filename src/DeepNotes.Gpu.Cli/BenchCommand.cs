using System;
using System.Diagnostics;
using System.Globalization;
using DeepNotes.Models;

namespace DeepNotes.Gpu.Cli;

/// <summary>
/// <c>deepnotes-gpu bench</c>: each workload's GPU plan timed on the device at the book's batch size (LeNet 256,
/// AlexNet 128; the MLP 256, attention REFERENCE.md's 32), and the same model's CPU code at the same batch beside
/// it. Steps cycle through a few batches of seeded uniform inputs and random labels (targets for attention); each
/// GPU step copies its batch from the host, as training from host memory does. A GPU step is timed from launch to
/// the device being idle: warm-up steps, then <c>--steps</c> steps, then one synchronising loss read.
/// </summary>
internal static class BenchCommand
{
    private const int Batches = 4;
    private const ulong Seed = 42;

    /// <summary>The workloads the device runs, with the batch each is timed at by default.</summary>
    private static readonly (string Name, int Batch)[] s_workloads = [("mlp", 256), ("lenet", 256), ("alexnet", 128), ("attention", 32)];

    public static int Run(Options options)
    {
        string? only = options.Text("--workload");
        if (only is not null && Array.FindIndex(s_workloads, w => w.Name == only) < 0)
            throw new UsageException($"--workload is '{only}': expected mlp, lenet, alexnet or attention");
        int steps = options.Int("--steps", 20);
        using GpuDevice device = options.OpenDevice();
        Console.WriteLine($"# device: {device.Name} ({device.Accelerator.AcceleratorType}); CPU: {Parallelism.ThreadCount} threads");
        bool first = true;
        foreach ((string name, int defaultBatch) in s_workloads)
        {
            if (only is not null && only != name) continue;
            Workload workload = Workload.Find(name)!;
            int batch = options.Int("--batch", defaultBatch);
            int cpuSteps = options.Int("--cpu-steps", name == "alexnet" ? 2 : 10);
            var data = new BenchData(Create(name, batch), batch);
            double gpuMs;
            using (IGpuPlan plan = CreatePlan(name, device, batch))
            {
                gpuMs = Time(() => data.Step(plan), () => plan.ReadLoss(), steps);
            }
            double cpuMs = Time(() => data.Step(), () => { }, cpuSteps);
            if (first) Console.WriteLine($"# GEMM: {device.GemmPath}{(device.IsCuda && device.CuBlasUnavailable is not null ? $" ({device.CuBlasUnavailable})" : "")}");
            first = false;
            double flops = 2.0 * 3 * workload.ForwardMultiplyAdds * batch;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{{\"workload\":\"{name}\",\"batch\":{batch},\"device\":\"{Escape(device.Name)}\",\"gpu_ms_per_step\":{gpuMs:F3},\"gpu_examples_per_s\":{batch * 1000 / gpuMs:F0},"
                + $"\"gpu_gflops\":{flops / gpuMs / 1e6:F1},\"cpu_ms_per_step\":{cpuMs:F3},\"cpu_examples_per_s\":{batch * 1000 / cpuMs:F0},\"cpu_threads\":{Parallelism.ThreadCount}}}"));
        }
        return 0;
    }

    private static string Escape(string s) => s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal);

    /// <summary>Median-free mean ms per step: three warm-up steps, a sync, <paramref name="steps"/> steps, a sync.</summary>
    private static double Time(Action step, Action sync, int steps)
    {
        for (int i = 0; i < 3; i++) step();
        sync();
        long start = Stopwatch.GetTimestamp();
        for (int i = 0; i < steps; i++) step();
        sync();
        return Stopwatch.GetElapsedTime(start).TotalMilliseconds / steps;
    }

    internal static IModel Create(string name, int batch) => name switch
    {
        "mlp" => Mlp256x128.Create(batch, Seed),
        "lenet" => LeNet5.Create(batch, Seed),
        "alexnet" => AlexNet.Create(batch, Seed),
        "attention" => SelfAttention.Create(batch, Seed),
        _ => throw new UsageException($"no workload '{name}'"),
    };

    internal static IGpuPlan CreatePlan(string name, GpuDevice device, int batch) => name switch
    {
        "mlp" => Mlp256x128.GpuPlan.Create(device, batch, Seed),
        "lenet" => LeNet5.GpuPlan.Create(device, batch, Seed),
        "alexnet" => AlexNet.GpuPlan.Create(device, batch, Seed),
        "attention" => SelfAttention.GpuPlan.Create(device, batch, Seed),
        _ => throw new UsageException($"no workload '{name}'"),
    };

    /// <summary>A few batches of seeded data for one model, cycled by both the CPU and the GPU steps.</summary>
    private sealed class BenchData
    {
        private readonly IModel _cpu;
        private readonly int _batch;
        private readonly float[] _inputs;
        private readonly int[] _labels;
        private readonly float[] _targets;
        private Sgd _sgd = new(0.01f, momentum: 0.9f);
        private int _next;

        public BenchData(IModel cpu, int batch)
        {
            _cpu = cpu;
            _batch = batch;
            _inputs = new float[Batches * batch * cpu.InputLength];
            for (int i = 0; i < _inputs.Length; i++) _inputs[i] = CounterRng.Uniform(Seed, 1, (ulong)i);
            _labels = new int[Batches * batch];
            for (int i = 0; i < _labels.Length; i++) _labels[i] = CounterRng.NextInt(Seed, 2, (ulong)i, cpu.OutputLength);
            _targets = cpu is IRegressor r ? new float[Batches * batch * r.TargetLength] : [];
            for (int i = 0; i < _targets.Length; i++) _targets[i] = CounterRng.Uniform(Seed, 3, (ulong)i);
        }

        private int NextBatch() { int i = _next; _next = (i + 1) % Batches; return i; }

        private ReadOnlySpan<float> Input(int i) => _inputs.AsSpan(i * _batch * _cpu.InputLength, _batch * _cpu.InputLength);

        /// <summary>One CPU training step.</summary>
        public void Step()
        {
            int i = NextBatch();
            if (_cpu is IRegressor r) r.TrainStep(Input(i), _targets.AsSpan(i * _batch * r.TargetLength, _batch * r.TargetLength), _batch, ref _sgd);
            else ((IClassifier)_cpu).TrainStep(Input(i), _labels.AsSpan(i * _batch, _batch), _batch, ref _sgd);
        }

        /// <summary>One GPU training step (launched, not waited for).</summary>
        public void Step(IGpuPlan plan)
        {
            int i = NextBatch();
            if (plan is IGpuRegressor r) r.TrainStep(Input(i), _targets.AsSpan(i * _batch * ((IRegressor)_cpu).TargetLength, _batch * ((IRegressor)_cpu).TargetLength), _batch, _sgd);
            else ((IGpuClassifier)plan).TrainStep(Input(i), _labels.AsSpan(i * _batch, _batch), _batch, _sgd);
        }
    }
}
