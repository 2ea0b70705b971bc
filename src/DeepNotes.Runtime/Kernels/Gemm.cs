using System.Numerics.Tensors;

namespace DeepNotes.Kernels;

/// <summary>Row-major SGEMM: C = op(A)·op(B) + beta·C. (Interim version; the packed kernel replaces it.)</summary>
public static class Gemm
{
    public static void Multiply(Span<float> c, ReadOnlySpan<float> a, ReadOnlySpan<float> b, int m, int n, int k,
                                bool transA = false, bool transB = false, float beta = 0f)
    {
        for (int i = 0; i < m; i++)
        {
            Span<float> ci = c.Slice(i * n, n);
            if (beta == 0f) ci.Clear(); else if (beta != 1f) TensorPrimitives.Multiply(ci, beta, ci);
            for (int p = 0; p < k; p++)
            {
                float aip = transA ? a[p * m + i] : a[i * k + p];
                if (aip == 0f) continue;
                if (!transB) TensorPrimitives.MultiplyAdd(b.Slice(p * n, n), aip, ci, ci);
                else for (int j = 0; j < n; j++) ci[j] += aip * b[j * k + p];
            }
        }
    }

    public static void AddBias(Span<float> c, ReadOnlySpan<float> bias, int m, int n)
    {
        for (int i = 0; i < m; i++) TensorPrimitives.Add(c.Slice(i * n, n), bias[..n], c.Slice(i * n, n));
    }

    public static void BiasGradient(Span<float> gradBias, ReadOnlySpan<float> gradOut, int m, int n)
    {
        for (int i = 0; i < m; i++) TensorPrimitives.Add(gradBias[..n], gradOut.Slice(i * n, n), gradBias[..n]);
    }
}
