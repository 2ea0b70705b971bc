using System;
using System.Collections.Generic;
using System.Threading.Tasks;
using DeepNotes.Kernels;
using Xunit;

namespace DeepNotes.Runtime.Tests;

public class GemmTests
{
    // Odd sizes around the tile edges (8×32, 6×16), the row block (144), the depth block (256)
    // and the column block (4096), plus degenerate ones.
    private static readonly int[] OddSizes = { 1, 3, 7, 17, 33, 65, 127 };

    public static IEnumerable<object[]> AllCombos()
    {
        foreach (int kernel in new[] { (int)GemmKernel.Vector256, (int)GemmKernel.Vector512 })
            foreach (bool transA in new[] { false, true })
                foreach (bool transB in new[] { false, true })
                    foreach (float beta in new[] { 0f, 1f })
                        yield return new object[] { kernel, transA, transB, beta };
    }

    public static IEnumerable<object[]> Kernels()
    {
        yield return new object[] { (int)GemmKernel.Auto };
        yield return new object[] { (int)GemmKernel.Vector256 };
        yield return new object[] { (int)GemmKernel.Vector512 };
    }

    /// <summary>Shapes for one combo: fixed edge cases, then random draws from the odd sizes and from 1..300.</summary>
    private static List<(int M, int N, int K)> Shapes(int seed)
    {
        var shapes = new List<(int, int, int)>
        {
            (1, 1, 1), (1, 33, 7), (7, 1, 17), (17, 3, 1),
            (8, 32, 256), (6, 16, 5), (9, 33, 257),      // exact tiles, one past the tile and depth block
            (145, 31, 65), (150, 70, 300),                // past the row block, two depth blocks with a ragged tail
            (3, 4099, 9),                                 // past the column block
            (64, 65, 127),
        };
        var rng = new Random(seed);
        for (int t = 0; t < 4; t++)
            shapes.Add((OddSizes[rng.Next(OddSizes.Length)], OddSizes[rng.Next(OddSizes.Length)], OddSizes[rng.Next(OddSizes.Length)]));
        for (int t = 0; t < 3; t++)
            shapes.Add((rng.Next(1, 200), rng.Next(1, 200), rng.Next(1, 300)));
        return shapes;
    }

    private static float[] RandomArray(Random rng, int length, float scale = 1f)
    {
        var x = new float[length];
        for (int i = 0; i < x.Length; i++) x[i] = (float)(rng.NextDouble() * 2 - 1) * scale;
        return x;
    }

    /// <summary>
    /// Asserts c ≈ expected elementwise with a float-rounding tolerance: the error of a k-term float
    /// sum grows like √k·ε·Σ|terms|, so the bound is 1e-6·√k·(Σ_p |op(A)_ip·op(B)_pj| + |beta·c0_ij|),
    /// ~16× the typical rounding error yet ~50× smaller than dropping a single term.
    /// </summary>
    private static void AssertClose(float[] expected, float[] actual, float[] a, float[] b, float[] c0,
        int m, int n, int k, bool transA, bool transB, float beta, string what)
    {
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double abs = Math.Abs((double)beta * c0[i * n + j]);
                for (int p = 0; p < k; p++)
                {
                    float x = transA ? a[p * m + i] : a[i * k + p];
                    float y = transB ? b[j * k + p] : b[p * n + j];
                    abs += Math.Abs((double)x * y);
                }
                double tol = 1e-6 * Math.Sqrt(Math.Max(k, 1)) * abs + 1e-7;
                float e = expected[i * n + j], g = actual[i * n + j];
                if (!(Math.Abs(e - g) <= tol))
                    Assert.Fail($"{what}: C[{i},{j}] = {g}, expected {e} (tol {tol:G3}) for m={m} n={n} k={k} transA={transA} transB={transB} beta={beta}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(AllCombos))]
    public void MatchesReference(int kernel, bool transA, bool transB, float beta)
    {
        int seed = kernel * 1000 + (transA ? 100 : 0) + (transB ? 10 : 0) + (int)beta;
        var rng = new Random(seed);
        foreach (var (m, n, k) in Shapes(seed))
        {
            float[] a = RandomArray(rng, m * k);
            float[] b = RandomArray(rng, k * n);
            float[] c0 = RandomArray(rng, m * n);
            float[] expected = (float[])c0.Clone();
            float[] actual = (float[])c0.Clone();

            Gemm.Reference(expected, a, b, m, n, k, transA, transB, beta);
            Gemm.Multiply(actual, a, b, m, n, k, transA, transB, beta, (GemmKernel)kernel);

            AssertClose(expected, actual, a, b, c0, m, n, k, transA, transB, beta, ((GemmKernel)kernel).ToString());
        }
    }

    [Theory]
    [MemberData(nameof(Kernels))]
    public void GeneralBetaScalesOldC(int kernel)
    {
        var rng = new Random(7 + kernel);
        foreach (float beta in new[] { 0.5f, -2f })
        {
            foreach (var (m, n, k) in new[] { (33, 65, 17), (7, 3, 300), (127, 40, 1) })
            {
                float[] a = RandomArray(rng, k * m), b = RandomArray(rng, n * k), c0 = RandomArray(rng, m * n);
                float[] expected = (float[])c0.Clone(), actual = (float[])c0.Clone();
                Gemm.Reference(expected, a, b, m, n, k, true, true, beta);
                Gemm.Multiply(actual, a, b, m, n, k, true, true, beta, (GemmKernel)kernel);
                AssertClose(expected, actual, a, b, c0, m, n, k, true, true, beta, "beta");
            }
        }
    }

    [Fact]
    public void PublicOverloadMatchesReference()
    {
        var rng = new Random(99);
        int m = 37, n = 71, k = 263;
        float[] a = RandomArray(rng, m * k), b = RandomArray(rng, k * n), c0 = RandomArray(rng, m * n);
        float[] expected = (float[])c0.Clone(), actual = (float[])c0.Clone();
        Gemm.Reference(expected, a, b, m, n, k, transB: true, beta: 1f);
        Gemm.Multiply(actual, a, b, m, n, k, transB: true, beta: 1f);
        AssertClose(expected, actual, a, b, c0, m, n, k, false, true, 1f, "public");
    }

    [Fact]
    public void ReferenceTransposeFlagsMatchExplicitTransposes()
    {
        var rng = new Random(5);
        int m = 7, n = 17, k = 33;
        float[] a = RandomArray(rng, m * k), b = RandomArray(rng, k * n);
        float[] at = Transpose(a, m, k), bt = Transpose(b, k, n);
        float[] nn = new float[m * n];
        Gemm.Reference(nn, a, b, m, n, k);
        foreach (var (ta, tb) in new[] { (true, false), (false, true), (true, true) })
        {
            float[] c = new float[m * n];
            Gemm.Reference(c, ta ? at : a, tb ? bt : b, m, n, k, ta, tb);
            Assert.Equal(nn, c);
        }

        // And the plain loop itself, written out independently.
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double s = 0;
                for (int p = 0; p < k; p++) s += (double)a[i * k + p] * b[p * n + j];
                Assert.Equal((float)s, nn[i * n + j]);
            }
    }

    private static float[] Transpose(float[] x, int rows, int cols)
    {
        var t = new float[x.Length];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++)
                t[c * rows + r] = x[r * cols + c];
        return t;
    }

    [Theory]
    [MemberData(nameof(Kernels))]
    public void NaNInCDoesNotLeakWhenBetaIsZero(int kernel)
    {
        var rng = new Random(11 + kernel);
        foreach (var (m, n, k) in new[] { (1, 1, 1), (17, 33, 7), (65, 127, 300), (9, 3, 513) })
        {
            foreach (var (ta, tb) in new[] { (false, false), (true, true) })
            {
                float[] a = RandomArray(rng, m * k), b = RandomArray(rng, k * n);
                float[] c = new float[m * n];
                Array.Fill(c, float.NaN);
                float[] expected = new float[m * n];
                Gemm.Reference(expected, a, b, m, n, k, ta, tb);
                Gemm.Multiply(c, a, b, m, n, k, ta, tb, 0f, (GemmKernel)kernel);
                foreach (float v in c) Assert.False(float.IsNaN(v));
                AssertClose(expected, c, a, b, new float[m * n], m, n, k, ta, tb, 0f, "NaN");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Kernels))]
    public void LeavesElementsPastTheMatrixUntouched(int kernel)
    {
        var rng = new Random(13 + kernel);
        int m = 9, n = 33, k = 20;
        float[] a = RandomArray(rng, m * k + 5), b = RandomArray(rng, k * n + 5);
        float[] c = RandomArray(rng, m * n + 40);
        float[] tail = c.AsSpan(m * n).ToArray();
        Gemm.Multiply(c, a, b, m, n, k, false, false, 0f, (GemmKernel)kernel);
        Assert.Equal(tail, c.AsSpan(m * n).ToArray());
    }

    [Fact]
    public void ZeroDepthScalesC()
    {
        float[] c = { float.NaN, 1f, 2f, 3f, 4f, 5f };
        Gemm.Multiply(c, Array.Empty<float>(), Array.Empty<float>(), 2, 3, 0);
        Assert.All(c, v => Assert.Equal(0f, v));

        var rng = new Random(3);
        float[] c0 = RandomArray(rng, 6);
        float[] c1 = (float[])c0.Clone();
        Gemm.Multiply(c1, Array.Empty<float>(), Array.Empty<float>(), 2, 3, 0, beta: 1f);
        Assert.Equal(c0, c1);
        Gemm.Multiply(c1, Array.Empty<float>(), Array.Empty<float>(), 3, 2, 0, beta: 0.5f);
        for (int i = 0; i < 6; i++) Assert.Equal(c0[i] * 0.5f, c1[i]);

        // Empty outputs are a no-op.
        Gemm.Multiply(Span<float>.Empty, ReadOnlySpan<float>.Empty, new float[20], 0, 4, 5);
        Gemm.Multiply(Span<float>.Empty, new float[20], ReadOnlySpan<float>.Empty, 4, 0, 5);
    }

    [Fact]
    public void TooShortSpansThrowNamingTheOperand()
    {
        int m = 3, n = 5, k = 7;
        float[] a = new float[m * k], b = new float[k * n], c = new float[m * n];
        Assert.Equal("a", Assert.Throws<ArgumentException>(() => Gemm.Multiply(c, a.AsSpan(1), b, m, n, k)).ParamName);
        Assert.Equal("b", Assert.Throws<ArgumentException>(() => Gemm.Multiply(c, a, b.AsSpan(1), m, n, k)).ParamName);
        Assert.Equal("c", Assert.Throws<ArgumentException>(() => Gemm.Multiply(c.AsSpan(1), a, b, m, n, k)).ParamName);
        Assert.Equal("a", Assert.Throws<ArgumentException>(() => Gemm.Multiply(c, a.AsSpan(1), b, m, n, k, transA: true)).ParamName);
        Assert.Equal("b", Assert.Throws<ArgumentException>(() => Gemm.Reference(c, a, b.AsSpan(2), m, n, k)).ParamName);
        Assert.ThrowsAny<ArgumentOutOfRangeException>(() => Gemm.Multiply(c, a, b, -1, n, k));
        Assert.ThrowsAny<ArgumentOutOfRangeException>(() => Gemm.Multiply(c, a, b, m, n, -1));

        Assert.Equal("bias", Assert.Throws<ArgumentException>(() => Gemm.AddBias(c, new float[n - 1], m, n)).ParamName);
        Assert.Equal("c", Assert.Throws<ArgumentException>(() => Gemm.AddBias(c.AsSpan(1), new float[n], m, n)).ParamName);
        Assert.Equal("gradBias", Assert.Throws<ArgumentException>(() => Gemm.BiasGradient(new float[n - 1], c, m, n)).ParamName);
        Assert.Equal("gradOut", Assert.Throws<ArgumentException>(() => Gemm.BiasGradient(new float[n], c.AsSpan(1), m, n)).ParamName);
    }

    [Theory]
    [MemberData(nameof(Kernels))]
    public void DoesNotAllocateAfterWarmUp(int kernel)
    {
        var rng = new Random(17);
        var shapes = new[] { (64, 256, 784), (33, 65, 17), (1, 7, 3), (150, 40, 300) };
        var data = new List<(float[] A, float[] B, float[] C, int M, int N, int K)>();
        foreach (var (m, n, k) in shapes)
            data.Add((RandomArray(rng, m * k), RandomArray(rng, k * n), new float[m * n], m, n, k));

        void RunAll(int i)
        {
            var (a, b, c, m, n, k) = data[i % data.Count];
            Gemm.Multiply(c, a, b, m, n, k, (i & 1) != 0, (i & 2) != 0, (i & 4) != 0 ? 1f : 0f, (GemmKernel)kernel);
        }

        for (int i = 0; i < 16; i++) RunAll(i);   // warm-up: scratch buffers grow to the largest shape
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 50; i++) RunAll(i);
        long after = GC.GetAllocatedBytesForCurrentThread();
        Assert.Equal(before, after);
    }

    [Fact]
    public void ConcurrentCallsUseSeparateScratch()
    {
        const int threads = 4;
        var results = new bool[threads];
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
        {
            var rng = new Random(100 + t);
            bool ok = true;
            for (int rep = 0; rep < 5; rep++)
            {
                int m = 20 + 13 * t, n = 40 + 7 * rep, k = 200 + 31 * t;
                float[] a = RandomArray(rng, m * k), b = RandomArray(rng, k * n);
                float[] expected = new float[m * n], actual = new float[m * n];
                Gemm.Reference(expected, a, b, m, n, k);
                Gemm.Multiply(actual, a, b, m, n, k);
                for (int i = 0; i < expected.Length; i++)
                    ok &= Math.Abs(expected[i] - actual[i]) <= 1e-4 * Math.Sqrt(k) * 0.6;
            }
            results[t] = ok;
        });
        Assert.All(results, Assert.True);
    }

    [Fact]
    public void AddBiasMatchesLoop()
    {
        var rng = new Random(21);
        foreach (var (m, n) in new[] { (1, 1), (3, 7), (17, 33), (65, 127), (2, 1000) })
        {
            float[] c = RandomArray(rng, m * n), bias = RandomArray(rng, n);
            float[] expected = (float[])c.Clone();
            for (int i = 0; i < m; i++)
                for (int j = 0; j < n; j++)
                    expected[i * n + j] += bias[j];
            Gemm.AddBias(c, bias, m, n);
            Assert.Equal(expected, c);
        }
    }

    [Fact]
    public void BiasGradientAccumulatesColumnSums()
    {
        var rng = new Random(23);
        foreach (var (m, n) in new[] { (1, 1), (3, 7), (17, 33), (65, 127), (127, 5) })
        {
            float[] gradOut = RandomArray(rng, m * n), gradBias = RandomArray(rng, n);
            var expected = new double[n];
            for (int j = 0; j < n; j++)
            {
                expected[j] = gradBias[j];
                for (int i = 0; i < m; i++) expected[j] += gradOut[i * n + j];
            }
            Gemm.BiasGradient(gradBias, gradOut, m, n);
            for (int j = 0; j < n; j++)
                Assert.True(Math.Abs(expected[j] - gradBias[j]) <= 1e-5 * (m + 1),
                    $"gradBias[{j}] = {gradBias[j]}, expected {expected[j]} (m={m}, n={n})");
        }
    }
}
