using System;
using System.Diagnostics;

namespace DeepNotes.Models;

/// <summary>How far a GPU plan's loss, gradients and predictions are from its CPU code's on one batch.</summary>
/// <param name="LossError">|GPU − CPU| / |CPU| of the loss after one backward.</param>
/// <param name="GradientError">The largest |GPU − CPU| of a gradient over its tensor's largest CPU magnitude (never below
/// a hundredth of the model's largest: a tensor whose true gradient is 0 holds only rounding noise).</param>
/// <param name="PredictionError">The largest |GPU − CPU| of an output over the largest CPU output.</param>
internal readonly record struct PlanReport(string Model, float CpuLoss, float GpuLoss, double LossError, double GradientError, string WorstTensor,
                                           double PredictionError, double Seconds)
{
    public bool Within(double tolerance) => LossError <= tolerance && GradientError <= tolerance && PredictionError <= tolerance;
}

/// <summary>One ComputeGradients and one Predict on both sides of a <see cref="PlanCase"/>, measured, not asserted.</summary>
internal static class PlanComparison
{
    public static PlanReport Compare(PlanCase c)
    {
        long start = Stopwatch.GetTimestamp();
        float cpuLoss = c.CpuComputeGradients();
        c.GpuComputeGradients();
        float gpuLoss = c.Gpu.ReadLoss();
        var gpu = new float[c.Cpu.Gradients.Length];
        c.Gpu.CopyGradientsTo(gpu);

        ReadOnlySpan<float> cpu = c.Cpu.Gradients;
        float largest = 0f;
        foreach (float v in cpu) largest = Math.Max(largest, Math.Abs(v));
        double worst = 0;
        string worstTensor = "";
        foreach (TensorInfo t in c.Cpu.Tensors)
        {
            int length = 1;
            foreach (int d in t.Shape) length *= d;
            double error = Error(cpu.Slice(t.Offset, length), gpu.AsSpan(t.Offset, length), 0.01f * largest);
            if (error > worst || double.IsNaN(error)) { worst = error; worstTensor = t.Name; }
        }

        var expected = new float[c.Batch * c.OutputLength];
        var actual = new float[expected.Length];
        c.CpuPredict(expected);
        c.GpuPredict(actual);
        double lossError = Math.Abs(gpuLoss - cpuLoss) / Math.Max(Math.Abs(cpuLoss), 1e-30f);
        return new PlanReport(c.Name, cpuLoss, gpuLoss, float.IsFinite(gpuLoss) ? lossError : double.PositiveInfinity, worst, worstTensor,
                              Error(expected, actual, 0f), Stopwatch.GetElapsedTime(start).TotalSeconds);
    }

    /// <summary>max |actual − expected| / max(floor, max |expected|); infinite where the GPU gave a NaN or an infinity.</summary>
    private static double Error(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, float floor)
    {
        float scale = floor;
        foreach (float v in expected) scale = Math.Max(scale, Math.Abs(v));
        double worst = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            if (!float.IsFinite(actual[i])) return double.PositiveInfinity;
            worst = Math.Max(worst, Math.Abs(actual[i] - expected[i]));
        }
        return scale > 0f ? worst / scale : worst;
    }
}
