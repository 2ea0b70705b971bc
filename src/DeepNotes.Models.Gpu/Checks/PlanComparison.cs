using System;
using System.Collections.Generic;
using System.Diagnostics;

namespace DeepNotes.Models;

/// <summary>
/// The largest difference between a GPU result and the CPU's (<see cref="Difference"/>, at element <see cref="Index"/>)
/// and the magnitude it is measured against (<see cref="Scale"/>): the largest CPU magnitude, floored where the caller
/// says. Infinite where the GPU gave a NaN or an infinity.
/// </summary>
internal readonly record struct Deviation(double Difference, double Scale, int Index, float Expected, float Actual)
{
    /// <summary>An absolute allowance on top of the relative one, for values that are all but 0 (rounding noise of ~1e-8).</summary>
    public const double AbsoluteSlack = 1e-7;

    /// <summary>The difference over the scale (the difference itself where the scale is 0).</summary>
    public double Relative => Scale > 0 ? Difference / Scale : Difference;

    /// <summary>Whether the difference is within <paramref name="tolerance"/> of the scale, plus <see cref="AbsoluteSlack"/>.</summary>
    public bool Within(double tolerance) => Difference <= tolerance * Scale + AbsoluteSlack;

    /// <summary>
    /// max |actual − expected| over max(floor, max |expected|). Both spans have the same length (a shorter actual is
    /// an error of the caller).
    /// </summary>
    public static Deviation Of(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, float floor = 0f)
    {
        if (actual.Length != expected.Length)
            throw new ArgumentException($"{actual.Length} values to compare with {expected.Length}", nameof(actual));
        float scale = floor;
        foreach (float v in expected) scale = Math.Max(scale, Math.Abs(v));
        var worst = new Deviation(0, scale, -1, 0f, 0f);
        for (int i = 0; i < expected.Length; i++)
        {
            if (!float.IsFinite(actual[i])) return new Deviation(double.PositiveInfinity, scale, i, expected[i], actual[i]);
            double difference = Math.Abs((double)actual[i] - expected[i]);
            if (difference > worst.Difference) worst = new Deviation(difference, scale, i, expected[i], actual[i]);
        }
        return worst;
    }

    /// <summary>
    /// Each tensor of a parameter-shaped vector (gradients, parameters) against the CPU's, each over its own largest
    /// magnitude floored at a hundredth of the whole vector's largest: a tensor whose true gradient is 0 (a Linear bias
    /// before a batch norm) holds only rounding noise, which a different summation order changes entirely.
    /// </summary>
    public static List<(string Tensor, Deviation Deviation)> OfTensors(ReadOnlySpan<TensorInfo> tensors, ReadOnlySpan<float> expected, ReadOnlySpan<float> actual)
    {
        if (actual.Length != expected.Length)
            throw new ArgumentException($"{actual.Length} values to compare with {expected.Length}", nameof(actual));
        float largest = 0f;
        foreach (float v in expected) largest = Math.Max(largest, Math.Abs(v));
        var result = new List<(string, Deviation)>(tensors.Length);
        foreach (TensorInfo t in tensors)
        {
            int length = 1;
            foreach (int d in t.Shape) length *= d;
            result.Add((t.Name, Of(expected.Slice(t.Offset, length), actual.Slice(t.Offset, length), 0.01f * largest)));
        }
        return result;
    }
}

/// <summary>How far a GPU plan's loss, gradients and predictions are from its CPU code's on one batch.</summary>
/// <param name="LossError">|GPU − CPU| / |CPU| of the loss after one backward (infinite for a GPU loss that is not finite).</param>
/// <param name="Gradients">Each tensor's gradient (<see cref="Deviation.OfTensors"/>).</param>
/// <param name="Prediction">The outputs, over the largest CPU output.</param>
internal sealed record PlanReport(string Model, float CpuLoss, float GpuLoss, double LossError, List<(string Tensor, Deviation Deviation)> Gradients,
                                  Deviation Prediction, double Seconds)
{
    /// <summary>The gradient tensor furthest from the CPU's, relative to its scale ("" for a model without parameters).</summary>
    public (string Tensor, Deviation Deviation) WorstGradient
    {
        get
        {
            (string, Deviation) worst = ("", default);
            foreach (var g in Gradients)
                if (g.Deviation.Relative > worst.Item2.Relative || double.IsNaN(g.Deviation.Relative)) worst = g;
            return worst;
        }
    }

    /// <summary>The loss, every gradient tensor and the predictions within <paramref name="tolerance"/> (each as <see cref="Deviation.Within"/>).</summary>
    public bool Within(double tolerance)
    {
        if (!(LossError <= tolerance)) return false;
        foreach (var g in Gradients) if (!g.Deviation.Within(tolerance)) return false;
        return Prediction.Within(tolerance);
    }
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
        var gradients = Deviation.OfTensors(c.Cpu.Tensors, c.Cpu.Gradients, gpu);

        var expected = new float[c.Batch * c.OutputLength];
        var actual = new float[expected.Length];
        c.CpuPredict(expected);
        c.GpuPredict(actual);
        return new PlanReport(c.Name, cpuLoss, gpuLoss, LossError(cpuLoss, gpuLoss), gradients, Deviation.Of(expected, actual),
                              Stopwatch.GetElapsedTime(start).TotalSeconds);
    }

    /// <summary>|GPU − CPU| / |CPU|, infinite for a GPU loss that is not finite.</summary>
    public static double LossError(float cpu, float gpu)
        => float.IsFinite(gpu) ? Math.Abs((double)gpu - cpu) / Math.Max(Math.Abs(cpu), 1e-30f) : double.PositiveInfinity;
}
