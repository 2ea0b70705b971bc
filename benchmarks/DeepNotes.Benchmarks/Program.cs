using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Running;

namespace DeepNotes.Benchmarks;

/// <summary>
/// Entry point: <c>dotnet run -c Release --project benchmarks/DeepNotes.Benchmarks -- --filter '*MlpBenchmarks*' --job short</c>.
/// Every run gets the GFLOP/s column (benchmarks marked with <see cref="FlopsAttribute"/>).
/// </summary>
public static class Program
{
    public static void Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "--alloc-check")
        {
            AllocationCheck.Run(args.Length > 1 ? args[1] : "");
            return;
        }
        IConfig config = DefaultConfig.Instance.AddColumn(new GFlopsColumn());
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, config);
    }
}
