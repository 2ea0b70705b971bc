namespace DeepNotes.Kernels;

/// <summary>Per-example matrix product C[b] = A[b]·B[b] for [n, k] x [k, m], and its gradients.</summary>
public static class BatchedMatMul
{
    public static void Forward(Span<float> c, ReadOnlySpan<float> a, ReadOnlySpan<float> b, int batch, int n, int k, int m)
    {
        for (int i = 0; i < batch; i++)
            Gemm.Multiply(c.Slice(i * n * m, n * m), a.Slice(i * n * k, n * k), b.Slice(i * k * m, k * m), n, m, k);
    }

    /// <summary>dA = dC·Bᵀ (overwrites).</summary>
    public static void BackwardA(Span<float> da, ReadOnlySpan<float> dc, ReadOnlySpan<float> b, int batch, int n, int k, int m)
    {
        for (int i = 0; i < batch; i++)
            Gemm.Multiply(da.Slice(i * n * k, n * k), dc.Slice(i * n * m, n * m), b.Slice(i * k * m, k * m), n, k, m, transB: true);
    }

    /// <summary>dB = Aᵀ·dC (overwrites).</summary>
    public static void BackwardB(Span<float> db, ReadOnlySpan<float> dc, ReadOnlySpan<float> a, int batch, int n, int k, int m)
    {
        for (int i = 0; i < batch; i++)
            Gemm.Multiply(db.Slice(i * k * m, k * m), a.Slice(i * n * k, n * k), dc.Slice(i * n * m, n * m), k, m, n, transA: true);
    }
}
