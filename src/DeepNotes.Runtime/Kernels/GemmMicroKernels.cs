// Register-tiled micro-kernels for Gemm. Each body is fully unrolled: one accumulator per
// (row, vector) of the tile, one broadcast of packed A per row and one FMA per accumulator per
// k step; rows at or past mr are computed but not stored (the packed A rows there are zero).
// The C tile's rows that will be stored are prefetched before the k loop so its (beta != 0) loads and
// stores hit L1; rows past mr are not, as they may belong to another thread's block of a split product.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace DeepNotes.Kernels;

public static unsafe partial class Gemm
{
    /// <summary>6×16 micro-kernel: C[0..mr, 0..16] (=|+=) A-panel (6 rows) · B-panel (16 columns) over kc steps.</summary>
    [SkipLocalsInit]
    private static void Kernel256_6x16(int kc, float* a, float* b, float* c, nint ldc, int mr, float beta, bool overwrite)
    {
        Vector256<float> c00 = default; Vector256<float> c01 = default;
        Vector256<float> c10 = default; Vector256<float> c11 = default;
        Vector256<float> c20 = default; Vector256<float> c21 = default;
        Vector256<float> c30 = default; Vector256<float> c31 = default;
        Vector256<float> c40 = default; Vector256<float> c41 = default;
        Vector256<float> c50 = default; Vector256<float> c51 = default;
        if (Sse.IsSupported)
        {
            // Only the rows this call stores: a row past mr belongs to someone else (another thread's block of
            // a split product), and pulling its line in here would make the two cores fight over it.
            for (int i = 0; i < mr; i++) Sse.Prefetch0(c + i * ldc);
        }
        for (int p = 0; p < kc; p++)
        {
            Vector256<float> b0 = Vector256.Load(b);
            Vector256<float> b1 = Vector256.Load(b + 8);
            Vector256<float> a0 = Vector256.Create(a[0]);
            c00 = Vector256.FusedMultiplyAdd(a0, b0, c00);
            c01 = Vector256.FusedMultiplyAdd(a0, b1, c01);
            Vector256<float> a1 = Vector256.Create(a[1]);
            c10 = Vector256.FusedMultiplyAdd(a1, b0, c10);
            c11 = Vector256.FusedMultiplyAdd(a1, b1, c11);
            Vector256<float> a2 = Vector256.Create(a[2]);
            c20 = Vector256.FusedMultiplyAdd(a2, b0, c20);
            c21 = Vector256.FusedMultiplyAdd(a2, b1, c21);
            Vector256<float> a3 = Vector256.Create(a[3]);
            c30 = Vector256.FusedMultiplyAdd(a3, b0, c30);
            c31 = Vector256.FusedMultiplyAdd(a3, b1, c31);
            Vector256<float> a4 = Vector256.Create(a[4]);
            c40 = Vector256.FusedMultiplyAdd(a4, b0, c40);
            c41 = Vector256.FusedMultiplyAdd(a4, b1, c41);
            Vector256<float> a5 = Vector256.Create(a[5]);
            c50 = Vector256.FusedMultiplyAdd(a5, b0, c50);
            c51 = Vector256.FusedMultiplyAdd(a5, b1, c51);
            a += 6;
            b += 16;
        }
        StoreRow256_2(c, c00, c01, beta, overwrite);
        if (mr <= 1) return;
        StoreRow256_2(c + 1 * ldc, c10, c11, beta, overwrite);
        if (mr <= 2) return;
        StoreRow256_2(c + 2 * ldc, c20, c21, beta, overwrite);
        if (mr <= 3) return;
        StoreRow256_2(c + 3 * ldc, c30, c31, beta, overwrite);
        if (mr <= 4) return;
        StoreRow256_2(c + 4 * ldc, c40, c41, beta, overwrite);
        if (mr <= 5) return;
        StoreRow256_2(c + 5 * ldc, c50, c51, beta, overwrite);
    }

    /// <summary>8×32 micro-kernel: C[0..mr, 0..32] (=|+=) A-panel (8 rows) · B-panel (32 columns) over kc steps.</summary>
    [SkipLocalsInit]
    private static void Kernel512_8x32(int kc, float* a, float* b, float* c, nint ldc, int mr, float beta, bool overwrite)
    {
        Vector512<float> c00 = default; Vector512<float> c01 = default;
        Vector512<float> c10 = default; Vector512<float> c11 = default;
        Vector512<float> c20 = default; Vector512<float> c21 = default;
        Vector512<float> c30 = default; Vector512<float> c31 = default;
        Vector512<float> c40 = default; Vector512<float> c41 = default;
        Vector512<float> c50 = default; Vector512<float> c51 = default;
        Vector512<float> c60 = default; Vector512<float> c61 = default;
        Vector512<float> c70 = default; Vector512<float> c71 = default;
        if (Sse.IsSupported)
        {
            // Only the rows this call stores (see the 6×16 kernel).
            for (int i = 0; i < mr; i++)
            {
                Sse.Prefetch0(c + i * ldc);
                Sse.Prefetch0(c + i * ldc + 16);
            }
        }
        for (int p = 0; p < kc; p++)
        {
            Vector512<float> b0 = Vector512.Load(b);
            Vector512<float> b1 = Vector512.Load(b + 16);
            Vector512<float> a0 = Vector512.Create(a[0]);
            c00 = Vector512.FusedMultiplyAdd(a0, b0, c00);
            c01 = Vector512.FusedMultiplyAdd(a0, b1, c01);
            Vector512<float> a1 = Vector512.Create(a[1]);
            c10 = Vector512.FusedMultiplyAdd(a1, b0, c10);
            c11 = Vector512.FusedMultiplyAdd(a1, b1, c11);
            Vector512<float> a2 = Vector512.Create(a[2]);
            c20 = Vector512.FusedMultiplyAdd(a2, b0, c20);
            c21 = Vector512.FusedMultiplyAdd(a2, b1, c21);
            Vector512<float> a3 = Vector512.Create(a[3]);
            c30 = Vector512.FusedMultiplyAdd(a3, b0, c30);
            c31 = Vector512.FusedMultiplyAdd(a3, b1, c31);
            Vector512<float> a4 = Vector512.Create(a[4]);
            c40 = Vector512.FusedMultiplyAdd(a4, b0, c40);
            c41 = Vector512.FusedMultiplyAdd(a4, b1, c41);
            Vector512<float> a5 = Vector512.Create(a[5]);
            c50 = Vector512.FusedMultiplyAdd(a5, b0, c50);
            c51 = Vector512.FusedMultiplyAdd(a5, b1, c51);
            Vector512<float> a6 = Vector512.Create(a[6]);
            c60 = Vector512.FusedMultiplyAdd(a6, b0, c60);
            c61 = Vector512.FusedMultiplyAdd(a6, b1, c61);
            Vector512<float> a7 = Vector512.Create(a[7]);
            c70 = Vector512.FusedMultiplyAdd(a7, b0, c70);
            c71 = Vector512.FusedMultiplyAdd(a7, b1, c71);
            a += 8;
            b += 32;
        }
        StoreRow512_2(c, c00, c01, beta, overwrite);
        if (mr <= 1) return;
        StoreRow512_2(c + 1 * ldc, c10, c11, beta, overwrite);
        if (mr <= 2) return;
        StoreRow512_2(c + 2 * ldc, c20, c21, beta, overwrite);
        if (mr <= 3) return;
        StoreRow512_2(c + 3 * ldc, c30, c31, beta, overwrite);
        if (mr <= 4) return;
        StoreRow512_2(c + 4 * ldc, c40, c41, beta, overwrite);
        if (mr <= 5) return;
        StoreRow512_2(c + 5 * ldc, c50, c51, beta, overwrite);
        if (mr <= 6) return;
        StoreRow512_2(c + 6 * ldc, c60, c61, beta, overwrite);
        if (mr <= 7) return;
        StoreRow512_2(c + 7 * ldc, c70, c71, beta, overwrite);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow256_2(float* c, Vector256<float> v0, Vector256<float> v1, float beta, bool overwrite)
    {
        if (!overwrite)
        {
            if (beta == 1f)
            {
                v0 += Vector256.Load(c);
                v1 += Vector256.Load(c + 8);
            }
            else
            {
                Vector256<float> vb = Vector256.Create(beta);
                v0 = Vector256.FusedMultiplyAdd(Vector256.Load(c), vb, v0);
                v1 = Vector256.FusedMultiplyAdd(Vector256.Load(c + 8), vb, v1);
            }
        }
        v0.Store(c);
        v1.Store(c + 8);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow512_2(float* c, Vector512<float> v0, Vector512<float> v1, float beta, bool overwrite)
    {
        if (!overwrite)
        {
            if (beta == 1f)
            {
                v0 += Vector512.Load(c);
                v1 += Vector512.Load(c + 16);
            }
            else
            {
                Vector512<float> vb = Vector512.Create(beta);
                v0 = Vector512.FusedMultiplyAdd(Vector512.Load(c), vb, v0);
                v1 = Vector512.FusedMultiplyAdd(Vector512.Load(c + 16), vb, v1);
            }
        }
        v0.Store(c);
        v1.Store(c + 16);
    }
}
