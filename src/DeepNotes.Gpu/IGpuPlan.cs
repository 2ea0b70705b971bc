using System;

namespace DeepNotes.Gpu;

/// <summary>
/// What every generated GPU plan (a model's nested <c>GpuPlan</c>, docs/generated-api.md) offers, whatever its
/// inputs: the parameters and gradients on the device, the step count and the last loss. Plans of models with
/// one float input are also <see cref="IGpuClassifier"/> or <see cref="IGpuRegressor"/>.
/// </summary>
public interface IGpuPlan : IDisposable
{
    /// <summary>The device the plan's buffer and kernels live on.</summary>
    GpuDevice Device { get; }
    /// <summary>The largest batch the device buffer was sized for.</summary>
    int MaxBatch { get; }
    /// <summary>Training steps taken; dropout masks are a function of (seed, step), as on the CPU.</summary>
    long Step { get; set; }
    /// <summary>Uploads every parameter (the CPU model's <c>Parameters</c> layout).</summary>
    void CopyParametersFrom(ReadOnlySpan<float> source);
    /// <summary>Waits for the device and downloads the parameters.</summary>
    void CopyParametersTo(Span<float> destination);
    /// <summary>Waits for the device and downloads the gradients of the last backward.</summary>
    void CopyGradientsTo(Span<float> destination);
    /// <summary>Waits for the device and reads the loss of the last forward.</summary>
    float ReadLoss();
}

/// <summary>A GPU plan of a model with one float input and integer class labels.</summary>
public interface IGpuClassifier : IGpuPlan
{
    void Predict(ReadOnlySpan<float> input, Span<float> output, int batch);
    void TrainStep(ReadOnlySpan<float> input, ReadOnlySpan<int> labels, int batch, Sgd optimizer);
    void ComputeGradients(ReadOnlySpan<float> input, ReadOnlySpan<int> labels, int batch);
    void ComputeLoss(ReadOnlySpan<float> input, ReadOnlySpan<int> labels, int batch);
}

/// <summary>A GPU plan of a model with one float input and real-valued targets.</summary>
public interface IGpuRegressor : IGpuPlan
{
    void Predict(ReadOnlySpan<float> input, Span<float> output, int batch);
    void TrainStep(ReadOnlySpan<float> input, ReadOnlySpan<float> targets, int batch, Sgd optimizer);
    void ComputeGradients(ReadOnlySpan<float> input, ReadOnlySpan<float> targets, int batch);
    void ComputeLoss(ReadOnlySpan<float> input, ReadOnlySpan<float> targets, int batch);
}
