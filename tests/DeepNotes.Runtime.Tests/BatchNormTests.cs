using DeepNotes.Kernels;
using static DeepNotes.Runtime.Tests.TestArrays;

namespace DeepNotes.Runtime.Tests;

/// <summary>Batch normalisation against a naive double-precision implementation and finite differences of it.</summary>
public class BatchNormTests
{
    private const float Eps = 1e-5f;

    public static TheoryData<int, int, int> Sizes => new()
    {
        { 4, 3, 25 },    // BatchNorm2d on 5×5 maps
        { 7, 5, 1 },     // BatchNorm1d on [B, C]
        { 2, 1, 100 },   // one channel, vector loops with a tail
        { 1, 2, 9 },     // a single example still has 9 values per channel
        { 3, 4, 17 },
        { 2, 2, 1 },     // the smallest trainable case: two values per channel
    };

    /// <summary>Naive training forward in double: y, the per-channel mean and the biased variance.</summary>
    private static double[] NaiveTrain(double[] x, double[]? gamma, double[]? beta, int batch, int channels, int spatial,
        out double[] mean, out double[] variance)
    {
        int n = batch * spatial;
        mean = new double[channels];
        variance = new double[channels];
        var y = new double[x.Length];
        for (int c = 0; c < channels; c++)
        {
            double sum = 0;
            for (int b = 0; b < batch; b++) for (int k = 0; k < spatial; k++) sum += x[(b * channels + c) * spatial + k];
            double m = sum / n, sq = 0;
            for (int b = 0; b < batch; b++) for (int k = 0; k < spatial; k++) { double d = x[(b * channels + c) * spatial + k] - m; sq += d * d; }
            mean[c] = m;
            variance[c] = sq / n;
            double inv = 1 / Math.Sqrt(variance[c] + Eps);
            for (int b = 0; b < batch; b++)
                for (int k = 0; k < spatial; k++)
                {
                    int i = (b * channels + c) * spatial + k;
                    y[i] = (gamma?[c] ?? 1) * (x[i] - m) * inv + (beta?[c] ?? 0);
                }
        }
        return y;
    }

    private static double[] ToDouble(float[] x) => Array.ConvertAll(x, v => (double)v);

    [Theory, MemberData(nameof(Sizes))]
    public void TrainForwardMatchesNaiveAndUpdatesRunningStatsUnbiased(int batch, int channels, int spatial)
    {
        var rng = new Random(batch * 100 + channels * 10 + spatial);
        float[] x = Uniform(rng, batch * channels * spatial, 3f), gamma = Uniform(rng, channels), beta = Uniform(rng, channels);
        for (int i = 0; i < x.Length; i++) x[i] += (i / spatial % channels) * 2;   // a different offset per channel
        float[] y = Filled(x.Length, float.NaN), saveMean = new float[channels], saveInv = new float[channels];
        float[] runMean = Filled(channels, 0.5f), runVar = Filled(channels, 2f);
        const float momentum = 0.1f;
        BatchNorm.TrainForward(y, x, gamma, beta, runMean, runVar, saveMean, saveInv, batch, channels, spatial, momentum, Eps, true);

        double[] expected = NaiveTrain(ToDouble(x), ToDouble(gamma), ToDouble(beta), batch, channels, spatial, out double[] mean, out double[] variance);
        for (int i = 0; i < y.Length; i++) Close(expected[i], y[i], 1e-5 * (1 + Math.Abs(expected[i])), $"y[{i}]");
        int n = batch * spatial;
        for (int c = 0; c < channels; c++)
        {
            Close(mean[c], saveMean[c], 1e-6 * (1 + Math.Abs(mean[c])), $"saveMean[{c}]");
            Close(1 / Math.Sqrt(variance[c] + Eps), saveInv[c], 1e-6 * saveInv[c], $"saveInvStd[{c}]");
            Close(0.9 * 0.5 + 0.1 * mean[c], runMean[c], 1e-6, $"runningMean[{c}]");
            Close(0.9 * 2 + 0.1 * variance[c] * n / (n - 1), runVar[c], 1e-5, $"runningVar[{c}] (unbiased)");
        }

        // With gamma = 1 and beta = 0 (here: empty) each channel comes out with mean 0 and biased variance 1 (less ε).
        float[] z = new float[x.Length];
        BatchNorm.TrainForward(z, x, default, default, default, default, saveMean, saveInv, batch, channels, spatial, momentum, Eps, false);
        NaiveTrain(ToDouble(z), null, null, batch, channels, spatial, out double[] zMean, out double[] zVar);
        for (int c = 0; c < channels; c++)
        {
            Close(0, zMean[c], 1e-6, $"normalised mean[{c}]");
            Close(variance[c] / (variance[c] + Eps), zVar[c], 1e-5, $"normalised variance[{c}]");
        }

        // In place (y is x) gives the same result.
        float[] inPlace = (float[])x.Clone();
        BatchNorm.TrainForward(inPlace, inPlace, gamma, beta, default, default, saveMean, saveInv, batch, channels, spatial, momentum, Eps, false);
        Assert.Equal(y, inPlace);
    }

    [Fact]
    public void StatisticsSurviveALargeOffset()
    {
        // Values 10⁴ ± 1: a float E[x²] − E[x]² would lose the variance entirely.
        const int batch = 16, channels = 2, spatial = 64;
        var rng = new Random(3);
        float[] x = Uniform(rng, batch * channels * spatial);
        for (int i = 0; i < x.Length; i++) x[i] += 10_000f;
        float[] y = new float[x.Length], saveMean = new float[channels], saveInv = new float[channels];
        BatchNorm.TrainForward(y, x, default, default, default, default, saveMean, saveInv, batch, channels, spatial, 0.1f, Eps, false);
        NaiveTrain(ToDouble(x), null, null, batch, channels, spatial, out _, out double[] variance);
        NaiveTrain(ToDouble(y), null, null, batch, channels, spatial, out double[] yMean, out double[] yVar);
        for (int c = 0; c < channels; c++)
        {
            Close(1 / Math.Sqrt(variance[c] + Eps), saveInv[c], 1e-5 * saveInv[c], "invStd");
            Close(0, yMean[c], 1e-3, "mean");
            Close(1, yVar[c], 1e-3, "variance");
        }
    }

    [Fact]
    public void RunningStatsAreLeftAloneWhenNotUpdating()
    {
        float[] x = Uniform(new Random(1), 4 * 3 * 5), y = new float[x.Length], s = new float[3], t = new float[3];
        float[] runMean = { 1, 2, 3 }, runVar = { 4, 5, 6 };
        BatchNorm.TrainForward(y, x, default, default, runMean, runVar, s, t, 4, 3, 5, 0.1f, Eps, false);
        Assert.Equal(new float[] { 1, 2, 3 }, runMean);
        Assert.Equal(new float[] { 4, 5, 6 }, runVar);
    }

    [Theory]
    [InlineData(3, 4, 10)] [InlineData(5, 6, 1)]
    public void InferForwardUsesTheRunningStatistics(int batch, int channels, int spatial)
    {
        var rng = new Random(7);
        float[] x = Uniform(rng, batch * channels * spatial, 3f), gamma = Uniform(rng, channels), beta = Uniform(rng, channels);
        float[] runMean = Uniform(rng, channels), runVar = new float[channels];
        for (int c = 0; c < channels; c++) runVar[c] = 0.5f + c;
        float[] y = Filled(x.Length, float.NaN);
        BatchNorm.InferForward(y, x, gamma, beta, runMean, runVar, batch, channels, spatial, Eps);
        for (int i = 0; i < x.Length; i++)
        {
            int c = i / spatial % channels;
            double expected = gamma[c] * (x[i] - (double)runMean[c]) / Math.Sqrt(runVar[c] + (double)Eps) + beta[c];
            Close(expected, y[i], 1e-5 * (1 + Math.Abs(expected)), $"y[{i}]");
        }
        BatchNorm.InferForward(x, x, gamma, beta, runMean, runVar, batch, channels, spatial, Eps);   // in place
        Assert.Equal(y, x);
    }

    /// <summary>dx, dgamma and dbeta against central differences of L = Σ r·y(x, gamma, beta) with batch statistics, in double.</summary>
    [Theory, MemberData(nameof(Sizes))]
    public void BackwardMatchesFiniteDifferences(int batch, int channels, int spatial)
    {
        var rng = new Random(batch + 10 * channels + 100 * spatial);
        float[] x = Uniform(rng, batch * channels * spatial, 2f), gamma = Uniform(rng, channels), beta = Uniform(rng, channels);
        float[] r = Uniform(rng, x.Length);   // dy = ∂L/∂y
        float[] y = new float[x.Length], saveMean = new float[channels], saveInv = new float[channels];
        BatchNorm.TrainForward(y, x, gamma, beta, default, default, saveMean, saveInv, batch, channels, spatial, 0.1f, Eps, false);

        float[] dx = Filled(x.Length, float.NaN), dgamma = Uniform(rng, channels), dbeta = Uniform(rng, channels);
        float[] dgamma0 = (float[])dgamma.Clone(), dbeta0 = (float[])dbeta.Clone();
        BatchNorm.Backward(dx, dgamma, dbeta, r, x, gamma, saveMean, saveInv, batch, channels, spatial);

        double[] xd = ToDouble(x), gd = ToDouble(gamma), bd = ToDouble(beta), rd = ToDouble(r);
        double Loss() => Dot(NaiveTrain(xd, gd, bd, batch, channels, spatial, out _, out _), rd);
        double Numeric(double[] v, int i)
        {
            const double h = 1e-4;
            double old = v[i];
            v[i] = old + h; double up = Loss();
            v[i] = old - h; double down = Loss();
            v[i] = old;
            return (up - down) / (2 * h);
        }
        static double Dot(double[] a, double[] b) { double s = 0; for (int i = 0; i < a.Length; i++) s += a[i] * b[i]; return s; }

        for (int i = 0; i < x.Length; i++) { double e = Numeric(xd, i); Close(e, dx[i], 2e-4 * (1 + Math.Abs(e)), $"dx[{i}]"); }
        for (int c = 0; c < channels; c++)
        {
            double eg = Numeric(gd, c), eb = Numeric(bd, c);
            Close(dgamma0[c] + eg, dgamma[c], 1e-4 * (1 + Math.Abs(eg)), $"dgamma[{c}]");
            Close(dbeta0[c] + eb, dbeta[c], 1e-4 * (1 + Math.Abs(eb)), $"dbeta[{c}]");
        }

        // Without affine parameters: gamma empty means 1, dgamma and dbeta may be empty; dx may be dy itself.
        float[] y1 = new float[x.Length], inPlace = (float[])r.Clone(), dxOnes = new float[x.Length];
        BatchNorm.TrainForward(y1, x, default, default, default, default, saveMean, saveInv, batch, channels, spatial, 0.1f, Eps, false);
        BatchNorm.Backward(dxOnes, default, default, r, x, Filled(channels, 1f), saveMean, saveInv, batch, channels, spatial);
        BatchNorm.Backward(inPlace, default, default, inPlace, x, default, saveMean, saveInv, batch, channels, spatial);
        Assert.Equal(dxOnes, inPlace);
    }

    [Fact]
    public void DoesNotAllocateAfterWarmUp()
    {
        const int batch = 8, channels = 6, spatial = 49;
        var rng = new Random(2);
        float[] x = Uniform(rng, batch * channels * spatial), y = new float[x.Length], dx = new float[x.Length];
        float[] g = Filled(channels, 1f), b = new float[channels], rm = new float[channels], rv = Filled(channels, 1f);
        float[] sm = new float[channels], si = new float[channels], dg = new float[channels], db = new float[channels];
        void RunAll()
        {
            BatchNorm.TrainForward(y, x, g, b, rm, rv, sm, si, batch, channels, spatial, 0.1f, Eps, true);
            BatchNorm.Backward(dx, dg, db, y, x, g, sm, si, batch, channels, spatial);
            BatchNorm.InferForward(y, x, g, b, rm, rv, batch, channels, spatial, Eps);
        }
        RunAll();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10; i++) RunAll();
        Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
    }

    [Fact]
    public void ValidatesOperandsUpFront()
    {
        const int batch = 2, channels = 3, spatial = 4, size = batch * channels * spatial;
        float[] x = new float[size], c = new float[channels];
        float[] y = new float[size], rm = new float[channels], rv = new float[channels], sm = new float[channels], si = new float[channels];
        string? Param(Action a) => Assert.Throws<ArgumentException>(a).ParamName;
        Span<float> Short(float[] a) => a.AsSpan(1);

        Assert.Equal("y", Param(() => BatchNorm.TrainForward(Short(y), x, c, c, rm, rv, sm, si, batch, channels, spatial, 0.1f, Eps, true)));
        Assert.Equal("x", Param(() => BatchNorm.TrainForward(y, Short(x), c, c, rm, rv, sm, si, batch, channels, spatial, 0.1f, Eps, true)));
        Assert.Equal("gamma", Param(() => BatchNorm.TrainForward(y, x, Short(c), c, rm, rv, sm, si, batch, channels, spatial, 0.1f, Eps, true)));
        Assert.Equal("beta", Param(() => BatchNorm.TrainForward(y, x, c, Short(c), rm, rv, sm, si, batch, channels, spatial, 0.1f, Eps, true)));
        Assert.Equal("runningMean", Param(() => BatchNorm.TrainForward(y, x, c, c, Short(rm), rv, sm, si, batch, channels, spatial, 0.1f, Eps, true)));
        Assert.Equal("runningVar", Param(() => BatchNorm.TrainForward(y, x, c, c, rm, default, sm, si, batch, channels, spatial, 0.1f, Eps, true)));
        Assert.Equal("saveMean", Param(() => BatchNorm.TrainForward(y, x, c, c, rm, rv, Short(sm), si, batch, channels, spatial, 0.1f, Eps, true)));
        Assert.Equal("saveInvStd", Param(() => BatchNorm.TrainForward(y, x, c, c, rm, rv, sm, Short(si), batch, channels, spatial, 0.1f, Eps, true)));
        Assert.Equal("batch", Param(() => BatchNorm.TrainForward(y, x, c, c, rm, rv, sm, si, 1, channels, 1, 0.1f, Eps, true)));
        Assert.ThrowsAny<ArgumentOutOfRangeException>(() => BatchNorm.TrainForward(y, x, c, c, rm, rv, sm, si, batch, 0, spatial, 0.1f, Eps, true));

        Assert.Equal("y", Param(() => BatchNorm.InferForward(Short(y), x, c, c, rm, rv, batch, channels, spatial, Eps)));
        Assert.Equal("runningMean", Param(() => BatchNorm.InferForward(y, x, c, c, default, rv, batch, channels, spatial, Eps)));
        Assert.Equal("runningVar", Param(() => BatchNorm.InferForward(y, x, c, c, rm, Short(rv), batch, channels, spatial, Eps)));

        Assert.Equal("dx", Param(() => BatchNorm.Backward(Short(y), sm, si, x, x, c, sm, si, batch, channels, spatial)));
        Assert.Equal("dgamma", Param(() => BatchNorm.Backward(y, Short(sm), si, x, x, c, sm, si, batch, channels, spatial)));
        Assert.Equal("dbeta", Param(() => BatchNorm.Backward(y, sm, Short(si), x, x, c, sm, si, batch, channels, spatial)));
        Assert.Equal("dy", Param(() => BatchNorm.Backward(y, sm, si, Short(x), x, c, sm, si, batch, channels, spatial)));
        Assert.Equal("x", Param(() => BatchNorm.Backward(y, sm, si, x, Short(x), c, sm, si, batch, channels, spatial)));
        Assert.Equal("gamma", Param(() => BatchNorm.Backward(y, sm, si, x, x, Short(c), sm, si, batch, channels, spatial)));
        Assert.Equal("saveMean", Param(() => BatchNorm.Backward(y, sm, si, x, x, c, Short(sm), si, batch, channels, spatial)));
        Assert.Equal("saveInvStd", Param(() => BatchNorm.Backward(y, sm, si, x, x, c, sm, default, batch, channels, spatial)));
    }
}
