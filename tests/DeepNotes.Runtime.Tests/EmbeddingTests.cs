using System.Linq;
using DeepNotes.Kernels;

namespace DeepNotes.Runtime.Tests;

/// <summary>
/// The token kernels against their references (repeated ids, odd widths), the fused bag against the
/// lookup followed by the masked mean, the touched-rows bookkeeping, and the sparse SGD update.
/// </summary>
public class EmbeddingTests
{
    private static float[] Rand(int n, ulong seed, float scale = 1f)
    {
        var v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (2f * CounterRng.Uniform(seed, 1, (ulong)i) - 1f) * scale;
        return v;
    }

    private static int[] Ids(int n, int vocabulary, ulong seed)
    {
        var ids = new int[n];
        for (int i = 0; i < n; i++) ids[i] = CounterRng.NextInt(seed, 2, (ulong)i, vocabulary);
        return ids;
    }

    private static void Close(double expected, double actual, double tol = 1e-5)
        => Assert.True(Math.Abs(expected - actual) <= tol * Math.Max(1, Math.Abs(expected)), $"expected {expected}, got {actual}");

    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(5, 3, 7)]     // more lookups than rows: ids repeat
    [InlineData(40, 100, 13)]
    [InlineData(17, 33, 200)]
    public void LookupAndScatterAddMatchTheirReferences(int vocabulary, int width, int count)
    {
        float[] table = Rand(vocabulary * width, 1);
        int[] ids = Ids(count, vocabulary, (ulong)count);
        float[] y = Enumerable.Repeat(float.NaN, count * width).ToArray(), reference = new float[count * width];
        Embedding.Forward(y, ids, table, count, width);
        Embedding.ForwardReference(reference, ids, table, count, width);
        Assert.Equal(reference, y);

        float[] dy = Rand(count * width, 2);
        float[] dTable = Rand(vocabulary * width, 3), dReference = (float[])dTable.Clone(); // accumulates
        Embedding.Backward(dTable, dy, ids, count, width);
        Embedding.BackwardReference(dReference, dy, ids, count, width);
        for (int i = 0; i < dTable.Length; i++) Close(dReference[i], dTable[i]);
    }

    [Fact]
    public void ScatterAddTouchesOnlyTheNamedRowsAndAddsRepeats()
    {
        float[] dTable = new float[6 * 2];
        Embedding.Backward(dTable, [1f, 2f, 10f, 20f, 100f, 200f], [4, 1, 4], 3, 2);
        Assert.Equal([0, 0, 10, 20, 0, 0, 0, 0, 101, 202, 0, 0], dTable);
    }

    [Fact]
    public void OneHotOverwrites()
    {
        float[] y = Enumerable.Repeat(7f, 2 * 4).ToArray();
        Embedding.OneHot(y, [3, 0], 2, 4);
        Assert.Equal([0, 0, 0, 1, 1, 0, 0, 0], y);
    }

    [Theory]
    [InlineData(3, 4, 5)]
    [InlineData(2, 10, 100)]
    [InlineData(1, 1, 33)]
    public void MaskedMeanMatchesItsReferenceAndTheBagMatchesLookupThenMean(int rows, int slots, int width)
    {
        const int vocabulary = 9;
        float[] mask = Rand(rows * slots, 4).Select((v, i) => i % 3 == 1 ? 0f : MathF.Abs(v)).ToArray();
        if (rows > 1) Array.Clear(mask, slots, slots); // a row with no weight at all gives zeros
        float[] table = Rand(vocabulary * width, 5);
        int[] ids = Ids(rows * slots, vocabulary, 6);
        float[] x = new float[rows * slots * width];
        Embedding.Forward(x, ids, table, rows * slots, width);

        float[] mean = Enumerable.Repeat(float.NaN, rows * width).ToArray(), reference = new float[rows * width], bag = new float[rows * width];
        Embedding.MaskedMeanForward(mean, x, mask, rows, slots, width);
        Embedding.MaskedMeanReference(reference, x, mask, rows, slots, width);
        Embedding.BagForward(bag, ids, mask, table, rows, slots, width);
        for (int i = 0; i < mean.Length; i++)
        {
            Close(reference[i], mean[i]);
            Close(reference[i], bag[i]);
        }

        // Backward: the bag's scatter-add equals the masked mean's backward followed by the lookup's.
        float[] dy = Rand(rows * width, 7);
        float[] dx = Enumerable.Repeat(float.NaN, x.Length).ToArray();
        Embedding.MaskedMeanBackward(dx, dy, mask, rows, slots, width);
        float[] composed = new float[table.Length], fused = new float[table.Length];
        Embedding.Backward(composed, dx, ids, rows * slots, width);
        Embedding.BagBackward(fused, dy, ids, mask, rows, slots, width);
        for (int i = 0; i < fused.Length; i++) Close(composed[i], fused[i]);
        for (int b = 0; b < rows; b++)
            for (int s = 0; s < slots; s++)
            {
                double total = mask.Skip(b * slots).Take(slots).Sum();
                for (int j = 0; j < width; j++)
                    Close(total == 0 ? 0 : dy[b * width + j] * mask[b * slots + s] / total, dx[(b * slots + s) * width + j]);
            }
    }

    [Fact]
    public void TheMaskGradientIsTheDifferenceQuotient()
    {
        const int rows = 2, slots = 3, width = 4;
        float[] x = Rand(rows * slots * width, 8), mask = [0.5f, 1f, 0.25f, 1f, 0f, 2f], dy = Rand(rows * width, 9);
        var y = new float[rows * width];
        Embedding.MaskedMeanForward(y, x, mask, rows, slots, width);
        var dmask = new float[rows * slots];
        Embedding.MaskedMeanBackwardMask(dmask, dy, x, y, mask, rows, slots, width);
        for (int i = 0; i < mask.Length; i++)
        {
            double Loss(float delta)
            {
                float[] m = (float[])mask.Clone();
                m[i] += delta;
                var out_ = new float[rows * width];
                Embedding.MaskedMeanReference(out_, x, m, rows, slots, width);
                return out_.Zip(dy, (a, b) => (double)a * b).Sum();
            }
            Close((Loss(1e-3f) - Loss(-1e-3f)) / 2e-3, dmask[i], 2e-3);
        }
    }

    [Fact]
    public void TouchedRowsAreListedOnceAndReleased()
    {
        const int width = 2;
        var marks = new int[10];
        var rows = new int[8];
        int count = SparseRows.Collect(rows, marks, 0, [3, 7, 3, 3]);
        count = SparseRows.Collect(rows, marks, count, [7, 1, 9], [1f, 1f, 0f]); // 9's weight is 0: not touched
        Assert.Equal([3, 7, 1], rows[..count]);
        Assert.Equal(3, marks.Sum());

        float[] gradient = Enumerable.Repeat(1f, 10 * width).ToArray();
        SparseRows.Release(gradient, marks, rows.AsSpan(0, count), width);
        Assert.All(marks, m => Assert.Equal(0, m));
        for (int r = 0; r < 10; r++)
            Assert.Equal(r is 3 or 7 or 1 ? 0f : 1f, gradient[r * width]);
    }

    private static readonly TensorInfo Table = new("E.weight", 4, [5, 3], TensorRole.Weight);

    [Fact]
    public void SparseSgdWithoutMomentumIsTheDenseUpdate()
    {
        // Gradients are zero outside the listed rows (the models' invariant), so the dense rule gives the same.
        float[] parameters = Rand(4 + 15, 10), gradients = new float[19], velocity = new float[19];
        float[] g = Rand(19, 11);
        foreach (int row in new[] { 0, 3 }) g.AsSpan(4 + row * 3, 3).CopyTo(gradients.AsSpan(4 + row * 3, 3));
        float[] dense = (float[])parameters.Clone();
        var sgd = new Sgd(0.1f, weightDecay: 0.01f);
        sgd.UpdateRows(parameters, gradients, velocity, Table, [3, 0]);
        Assert.Equal(0, sgd.Steps);
        var reference = new Sgd(0.1f, weightDecay: 0.01f);
        reference.Update(dense, gradients, new float[19], [Table]);
        for (int row = 0; row < 5; row++)
            for (int j = 0; j < 3; j++)
            {
                int i = 4 + row * 3 + j;
                // Untouched rows: dense SGD decays them, the sparse update leaves them (lazy weight decay).
                float expected = row is 0 or 3 ? dense[i] : parameters[i];
                Close(expected, parameters[i], 1e-6);
            }
        Assert.Equal(Rand(19, 10)[..4], parameters[..4]); // outside the table: untouched
    }

    [Fact]
    public void SparseMomentumIsLazy()
    {
        float[] parameters = new float[19], gradients = new float[19], velocity = new float[19];
        var sgd = new Sgd(1f, momentum: 0.5f);
        gradients.AsSpan(4 + 3, 3).Fill(1f); // row 1
        sgd.UpdateRows(parameters, gradients, velocity, Table, [1]);
        Assert.Equal([-1f, -1f, -1f], parameters[7..10]);
        Assert.Equal([1f, 1f, 1f], velocity[7..10]);
        // The next step touches row 2 only: row 1 keeps its velocity and does not move (dense SGD would move it by 0.5).
        gradients.AsSpan(7, 3).Clear();
        gradients.AsSpan(10, 3).Fill(2f);
        sgd.UpdateRows(parameters, gradients, velocity, Table, [2]);
        Assert.Equal([-1f, -1f, -1f], parameters[7..10]);
        Assert.Equal([1f, 1f, 1f], velocity[7..10]);
        Assert.Equal([-2f, -2f, -2f], parameters[10..13]);
        // When row 1 is touched again, its old velocity decays once: v = 0.5·1 + 1.
        gradients.AsSpan(7, 3).Fill(1f);
        sgd.UpdateRows(parameters, gradients, velocity, Table, [1]);
        Assert.Equal([-2.5f, -2.5f, -2.5f], parameters[7..10]);
    }

    [Fact]
    public void SparseUpdateRefusesBadArguments()
    {
        float[] p = new float[19];
        var sgd = new Sgd(0.1f);
        Assert.Throws<ArgumentOutOfRangeException>(() => sgd.UpdateRows(p, new float[19], new float[19], Table, [5]));
        Assert.Throws<ArgumentException>(() => sgd.UpdateRows(p, new float[18], new float[19], Table, [0]));
        Assert.Throws<ArgumentException>(() => sgd.UpdateRows(p, new float[19], new float[19], new TensorInfo("b", 0, [3], TensorRole.Bias), [0]));
        Assert.Throws<InvalidOperationException>(() => default(Sgd).UpdateRows(p, new float[19], new float[19], Table, [0]));
    }
}
