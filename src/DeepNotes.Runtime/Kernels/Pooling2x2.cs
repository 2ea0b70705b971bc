using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace DeepNotes.Kernels;

// Max pooling with 2×2 windows at stride 2 and no padding (LeNet's, and the most common one), in one
// pass: eight windows at a time take two rows of sixteen inputs, split them into the four window
// corners with two shuffles per row (the windows come out in the order 0 1 4 5 | 2 3 6 7, which one
// 64-bit permute puts back), and reduce. Backward recomputes the maximum the same way, keeps the
// first corner equal to it in row-major order (a NaN maximum matches a NaN corner, as in the
// general path), and interleaves the four masked gradients back into the two rows with unpacks.
// Results are those of the general path bit for bit: same maxima, same routing.
public static partial class Pooling
{
    private static bool Is2x2(in Pool2dShape s)
        => s.KernelHeight == 2 && s.KernelWidth == 2 && s.StrideHeight == 2 && s.StrideWidth == 2 && s.PadHeight == 0 && s.PadWidth == 0
           && Avx2.IsSupported;

    private static unsafe void Max2x2Forward(Span<float> y, ReadOnlySpan<float> x, int batch, in Pool2dShape s)
    {
        int h = s.InHeight, w = s.InWidth, oh = s.OutHeight, ow = s.OutWidth, planes = batch * s.Channels;
        fixed (float* px = x)
        fixed (float* py = y)
        {
            for (int p = 0; p < planes; p++)
            {
                for (int i = 0; i < oh; i++)
                {
                    float* r0 = px + (nint)p * h * w + 2 * i * w, r1 = r0 + w, yr = py + ((nint)p * oh + i) * ow;
                    int j = 0;
                    if (ow >= 8)
                    {
                        for (int j0 = 0; j0 < ow; j0 += 8)
                        {
                            j = Math.Min(j0, ow - 8);   // the last block overlaps the one before it
                            Vector256<float> a = Vector256.Max(Vector256.Load(r0 + 2 * j), Vector256.Load(r1 + 2 * j));
                            Vector256<float> b = Vector256.Max(Vector256.Load(r0 + 2 * j + 8), Vector256.Load(r1 + 2 * j + 8));
                            Vector256<float> m = Vector256.Max(Avx.Shuffle(a, b, 0x88), Avx.Shuffle(a, b, 0xDD));
                            Avx2.Permute4x64(m.AsDouble(), 0xD8).AsSingle().Store(yr + j);
                        }
                        continue;
                    }
                    for (; j + 4 <= ow; j += 4)
                    {
                        Vector128<float> a = Vector128.Max(Vector128.Load(r0 + 2 * j), Vector128.Load(r1 + 2 * j));
                        Vector128<float> b = Vector128.Max(Vector128.Load(r0 + 2 * j + 4), Vector128.Load(r1 + 2 * j + 4));
                        Vector128.Max(Sse.Shuffle(a, b, 0x88), Sse.Shuffle(a, b, 0xDD)).Store(yr + j);
                    }
                    for (; j < ow; j++)
                        yr[j] = MathF.Max(MathF.Max(r0[2 * j], r1[2 * j]), MathF.Max(r0[2 * j + 1], r1[2 * j + 1]));
                }
            }
        }
    }

    private static unsafe void Max2x2Backward(Span<float> dx, ReadOnlySpan<float> dy, ReadOnlySpan<float> x, int batch, in Pool2dShape s)
    {
        int h = s.InHeight, w = s.InWidth, oh = s.OutHeight, ow = s.OutWidth, planes = batch * s.Channels;
        fixed (float* px = x)
        fixed (float* pdx = dx)
        fixed (float* pdy = dy)
        {
            for (int p = 0; p < planes; p++)
            {
                float* xp = px + (nint)p * h * w, dxp = pdx + (nint)p * h * w;
                for (int i = 0; i < oh; i++)
                {
                    float* r0 = xp + 2 * i * w, r1 = r0 + w, d0 = dxp + 2 * i * w, d1 = d0 + w, g = pdy + ((nint)p * oh + i) * ow;
                    if (ow >= 8)
                    {
                        // Whole blocks of 8 windows; the last block overlaps the one before it (same values written twice).
                        for (int j0 = 0; j0 < ow; j0 += 8) Backward8(r0, r1, d0, d1, g, Math.Min(j0, ow - 8));
                    }
                    else if (ow >= 4)
                    {
                        for (int j0 = 0; j0 < ow; j0 += 4) Backward4(r0, r1, d0, d1, g, Math.Min(j0, ow - 4));
                    }
                    else
                    {
                        for (int j = 0; j < ow; j++) Backward1(r0, r1, d0, d1, g, j);
                    }
                    if ((w & 1) != 0)
                    {
                        d0[w - 1] = 0f;
                        d1[w - 1] = 0f;
                    }
                }
                if ((h & 1) != 0) new Span<float>(dxp + (nint)(h - 1) * w, w).Clear();
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Backward8(float* r0, float* r1, float* d0, float* d1, float* g, int j)
    {
        Vector256<float> a0 = Vector256.Load(r0 + 2 * j), a1 = Vector256.Load(r0 + 2 * j + 8);
        Vector256<float> b0 = Vector256.Load(r1 + 2 * j), b1 = Vector256.Load(r1 + 2 * j + 8);
        Vector256<float> x00 = Avx.Shuffle(a0, a1, 0x88), x01 = Avx.Shuffle(a0, a1, 0xDD);
        Vector256<float> x10 = Avx.Shuffle(b0, b1, 0x88), x11 = Avx.Shuffle(b0, b1, 0xDD);
        // The forward's order of reduction: rows first, then the two columns.
        Vector256<float> m = Vector256.Max(Vector256.Max(x00, x10), Vector256.Max(x01, x11));
        Vector256<float> gy = Avx2.Permute4x64(Vector256.Load(g + j).AsDouble(), 0xD8).AsSingle();
        Vector256<float> e00 = Matches(x00, m);
        Vector256<float> e01 = Vector256.AndNot(Matches(x01, m), e00);
        Vector256<float> taken = e00 | e01;
        Vector256<float> e10 = Vector256.AndNot(Matches(x10, m), taken);
        Vector256<float> e11 = ~(taken | e10);
        Vector256<float> g00 = e00 & gy, g01 = e01 & gy, g10 = e10 & gy, g11 = e11 & gy;
        Avx.UnpackLow(g00, g01).Store(d0 + 2 * j);
        Avx.UnpackHigh(g00, g01).Store(d0 + 2 * j + 8);
        Avx.UnpackLow(g10, g11).Store(d1 + 2 * j);
        Avx.UnpackHigh(g10, g11).Store(d1 + 2 * j + 8);
    }

    /// <summary>Four windows: within 128 bits the shuffles keep the windows in order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Backward4(float* r0, float* r1, float* d0, float* d1, float* g, int j)
    {
        Vector128<float> a0 = Vector128.Load(r0 + 2 * j), a1 = Vector128.Load(r0 + 2 * j + 4);
        Vector128<float> b0 = Vector128.Load(r1 + 2 * j), b1 = Vector128.Load(r1 + 2 * j + 4);
        Vector128<float> x00 = Sse.Shuffle(a0, a1, 0x88), x01 = Sse.Shuffle(a0, a1, 0xDD);
        Vector128<float> x10 = Sse.Shuffle(b0, b1, 0x88), x11 = Sse.Shuffle(b0, b1, 0xDD);
        Vector128<float> m = Vector128.Max(Vector128.Max(x00, x10), Vector128.Max(x01, x11));
        Vector128<float> gy = Vector128.Load(g + j);
        Vector128<float> e00 = Matches(x00, m);
        Vector128<float> e01 = Vector128.AndNot(Matches(x01, m), e00);
        Vector128<float> taken = e00 | e01;
        Vector128<float> e10 = Vector128.AndNot(Matches(x10, m), taken);
        Vector128<float> e11 = ~(taken | e10);
        Vector128<float> g00 = e00 & gy, g01 = e01 & gy, g10 = e10 & gy, g11 = e11 & gy;
        Sse.UnpackLow(g00, g01).Store(d0 + 2 * j);
        Sse.UnpackHigh(g00, g01).Store(d0 + 2 * j + 4);
        Sse.UnpackLow(g10, g11).Store(d1 + 2 * j);
        Sse.UnpackHigh(g10, g11).Store(d1 + 2 * j + 4);
    }

    private static unsafe void Backward1(float* r0, float* r1, float* d0, float* d1, float* g, int j)
    {
        float v00 = r0[2 * j], v01 = r0[2 * j + 1], v10 = r1[2 * j], v11 = r1[2 * j + 1];
        float m = MathF.Max(MathF.Max(v00, v10), MathF.Max(v01, v11));
        bool e00 = Same(v00, m), e01 = !e00 && Same(v01, m), e10 = !e00 && !e01 && Same(v10, m), e11 = !(e00 || e01 || e10);
        float gj = g[j];
        d0[2 * j] = e00 ? gj : 0f;
        d0[2 * j + 1] = e01 ? gj : 0f;
        d1[2 * j] = e10 ? gj : 0f;
        d1[2 * j + 1] = e11 ? gj : 0f;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> Matches(Vector128<float> x, Vector128<float> m)
        => Vector128.Equals(x, m) | (~Vector128.Equals(x, x) & ~Vector128.Equals(m, m));

    /// <summary>Lanes where x equals the maximum m, or both are NaN.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Matches(Vector256<float> x, Vector256<float> m)
        => Vector256.Equals(x, m) | (~Vector256.Equals(x, x) & ~Vector256.Equals(m, m));

    private static bool Same(float x, float m) => x == m || (float.IsNaN(x) && float.IsNaN(m));
}
