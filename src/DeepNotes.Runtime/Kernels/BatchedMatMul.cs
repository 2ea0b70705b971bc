using System.Numerics.Tensors;

namespace DeepNotes.Kernels;

/// <summary>
/// Per-example matrix product C[b] = A[b]·B[b] for [n, k] x [k, m], and its gradients. A vector
/// operand is the same memory as a one-row or one-column matrix ([k] ≡ [1, k] on the left, [k, 1] on
/// the right), so NumPy's matrix-vector products need nothing else.
/// Small products (word2vec's [6, 100]·[100] per example, a tiny attention) go through dot products
/// and axpys over contiguous rows instead of <see cref="Gemm"/>, whose packing would cost more than the
/// arithmetic; larger ones use <see cref="Gemm"/>.
/// </summary>
public static class BatchedMatMul
{
    /// <summary>Products with at most this many multiply-adds, or a vector operand, skip GEMM's packing.</summary>
    private const long SmallProduct = 4096;

    private static bool IsSmall(int n, int k, int m) => n == 1 || m == 1 || (long)n * k * m <= SmallProduct;

    public static void Forward(Span<float> c, ReadOnlySpan<float> a, ReadOnlySpan<float> b, int batch, int n, int k, int m)
    {
        bool small = IsSmall(n, k, m);
        for (int i = 0; i < batch; i++)
        {
            Span<float> ci = c.Slice(i * n * m, n * m);
            ReadOnlySpan<float> ai = a.Slice(i * n * k, n * k), bi = b.Slice(i * k * m, k * m);
            if (small) SmallForward(ci, ai, bi, n, k, m);
            else Gemm.Multiply(ci, ai, bi, n, m, k);
        }
    }

    /// <summary>dA = dC·Bᵀ (overwrites).</summary>
    public static void BackwardA(Span<float> da, ReadOnlySpan<float> dc, ReadOnlySpan<float> b, int batch, int n, int k, int m)
    {
        bool small = IsSmall(n, k, m);
        for (int i = 0; i < batch; i++)
        {
            Span<float> dai = da.Slice(i * n * k, n * k);
            ReadOnlySpan<float> dci = dc.Slice(i * n * m, n * m), bi = b.Slice(i * k * m, k * m);
            if (small) SmallBackwardA(dai, dci, bi, n, k, m);
            else Gemm.Multiply(dai, dci, bi, n, k, m, transB: true);
        }
    }

    /// <summary>dB = Aᵀ·dC (overwrites).</summary>
    public static void BackwardB(Span<float> db, ReadOnlySpan<float> dc, ReadOnlySpan<float> a, int batch, int n, int k, int m)
    {
        bool small = IsSmall(n, k, m);
        for (int i = 0; i < batch; i++)
        {
            Span<float> dbi = db.Slice(i * k * m, k * m);
            ReadOnlySpan<float> dci = dc.Slice(i * n * m, n * m), ai = a.Slice(i * n * k, n * k);
            if (small) SmallBackwardB(dbi, dci, ai, n, k, m);
            else Gemm.Multiply(dbi, ai, dci, k, m, n, transA: true);
        }
    }

    // C[r, :] = Σ_p A[r, p]·B[p, :] (axpys over B's rows); with m = 1 each C[r] is one dot product.
    private static void SmallForward(Span<float> c, ReadOnlySpan<float> a, ReadOnlySpan<float> b, int n, int k, int m)
    {
        for (int r = 0; r < n; r++)
        {
            ReadOnlySpan<float> ar = a.Slice(r * k, k);
            if (m == 1) { c[r] = TensorPrimitives.Dot(ar, b.Slice(0, k)); continue; }
            Span<float> cr = c.Slice(r * m, m);
            cr.Clear();
            for (int p = 0; p < k; p++) TensorPrimitives.MultiplyAdd(b.Slice(p * m, m), ar[p], cr, cr);
        }
    }

    // dA[r, p] = dC[r, :]·B[p, :] (B's rows are contiguous); with m = 1 each dA row is B scaled by dC[r].
    private static void SmallBackwardA(Span<float> da, ReadOnlySpan<float> dc, ReadOnlySpan<float> b, int n, int k, int m)
    {
        for (int r = 0; r < n; r++)
        {
            Span<float> dar = da.Slice(r * k, k);
            if (m == 1) { TensorPrimitives.Multiply(b.Slice(0, k), dc[r], dar); continue; }
            ReadOnlySpan<float> dcr = dc.Slice(r * m, m);
            for (int p = 0; p < k; p++) dar[p] = TensorPrimitives.Dot(dcr, b.Slice(p * m, m));
        }
    }

    // dB[p, :] = Σ_r A[r, p]·dC[r, :]; with m = 1, dB = Σ_r dC[r]·A[r, :] (axpys over A's rows).
    private static void SmallBackwardB(Span<float> db, ReadOnlySpan<float> dc, ReadOnlySpan<float> a, int n, int k, int m)
    {
        db.Clear();
        if (m == 1)
        {
            for (int r = 0; r < n; r++) TensorPrimitives.MultiplyAdd(a.Slice(r * k, k), dc[r], db, db);
            return;
        }
        for (int r = 0; r < n; r++)
        {
            ReadOnlySpan<float> dcr = dc.Slice(r * m, m);
            for (int p = 0; p < k; p++)
            {
                Span<float> dbp = db.Slice(p * m, m);
                TensorPrimitives.MultiplyAdd(dcr, a[r * k + p], dbp, dbp);
            }
        }
    }
}
