using System.Linq;

namespace DeepNotes.Runtime.Tests;

public class RandomTests
{
    [Fact]
    public void UniformAndNormalHaveTheirMoments()
    {
        const int n = 200_000;
        double[] u = Enumerable.Range(0, n).Select(i => (double)CounterRng.Uniform(1, 2, (ulong)i)).ToArray();
        Assert.All(u, v => Assert.InRange(v, 0.0, 0.99999999));
        Assert.InRange(u.Average(), 0.497, 0.503);
        Assert.InRange(u.Select(v => (v - 0.5) * (v - 0.5)).Average(), 1 / 12.0 - 0.002, 1 / 12.0 + 0.002);

        double[] z = Enumerable.Range(0, n).Select(i => (double)CounterRng.Normal(1, 3, (ulong)i)).ToArray();
        Assert.InRange(z.Average(), -0.01, 0.01);
        Assert.InRange(Math.Sqrt(z.Select(v => v * v).Average()), 0.99, 1.01);
    }

    [Fact]
    public void ValuesArePureFunctionsOfSeedStreamAndCounter()
    {
        Assert.Equal(CounterRng.Next64(5, 6, 7), CounterRng.Next64(5, 6, 7));
        Assert.NotEqual(CounterRng.Next64(5, 6, 7), CounterRng.Next64(5, 6, 8));
        Assert.NotEqual(CounterRng.Next64(5, 6, 7), CounterRng.Next64(5, 7, 7));
        Assert.NotEqual(CounterRng.Next64(5, 6, 7), CounterRng.Next64(6, 6, 7));
    }

    [Fact]
    public void ShuffleIsAReproduciblePermutation()
    {
        int[] a = Enumerable.Range(0, 1000).ToArray(), b = Enumerable.Range(0, 1000).ToArray();
        CounterRng.Shuffle(a, 9, 1);
        CounterRng.Shuffle(b, 9, 1);
        Assert.Equal(a, b);
        Assert.Equal(Enumerable.Range(0, 1000), a.OrderBy(v => v));
        Assert.True(a.Where((v, i) => v == i).Count() < 20); // not close to the identity
        Assert.All(Enumerable.Range(0, 10_000).Select(i => CounterRng.NextInt(3, 4, (ulong)i, 7)), v => Assert.InRange(v, 0, 6));
        Assert.Throws<ArgumentOutOfRangeException>(() => CounterRng.NextInt(1, 1, 1, 0));
    }

    [Theory]
    [InlineData(Init.XavierUniform, 784, 256)]
    [InlineData(Init.HeUniform, 784, 256)]
    [InlineData(Init.XavierNormal, 300, 100)]
    [InlineData(Init.HeNormal, 300, 100)]
    public void InitialisersHaveTheVarianceTheyPromise(Init init, int fanIn, int fanOut)
    {
        var w = new float[fanIn * fanOut];
        Initializers.Apply(w, init, fanIn, fanOut, 0f, seed: 3, stream: 0);
        double variance = w.Select(v => (double)v * v).Average();
        double expected = init is Init.XavierUniform or Init.XavierNormal ? 2.0 / (fanIn + fanOut) : 2.0 / fanIn;
        Assert.InRange(variance, expected * 0.97, expected * 1.03);
        if (init == Init.XavierUniform) Assert.All(w, v => Assert.InRange(v, -Math.Sqrt(6.0 / (fanIn + fanOut)), Math.Sqrt(6.0 / (fanIn + fanOut))));
    }
}
