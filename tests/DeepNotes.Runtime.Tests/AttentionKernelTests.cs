using System.Linq;
using DeepNotes.Kernels;

namespace DeepNotes.Runtime.Tests;

/// <summary>The attention kernels: A·Bᵀ with B as stored, its gradients, Transpose, and the causal softmax.</summary>
public class AttentionKernelTests
{
    private static float[] Rand(int n, ulong seed)
    {
        var v = new float[n];
        for (int i = 0; i < n; i++) v[i] = 2f * CounterRng.Uniform(seed, 1, (ulong)i) - 1f;
        return v;
    }

    private static float[] NaNs(int n) => Enumerable.Repeat(float.NaN, n).ToArray();

    private static void Close(float[] expected, float[] actual, double tol = 1e-5)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tol * Math.Max(1, Math.Abs(expected[i])), $"[{i}]: expected {expected[i]}, got {actual[i]}");
    }

    // A·Bᵀ (B stored [m, k]) against the untransposed kernels on a transposed copy of B, forward and both
    // gradients; small sizes take the dot/axpy path, the others GEMM.
    [Theory]
    [InlineData(4, 5, 6)]
    [InlineData(1, 9, 3)]
    [InlineData(5, 7, 1)]
    [InlineData(20, 30, 40)]
    [InlineData(64, 128, 64)]  // attention's Q·Kᵀ
    [InlineData(33, 17, 9)]
    public void TransposedBMatchesACopy(int n, int k, int m)
    {
        const int batch = 3;
        float[] a = Rand(batch * n * k, 1), bStored = Rand(batch * m * k, 2), dc = Rand(batch * n * m, 3);
        float[] bt = NaNs(bStored.Length);
        BatchedMatMul.Transpose(bt, bStored, batch, m, k); // [k, m]

        float[] c = NaNs(batch * n * m), expected = NaNs(c.Length);
        BatchedMatMul.Forward(c, a, bStored, batch, n, k, m, transposeB: true);
        for (int s = 0; s < batch; s++)
            BatchedMatMul.Reference(expected.AsSpan(s * n * m, n * m), a.AsSpan(s * n * k, n * k), bStored.AsSpan(s * m * k, m * k), n, k, m, transposeB: true);
        Close(expected, c);

        float[] da = NaNs(a.Length), daCopy = NaNs(a.Length);
        BatchedMatMul.BackwardA(da, dc, bStored, batch, n, k, m, transposeB: true);
        BatchedMatMul.BackwardA(daCopy, dc, bt, batch, n, k, m);
        Close(daCopy, da);

        float[] db = NaNs(bStored.Length), dbt = NaNs(bStored.Length), dbCopy = NaNs(bStored.Length);
        BatchedMatMul.BackwardB(db, dc, a, batch, n, k, m, transposeB: true);
        BatchedMatMul.BackwardB(dbt, dc, a, batch, n, k, m);          // [k, m]
        BatchedMatMul.Transpose(dbCopy, dbt, batch, k, m);            // back to [m, k]
        Close(dbCopy, db);
    }

    [Fact]
    public void TransposeSwapsTheLastTwoAxesOfEachExample()
    {
        float[] x = Enumerable.Range(0, 2 * 2 * 3).Select(i => (float)i).ToArray(), y = NaNs(x.Length);
        BatchedMatMul.Transpose(y, x, batch: 2, rows: 2, cols: 3);
        Assert.Equal(new float[] { 0, 3, 1, 4, 2, 5, 6, 9, 7, 10, 8, 11 }, y);
    }

    // Row i of each [n, cols] matrix is the softmax of its first i + 1 entries, the rest exactly 0; the
    // ordinary softmax backward is then the causal one's.
    [Theory]
    [InlineData(5, 5)]
    [InlineData(4, 7)]
    [InlineData(7, 3)]
    public void CausalSoftmaxMasksTheFuture(int n, int cols)
    {
        const int batch = 2;
        int rows = batch * n;
        float[] x = Rand(rows * cols, 4), y = NaNs(x.Length);
        Softmax.CausalForward(y, x, rows, cols, n);
        for (int r = 0; r < rows; r++)
        {
            int valid = Math.Min(cols, r % n + 1);
            double max = x.Skip(r * cols).Take(valid).Max(), sum = x.Skip(r * cols).Take(valid).Sum(v => Math.Exp(v - max));
            for (int c = 0; c < cols; c++)
            {
                double expected = c < valid ? Math.Exp(x[r * cols + c] - max) / sum : 0;
                Assert.True(Math.Abs(expected - y[r * cols + c]) <= 1e-6, $"row {r}, column {c}: expected {expected}, got {y[r * cols + c]}");
            }
        }

        // Finite differences of L = Σ w·y through the masked softmax.
        float[] w = Rand(y.Length, 5), dx = NaNs(x.Length);
        Softmax.Backward(dx, w, y, rows, cols);
        const float eps = 1e-3f;
        for (int i = 0; i < x.Length; i++)
        {
            float original = x[i];
            x[i] = original + eps; Softmax.CausalForward(y, x, rows, cols, n); double plus = TestArrays.Dot(w, y);
            x[i] = original - eps; Softmax.CausalForward(y, x, rows, cols, n); double minus = TestArrays.Dot(w, y);
            x[i] = original;
            Assert.True(Math.Abs((plus - minus) / (2 * eps) - dx[i]) <= 2e-3, $"dx[{i}]: numeric {(plus - minus) / (2 * eps)}, analytic {dx[i]}");
        }
    }

    [Theory]
    [InlineData(1, 4)]
    [InlineData(6, 128)]
    [InlineData(5, 33)]
    public void LayerNormMatchesItsReferenceAndNormalisesEachRow(int rows, int features)
    {
        float[] x = Rand(rows * features, 6).Select(v => 3f * v + 1f).ToArray(), w = Rand(features, 7), b = Rand(features, 8);
        float[] y = NaNs(x.Length), expected = NaNs(x.Length), mean = NaNs(rows), invStd = NaNs(rows);
        LayerNorm.Forward(y, mean, invStd, x, w, b, rows, features, 1e-5f);
        LayerNorm.Reference(expected, x, w, b, rows, features, 1e-5f);
        Close(expected, y, 1e-4);

        // With weight 1 and bias 0 every row has mean 0 and (biased) variance 1; in place gives the same.
        float[] ones = Enumerable.Repeat(1f, features).ToArray(), zeros = new float[features], inPlace = x.ToArray();
        LayerNorm.Forward(inPlace, mean, invStd, inPlace, ones, zeros, rows, features, 0f);
        for (int r = 0; r < rows && features > 1; r++)
        {
            var row = inPlace.Skip(r * features).Take(features).ToArray();
            Assert.True(Math.Abs(row.Average()) < 1e-5, $"row {r} mean {row.Average()}");
            Assert.True(Math.Abs(row.Average(v => (double)v * v) - 1) < 1e-4, $"row {r} variance");
        }
    }

    // Every permutation of a [2, 3, 4, 5] tensor against index arithmetic, two examples.
    [Fact]
    public void PermuteMatchesIndexArithmetic()
    {
        int[] d = [2, 3, 4, 5];
        const int batch = 2, size = 120;
        float[] x = Enumerable.Range(0, batch * size).Select(i => (float)i).ToArray();
        int[] strides = [60, 20, 5, 1];
        foreach (int[] p in Permutations([0, 1, 2, 3]))
        {
            float[] y = NaNs(x.Length);
            Layout.Permute(y, x, batch, d[0], d[1], d[2], d[3], p[0], p[1], p[2], p[3]);
            int o = 0;
            for (int b = 0; b < batch; b++)
                for (int i0 = 0; i0 < d[p[0]]; i0++)
                    for (int i1 = 0; i1 < d[p[1]]; i1++)
                        for (int i2 = 0; i2 < d[p[2]]; i2++)
                            for (int i3 = 0; i3 < d[p[3]]; i3++)
                                Assert.Equal(x[b * size + i0 * strides[p[0]] + i1 * strides[p[1]] + i2 * strides[p[2]] + i3 * strides[p[3]]], y[o++]);
        }
    }

    private static IEnumerable<int[]> Permutations(int[] items) => items.Length <= 1 ? [items]
        : items.SelectMany(first => Permutations(items.Where(i => i != first).ToArray()).Select(rest => new[] { first }.Concat(rest).ToArray()));

    // softmax(c·x) with the scale folded in equals the softmax of the scaled input, causal or not, and its
    // backward is c times the plain one's.
    [Fact]
    public void ScaledSoftmaxIsTheSoftmaxOfTheScaledInput()
    {
        const int rows = 12, cols = 9, n = 4;
        const float c = -0.37f;
        float[] x = Rand(rows * cols, 9), scaled = x.Select(v => c * v).ToArray(), dy = Rand(x.Length, 10);
        float[] y = NaNs(x.Length), expected = NaNs(x.Length);
        Softmax.Forward(y, x, rows, cols, scale: c);
        Softmax.Forward(expected, scaled, rows, cols);
        Close(expected, y);
        Softmax.CausalForward(y, x, rows, cols, n, scale: c);
        Softmax.CausalForward(expected, scaled, rows, cols, n);
        Close(expected, y);
        float[] dx = NaNs(x.Length), plain = NaNs(x.Length);
        Softmax.Backward(dx, dy, y, rows, cols, scale: c);
        Softmax.Backward(plain, dy, y, rows, cols);
        Close(plain.Select(v => c * v).ToArray(), dx);
    }
}
