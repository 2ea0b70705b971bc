namespace DeepNotes.Models.Tests;

/// <summary>Full-batch gradient descent, mini-batch SGD and weight decay on linear regression (d2l 3.7).</summary>
public class OptimizerTests(Xunit.Abstractions.ITestOutputHelper output)
{
    [Fact]
    public void FullBatchGradientDescentReachesTheLeastSquaresSolution()
    {
        const int n = 100, d = 5;
        float[] x = TestData.Random(n * d, 21);
        double[] trueW = [1.5, -2, 0.5, 3, -1];
        var y = new float[n];
        float[] noise = TestData.Random(n, 22, 0.1f);
        for (int i = 0; i < n; i++)
        {
            double s = 0.7;
            for (int j = 0; j < d; j++) s += trueW[j] * x[i * d + j];
            y[i] = (float)s + noise[i];
        }

        var model = SmallRegression.Create(maxBatch: n);
        var sgd = new Sgd(0.5f);
        for (int step = 0; step < 2000; step++) model.TrainStep(x, y, n, ref sgd); // every row, every step

        double[] expected = LeastSquares(x, y, n, d); // [w..., b] from the normal equations
        for (int j = 0; j < d; j++) Assert.Equal(expected[j], model.Parameters[j], 3);
        Assert.Equal(expected[d], model.Parameters[d], 3);
    }

    // The book's experiment: 200 inputs, 20 training examples, true w = 0.01, b = 0.05, noise 0.01,
    // w ~ N(0, 1), SGD lr 0.003, batch 5, 100 epochs, decay on w only.
    internal static double WeightDecayExperiment(float lambda, ulong seed)
    {
        const int d = 200, nTrain = 20;
        var x = new float[nTrain * d];
        var y = new float[nTrain];
        for (int i = 0; i < nTrain; i++)
        {
            double s = 0.05;
            for (int j = 0; j < d; j++)
            {
                float v = CounterRng.Normal(seed, 1, (ulong)(i * d + j));
                x[i * d + j] = v;
                s += 0.01 * v;
            }
            y[i] = (float)(s + 0.01 * CounterRng.Normal(seed, 2, (ulong)i));
        }
        var model = LinearRegression.Create(maxBatch: 5, seed);
        var sgd = new Sgd(0.003f, weightDecay: lambda);
        for (int epoch = 0; epoch < 100; epoch++)
            for (int start = 0; start < nTrain; start += 5)
                model.TrainStep(x.AsSpan(start * d, 5 * d), y.AsSpan(start, 5), 5, ref sgd);
        TensorInfo w = model.Tensors[0];
        Assert.Equal("Net.weight", w.Name);
        double norm = 0;
        foreach (float v in model.Parameters.Slice(w.Offset, w.Length)) norm += v * v;
        return Math.Sqrt(norm);
    }

    [Fact]
    public void WeightDecayReproducesTheBook()
    {
        // The book prints 13.0–14.2 without decay and 0.35–0.44 with λ = 3 (one run each); we take three seeds.
        foreach (ulong seed in new ulong[] { 1, 2, 3 })
        {
            double plain = WeightDecayExperiment(0f, seed), decayed = WeightDecayExperiment(3f, seed);
            output.WriteLine($"seed {seed}: |w| = {plain:F3} without decay, {decayed:F3} with lambda = 3");
            Assert.InRange(plain, 12.5, 15.5);
            Assert.InRange(decayed, 0.25, 0.55);
        }
    }

    [Fact]
    public void SgdFollowsPyTorchsRuleAndDecaysWeightsOnly()
    {
        TensorInfo[] tensors = [new("w", 0, [2], TensorRole.Weight), new("b", 2, [1], TensorRole.Bias)];
        float[] p = [1f, -2f, 0.5f], v = new float[3];
        float[] g = [0.3f, 0.1f, -0.2f];
        var sgd = new Sgd(0.1f, momentum: 0.9f, weightDecay: 0.01f);
        double[] ep = [1, -2, 0.5], ev = new double[3];
        for (int step = 0; step < 3; step++)
        {
            sgd.Update(p, g, v, tensors);
            for (int i = 0; i < 3; i++)
            {
                double d = g[i] + (i < 2 ? 0.01 * ep[i] : 0); // bias: no decay
                ev[i] = 0.9 * ev[i] + d;
                ep[i] -= 0.1 * ev[i];
            }
        }
        for (int i = 0; i < 3; i++) Assert.Equal(ep[i], p[i], 5);
        Assert.Equal(3, sgd.Steps);
    }

    [Fact]
    public void SgdRejectsBadSettings()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd(0f));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd(float.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd(0.1f, momentum: 1f));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd(0.1f, weightDecay: -1f));
        var model = Mlp.Create(2);
        var unset = default(Sgd);
        Assert.Throws<InvalidOperationException>(() => model.TrainStep(new float[2 * 784], new int[2], 2, ref unset));
    }

    private static double[] LeastSquares(float[] x, float[] y, int n, int d)
    {
        int m = d + 1;
        var a = new double[m, m + 1];
        for (int i = 0; i < n; i++)
        {
            var row = new double[m];
            for (int j = 0; j < d; j++) row[j] = x[i * d + j];
            row[d] = 1;
            for (int r = 0; r < m; r++)
            {
                for (int c = 0; c < m; c++) a[r, c] += row[r] * row[c];
                a[r, m] += row[r] * y[i];
            }
        }
        for (int col = 0; col < m; col++) // Gauss–Jordan (the matrix is positive definite)
            for (int r = 0; r < m; r++)
            {
                if (r == col) continue;
                double f = a[r, col] / a[col, col];
                for (int c = col; c <= m; c++) a[r, c] -= f * a[col, c];
            }
        var solution = new double[m];
        for (int r = 0; r < m; r++) solution[r] = a[r, m] / a[r, r];
        return solution;
    }
}
