using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using System.Numerics.Tensors;
using DeepNotes.Threading;

namespace DeepNotes.Kernels;

/// <summary>Which register-tiled micro-kernel <see cref="Gemm"/> runs (internal, so tests can pin each path).</summary>
internal enum GemmKernel
{
    /// <summary>The fastest one the hardware accelerates.</summary>
    Auto = 0,
    /// <summary>6×16 tile of <see cref="Vector256{T}"/> FMAs (AVX2 + FMA class hardware).</summary>
    Vector256 = 1,
    /// <summary>8×32 tile of <see cref="Vector512{T}"/> FMAs (AVX-512 class hardware).</summary>
    Vector512 = 2,
}

/// <summary>
/// Single-precision matrix multiply on row-major spans: C = op(A)·op(B) + beta·C.
/// The fast path follows the usual blocked design: op(B) is packed in kc×nc blocks into
/// NR-wide column panels, op(A) in mc×kc blocks into MR-tall row panels (both zero-padded
/// to whole panels), and an MR×NR register tile of FMA accumulators walks the panels.
/// Scratch buffers are thread-static, pinned and reused, so a call allocates nothing once
/// the buffers have grown to the problem size. A large product is split across
/// <see cref="Parallelism.ThreadCount"/> threads in whole register tiles of C's columns or rows,
/// so every element is computed exactly as on one thread.
/// </summary>
public static unsafe partial class Gemm
{
    // Block sizes (measured on Zen 5 with 48 KiB L1d, 1 MiB L2; flat within noise over kc 256..512, mc 96..240):
    private const int KC = 256;       // depth of a packed block: one KC×NR B micro-panel (32 KiB) stays in L1
    private const int MCTarget = 144; // rows of op(A) packed per block (144×256 floats = 144 KiB, in L2); multiple of 6 and 8
    private const int NC = 4096;      // columns of op(B) packed per block (at most 4 MiB, in L3)

    // Register tiles: MR rows × NR columns of C held in accumulators while the k loop runs.
    private const int MR512 = 8, NR512 = 32;  // 16 zmm accumulators + 2 B vectors + 1 broadcast of 32 registers
    private const int MR256 = 6, NR256 = 16;  // 12 ymm accumulators + 2 B vectors + 1 broadcast of 16 registers
    private const int MaxTile = MR512 * NR512;


    /// <summary>
    /// C = op(A)·op(B) + beta·C, all row-major. op(A) is m×k (A is stored k×m when
    /// <paramref name="transA"/>), op(B) is k×n (B is stored n×k when <paramref name="transB"/>),
    /// C is m×n. With beta = 0 the old contents of C are never read (NaN cannot leak);
    /// beta = 1 accumulates.
    /// </summary>
    public static void Multiply(Span<float> c, ReadOnlySpan<float> a, ReadOnlySpan<float> b, int m, int n, int k,
        bool transA = false, bool transB = false, float beta = 0f)
        => Multiply(c, a, b, m, n, k, transA, transB, beta, GemmKernel.Auto);

    /// <summary><see cref="Multiply(Span{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, int, int, int, bool, bool, float)"/> with an explicit micro-kernel.</summary>
    internal static void Multiply(Span<float> c, ReadOnlySpan<float> a, ReadOnlySpan<float> b, int m, int n, int k,
        bool transA, bool transB, float beta, GemmKernel kernel)
    {
        Validate(c, a, b, m, n, k);
        if (m == 0 || n == 0) return;
        if (k == 0)
        {
            ScaleC(c.Slice(0, m * n), beta);
            return;
        }

        kernel = Resolve(kernel);
        int lda = transA ? m : k, ldb = transB ? k : n;
        fixed (float* pc = c)
        fixed (float* pa = a)
        fixed (float* pb = b)
        {
            // The per-thread work object is made on a thread's first call whether or not it splits, so
            // a warm-up allocates it even while another caller holds the pool.
            GemmWork work = t_work ??= new GemmWork();
            int parts = PlanParts(m, n, k, kernel, out bool splitColumns);
            if (parts > 1)
            {
                work.Set(pc, n, pa, lda, pb, ldb, m, n, k, transA, transB, beta, kernel, splitColumns);
                WorkerPool.Shared.Run(work, parts);
            }
            else
            {
                Serial(pc, n, pa, lda, pb, ldb, m, n, k, transA, transB, beta, kernel);
            }
        }
    }

    /// <summary>
    /// C = op(A)·op(B) + beta·C on the calling thread, with explicit leading dimensions (row
    /// strides) so callers can work on column or row blocks of larger matrices. No argument checks:
    /// for kernels that have validated their operands.
    /// </summary>
    internal static void Serial(float* c, nint ldc, float* a, int lda, float* b, int ldb, int m, int n, int k,
        bool transA, bool transB, float beta, GemmKernel kernel = GemmKernel.Auto)
    {
        if (m <= 0 || n <= 0) return;
        if (k == 0)
        {
            for (int i = 0; i < m; i++) ScaleC(new Span<float>(c + i * ldc, n), beta);
            return;
        }
        if (Resolve(kernel) == GemmKernel.Vector512)
            Blocked(c, ldc, a, lda, b, ldb, m, n, k, transA, transB, beta, MR512, NR512, &Kernel512_8x32);
        else
            Blocked(c, ldc, a, lda, b, ldb, m, n, k, transA, transB, beta, MR256, NR256, &Kernel256_6x16);
    }

    /// <summary>Floats of op(A) (m×k) packed whole by <see cref="PackWhole"/> for <see cref="SerialPackedA"/>.</summary>
    internal static int PackedASize(int m, int k) => RoundUp(m, Resolve(GemmKernel.Auto) == GemmKernel.Vector512 ? MR512 : MR256) * k;

    /// <summary>
    /// Packs all of op(A) (m×k, row stride lda as stored) the way <see cref="Blocked"/> packs one block at a
    /// time: depth block by depth block, each holding every row panel. A convolution multiplies one weight
    /// by every example's columns, so it packs the weight once per call instead of once per example.
    /// </summary>
    internal static void PackWhole(float* dst, float* a, int lda, bool transA, int m, int k)
    {
        int mr = Resolve(GemmKernel.Auto) == GemmKernel.Vector512 ? MR512 : MR256;
        int mPad = RoundUp(m, mr);
        for (int pc = 0; pc < k; pc += KC)
            PackA(dst + (nint)pc * mPad, a, lda, transA, 0, pc, m, Math.Min(KC, k - pc), mr);
    }

    /// <summary><see cref="Serial"/> with op(A) already packed by <see cref="PackWhole"/> (the automatic kernel).</summary>
    internal static void SerialPackedA(float* c, nint ldc, float* packedA, float* b, int ldb, int m, int n, int k, bool transB, float beta)
    {
        if (m <= 0 || n <= 0) return;
        if (k == 0)
        {
            for (int i = 0; i < m; i++) ScaleC(new Span<float>(c + i * ldc, n), beta);
            return;
        }
        if (Resolve(GemmKernel.Auto) == GemmKernel.Vector512)
            Blocked(c, ldc, null, 0, b, ldb, m, n, k, false, transB, beta, MR512, NR512, &Kernel512_8x32, packedA);
        else
            Blocked(c, ldc, null, 0, b, ldb, m, n, k, false, transB, beta, MR256, NR256, &Kernel256_6x16, packedA);
    }


    private static GemmKernel Resolve(GemmKernel kernel) => kernel != GemmKernel.Auto ? kernel
        : Vector512.IsHardwareAccelerated ? GemmKernel.Vector512 : GemmKernel.Vector256;

    /// <summary>Multiply-adds below which a part is not worth a thread (≈1 µs of one core's FMAs).</summary>
    internal static long MinWorkPerPart = 1L << 17;   // tests lower it to split tiny products

    [ThreadStatic] private static GemmWork? t_work;

    /// <summary>
    /// How many parts to split a product into, and along which dimension: columns of C when op(A)
    /// is the smaller operand (every part packs all of A and its own columns of B), rows otherwise.
    /// Parts are whole register tiles, so each element of C is computed exactly as on one thread.
    /// </summary>
    private static int PlanParts(int m, int n, int k, GemmKernel kernel, out bool splitColumns)
    {
        splitColumns = n >= m;
        (int mr, int nr) = kernel == GemmKernel.Vector512 ? (MR512, NR512) : (MR256, NR256);
        int columnTiles = (n + nr - 1) / nr, rowTiles = (m + mr - 1) / mr;
        if (splitColumns && columnTiles < 2) splitColumns = false;
        else if (!splitColumns && rowTiles < 2) splitColumns = true;
        int tiles = splitColumns ? columnTiles : rowTiles;
        return WorkerPool.PartsFor((long)m * n * k, MinWorkPerPart, tiles);
    }

    /// <summary>One part of a split product: a range of whole tiles of C's columns or rows.</summary>
    private sealed class GemmWork : ParallelWork
    {
        private float* _c, _a, _b;
        private int _ldc, _lda, _ldb, _m, _n, _k;
        private bool _transA, _transB, _splitColumns;
        private float _beta;
        private GemmKernel _kernel;

        public void Set(float* c, int ldc, float* a, int lda, float* b, int ldb, int m, int n, int k,
            bool transA, bool transB, float beta, GemmKernel kernel, bool splitColumns)
        {
            _c = c; _a = a; _b = b;
            (_ldc, _lda, _ldb) = (ldc, lda, ldb);
            (_m, _n, _k, _transA, _transB, _beta, _kernel, _splitColumns) = (m, n, k, transA, transB, beta, kernel, splitColumns);
        }

        public override void Execute(int part, int parts)
        {
            int tile = _splitColumns ? (_kernel == GemmKernel.Vector512 ? NR512 : NR256)
                                     : (_kernel == GemmKernel.Vector512 ? MR512 : MR256);
            int extent = _splitColumns ? _n : _m;
            (int lo, int hi) = PartRange(extent, tile, part, parts);
            if (lo >= hi) return;
            if (_splitColumns)
            {
                float* b = _transB ? _b + (nint)lo * _ldb : _b + lo;
                Serial(_c + lo, _ldc, _a, _lda, b, _ldb, _m, hi - lo, _k, _transA, _transB, _beta, _kernel);
            }
            else
            {
                float* a = _transA ? _a + lo : _a + (nint)lo * _lda;
                Serial(_c + (nint)lo * _ldc, _ldc, a, _lda, _b, _ldb, hi - lo, _n, _k, _transA, _transB, _beta, _kernel);
            }
        }
    }

    /// <summary>Part <paramref name="part"/> of <paramref name="parts"/> of [0, extent) in whole tiles (the last may be short).</summary>
    internal static (int Lo, int Hi) PartRange(int extent, int tile, int part, int parts)
    {
        int tiles = (extent + tile - 1) / tile;
        int lo = (int)((long)tiles * part / parts) * tile;
        int hi = (int)((long)tiles * (part + 1) / parts) * tile;
        return (Math.Min(lo, extent), Math.Min(hi, extent));
    }

    /// <summary>Plain triple loop with double accumulation: the reference the fast path is tested against.</summary>
    public static void Reference(Span<float> c, ReadOnlySpan<float> a, ReadOnlySpan<float> b, int m, int n, int k,
        bool transA = false, bool transB = false, float beta = 0f)
    {
        Validate(c, a, b, m, n, k);
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double sum = 0;
                for (int p = 0; p < k; p++)
                {
                    float x = transA ? a[p * m + i] : a[i * k + p];
                    float y = transB ? b[j * k + p] : b[p * n + j];
                    sum += (double)x * y;
                }
                if (beta != 0f) sum += (double)beta * c[i * n + j];
                c[i * n + j] = (float)sum;
            }
        }
    }

    /// <summary>c[i, j] += bias[j] for the m×n row-major matrix c.</summary>
    public static void AddBias(Span<float> c, ReadOnlySpan<float> bias, int m, int n)
    {
        ValidateDims(m, n);
        Operands.Require(c.Length, (long)m * n, nameof(c));
        Operands.Require(bias.Length, n, nameof(bias));
        ReadOnlySpan<float> row = bias.Slice(0, n);
        for (int i = 0; i < m; i++)
        {
            Span<float> ci = c.Slice(i * n, n);
            TensorPrimitives.Add(ci, row, ci);
        }
    }

    /// <summary>gradBias[j] += Σ_i gradOut[i, j] for the m×n row-major matrix gradOut (accumulates).</summary>
    public static void BiasGradient(Span<float> gradBias, ReadOnlySpan<float> gradOut, int m, int n)
    {
        ValidateDims(m, n);
        Operands.Require(gradOut.Length, (long)m * n, nameof(gradOut));
        Operands.Require(gradBias.Length, n, nameof(gradBias));
        Span<float> g = gradBias.Slice(0, n);
        for (int i = 0; i < m; i++)
            TensorPrimitives.Add(g, gradOut.Slice(i * n, n), g);
    }

    private static void Validate(Span<float> c, ReadOnlySpan<float> a, ReadOnlySpan<float> b, int m, int n, int k)
    {
        ValidateDims(m, n);
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        Operands.Require(a.Length, (long)m * k, nameof(a));
        Operands.Require(b.Length, (long)k * n, nameof(b));
        Operands.Require(c.Length, (long)m * n, nameof(c));
    }

    private static void ValidateDims(int m, int n)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(m);
        ArgumentOutOfRangeException.ThrowIfNegative(n);
    }


    private static void ScaleC(Span<float> c, float beta)
    {
        if (beta == 0f) c.Clear();
        else if (beta != 1f) TensorPrimitives.Multiply(c, beta, c);
    }

    /// <summary>
    /// The blocked driver shared by every micro-kernel, on one thread: C (row stride ldc) =
    /// op(A)·op(B) + beta·C with A's and B's row strides lda and ldb as stored.
    /// </summary>
    [SkipLocalsInit]
    private static void Blocked(float* c, nint ldc, float* a, int lda, float* b, int ldb, int m, int n, int k,
        bool transA, bool transB, float beta,
        int mrMax, int nrMax, delegate*<int, float*, float*, float*, nint, int, float, bool, void> kernel, float* prepackedA = null)
    {
        int mPad = RoundUp(m, mrMax);
        int mcMax = MCTarget / mrMax * mrMax;
        int ncMax = NC / nrMax * nrMax;
        int kcMax = Math.Min(KC, k);

        int mcCap = Math.Min(mcMax, RoundUp(m, mrMax));
        int ncCap = Math.Min(ncMax, RoundUp(n, nrMax));
        float* packA = ThreadScratch.Pointer(ScratchKind.GemmPackA, mcCap * kcMax);
        float* packB = ThreadScratch.Pointer(ScratchKind.GemmPackB, ncCap * kcMax);
        float* tile = stackalloc float[MaxTile];

        for (int jc = 0; jc < n; jc += ncMax)
        {
            int nc = Math.Min(ncMax, n - jc);
            for (int pc = 0; pc < k; pc += KC)
            {
                int kc = Math.Min(KC, k - pc);
                bool overwrite = pc == 0 && beta == 0f;
                float betaBlock = pc == 0 ? beta : 1f;
                PackB(packB, b, ldb, transB, pc, jc, kc, nc, nrMax);

                for (int ic = 0; ic < m; ic += mcMax)
                {
                    int mc = Math.Min(mcMax, m - ic);
                    float* blockA = packA;
                    if (prepackedA != null) blockA = prepackedA + (nint)pc * mPad + (nint)ic * kc;
                    else PackA(packA, a, lda, transA, ic, pc, mc, kc, mrMax);

                    for (int jr = 0; jr < nc; jr += nrMax)
                    {
                        int nr = Math.Min(nrMax, nc - jr);
                        float* bp = packB + (nint)jr * kc;
                        for (int ir = 0; ir < mc; ir += mrMax)
                        {
                            int mr = Math.Min(mrMax, mc - ir);
                            float* ap = blockA + (nint)ir * kc;
                            float* cp = c + (ic + ir) * ldc + jc + jr;
                            if (nr == nrMax)
                            {
                                kernel(kc, ap, bp, cp, ldc, mr, betaBlock, overwrite);
                            }
                            else
                            {
                                kernel(kc, ap, bp, tile, nrMax, mr, 0f, true);
                                StoreEdge(cp, ldc, tile, nrMax, mr, nr, betaBlock, overwrite);
                            }
                        }
                    }
                }
            }
        }
    }

    /// <summary>Writes the mr×nr corner of a full tile computed into <paramref name="tile"/> to C.</summary>
    private static void StoreEdge(float* c, nint ldc, float* tile, int ldt, int mr, int nr, float beta, bool overwrite)
    {
        for (int i = 0; i < mr; i++)
        {
            float* ci = c + i * ldc;
            float* ti = tile + i * ldt;
            if (overwrite)
                for (int j = 0; j < nr; j++) ci[j] = ti[j];
            else if (beta == 1f)
                for (int j = 0; j < nr; j++) ci[j] += ti[j];
            else
                for (int j = 0; j < nr; j++) ci[j] = MathF.FusedMultiplyAdd(beta, ci[j], ti[j]);
        }
    }

    /// <summary>
    /// Packs op(A)[i0..i0+mc, p0..p0+kc] into MR-tall panels: panel r holds, for each p,
    /// the MR values op(A)[i0 + r·MR + 0..MR, p0 + p] contiguously; rows past mc are zero.
    /// </summary>
    private static void PackA(float* dst, float* a, int lda, bool transA, int i0, int p0, int mc, int kc, int mr)
    {
        for (int ir = 0; ir < mc; ir += mr)
        {
            int rows = Math.Min(mr, mc - ir);
            if (transA)
            {
                // Stored k×m: row p of storage holds column p of op(A); the panel rows are contiguous.
                float* src = a + (nint)p0 * lda + i0 + ir;
                if (rows == mr && mr == Vector256<float>.Count)
                {
                    for (int p = 0; p < kc; p++)
                        Vector256.Load(src + (nint)p * lda).Store(dst + p * mr);
                }
                else
                {
                    for (int p = 0; p < kc; p++)
                    {
                        float* s = src + (nint)p * lda;
                        float* d = dst + p * mr;
                        int r = 0;
                        for (; r < rows; r++) d[r] = s[r];
                        for (; r < mr; r++) d[r] = 0f;
                    }
                }
            }
            else
            {
                float* src = a + (nint)(i0 + ir) * lda + p0;
                int r = 0;
                if (Avx.IsSupported)
                {
                    // Whole 8-row groups of the panel go through 8×8 register transposes.
                    for (; r + 8 <= rows; r += 8)
                        TransposeStrip(src + (nint)r * lda, lda, dst + r, mr, kc);
                }
                for (; r < rows; r++)
                {
                    float* s = src + (nint)r * lda;
                    float* d = dst + r;
                    for (int p = 0; p < kc; p++) d[p * mr] = s[p];
                }
                for (r = rows; r < mr; r++)
                {
                    float* d = dst + r;
                    for (int p = 0; p < kc; p++) d[p * mr] = 0f;
                }
            }
            dst += mr * kc;
        }
    }

    /// <summary>
    /// Packs op(B)[p0..p0+kc, j0..j0+nc] into NR-wide panels: panel j holds, for each p,
    /// the NR values op(B)[p0 + p, j0 + j·NR + 0..NR] contiguously; columns past nc are zero.
    /// </summary>
    private static void PackB(float* dst, float* b, int ldb, bool transB, int p0, int j0, int kc, int nc, int nr)
    {
        for (int jr = 0; jr < nc; jr += nr)
        {
            int cols = Math.Min(nr, nc - jr);
            if (!transB)
            {
                float* src = b + (nint)p0 * ldb + j0 + jr;
                if (cols == nr)
                {
                    for (int p = 0; p < kc; p++)
                    {
                        float* s = src + (nint)p * ldb;
                        float* d = dst + p * nr;
                        for (int j = 0; j < nr; j += Vector256<float>.Count)
                            Vector256.Store(Vector256.Load(s + j), d + j);
                    }
                }
                else
                {
                    for (int p = 0; p < kc; p++)
                    {
                        float* s = src + (nint)p * ldb;
                        float* d = dst + p * nr;
                        int j = 0;
                        for (; j < cols; j++) d[j] = s[j];
                        for (; j < nr; j++) d[j] = 0f;
                    }
                }
            }
            else
            {
                // Stored n×k: row j of storage holds column j of op(B).
                float* src = b + (nint)(j0 + jr) * ldb + p0;
                int j = 0;
                if (Avx.IsSupported)
                {
                    for (; j + 8 <= cols; j += 8)
                        TransposeStrip(src + (nint)j * ldb, ldb, dst + j, nr, kc);
                }
                for (; j < cols; j++)
                {
                    float* s = src + (nint)j * ldb;
                    float* d = dst + j;
                    for (int p = 0; p < kc; p++) d[p * nr] = s[p];
                }
                for (j = cols; j < nr; j++)
                {
                    float* d = dst + j;
                    for (int p = 0; p < kc; p++) d[p * nr] = 0f;
                }
            }
            dst += nr * kc;
        }
    }

    /// <summary>
    /// dst[p·ldd + r] = src[r·lds + p] for r in 0..8, p in 0..len: eight source rows become
    /// eight-float groups of the destination, 8×8 blocks at a time through AVX unpack/shuffle/permute.
    /// </summary>
    private static void TransposeStrip(float* src, nint lds, float* dst, nint ldd, int len)
    {
        int p = 0;
        for (; p + 8 <= len; p += 8)
        {
            float* s = src + p;
            Vector256<float> r0 = Vector256.Load(s);
            Vector256<float> r1 = Vector256.Load(s + lds);
            Vector256<float> r2 = Vector256.Load(s + 2 * lds);
            Vector256<float> r3 = Vector256.Load(s + 3 * lds);
            Vector256<float> r4 = Vector256.Load(s + 4 * lds);
            Vector256<float> r5 = Vector256.Load(s + 5 * lds);
            Vector256<float> r6 = Vector256.Load(s + 6 * lds);
            Vector256<float> r7 = Vector256.Load(s + 7 * lds);

            // Interleave pairs of rows: t0 = [r0_0 r1_0 r0_1 r1_1 | r0_4 r1_4 r0_5 r1_5], ...
            Vector256<float> t0 = Avx.UnpackLow(r0, r1), t1 = Avx.UnpackHigh(r0, r1);
            Vector256<float> t2 = Avx.UnpackLow(r2, r3), t3 = Avx.UnpackHigh(r2, r3);
            Vector256<float> t4 = Avx.UnpackLow(r4, r5), t5 = Avx.UnpackHigh(r4, r5);
            Vector256<float> t6 = Avx.UnpackLow(r6, r7), t7 = Avx.UnpackHigh(r6, r7);

            // Gather quads: u0 = [r0_0 r1_0 r2_0 r3_0 | r0_4 r1_4 r2_4 r3_4], ...
            Vector256<float> u0 = Avx.Shuffle(t0, t2, 0x44), u1 = Avx.Shuffle(t0, t2, 0xEE);
            Vector256<float> u2 = Avx.Shuffle(t1, t3, 0x44), u3 = Avx.Shuffle(t1, t3, 0xEE);
            Vector256<float> u4 = Avx.Shuffle(t4, t6, 0x44), u5 = Avx.Shuffle(t4, t6, 0xEE);
            Vector256<float> u6 = Avx.Shuffle(t5, t7, 0x44), u7 = Avx.Shuffle(t5, t7, 0xEE);

            // Join 128-bit halves: column c of the block comes from u(c mod 4) and u(c mod 4 + 4).
            float* d = dst + p * ldd;
            Avx.Permute2x128(u0, u4, 0x20).Store(d);
            Avx.Permute2x128(u1, u5, 0x20).Store(d + ldd);
            Avx.Permute2x128(u2, u6, 0x20).Store(d + 2 * ldd);
            Avx.Permute2x128(u3, u7, 0x20).Store(d + 3 * ldd);
            Avx.Permute2x128(u0, u4, 0x31).Store(d + 4 * ldd);
            Avx.Permute2x128(u1, u5, 0x31).Store(d + 5 * ldd);
            Avx.Permute2x128(u2, u6, 0x31).Store(d + 6 * ldd);
            Avx.Permute2x128(u3, u7, 0x31).Store(d + 7 * ldd);
        }
        for (; p < len; p++)
        {
            float* d = dst + p * ldd;
            for (int r = 0; r < 8; r++) d[r] = src[r * lds + p];
        }
    }

    private static int RoundUp(int x, int multiple) => (x + multiple - 1) / multiple * multiple;

}
