using System.Globalization;
using System.Reflection;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace DeepNotes.Benchmarks;

/// <summary>Floating-point operations (a multiply-add counts 2) done by one operation of the benchmark.</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class FlopsAttribute : Attribute
{
    public FlopsAttribute(double flops) => Flops = flops;

    public double Flops { get; }
}

/// <summary>GFLOP/s = flops per operation / mean time per operation, for benchmarks marked [Flops].</summary>
public sealed class GFlopsColumn : IColumn
{
    public string Id => nameof(GFlopsColumn);
    public string ColumnName => "GFLOP/s";
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Custom;
    public int PriorityInCategory => 0;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Dimensionless;
    public string Legend => "Billions of floating-point operations per second: [Flops] of the benchmark / Mean (a multiply-add is 2 flops)";

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        double? flops = benchmarkCase.Descriptor.WorkloadMethod.GetCustomAttribute<FlopsAttribute>()?.Flops ?? WorkloadFlops(benchmarkCase);
        double? meanNs = summary[benchmarkCase]?.ResultStatistics?.Mean;
        if (flops is null || meanNs is null || meanNs <= 0) return "-";
        return (flops.Value / meanNs.Value).ToString("F1", CultureInfo.InvariantCulture); // flops per ns = GFLOP/s
    }

    /// <summary>A <see cref="WorkloadBenchmark"/>'s flops come from its workload: 3× forward for a step, 1× for Predict.</summary>
    private static double? WorkloadFlops(BenchmarkCase benchmarkCase)
    {
        if (!typeof(WorkloadBenchmark).IsAssignableFrom(benchmarkCase.Descriptor.Type)) return null;
        var workload = ((WorkloadBenchmark)Activator.CreateInstance(benchmarkCase.Descriptor.Type)!).Workload;
        return benchmarkCase.Descriptor.WorkloadMethod.Name == nameof(WorkloadBenchmark.TrainStep) ? workload.TrainFlops : workload.PredictFlops;
    }

    public bool IsAvailable(Summary summary) => true;
    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    public override string ToString() => ColumnName;
}
