using System.Numerics.Tensors;

namespace DeepNotes.Kernels;

/// <summary>
/// Per-example matrix product C[b] = A[b]·B[b] for [n, k] x [k, m], and its gradients. A vector
/// operand is the same memory as a one-row or one-column matrix ([k] ≡ [1, k] on the left, [k, 1] on
/// the right), so NumPy's matrix-vector products need nothing else.
/// Small products (word2vec's [6, 100]·[100] per example, a tiny attention) go through dot products
/// and axpys over contiguous rows instead of <see cref="Gemm"/>, whose packing would cost more than the
/// arithmetic; larger ones use <see cref="Gemm"/>.
/// With <c>transposeB</c> the second operand is stored transposed, [m, k], and C = A·Bᵀ: attention's
/// scores Q·Kᵀ read K's rows as they are, with no transposed copy (GEMM takes the transpose as a flag;
/// the small path's entries are dot products of contiguous rows).
/// </summary>
public static class BatchedMatMul
{
    /// <summary>Products with at most this many multiply-adds, or a vector operand, skip GEMM's packing.</summary>
    private const long SmallProduct = 4096;

    private static bool IsSmall(int n, int k, int m) => n == 1 || m == 1 || (long)n * k * m <= SmallProduct;

    /// <summary>C = A·B, or A·Bᵀ with <paramref name="transposeB"/> (B stored [m, k]).</summary>
    public static void Forward(Span<float> c, ReadOnlySpan<float> a, ReadOnlySpan<float> b, int batch, int n, int k, int m, bool transposeB = false)
    {
        bool small = IsSmall(n, k, m);
        for (int i = 0; i < batch; i++)
        {
            Span<float> ci = c.Slice(i * n * m, n * m);
            ReadOnlySpan<float> ai = a.Slice(i * n * k, n * k), bi = b.Slice(i * k * m, k * m);
            if (transposeB)
            {
                if (small) SmallForwardTransposedB(ci, ai, bi, n, k, m);
                else Gemm.Multiply(ci, ai, bi, n, m, k, transB: true);
            }
            else if (small) SmallForward(ci, ai, bi, n, k, m);
            else Gemm.Multiply(ci, ai, bi, n, m, k);
        }
    }

    /// <summary>dA = dC·Bᵀ, or dC·B with <paramref name="transposeB"/> (overwrites).</summary>
    public static void BackwardA(Span<float> da, ReadOnlySpan<float> dc, ReadOnlySpan<float> b, int batch, int n, int k, int m, bool transposeB = false)
    {
        bool small = IsSmall(n, k, m);
        for (int i = 0; i < batch; i++)
        {
            Span<float> dai = da.Slice(i * n * k, n * k);
            ReadOnlySpan<float> dci = dc.Slice(i * n * m, n * m), bi = b.Slice(i * k * m, k * m);
            if (transposeB)
            {
                // dA[r, :] = Σ_j dC[r, j]·B[j, :]: the untransposed product with B as stored.
                if (small) SmallForward(dai, dci, bi, n, m, k);
                else Gemm.Multiply(dai, dci, bi, n, k, m);
            }
            else if (small) SmallBackwardA(dai, dci, bi, n, k, m);
            else Gemm.Multiply(dai, dci, bi, n, k, m, transB: true);
        }
    }

    /// <summary>dB = Aᵀ·dC, or dCᵀ·A ([m, k]) with <paramref name="transposeB"/> (overwrites).</summary>
    public static void BackwardB(Span<float> db, ReadOnlySpan<float> dc, ReadOnlySpan<float> a, int batch, int n, int k, int m, bool transposeB = false)
    {
        bool small = IsSmall(n, k, m);
        for (int i = 0; i < batch; i++)
        {
            Span<float> dbi = db.Slice(i * k * m, k * m);
            ReadOnlySpan<float> dci = dc.Slice(i * n * m, n * m), ai = a.Slice(i * n * k, n * k);
            if (transposeB)
            {
                // dB[j, :] = Σ_r dC[r, j]·A[r, :]: SmallBackwardB with the roles of A and dC swapped.
                if (small) SmallTransposedBackwardB(dbi, dci, ai, n, k, m);
                else Gemm.Multiply(dbi, dci, ai, m, k, n, transA: true);
            }
            else if (small) SmallBackwardB(dbi, dci, ai, n, k, m);
            else Gemm.Multiply(dbi, ai, dci, k, m, n, transA: true);
        }
    }

    /// <summary>Y[b] = X[b]ᵀ for per-example matrices X [rows, cols]; its own backward with rows and cols swapped.</summary>
    public static void Transpose(Span<float> y, ReadOnlySpan<float> x, int batch, int rows, int cols)
    {
        int size = rows * cols;
        for (int i = 0; i < batch; i++)
        {
            ReadOnlySpan<float> xi = x.Slice(i * size, size);
            Span<float> yi = y.Slice(i * size, size);
            // Blocks of 16×16 keep both the rows read and the rows written in cache.
            for (int r0 = 0; r0 < rows; r0 += 16)
            for (int c0 = 0; c0 < cols; c0 += 16)
            {
                int r1 = Math.Min(rows, r0 + 16), c1 = Math.Min(cols, c0 + 16);
                for (int r = r0; r < r1; r++)
                for (int c = c0; c < c1; c++)
                    yi[c * rows + r] = xi[r * cols + c];
            }
        }
    }

    /// <summary>A double-precision C = A·B (or A·Bᵀ) for one example, to test the kernels against.</summary>
    public static void Reference(Span<float> c, ReadOnlySpan<float> a, ReadOnlySpan<float> b, int n, int k, int m, bool transposeB = false)
    {
        for (int r = 0; r < n; r++)
        for (int j = 0; j < m; j++)
        {
            double sum = 0;
            for (int p = 0; p < k; p++) sum += (double)a[r * k + p] * (transposeB ? b[j * k + p] : b[p * m + j]);
            c[r * m + j] = (float)sum;
        }
    }

    // C[r, j] = A[r, :]·B[j, :] with B stored [m, k]: dot products of contiguous rows.
    private static void SmallForwardTransposedB(Span<float> c, ReadOnlySpan<float> a, ReadOnlySpan<float> b, int n, int k, int m)
    {
        for (int r = 0; r < n; r++)
        {
            ReadOnlySpan<float> ar = a.Slice(r * k, k);
            for (int j = 0; j < m; j++) c[r * m + j] = TensorPrimitives.Dot(ar, b.Slice(j * k, k));
        }
    }

    // dB[j, :] = Σ_r dC[r, j]·A[r, :] (axpys over A's rows), dB stored [m, k].
    private static void SmallTransposedBackwardB(Span<float> db, ReadOnlySpan<float> dc, ReadOnlySpan<float> a, int n, int k, int m)
    {
        db.Clear();
        for (int r = 0; r < n; r++)
        {
            ReadOnlySpan<float> ar = a.Slice(r * k, k);
            for (int j = 0; j < m; j++)
            {
                Span<float> dbj = db.Slice(j * k, k);
                TensorPrimitives.MultiplyAdd(ar, dc[r * m + j], dbj, dbj);
            }
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
