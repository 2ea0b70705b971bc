using System;
using System.Globalization;
using DeepNotes.Models;

namespace DeepNotes.Gpu.Cli;

/// <summary>
/// <c>deepnotes-gpu check</c>: every shipped model's GPU plan against its CPU code on the device, the comparison
/// the GPU tests make on ILGPU's CPU accelerator (the same cases: small batches of the shipped digits or seeded
/// data), for a machine with a GPU and no .NET SDK. One line per model; exit 1 when any is off by more than 1e-4.
/// </summary>
internal static class CheckCommand
{
    public const double Tolerance = 1e-4;

    public static int Run(Options options)
    {
        string[] names = PlanCases.Names;
        if (options.Text("--models") is string list)
        {
            names = list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            foreach (string name in names)
                if (Array.IndexOf(PlanCases.Names, name) < 0)
                    throw new UsageException($"--models names '{name}': the models are {string.Join(", ", PlanCases.Names)}");
        }
        using GpuDevice device = options.OpenDevice();
        Console.WriteLine($"# device: {device.Name} ({device.Accelerator.AcceleratorType}); tolerance {Tolerance:g}");
        int failed = 0;
        foreach (string name in names)
        {
            using PlanCase c = PlanCases.Create(name, device);
            PlanReport r = PlanComparison.Compare(c);
            bool ok = r.Within(Tolerance);
            var worst = r.WorstGradient;
            if (!ok) failed++;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{(ok ? "ok  " : "FAIL")} {r.Model,-24} batch {c.Batch,2}  loss {r.CpuLoss,10:G6} (gpu {r.GpuLoss:G6}, rel {r.LossError:0.0e+0})  "
                + $"gradients rel {worst.Deviation.Relative:0.0e+0}{(worst.Tensor.Length > 0 ? $" ({worst.Tensor})" : "")}  predictions rel {r.Prediction.Relative:0.0e+0}  {r.Seconds:F1} s"));
        }
        Console.WriteLine($"{names.Length - failed} of {names.Length} models within {Tolerance:g}");
        return failed == 0 ? 0 : 1;
    }
}
