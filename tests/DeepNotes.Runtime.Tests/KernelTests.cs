using System.Linq;
using DeepNotes.Kernels;

namespace DeepNotes.Runtime.Tests;

/// <summary>The element-wise, softmax, loss, broadcast, dense and dropout kernels against plain double-precision references.</summary>
public class KernelTests
{
    private static float[] Rand(int n, ulong seed, float scale = 2f)
    {
        var v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (2f * CounterRng.Uniform(seed, 1, (ulong)i) - 1f) * scale;
        return v;
    }

    private static void Close(double expected, double actual, double tol = 1e-5)
        => Assert.True(Math.Abs(expected - actual) <= tol * Math.Max(1, Math.Abs(expected)), $"expected {expected}, got {actual}");

    public static TheoryData<int> Sizes => new() { 1, 3, 7, 8, 17, 33, 65, 127, 1000 };

    [Theory, MemberData(nameof(Sizes))]
    public void ActivationsMatchTheirReferenceInAndOutOfPlace(int n)
    {
        foreach (Activation act in new[] { Activation.Relu, Activation.Sigmoid, Activation.Tanh, Activation.None })
        {
            float[] x = Rand(n, (ulong)n), y = new float[n], inPlace = (float[])x.Clone();
            Activations.Forward(y, x, act);
            Activations.Forward(inPlace, inPlace, act);
            for (int i = 0; i < n; i++)
            {
                Close(Activations.Reference(x[i], act), y[i]);
                Assert.Equal(y[i], inPlace[i]);
            }
            // Backward through the output equals dy times the numeric derivative of the reference.
            float[] dy = Rand(n, 7), dx = new float[n];
            Activations.Backward(dx, dy, y, act);
            for (int i = 0; i < n; i++)
            {
                if (act == Activation.Relu && Math.Abs(x[i]) < 1e-3) continue; // the kink
                double h = 1e-3;
                double numeric = (Activations.Reference((float)(x[i] + h), act) - Activations.Reference((float)(x[i] - h), act)) / (2 * h);
                Close(dy[i] * numeric, dx[i], 2e-3);
            }
        }
    }

    [Theory]
    [InlineData(1, 1)] [InlineData(3, 10)] [InlineData(5, 17)] [InlineData(2, 1000)]
    public void SoftmaxAndLogSoftmaxMatchTheDefinition(int rows, int cols)
    {
        float[] x = Rand(rows * cols, 3, 20f), y = new float[x.Length], logY = new float[x.Length];
        Softmax.Forward(y, x, rows, cols);
        Softmax.LogForward(logY, x, rows, cols);
        for (int r = 0; r < rows; r++)
        {
            double max = x.Skip(r * cols).Take(cols).Max();
            double sum = x.Skip(r * cols).Take(cols).Sum(v => Math.Exp(v - max));
            for (int c = 0; c < cols; c++)
            {
                double p = Math.Exp(x[r * cols + c] - max) / sum;
                Close(p, y[r * cols + c], 1e-5);
                Close(Math.Log(p), logY[r * cols + c], 1e-4);
            }
        }
        // Backward: dx_i = Σ_j dy_j ∂y_j/∂x_i with the explicit Jacobian.
        float[] dy = Rand(x.Length, 4), dx = new float[x.Length], dlog = new float[x.Length];
        Softmax.Backward(dx, dy, y, rows, cols);
        Softmax.LogBackward(dlog, dy, logY, rows, cols);
        for (int r = 0; r < rows; r++)
            for (int i = 0; i < cols; i++)
            {
                double s = 0, l = 0;
                for (int j = 0; j < cols; j++)
                {
                    double yi = y[r * cols + i], yj = y[r * cols + j];
                    s += dy[r * cols + j] * yj * ((i == j ? 1 : 0) - yi);
                    l += dy[r * cols + j] * ((i == j ? 1 : 0) - yi);
                }
                Close(s, dx[r * cols + i], 1e-4);
                Close(l, dlog[r * cols + i], 1e-4);
            }
    }

    [Fact]
    public void CrossEntropyAndNllMatchTheDefinition()
    {
        const int rows = 7, classes = 5;
        float[] z = Rand(rows * classes, 5, 4f), probs = new float[z.Length], logp = new float[z.Length];
        int[] labels = Enumerable.Range(0, rows).Select(i => i % classes).ToArray();
        float loss = Losses.CrossEntropyForward(probs, z, labels, rows, classes);
        Softmax.LogForward(logp, z, rows, classes);
        double expected = -Enumerable.Range(0, rows).Average(r => (double)logp[r * classes + labels[r]]);
        Close(expected, loss, 1e-5);
        Close(expected, Losses.NllForward(logp, labels, rows, classes), 1e-5);

        float[] grad = new float[z.Length];
        Losses.CrossEntropyBackward(grad, probs, labels, rows, classes, scale: 2f);
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < classes; c++)
                Close(2.0 * (probs[r * classes + c] - (c == labels[r] ? 1 : 0)) / rows, grad[r * classes + c]);

        Assert.Throws<ArgumentOutOfRangeException>(() => Losses.CrossEntropyForward(probs, z, [0, 1, 2, 3, 4, 5, 0], rows, classes));
        Assert.Throws<ArgumentOutOfRangeException>(() => Losses.NllForward(logp, [-1, 0, 0, 0, 0, 0, 0], rows, classes));
    }

    [Fact]
    public void MseAndBinaryCrossEntropyMatchTheDefinition()
    {
        const int n = 37;
        float[] y = Rand(n, 8, 6f), t = Rand(n, 9).Select(v => MathF.Abs(v) / 2f).ToArray();
        Close(y.Zip(t, (a, b) => (double)(a - b) * (a - b)).Average(), Losses.MseForward(y, t, n));
        double bce = y.Zip(t, (z, tt) =>
        {
            double s = 1 / (1 + Math.Exp(-z));
            return -(tt * Math.Log(s) + (1 - tt) * Math.Log(1 - s));
        }).Average();
        Close(bce, Losses.BinaryCrossEntropyForward(y, t, n), 1e-5);
        // Stable for huge logits where the naive formula overflows.
        Assert.True(float.IsFinite(Losses.BinaryCrossEntropyForward([1000f, -1000f], [0f, 1f], 2)));

        float[] g = new float[n];
        Losses.MseBackward(g, y, t, n, 1f);
        for (int i = 0; i < n; i++) Close(2.0 * (y[i] - t[i]) / n, g[i]);
        Losses.BinaryCrossEntropyBackward(g, y, t, n, 1f);
        for (int i = 0; i < n; i++) Close((1 / (1 + Math.Exp(-y[i])) - t[i]) / n, g[i]);
        Assert.Throws<ArgumentOutOfRangeException>(() => Losses.BinaryCrossEntropyForward([0f], [1.5f], 1));
    }

    [Theory]
    [InlineData(new[] { 2, 3 }, new[] { 2, 3 }, true, new[] { 2, 3 }, true)]
    [InlineData(new[] { 2, 3 }, new[] { 2, 3 }, true, new[] { 1, 3 }, true)]
    [InlineData(new[] { 2, 3 }, new[] { 2, 1 }, true, new[] { 1, 3 }, true)]
    [InlineData(new[] { 4 }, new[] { 4 }, true, new[] { 1 }, false)]
    [InlineData(new[] { 3, 5 }, new[] { 1, 1 }, false, new[] { 3, 5 }, true)]
    [InlineData(new[] { 3, 2, 4 }, new[] { 3, 1, 4 }, true, new[] { 1, 2, 1 }, true)]
    public void BroadcastMatchesNaiveIndexing(int[] outDims, int[] aDims, bool aBatched, int[] bDims, bool bBatched)
    {
        const int batch = 3;
        var plan = new BroadcastPlan(outDims, aDims, aBatched, bDims, bBatched);
        int rowSize = outDims.Aggregate(1, (x, y) => x * y), aSize = aDims.Aggregate(1, (x, y) => x * y), bSize = bDims.Aggregate(1, (x, y) => x * y);
        float[] a = Rand((aBatched ? batch : 1) * aSize, 11), b = Rand((bBatched ? batch : 1) * bSize, 12).Select(v => v + 3f).ToArray();
        float[] dy = Rand(batch * rowSize, 13);

        int Index(int r, int flat, int[] dims, bool batched)
        {
            int offset = 0, stride = 1;
            for (int d = outDims.Length - 1, rest = flat; d >= 0; d--)
            {
                int coord = rest % outDims[d]; rest /= outDims[d];
                if (dims[d] != 1) offset += coord * stride;
                stride *= dims[d];
            }
            return (batched ? r * stride : 0) + offset;
        }

        foreach (BinaryOp op in Enum.GetValues<BinaryOp>())
        {
            float[] y = new float[batch * rowSize];
            Broadcast.Forward(y, a, b, op, batch, plan);
            double[] ga = new double[a.Length], gb = new double[b.Length];
            for (int r = 0; r < batch; r++)
                for (int i = 0; i < rowSize; i++)
                {
                    int ia = Index(r, i, aDims, aBatched), ib = Index(r, i, bDims, bBatched);
                    double av = a[ia], bv = b[ib], g = dy[r * rowSize + i];
                    double expected = op switch { BinaryOp.Add => av + bv, BinaryOp.Subtract => av - bv, BinaryOp.Multiply => av * bv, _ => av / bv };
                    Close(expected, y[r * rowSize + i]);
                    ga[ia] += op switch { BinaryOp.Multiply => g * bv, BinaryOp.Divide => g / bv, _ => g };
                    gb[ib] += op switch { BinaryOp.Add => g, BinaryOp.Subtract => -g, BinaryOp.Multiply => g * av, _ => -g * av / (bv * bv) };
                }
            float[] da = new float[a.Length], db = new float[b.Length];
            Broadcast.Backward(da, 0, dy, a, b, op, batch, plan);
            Broadcast.Backward(db, 1, dy, a, b, op, batch, plan);
            for (int i = 0; i < a.Length; i++) Close(ga[i], da[i], 1e-4);
            for (int i = 0; i < b.Length; i++) Close(gb[i], db[i], 1e-4);
        }
    }

    [Theory]
    [InlineData(1, 1, 1)] [InlineData(5, 7, 3)] [InlineData(64, 784, 256)] [InlineData(33, 17, 65)]
    public void DenseMatchesLoops(int rows, int inF, int outF)
    {
        float[] x = Rand(rows * inF, 21), w = Rand(outF * inF, 22, 0.5f), b = Rand(outF, 23), y = new float[rows * outF];
        Dense.Forward(y, x, w, b, rows, inF, outF, Activation.Tanh);
        float[] dy = Rand(rows * outF, 24), dx = new float[rows * inF], dw = Rand(outF * inF, 25), db = Rand(outF, 26);
        float[] dw0 = (float[])dw.Clone(), db0 = (float[])db.Clone();
        Dense.BackwardData(dx, dy, w, rows, inF, outF);
        Dense.BackwardWeights(dw, db, dy, x, rows, inF, outF);
        for (int r = 0; r < rows; r++)
            for (int o = 0; o < outF; o++)
            {
                double s = b[o];
                for (int i = 0; i < inF; i++) s += (double)x[r * inF + i] * w[o * inF + i];
                Close(Math.Tanh(s), y[r * outF + o], 1e-4);
            }
        for (int r = 0; r < rows; r++)
            for (int i = 0; i < inF; i++)
            {
                double s = 0;
                for (int o = 0; o < outF; o++) s += (double)dy[r * outF + o] * w[o * inF + i];
                Close(s, dx[r * inF + i], 1e-4);
            }
        for (int o = 0; o < outF; o++)
        {
            double sb = db0[o];
            for (int r = 0; r < rows; r++) sb += dy[r * outF + o];
            Close(sb, db[o], 1e-4);
            for (int i = 0; i < inF; i += Math.Max(1, inF / 7))
            {
                double s = dw0[o * inF + i]; // accumulates
                for (int r = 0; r < rows; r++) s += (double)dy[r * outF + o] * x[r * inF + i];
                Close(s, dw[o * inF + i], 1e-4);
            }
        }

        // overwrite: the sums replace the old gradient (NaN before: nothing of it may leak).
        float[] dwo = Filled(outF * inF, float.NaN), dbo = Filled(outF, float.NaN);
        Dense.BackwardWeights(dwo, dbo, dy, x, rows, inF, outF, overwrite: true);
        for (int o = 0; o < outF; o++)
        {
            Close(db[o] - db0[o], dbo[o], 1e-4);
            for (int i = 0; i < inF; i++) Close(dw[o * inF + i] - dw0[o * inF + i], dwo[o * inF + i], 1e-4);
        }
    }

    private static float[] Filled(int n, float value)
    {
        var a = new float[n];
        Array.Fill(a, value);
        return a;
    }

    // Small products and vector operands take the dot/axpy path, the rest GEMM; both overwrite their output.
    [Theory]
    [InlineData(4, 5, 6)]
    [InlineData(6, 100, 1)]   // word2vec: [1 + K, dim] x [dim]
    [InlineData(1, 100, 7)]
    [InlineData(1, 9, 1)]
    [InlineData(3, 1, 5)]
    [InlineData(20, 30, 40)]  // GEMM
    [InlineData(33, 17, 9)]   // GEMM, odd sizes
    public void BatchedMatMulMatchesLoops(int n, int k, int m)
    {
        const int batch = 3;
        float[] a = Rand(batch * n * k, 31), b = Rand(batch * k * m, 32), c = Enumerable.Repeat(float.NaN, batch * n * m).ToArray();
        BatchedMatMul.Forward(c, a, b, batch, n, k, m);
        float[] dc = Rand(c.Length, 33), da = Enumerable.Repeat(float.NaN, a.Length).ToArray(), db = Enumerable.Repeat(float.NaN, b.Length).ToArray();
        BatchedMatMul.BackwardA(da, dc, b, batch, n, k, m);
        BatchedMatMul.BackwardB(db, dc, a, batch, n, k, m);
        for (int s = 0; s < batch; s++)
        {
            for (int i = 0; i < n; i++)
                for (int j = 0; j < m; j++)
                {
                    double v = 0;
                    for (int p = 0; p < k; p++) v += (double)a[s * n * k + i * k + p] * b[s * k * m + p * m + j];
                    Close(v, c[s * n * m + i * m + j], 1e-5);
                }
            for (int i = 0; i < n; i++)
                for (int p = 0; p < k; p++)
                {
                    double v = 0;
                    for (int j = 0; j < m; j++) v += (double)dc[s * n * m + i * m + j] * b[s * k * m + p * m + j];
                    Close(v, da[s * n * k + i * k + p], 1e-5);
                }
            for (int p = 0; p < k; p++)
                for (int j = 0; j < m; j++)
                {
                    double v = 0;
                    for (int i = 0; i < n; i++) v += (double)a[s * n * k + i * k + p] * dc[s * n * m + i * m + j];
                    Close(v, db[s * k * m + p * m + j], 1e-5);
                }
        }
    }

    [Fact]
    public void DropoutKeepsAboutOneMinusPScalesAndRegeneratesItsMask()
    {
        const int n = 100_000;
        const float p = 0.3f;
        float[] x = Enumerable.Repeat(1f, n).ToArray(), y = new float[n], again = new float[n];
        ulong stream = Dropout.Stream(step: 5, op: 2);
        Dropout.Forward(y, x, p, seed: 42, stream);
        Dropout.Forward(again, x, p, seed: 42, stream);
        Assert.Equal(y, again);
        int kept = y.Count(v => v != 0f);
        Assert.InRange(kept / (double)n, 0.69, 0.71);
        Assert.All(y.Where(v => v != 0f), v => Assert.Equal(1f / 0.7f, v, 5));
        Assert.InRange(y.Average(), 0.98, 1.02); // inverted dropout keeps the expectation

        float[] dy = Rand(n, 41), dx = new float[n];
        Dropout.Backward(dx, dy, p, 42, stream);
        for (int i = 0; i < n; i++) Assert.Equal(y[i] == 0f ? 0f : dy[i] * (1f / 0.7f), dx[i]);

        Dropout.Forward(again, x, p, 42, Dropout.Stream(step: 6, op: 2));
        Assert.NotEqual(y, again); // the next step draws a new mask
    }

    [Fact]
    public void ReductionsAndElementwiseSteps()
    {
        float[] x = Rand(101, 51), y = new float[1], g = new float[101];
        Reductions.Sum(y, x);
        Close(x.Sum(v => (double)v), y[0], 1e-5);
        Reductions.Mean(y, x);
        Close(x.Average(v => (double)v), y[0], 1e-5);
        Reductions.Backward(g, 2f, 1f / 101);
        Assert.All(g, v => Assert.Equal(2f / 101, v, 6));

        float[] z = new float[101];
        Elementwise.Affine(x, 3f, -1f, z);
        for (int i = 0; i < 101; i++) Close(3.0 * x[i] - 1, z[i]);
        Elementwise.Reciprocal(x, 2f, z);
        for (int i = 0; i < 101; i++) Close(2.0 / x[i], z[i], 1e-4);
        float[] acc = (float[])x.Clone();
        Elementwise.Accumulate(acc, x);
        for (int i = 0; i < 101; i++) Assert.Equal(2 * x[i], acc[i]);
    }
}
