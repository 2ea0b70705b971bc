using System;
using System.Runtime.CompilerServices;
using System.Collections.Generic;
using DeepNotes.Kernels;
using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;

namespace DeepNotes.Gpu.Kernels;

/// <summary>
/// Single-precision matrix multiply over row-major device views: C = alpha·op(A)·op(B) + beta·C, one
/// product or a batch of equally strided ones. On CUDA a product goes to cuBLAS; everywhere else (OpenCL,
/// the CPU accelerator), and for the batched products of small matrices on CUDA, it runs one of the
/// two ILGPU kernels below, as <see cref="GpuDevice.Gemm"/> says: the tiled shared-memory kernel (GPUs)
/// or the barrier-free direct kernel (the CPU accelerator's default). Both are generic over how they read
/// their operands and write their result (<see cref="IOperand"/>, <see cref="IEpilogue"/>), so convolution
/// runs through them as an implicit GEMM whose operand loaders compute im2col indices on the fly (see Conv2d.cs).
/// </summary>
public static class Gemm
{
    /// <summary>
    /// A group is t×t threads and computes one Micro·t × Micro·t block of C, each thread a Micro×Micro
    /// of it: t = 16 (256 threads, 64×64 tiles) where the accelerator allows it, as on every GPU;
    /// ILGPU's CPU accelerator allows 16 threads a group, so t = 4 there (16×16 tiles). t is read from
    /// the group's size inside the kernel, and the blocks staged in shared memory are sized at launch
    /// (dynamic shared memory).
    /// </summary>
    internal static int ThreadsOf(GpuDevice device)
    {
        int t = 16;
        while (t * t > device.Accelerator.MaxNumThreadsPerGroup) t /= 2;
        return t;
    }

    /// <summary>The inner dimension advances Depth at a time through shared memory.</summary>
    internal const int Depth = 16;

    /// <summary>Each thread accumulates a Micro×Micro block of C in registers (<see cref="Row4"/>).</summary>
    internal const int Micro = 4;

    /// <summary>The rows and columns of C one group computes on <paramref name="device"/>.</summary>
    internal static int TileOf(GpuDevice device) => Micro * ThreadsOf(device);

    /// <summary>On CUDA a batched product goes to cuBLAS (one call per example) when an example has at least this many multiply-adds.</summary>
    internal const long CuBlasPerExample = 1L << 21;

    private static readonly object s_cuBlas = new();

    /// <summary>
    /// C = alpha·op(A)·op(B) + beta·C, all row-major: op(A) is m×k (A is stored k×m with
    /// <paramref name="transA"/>), op(B) is k×n (B stored n×k with <paramref name="transB"/>), C is m×n.
    /// With beta = 0 C is only written (a NaN in it cannot leak); beta = 1 accumulates. The parameters
    /// are the CPU Gemm.Multiply's (beta in the same place), with alpha after them.
    /// </summary>
    public static void Multiply(GpuDevice device, ArrayView<float> c, ArrayView<float> a, ArrayView<float> b,
        int m, int n, int k, bool transA = false, bool transB = false, float beta = 0f, float alpha = 1f)
        => MultiplyBatched(device, c, a, b, 1, m, n, k, 0, 0, 0, transA, transB, beta, alpha);

    /// <summary>
    /// C[z] = alpha·op(A[z])·op(B[z]) + beta·C[z] for z &lt; <paramref name="batch"/>, where example z of each
    /// operand starts <paramref name="strideC"/>, <paramref name="strideA"/>, <paramref name="strideB"/>
    /// floats after example z − 1 (a stride of 0 shares one matrix across the batch).
    /// </summary>
    public static void MultiplyBatched(GpuDevice device, ArrayView<float> c, ArrayView<float> a, ArrayView<float> b,
        int batch, int m, int n, int k, int strideC, int strideA, int strideB,
        bool transA = false, bool transB = false, float beta = 0f, float alpha = 1f)
    {
        ArgumentNullException.ThrowIfNull(device);
        if (batch < 0 || m < 0 || n < 0 || k < 0 || strideA < 0 || strideB < 0 || strideC < 0)
            throw new ArgumentOutOfRangeException(nameof(batch), $"GEMM sizes and strides must not be negative: batch {batch}, {m}×{n}×{k}.");
        if (batch == 0 || m == 0 || n == 0) return;
        Operands.Require(c.Length, (batch - 1L) * strideC + (long)m * n, nameof(c));
        Operands.Require(a.Length, (batch - 1L) * strideA + (long)m * k, nameof(a));
        Operands.Require(b.Length, (batch - 1L) * strideB + (long)k * n, nameof(b));

        if (device.IsCuda && k > 0 && (batch == 1 || (long)m * n * k >= CuBlasPerExample) && CuBlasOf(device) is CuBlas blas)
        {
            for (int z = 0; z < batch; z++)
                CuBlasMultiply(blas, c.SubView(z * (long)strideC, (long)m * n), a.SubView(z * (long)strideA, (long)m * k),
                    b.SubView(z * (long)strideB, (long)k * n), m, n, k, transA, transB, alpha, beta);
            return;
        }
        Run(device, new Strided(a, transA ? m : k, strideA, transA), new Strided(b, transB ? k : n, strideB, transB),
            new Scaled(c, n, strideC, alpha, beta), batch, m, n, k);
    }

    /// <summary>
    /// Row-major C = op(A)·op(B) is column-major Cᵀ = op(B)ᵀ·op(A)ᵀ, and a row-major matrix read
    /// column-major is its transpose: so cuBLAS gets B first, then A, with the same transpose flags and
    /// leading dimensions, and computes the n×m column-major Cᵀ, which is the m×n row-major C.
    /// </summary>
    private static void CuBlasMultiply(CuBlas blas, ArrayView<float> c, ArrayView<float> a, ArrayView<float> b,
        int m, int n, int k, bool transA, bool transB, float alpha, float beta)
        => blas.Gemm(transB ? CuBlasOperation.Transpose : CuBlasOperation.NonTranspose,
                     transA ? CuBlasOperation.Transpose : CuBlasOperation.NonTranspose,
                     n, m, k, alpha, b, transB ? k : n, a, transA ? m : k, beta, c, n);

    /// <summary>
    /// The device's cuBLAS handle, or null where cuBLAS cannot be loaded (or DEEPNOTES_CUBLAS=off): made once, on the accelerator's default stream (where every other
    /// kernel of the plan runs, so no synchronisation is needed between them), with scalars passed by
    /// host pointer, and disposed with the device.
    /// </summary>
    private static CuBlas? CuBlasOf(GpuDevice device)
    {
        if (device.CuBlasUnavailable is not null) return null;
        try
        {
            return device.Resource(s_cuBlas, d =>
            {
                CuBlasLibrary.AllowNewerSoname();
                var accelerator = (CudaAccelerator)d.Accelerator;
                var blas = new CuBlas(accelerator);
                try
                {
                    blas.Stream = (CudaStream)accelerator.DefaultStream;
                    blas.PointerMode = CuBlasPointerMode.Host;
                    SelfTest(accelerator, blas);
                    return blas;
                }
                catch
                {
                    blas.Dispose();
                    throw;
                }
            });
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // ILGPU.Algorithms binds libcublas.so.10 to .12 (and .13 through CuBlasLibrary) and may find none at all, or
            // a library that fails the self-test: the ILGPU kernel then serves every product on this device, and
            // `deepnotes-gpu info` says why.
            device.CuBlasUnavailable = $"{e.GetType().Name}: {e.Message}";
            return null;
        }
    }

    /// <summary>Whether cuBLAS serves this device's large products (loading it and running the self-test the first time).</summary>
    internal static bool HasCuBlas(GpuDevice device) => device.IsCuda && CuBlasOf(device) is not null;

    /// <summary>
    /// A 3×2 by 2×4 product with a transposed operand through the handle, against the host's: a library that loads but
    /// computes something else (another ABI behind a familiar name) is refused before it touches a model.
    /// </summary>
    private static void SelfTest(CudaAccelerator accelerator, CuBlas blas)
    {
        const int m = 3, n = 4, k = 2;
        float[] a = [1f, 2f, 3f, 4f, 5f, 6f], bt = [1f, 0f, 2f, -1f, 0.5f, 3f, -2f, 1f];   // A is m×k; B is stored n×k
        using var da = accelerator.Allocate1D(a);
        using var db = accelerator.Allocate1D(bt);
        using var dc = accelerator.Allocate1D<float>(m * n);
        CuBlasMultiply(blas, dc.View, da.View, db.View, m, n, k, transA: false, transB: true, alpha: 1f, beta: 0f);
        accelerator.Synchronize();
        float[] c = dc.GetAsArray1D();
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                float expected = a[i * k] * bt[j * k] + a[i * k + 1] * bt[j * k + 1];
                if (c[i * n + j] != expected)
                    throw new InvalidOperationException($"cuBLAS self-test: C[{i},{j}] is {c[i * n + j]}, expected {expected}"
                        + (CuBlasLibrary.Substitute is { } so ? $" (through {so})" : ""));
            }
    }

    /// <summary>Reads element (row, col) of example z of a GEMM operand; only called inside the matrix.</summary>
    internal interface IOperand
    {
        float Load(int z, int row, int col);
    }

    /// <summary>
    /// Writes the finished element (row, col) of the product; only called inside the matrix. z is the
    /// example, or in a split product (<see cref="Run{TA, TB, TC}"/> with splits &gt; 1) example·splits +
    /// slice, so each slice can write its partial product to its own place (the tiled kernel's grid z
    /// index; the direct kernel's slot).
    /// </summary>
    internal interface IEpilogue
    {
        void Store(int z, int row, int col, float value);
    }

    /// <summary>A row-major matrix per example, <paramref name="leading"/> floats a row, read as itself or, with <paramref name="transposed"/>, as its transpose.</summary>
    internal readonly struct Strided(ArrayView<float> view, int leading, int stride, bool transposed) : IOperand
    {
        private readonly ArrayView<float> _view = view;
        private readonly int _leading = leading, _stride = stride;
        private readonly int _transposed = transposed ? 1 : 0;   // kernel arguments must be blittable: no bool

        public float Load(int z, int row, int col)
            => _view[z * _stride + (_transposed != 0 ? col * _leading + row : row * _leading + col)];
    }

    /// <summary>C = alpha·product + beta·C over row-major examples; with beta = 0, C is not read.</summary>
    internal readonly struct Scaled(ArrayView<float> view, int leading, int stride, float alpha, float beta) : IEpilogue
    {
        private readonly ArrayView<float> _view = view;
        private readonly int _leading = leading, _stride = stride;
        private readonly float _alpha = alpha, _beta = beta;

        public void Store(int z, int row, int col, float value)
        {
            int i = z * _stride + row * _leading + col;
            _view[i] = _beta == 0f ? _alpha * value : _alpha * value + _beta * _view[i];
        }
    }

    /// <summary>The transpose of another operand.</summary>
    internal readonly struct Transposed<T>(T inner) : IOperand where T : struct, IOperand
    {
        private readonly T _inner = inner;

        public float Load(int z, int row, int col) => _inner.Load(z, col, row);
    }

    /// <summary>
    /// Launches the device's GEMM kernel (<see cref="GpuDevice.Gemm"/>: the direct one, see DirectKernel, or
    /// the tiled one) for C[z] (m×n) = A[z] (m×k) · B[z] (k×n), z &lt; batch, on the default stream. The
    /// tiled kernel's grid is (column tiles, row tiles, batch × splits): the long dimension of a
    /// convolution (batch times output positions) is n, on the grid's x axis, which has the largest
    /// limit. With <paramref name="splits"/> &gt; 1 the inner dimension is cut into
    /// <see cref="Slices"/>(k, splits) slices of whole Depth steps (split-K): each group computes one
    /// slice's partial product, which the epilogue must keep apart (its z tells the slice) for a
    /// later sum (<see cref="SumSlices"/>).
    /// </summary>
    internal static void Run<TA, TB, TC>(GpuDevice device, TA a, TB b, TC c, int batch, int m, int n, int k, int splits = 1)
        where TA : struct, IOperand where TB : struct, IOperand where TC : struct, IEpilogue
    {
        if (batch == 0 || m == 0 || n == 0) return;
        splits = Slices(k, splits, out int chunk);
        if (device.Gemm == GemmKernel.Direct)
        {
            int columns = (n + Micro - 1) / Micro, rows = (m + Micro - 1) / Micro;
            long blocks = (long)columns * rows * batch * splits;
            var direct = device.Kernel(DirectKey<TA, TB, TC>.Value,
                acc => acc.LoadStreamKernel<int, TA, TB, TC, int, int, int, int, int>(DirectKernel));
            direct(Elements.Config(device.Accelerator, blocks), (int)blocks, a, b, c, m, n, k, splits, chunk);
            return;
        }
        var kernel = device.Kernel(Key<TA, TB, TC>.Value,
            acc => acc.LoadStreamKernel<TA, TB, TC, int, int, int, int, int>(TiledKernel));
        int threads = ThreadsOf(device), tile = Micro * threads;
        var grid = new Index3D((n + tile - 1) / tile, (m + tile - 1) / tile, batch * splits);
        Index3D max = device.Accelerator.MaxGridSize;
        if (grid.X > max.X || grid.Y > max.Y || grid.Z > max.Z)
            throw new NotSupportedException($"A {m}×{n}×{k} product over {batch} examples needs a grid of {grid}, beyond the device's {max}.");
        var shared = SharedMemoryConfig.RequestDynamic<float>(2 * Depth * tile);
        kernel(new KernelConfig(grid, new Index3D(threads, threads, 1), shared), a, b, c, m, n, k, splits, chunk);
    }

    /// <summary>
    /// How many slices to cut a long inner dimension into so that a product with few output tiles (a
    /// convolution's weight gradient: Cout × Cin·KH·KW outputs, batch·OH·OW deep) still occupies every
    /// multiprocessor (about four groups each), keeping at least <see cref="MinSliceDepth"/> per slice.
    /// </summary>
    internal static int SplitsFor(GpuDevice device, int m, int n, int k)
    {
        int tile = TileOf(device);
        long tiles = (long)((m + tile - 1) / tile) * ((n + tile - 1) / tile);
        long wanted = (4L * Math.Max(1, device.Accelerator.NumMultiprocessors) + tiles - 1) / tiles;
        return (int)Math.Clamp(Math.Min(wanted, k / MinSliceDepth), 1, 1024);
    }

    internal const int MinSliceDepth = 512;

    /// <summary>How many non-empty slices of whole Depth steps, <paramref name="chunk"/> deep, a k-deep product cut <paramref name="splits"/> ways has.</summary>
    internal static int Slices(int k, int splits, out int chunk)
    {
        chunk = Math.Max(1, (k + Math.Max(1, splits) - 1) / Math.Max(1, splits));
        chunk = (chunk + Depth - 1) / Depth * Depth;
        return Math.Max(1, (k + chunk - 1) / chunk);
    }

    private static readonly object s_workspace = new();
    private static readonly ElementKernel<ArrayView<float>, ArrayView<float>, int, int, float> s_sumSlices = new(SumSlicesKernel);

    /// <summary>
    /// c[i] = Σ_s partials[s·size + i] over the slices in order, + beta·c[i] (beta 0: c is not read):
    /// the end of a split product, the same sum on every run.
    /// </summary>
    internal static void SumSlices(GpuDevice device, ArrayView<float> c, ArrayView<float> partials, int size, int slices, float beta)
    {
        if (size == 0) return;
        s_sumSlices.Launch(device, size, c, partials, size, slices, beta);
    }

    private static void SumSlicesKernel(int count, ArrayView<float> c, ArrayView<float> partials, int size, int slices, float beta)
    {
        for (int i = Elements.First, step = Elements.Stride; i < count; i += step) SumSlicesAt(i, c, partials, size, slices, beta);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void SumSlicesAt(int i, ArrayView<float> c, ArrayView<float> partials, int size, int slices, float beta)
    {
        float sum = 0f;
        for (int s = 0; s < slices; s++) sum += partials[s * size + i];
        c[i] = beta == 0f ? sum : beta * c[i] + sum;
    }

    /// <summary>
    /// The device's GEMM workspace, at least <paramref name="length"/> floats (for split products'
    /// partials). Allocated once and grown only when a longer one is asked for: the shorter buffer it
    /// replaces is kept until the device is disposed, because kernels already queued may still read it
    /// (so growing never has to wait for the device).
    /// </summary>
    internal static ArrayView<float> Workspace(GpuDevice device, long length)
        => device.Resource(s_workspace, _ => new GrowingBuffer()).Get(device.Accelerator, length);

    private sealed class GrowingBuffer : IDisposable
    {
        private readonly List<MemoryBuffer1D<float, Stride1D.Dense>> _retired = new();
        private MemoryBuffer1D<float, Stride1D.Dense>? _current;

        public ArrayView<float> Get(Accelerator accelerator, long length)
        {
            if (_current is null || _current.Length < length)
            {
                if (_current is not null) _retired.Add(_current);
                _current = accelerator.Allocate1D<float>(Math.Max(length, 2 * (_current?.Length ?? 0)));
            }
            return _current.View.SubView(0, length);
        }

        public void Dispose()
        {
            foreach (var buffer in _retired) buffer.Dispose();
            _current?.Dispose();
        }
    }

    /// <summary>One kernel-cache key per instantiation of the generic kernel.</summary>
    private static class Key<TA, TB, TC>
    {
        public static readonly object Value = new();
    }

    private static class DirectKey<TA, TB, TC>
    {
        public static readonly object Value = new();
    }

    /// <summary>
    /// The barrier-free kernel (<see cref="GemmKernel.Direct"/>): a grid-stride loop (<see cref="Elements"/>) over the
    /// 4×4 blocks of every example's product, column blocks fastest; <see cref="DirectBlock"/> computes one.
    /// </summary>
    private static void DirectKernel<TA, TB, TC>(int count, TA a, TB b, TC c, int m, int n, int k, int splits, int chunk)
        where TA : struct, IOperand where TB : struct, IOperand where TC : struct, IEpilogue
    {
        int columns = (n + Micro - 1) / Micro, rows = (m + Micro - 1) / Micro;
        for (int block = Elements.First, step = Elements.Stride; block < count; block += step)
        {
            int rest = block / columns, y = rest % rows;
            DirectBlock(a, b, c, m, n, k, splits, chunk, (block - rest * columns) * Micro, y * Micro, rest / rows);
        }
    }

    /// <summary>
    /// Rows row..row+3 and columns col..col+3 of grid slot zs (example zs / splits over the same inner slice as the tiled
    /// kernel), both operands read from device memory. Rows and columns past the matrix edge are read clamped to the
    /// last one (no branch in the loop) and never stored.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void DirectBlock<TA, TB, TC>(TA a, TB b, TC c, int m, int n, int k, int splits, int chunk, int col, int row, int zs)
        where TA : struct, IOperand where TB : struct, IOperand where TC : struct, IEpilogue
    {
        int z = zs / splits;
        int kBegin = (zs - z * splits) * chunk, kEnd = Math.Min(k, kBegin + chunk);
        int r1 = Math.Min(row + 1, m - 1), r2 = Math.Min(row + 2, m - 1), r3 = Math.Min(row + 3, m - 1);
        int q1 = Math.Min(col + 1, n - 1), q2 = Math.Min(col + 2, n - 1), q3 = Math.Min(col + 3, n - 1);
        Row4 c0 = default, c1 = default, c2 = default, c3 = default;
        for (int p = kBegin; p < kEnd; p++)
        {
            var bRow = new Row4(b.Load(z, p, col), b.Load(z, p, q1), b.Load(z, p, q2), b.Load(z, p, q3));
            c0 = Row4.MultiplyAdd(c0, a.Load(z, row, p), bRow);
            c1 = Row4.MultiplyAdd(c1, a.Load(z, r1, p), bRow);
            c2 = Row4.MultiplyAdd(c2, a.Load(z, r2, p), bRow);
            c3 = Row4.MultiplyAdd(c3, a.Load(z, r3, p), bRow);
        }
        Store(c, zs, row, col, 1, m, n, c0);
        Store(c, zs, row + 1, col, 1, m, n, c1);
        Store(c, zs, row + 2, col, 1, m, n, c2);
        Store(c, zs, row + 3, col, 1, m, n, c3);
    }

    /// <summary>
    /// The classic shared-memory tiling, with t = the group's width and a tile of 4t: the group stages a
    /// tile×Depth block of A and a Depth×tile block of B (zeros past the matrix edges), synchronises, and
    /// each thread accumulates its 4×4 outputs in registers from shared memory: rows ty + i·t and
    /// columns tx + j·t (i, j &lt; 4), so neighbouring threads read neighbouring shared addresses and
    /// write neighbouring columns. A's block is loaded with the inner index fastest and B's with the
    /// column fastest, so consecutive threads read consecutive addresses of a row-major A and of B or
    /// of an im2col row. With splits &gt; 1, group z·splits + s of the grid's z axis computes example z
    /// over the inner slice [s·chunk, (s + 1)·chunk), and stores with that grid index.
    /// </summary>
    private static void TiledKernel<TA, TB, TC>(TA a, TB b, TC c, int m, int n, int k, int splits, int chunk)
        where TA : struct, IOperand where TB : struct, IOperand where TC : struct, IEpilogue
    {
        int t = Group.DimX, tile = Micro * t, size = Depth * tile;
        ArrayView<float> shared = SharedMemory.GetDynamic<float>();
        ArrayView<float> sa = shared.SubView(0, size);      // sa[p·tile + r] = A[row0 + r, p0 + p]
        ArrayView<float> sb = shared.SubView(size, size);   // sb[p·tile + q] = B[p0 + p, col0 + q]
        int tx = Group.IdxX, ty = Group.IdxY, thread = ty * t + tx;
        int row0 = Grid.IdxY * tile, col0 = Grid.IdxX * tile, z = Grid.IdxZ / splits;
        int kBegin = (Grid.IdxZ - z * splits) * chunk, kEnd = Math.Min(k, kBegin + chunk);
        Row4 c0 = default, c1 = default, c2 = default, c3 = default;
        for (int p0 = kBegin; p0 < kEnd; p0 += Depth)
        {
            for (int e = thread; e < size; e += t * t)
            {
                int ap = e % Depth, ar = e / Depth;
                int gr = row0 + ar, gp = p0 + ap;
                sa[ap * tile + ar] = gr < m && gp < kEnd ? a.Load(z, gr, gp) : 0f;
                int bq = e % tile, bp = e / tile;
                int gq = col0 + bq, gk = p0 + bp;
                sb[bp * tile + bq] = gk < kEnd && gq < n ? b.Load(z, gk, gq) : 0f;
            }
            Group.Barrier();
            for (int p = 0; p < Depth; p++)
            {
                int ra = p * tile + ty, rb = p * tile + tx;
                var bRow = new Row4(sb[rb], sb[rb + t], sb[rb + 2 * t], sb[rb + 3 * t]);
                c0 = Row4.MultiplyAdd(c0, sa[ra], bRow);
                c1 = Row4.MultiplyAdd(c1, sa[ra + t], bRow);
                c2 = Row4.MultiplyAdd(c2, sa[ra + 2 * t], bRow);
                c3 = Row4.MultiplyAdd(c3, sa[ra + 3 * t], bRow);
            }
            Group.Barrier();
        }
        int r = row0 + ty, q = col0 + tx;
        Store(c, Grid.IdxZ, r, q, t, m, n, c0);
        Store(c, Grid.IdxZ, r + t, q, t, m, n, c1);
        Store(c, Grid.IdxZ, r + 2 * t, q, t, m, n, c2);
        Store(c, Grid.IdxZ, r + 3 * t, q, t, m, n, c3);
    }

    /// <summary>A thread's four accumulators of one row of C (columns q, q + t, q + 2t, q + 3t), held in registers.</summary>
    internal readonly struct Row4(float v0, float v1, float v2, float v3)
    {
        public readonly float V0 = v0, V1 = v1, V2 = v2, V3 = v3;

        /// <summary>acc + a·b, element-wise (a value, not a mutation, so the compiler keeps it in registers).</summary>
        public static Row4 MultiplyAdd(Row4 acc, float a, Row4 b)
            => new(acc.V0 + a * b.V0, acc.V1 + a * b.V1, acc.V2 + a * b.V2, acc.V3 + a * b.V3);
    }

    /// <summary>Stores one row of a thread's outputs, those inside the m×n matrix only.</summary>
    private static void Store<TC>(TC c, int z, int row, int col, int t, int m, int n, Row4 v) where TC : struct, IEpilogue
    {
        if (row >= m) return;
        if (col < n) c.Store(z, row, col, v.V0);
        if (col + t < n) c.Store(z, row, col + t, v.V1);
        if (col + 2 * t < n) c.Store(z, row, col + 2 * t, v.V2);
        if (col + 3 * t < n) c.Store(z, row, col + 3 * t, v.V3);
    }

    /// <summary>The activation of an epilogue, on the device (the CPU's formulas: relu = max(x, 0), sigmoid = 1/(1 + e^−x)).</summary>
    internal static float Activate(Activation activation, float x) => activation switch
    {
        Activation.Relu => x < 0f ? 0f : x,
        Activation.Sigmoid => 1f / (1f + XMath.Exp(-x)),
        Activation.Tanh => XMath.Tanh(x),
        _ => x,
    };

}
