using System;
using System.Runtime.CompilerServices;
using DeepNotes.Kernels;
using ILGPU;
using ILGPU.Runtime;

namespace DeepNotes.Gpu.Kernels;

/// <summary>
/// The GPU twin of DeepNotes.Kernels.Dense: y[r, o] = act(Σ_i x[r, i]·W[o, i] + b[o]), W in PyTorch's
/// [out, in] layout. Forward is one GEMM (x·Wᵀ, cuBLAS on CUDA) and, when there is a bias or an
/// activation, one element-wise pass over y for them. Backward: dx = dy·W (overwrites),
/// dW (+)= dyᵀ·x and db (+)= Σ_r dy.
/// </summary>
public static class Dense
{
    private static readonly ElementKernel<ArrayView<float>, ArrayView<float>, int, int, Activation> s_epilogue = new(EpilogueKernel);

    public static void Forward(GpuDevice device, ArrayView<float> y, ArrayView<float> x, ArrayView<float> w, ArrayView<float> b,
                               int rows, int inFeatures, int outFeatures, Activation activation)
    {
        Check(rows, inFeatures, outFeatures);
        if ((uint)activation > (uint)Activation.Tanh) throw new ArgumentOutOfRangeException(nameof(activation));
        if (b.Length != 0) Operands.Require(b.Length, outFeatures, nameof(b));
        Operands.Require(y.Length, (long)rows * outFeatures, nameof(y));
        ArrayView<float> yy = y.SubView(0, (long)rows * outFeatures);
        Gemm.Multiply(device, yy, x, w, rows, outFeatures, inFeatures, transB: true);
        if (yy.Length == 0 || (b.Length == 0 && activation == Activation.None)) return;
        s_epilogue.Launch(device, yy.Length, yy, b, b.Length == 0 ? 0 : 1, outFeatures, activation);
    }

    /// <summary>dx = dy·W (overwrites dx).</summary>
    public static void BackwardData(GpuDevice device, ArrayView<float> dx, ArrayView<float> dy, ArrayView<float> w,
                                    int rows, int inFeatures, int outFeatures)
    {
        Check(rows, inFeatures, outFeatures);
        Gemm.Multiply(device, dx, dy, w, rows, inFeatures, outFeatures);
    }

    /// <summary>
    /// dW += dyᵀ·x and db += Σ_rows dy (db may be empty when the layer has no bias); with
    /// <paramref name="overwrite"/> the sums replace what dW and db held.
    /// </summary>
    public static void BackwardWeights(GpuDevice device, ArrayView<float> dw, ArrayView<float> db, ArrayView<float> dy, ArrayView<float> x,
                                       int rows, int inFeatures, int outFeatures, bool overwrite = false)
    {
        Check(rows, inFeatures, outFeatures);
        Operands.Require(dy.Length, (long)rows * outFeatures, nameof(dy));
        if (db.Length != 0) Operands.Require(db.Length, outFeatures, nameof(db));
        Gemm.Multiply(device, dw, dy, x, outFeatures, inFeatures, rows, transA: true, beta: overwrite ? 0f : 1f);
        if (db.Length != 0) BiasGradient.Sum(device, db, dy, outFeatures, 1, rows, overwrite);
    }

    private static void EpilogueKernel(int count, ArrayView<float> y, ArrayView<float> b, int hasBias, int outFeatures, Activation activation)
    {
        for (int i = Elements.First, step = Elements.Stride; i < count; i += step) EpilogueAt(i, y, b, hasBias, outFeatures, activation);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void EpilogueAt(int i, ArrayView<float> y, ArrayView<float> b, int hasBias, int outFeatures, Activation activation)
    {
        float v = y[i];
        if (hasBias != 0) v += b[i % outFeatures];
        y[i] = Gemm.Activate(activation, v);
    }

    private static void Check(int rows, int inFeatures, int outFeatures)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inFeatures);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outFeatures);
    }
}
