using System;
using System.Runtime.CompilerServices;
using DeepNotes.Kernels;
using ILGPU;
using ILGPU.Runtime;

namespace DeepNotes.Gpu.Kernels;

// Convolution through cuBLAS: where the device's products go to cuBLAS (CUDA, the library loaded and its self-test
// passed), each pass stores its column matrix in the GEMM workspace and makes one cuBLAS product, instead of the
// implicit GEMM on the ILGPU kernel (whose loaders compute the im2col indices of every element they read). The same
// operand loaders and epilogue fill and empty the matrices, element by element, so both paths read and write the same
// elements; tests run this path on the CPU accelerator, with the ILGPU kernel standing in for cuBLAS.
public static partial class Conv2d
{
    /// <summary>The most floats a pass's matrices may take in the workspace (1 GiB); a larger pass runs as an implicit GEMM.</summary>
    internal const long MaxColumnFloats = 1L << 28;

    /// <summary>Whether the passes at this batch go through stored column matrices and cuBLAS (see the file's header).</summary>
    internal static bool UseColumns(GpuDevice device, int batch, Geometry g)
        => batch > 0 && ColumnFloats(batch, g) <= MaxColumnFloats && Gemm.HasCuBlas(device);

    /// <summary>The workspace a pass takes: the column matrix [Cin·KH·KW, B·OH·OW] and the output-shaped [Cout, B·OH·OW].</summary>
    internal static long ColumnFloats(int batch, Geometry g) => ((long)g.ColumnRows + g.OutChannels) * batch * g.OutPlane;

    private static readonly ElementKernel<ArrayView<float>, Columns, int> s_im2col = new(MaterializeKernel);
    private static readonly ElementKernel<ArrayView<float>, Planar, int> s_rows = new(MaterializeKernel);
    private static readonly ElementKernel<ArrayView<float>, PlanarStore, int> s_store = new(StoreKernel);
    private static readonly ElementKernel<ArrayView<float>, ArrayView<float>, Geometry, int> s_col2im = new(Col2ImKernel);

    /// <summary>y = act(W · cols(x) + bias), the product scattered into NCHW.</summary>
    internal static void ForwardColumns(GpuDevice device, ArrayView<float> y, ArrayView<float> x, ArrayView<float> w, ArrayView<float> bias,
        int batch, Geometry g, Activation activation)
    {
        int n = batch * g.OutPlane;
        (ArrayView<float> cols, ArrayView<float> product) = Matrices(device, batch, g);
        s_im2col.Launch(device, (long)g.ColumnRows * n, cols, new Columns(x, g), n);
        Gemm.Multiply(device, product, w, cols, g.OutChannels, n, g.ColumnRows);
        s_store.Launch(device, (long)g.OutChannels * n, product, new PlanarStore(y, g.OutChannels, g.OutPlane, bias, activation), n);
    }

    /// <summary>dcols = Wᵀ · dy as [Cout, B·OH·OW], then col2im as a gather: each dx element sums the columns that read it.</summary>
    internal static void BackwardDataColumns(GpuDevice device, ArrayView<float> dx, ArrayView<float> dy, ArrayView<float> w, int batch, Geometry g)
    {
        int n = batch * g.OutPlane;
        (ArrayView<float> dcols, ArrayView<float> rows) = Matrices(device, batch, g);
        s_rows.Launch(device, (long)g.OutChannels * n, rows, new Planar(dy, g.OutChannels, g.OutPlane), n);
        Gemm.Multiply(device, dcols, w, rows, g.ColumnRows, n, g.OutChannels, transA: true);
        s_col2im.Launch(device, (long)batch * g.InChannels * g.InPlane, dx, dcols, g, n);
    }

    /// <summary>dW (+)= dy as [Cout, B·OH·OW] · cols(x)ᵀ.</summary>
    internal static void BackwardWeightsColumns(GpuDevice device, ArrayView<float> dw, ArrayView<float> dy, ArrayView<float> x, int batch,
        Geometry g, bool overwrite)
    {
        int n = batch * g.OutPlane;
        (ArrayView<float> cols, ArrayView<float> rows) = Matrices(device, batch, g);
        s_im2col.Launch(device, (long)g.ColumnRows * n, cols, new Columns(x, g), n);
        s_rows.Launch(device, (long)g.OutChannels * n, rows, new Planar(dy, g.OutChannels, g.OutPlane), n);
        Gemm.Multiply(device, dw, rows, cols, g.OutChannels, g.ColumnRows, n, transB: true, beta: overwrite ? 0f : 1f);
    }

    /// <summary>The column matrix and the output-shaped matrix, one after the other in the device's GEMM workspace.</summary>
    private static (ArrayView<float> Columns, ArrayView<float> Rows) Matrices(GpuDevice device, int batch, Geometry g)
    {
        long n = (long)batch * g.OutPlane, columns = g.ColumnRows * n;
        ArrayView<float> space = Gemm.Workspace(device, ColumnFloats(batch, g));
        return (space.SubView(0, columns), space.SubView(columns, g.OutChannels * n));
    }

    /// <summary>dst[r·cols + c] = source(r, c) over the whole matrix.</summary>
    private static void MaterializeKernel<TSource>(int count, ArrayView<float> dst, TSource source, int cols) where TSource : struct, Gemm.IOperand
    {
        for (int e = Elements.First, step = Elements.Stride; e < count; e += step)
        {
            int r = e / cols;
            dst[e] = source.Load(0, r, e - r * cols);
        }
    }

    /// <summary>store(r, c, src[r·cols + c]) over the whole matrix.</summary>
    private static void StoreKernel<TStore>(int count, ArrayView<float> src, TStore store, int cols) where TStore : struct, Gemm.IEpilogue
    {
        for (int e = Elements.First, step = Elements.Stride; e < count; e += step)
        {
            int r = e / cols;
            store.Store(0, r, e - r * cols, src[e]);
        }
    }

    private static void Col2ImKernel(int count, ArrayView<float> dx, ArrayView<float> dcols, Geometry g, int n)
    {
        for (int e = Elements.First, step = Elements.Stride; e < count; e += step) Col2ImAt(e, dx, dcols, g, n);
    }

    /// <summary>
    /// dx[b, c, h, w] = Σ over taps (u, v) of dcols[(c, u, v), (b, i, j)] where i·SH − PH + u = h and j·SW − PW + v = w
    /// land on an output position (n = B·OH·OW columns a row), in tap order.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Col2ImAt(int e, ArrayView<float> dx, ArrayView<float> dcols, Geometry g, int n)
    {
        int plane = g.InPlane, bc = e / plane, p = e - bc * plane, b = bc / g.InChannels, c = bc - b * g.InChannels;
        int h = p / g.W, w = p - h * g.W, first = b * g.OutPlane;
        float sum = 0f;
        for (int u = 0; u < g.KH; u++)
        {
            int ti = h + g.PH - u;
            if (ti < 0) break;
            int i = ti / g.SH;
            if (i * g.SH != ti || i >= g.OH) continue;
            for (int v = 0; v < g.KW; v++)
            {
                int tj = w + g.PW - v;
                if (tj < 0) break;
                int j = tj / g.SW;
                if (j * g.SW != tj || j >= g.OW) continue;
                sum += dcols[((c * g.KH + u) * g.KW + v) * n + first + i * g.OW + j];
            }
        }
        dx[e] = sum;
    }
}
