using System;
using System.Collections.Generic;
using System.Globalization;

namespace DeepNotes.Gpu.Cli;

/// <summary>A bad command line or input: printed as one line, exit code 2.</summary>
internal sealed class UsageException(string message) : Exception(message);

/// <summary>
/// <c>deepnotes-gpu</c>: trains and times the shipped models' generated GPU plans (DeepNotes.Models.Gpu).
/// <c>info</c> names the device; <c>check</c> compares every plan with its CPU code; <c>bench</c> times the
/// benchmark workloads on the device with the CPU beside them; <c>train</c> trains a model on the shipped digits.
/// </summary>
internal static class Program
{
    public const string Usage = """
        usage: deepnotes-gpu <command> [options]
          info                                 the device ILGPU opens
          check [--models A,B,...]             every model's GPU plan against its CPU code (loss and gradients
                                               after one backward, to 1e-4); exit 1 on a mismatch
          bench [--workload NAME] [--batch N] [--steps N] [--cpu-steps N]
                                               ms per training step and examples/s on the device, the CPU beside
                                               (workloads: mlp, lenet, alexnet, attention; default all)
          train mlp|lenet [--epochs N] [--batch N] [--lr X] [--seed N]
                                               mini-batch SGD on the shipped digits, on the device
        options for every command:
          --device auto|cpu|cuda               auto (the default, or DEEPNOTES_GPU): CUDA when present, else
                                               ILGPU's CPU accelerator
          --gemm auto|tiled|direct             the ILGPU GEMM kernel (the default, or DEEPNOTES_GEMM): tiled on a
                                               GPU, direct (barrier-free) on the CPU accelerator
        """;

    public static int Main(string[] args)
    {
        try
        {
            return Run(args);
        }
        catch (UsageException e)
        {
            Console.Error.WriteLine($"deepnotes-gpu: {e.Message}");
            return 2;
        }
    }

    internal static int Run(string[] args)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            Console.WriteLine(Usage);
            return args.Length == 0 ? 2 : 0;
        }
        var options = Options.Parse(args);
        switch (options.Command)
        {
            case "info":
            {
                using GpuDevice device = options.OpenDevice();
                Console.WriteLine($"device: {device.Name} ({device.Accelerator.AcceleratorType}), {device.Accelerator.MemorySize / (1 << 20)} MiB, "
                    + $"groups of up to {device.Accelerator.MaxNumThreadsPerGroup} threads, warp {device.Accelerator.WarpSize}");
                Console.WriteLine($"GEMM: {device.GemmPath}{(device.IsCuda && device.CuBlasUnavailable is not null ? $" ({device.CuBlasUnavailable})" : "")}");
                return 0;
            }
            case "check":
                return CheckCommand.Run(options);
            case "bench":
                return BenchCommand.Run(options);
            case "train":
                return TrainCommand.Run(options);
            default:
                throw new UsageException($"unknown command '{options.Command}' (info, check, bench or train)");
        }
    }
}

/// <summary>The parsed command line: the command, one positional argument at most, and --name value options.</summary>
internal sealed class Options
{
    private static readonly HashSet<string> s_known = ["--device", "--gemm", "--models", "--workload", "--batch", "--steps", "--cpu-steps", "--epochs", "--lr", "--seed"];
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);

    private Options(string command) { Command = command; }

    public string Command { get; }
    public string? Argument { get; private set; }

    public static Options Parse(string[] args)
    {
        var options = new Options(args[0]);
        for (int i = 1; i < args.Length; i++)
        {
            string a = args[i];
            if (a.StartsWith("--", StringComparison.Ordinal))
            {
                if (!s_known.Contains(a)) throw new UsageException($"unknown option '{a}'");
                if (i + 1 >= args.Length) throw new UsageException($"{a} needs a value");
                if (!options._values.TryAdd(a, args[++i])) throw new UsageException($"{a} is given twice");
            }
            else if (options.Argument is null) options.Argument = a;
            else throw new UsageException($"unexpected argument '{a}'");
        }
        return options;
    }

    public string? Text(string name) => _values.TryGetValue(name, out string? v) ? v : null;

    public int Int(string name, int fallback, int min = 1)
    {
        if (!_values.TryGetValue(name, out string? v)) return fallback;
        if (!int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) || n < min)
            throw new UsageException($"{name} is '{v}': expected a whole number >= {min}");
        return n;
    }

    public float Float(string name, float fallback)
    {
        if (!_values.TryGetValue(name, out string? v)) return fallback;
        if (!float.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out float x) || !(x > 0f) || !float.IsFinite(x))
            throw new UsageException($"{name} is '{v}': expected a positive number");
        return x;
    }

    public GpuDevice OpenDevice()
    {
        GpuKind kind = Text("--device") switch
        {
            null or "auto" => GpuKind.Auto,
            "cpu" => GpuKind.Cpu,
            "cuda" => GpuKind.Cuda,
            string other => throw new UsageException($"--device is '{other}': expected auto, cpu or cuda"),
        };
        GemmKernel? gemm = Text("--gemm") switch
        {
            null or "auto" => null,
            "tiled" => GemmKernel.Tiled,
            "direct" => GemmKernel.Direct,
            string other => throw new UsageException($"--gemm is '{other}': expected auto, tiled or direct"),
        };
        try { return GpuDevice.Open(kind, gemm); }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException) { throw new UsageException(e.Message); }
    }
}
