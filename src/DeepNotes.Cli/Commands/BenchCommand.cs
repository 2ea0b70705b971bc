using System.Diagnostics;
using System.Globalization;
using DeepNotes.Models;

namespace DeepNotes.Cli.Commands;

/// <summary>
/// <c>deepnotes bench</c>: times REFERENCE.md's workloads (<see cref="Workload.All"/>) and prints one JSON
/// line per workload: median milliseconds per training step and per Predict, GFLOP/s, the bytes the
/// timed steps allocated (process-wide) and the memory plan. For scripts; the BenchmarkDotNet suite in
/// benchmarks/ is the careful measurement.
/// </summary>
internal static class BenchCommand
{
    /// <summary>Seconds of warm-up per workload, and of timed steps when --steps is not given.</summary>
    private const double WarmUpSeconds = 0.5, TimedSeconds = 2.0;

    public static int Run(BenchOptions o, CliContext context)
    {
        if (o.Threads is { } threads) Parallelism.ThreadCount = threads;
        foreach (Workload workload in o.Workload is null ? Workload.All : [o.Workload])
        {
            IWorkloadRun run = workload.Start();
            int warm = 0;
            long start = Stopwatch.GetTimestamp();
            while (warm < 3 || Stopwatch.GetElapsedTime(start).TotalSeconds < WarmUpSeconds)
            {
                Check(run.TrainStep(), workload);
                run.Predict();
                warm++;
            }
            double perStep = Stopwatch.GetElapsedTime(start).TotalSeconds / warm;
            int steps = o.Steps ?? (int)Math.Clamp(TimedSeconds / perStep, 5, 1000);

            double[] train = new double[steps], predict = new double[steps];
            long allocated = GC.GetTotalAllocatedBytes(precise: true);
            float loss = 0f;
            for (int i = 0; i < steps; i++)
            {
                long t0 = Stopwatch.GetTimestamp();
                loss = run.TrainStep();
                long t1 = Stopwatch.GetTimestamp();
                run.Predict();
                long t2 = Stopwatch.GetTimestamp();
                train[i] = (t1 - t0) * 1000.0 / Stopwatch.Frequency;
                predict[i] = (t2 - t1) * 1000.0 / Stopwatch.Frequency;
            }
            allocated = GC.GetTotalAllocatedBytes(precise: true) - allocated;
            Check(loss, workload);

            double trainMs = Median(train), predictMs = Median(predict);
            MemoryReport memory = run.Model.Memory;
            context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{{\"workload\":\"{workload.Name}\",\"threads\":{Parallelism.ThreadCount},\"batch\":{workload.Batch},\"steps\":{steps},"
                + $"\"train_ms\":{trainMs:0.000},\"predict_ms\":{predictMs:0.000},"
                + $"\"train_gflops\":{workload.TrainFlops / trainMs / 1e6:0.0},\"predict_gflops\":{workload.PredictFlops / predictMs / 1e6:0.0},"
                + $"\"allocated_bytes\":{allocated},\"parameters\":{memory.ParameterCount},"
                + $"\"arena_bytes\":{memory.ArenaBytes(workload.Batch)},\"intermediate_bytes\":{memory.IntermediateBytes(workload.Batch)}}}"));
            context.Out.Flush();
        }
        return ExitCodes.Ok;
    }

    private static void Check(float loss, Workload workload)
    {
        if (!float.IsFinite(loss)) throw new CliException($"the {workload.Name} workload's loss is {loss}: the benchmark diverged");
    }

    private static double Median(double[] values)
    {
        Array.Sort(values);
        int n = values.Length;
        return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
    }
}
