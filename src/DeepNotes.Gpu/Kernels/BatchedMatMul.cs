using System;
using DeepNotes.Kernels;
using System.Runtime.CompilerServices;
using ILGPU;
using ILGPU.Runtime;

namespace DeepNotes.Gpu.Kernels;

/// <summary>
/// The GPU twin of DeepNotes.Kernels.BatchedMatMul: per-example C[b] = A[b]·B[b] for [n, k] × [k, m]
/// (or A·Bᵀ with B stored [m, k] under <c>transposeB</c>), and its gradients, each one strided batched
/// <see cref="Gemm"/> (all examples in one launch of the device's ILGPU GEMM kernel; cuBLAS per example on
/// CUDA for large products).
/// </summary>
public static class BatchedMatMul
{
    private static readonly ElementKernel<ArrayView<float>, ArrayView<float>, int, int> s_transpose = new(TransposeKernel);

    /// <summary>C = A·B, or A·Bᵀ with <paramref name="transposeB"/> (B stored [m, k]). Overwrites C.</summary>
    public static void Forward(GpuDevice device, ArrayView<float> c, ArrayView<float> a, ArrayView<float> b, int batch, int n, int k, int m, bool transposeB = false)
    {
        Check(batch, n, k, m);
        Gemm.MultiplyBatched(device, c, a, b, batch, n, m, k, n * m, n * k, k * m, transB: transposeB);
    }

    /// <summary>dA = dC·Bᵀ, or dC·B with <paramref name="transposeB"/> (overwrites).</summary>
    public static void BackwardA(GpuDevice device, ArrayView<float> da, ArrayView<float> dc, ArrayView<float> b, int batch, int n, int k, int m, bool transposeB = false)
    {
        Check(batch, n, k, m);
        Gemm.MultiplyBatched(device, da, dc, b, batch, n, k, m, n * k, n * m, k * m, transB: !transposeB);
    }

    /// <summary>dB = Aᵀ·dC, or dCᵀ·A ([m, k]) with <paramref name="transposeB"/> (overwrites).</summary>
    public static void BackwardB(GpuDevice device, ArrayView<float> db, ArrayView<float> dc, ArrayView<float> a, int batch, int n, int k, int m, bool transposeB = false)
    {
        Check(batch, n, k, m);
        if (transposeB) Gemm.MultiplyBatched(device, db, dc, a, batch, m, k, n, k * m, n * m, n * k, transA: true);
        else Gemm.MultiplyBatched(device, db, a, dc, batch, k, m, n, k * m, n * k, n * m, transA: true);
    }

    /// <summary>Y[b] = X[b]ᵀ for per-example matrices X [rows, cols]; its own backward with rows and cols swapped.</summary>
    public static void Transpose(GpuDevice device, ArrayView<float> y, ArrayView<float> x, int batch, int rows, int cols)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(batch);
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(cols);
        long total = (long)batch * rows * cols;
        Operands.Require(x.Length, total, nameof(x));
        Operands.Require(y.Length, total, nameof(y));
        if (total == 0) return;
        s_transpose.Launch(device, total, y, x, rows, cols);
    }

    // One thread per output element, so the writes are consecutive.
    private static void TransposeKernel(int count, ArrayView<float> y, ArrayView<float> x, int rows, int cols)
    {
        for (int i = Elements.First, step = Elements.Stride; i < count; i += step) TransposeAt(i, y, x, rows, cols);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void TransposeAt(int i, ArrayView<float> y, ArrayView<float> x, int rows, int cols)
    {
        int size = rows * cols, e = i % size, c = e / rows, r = e - c * rows;
        y[i] = x[i - e + r * cols + c];
    }

    private static void Check(int batch, int n, int k, int m)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(batch);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(n);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(m);
    }
}
