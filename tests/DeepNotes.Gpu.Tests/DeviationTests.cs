using System.Linq;
using DeepNotes.Models;

namespace DeepNotes.Gpu.Tests;

/// <summary>The comparison rule the plan tests and `deepnotes-gpu check` share.</summary>
public sealed class DeviationTests
{
    [Fact]
    public void TheLargestDifferenceIsMeasuredAgainstTheLargestMagnitude()
    {
        Deviation d = Deviation.Of([1f, -4f, 2f], [1f, -4.001f, 2.002f]);
        Assert.Equal(2, d.Index);
        Assert.Equal(4.0, d.Scale);
        Assert.Equal(0.002 / 4, d.Relative, 1e-6);
        Assert.True(d.Within(1e-3));
        Assert.False(d.Within(1e-4));
    }

    [Fact]
    public void ANanOrInfinityOnTheGpuIsNeverWithinTolerance()
    {
        Assert.False(Deviation.Of([1f, 2f], [1f, float.NaN]).Within(1.0));
        Assert.False(Deviation.Of([1f, 2f], [float.PositiveInfinity, 2f]).Within(1.0));
        Assert.Throws<ArgumentException>(() => Deviation.Of([1f, 2f], [1f]));
    }

    [Fact]
    public void ATensorOfRoundingNoiseIsMeasuredAgainstAHundredthOfTheLargestGradient()
    {
        // Two tensors: weights with gradients near 1, a bias whose true gradient is 0 (noise of 1e-6 on each side).
        TensorInfo[] tensors = [new("W.weight", 0, [2], TensorRole.Weight), new("W.bias", 2, [2], TensorRole.Bias)];
        float[] cpu = [1f, -0.5f, 1e-6f, -1e-6f], gpu = [1f, -0.5f, -1e-6f, 1e-6f];
        var deviations = Deviation.OfTensors(tensors, cpu, gpu);
        Assert.Equal(["W.weight", "W.bias"], deviations.Select(d => d.Tensor));
        Assert.Equal(0.01, deviations[1].Deviation.Scale, 1e-9);      // not 1e-6: the noise is 2e-4 of the floor
        Assert.True(deviations[1].Deviation.Within(1e-3));
        Assert.False(deviations[1].Deviation.Within(1e-5));
    }

    [Fact]
    public void AReportIsWithinToleranceOnlyWhenEveryPartIs()
    {
        var good = Deviation.Of([1f], [1f]);
        var bad = Deviation.Of([1f], [1.1f]);
        PlanReport Report(double loss, Deviation gradient, Deviation prediction)
            => new("M", 1f, 1f, loss, [("a", good), ("b", gradient)], prediction, 0);
        Assert.True(Report(0, good, good).Within(1e-4));
        Assert.False(Report(1e-3, good, good).Within(1e-4));
        Assert.False(Report(0, bad, good).Within(1e-4));
        Assert.False(Report(0, good, bad).Within(1e-4));
        Assert.Equal("b", Report(0, bad, good).WorstGradient.Tensor);
    }
}
