using System.Linq;
using DeepNotes.Kernels;

namespace DeepNotes.Runtime.Tests;

/// <summary>The sequence kernels: Concat/Split block copies against their references, the positional table, the masked softmax.</summary>
public class SequenceKernelTests
{
    private static float[] Rand(int n, ulong seed)
    {
        var v = new float[n];
        for (int i = 0; i < n; i++) v[i] = 2f * CounterRng.Uniform(seed, 1, (ulong)i) - 1f;
        return v;
    }

    private static int Product(int[] dims) => dims.Aggregate(1, (a, b) => a * b);

    /// <summary>The generated code's view of an axis: blocks = batch × the dims before it, inner = the product of the dims after it.</summary>
    private static (int Blocks, int Inner) Blocks(int[] dims, int axis, int batch) =>
        (batch * Product(dims[..axis]), Product(dims[(axis + 1)..]));

    [Theory]
    [InlineData(new[] { 4, 3 }, new[] { 4, 5 }, 1)]
    [InlineData(new[] { 2, 3 }, new[] { 5, 3 }, 0)]
    [InlineData(new[] { 2, 3, 4 }, new[] { 2, 1, 4 }, 1)]
    [InlineData(new[] { 7 }, new[] { 2 }, 0)]
    [InlineData(new[] { 2, 2, 3, 2 }, new[] { 2, 2, 3, 5 }, 3)]
    public void ConcatAndItsBackwardMatchTheReference(int[] dimsA, int[] dimsB, int axis)
    {
        const int batch = 3;
        float[] a = Rand(batch * Product(dimsA), 1), b = Rand(batch * Product(dimsB), 2);
        float[] expected = Layout.ConcatReference([a, b], [dimsA, dimsB], axis, batch);
        int[] outDims = (int[])dimsA.Clone();
        outDims[axis] += dimsB[axis];
        (int blocks, int inner) = Blocks(outDims, axis, batch);
        int yBlock = outDims[axis] * inner;
        float[] y = Enumerable.Repeat(float.NaN, expected.Length).ToArray();
        Layout.Place(y, a, blocks, yBlock, 0, dimsA[axis] * inner);
        Layout.Place(y, b, blocks, yBlock, dimsA[axis] * inner, dimsB[axis] * inner);
        Assert.Equal(expected, y);

        // Backward: each input's slice of the gradient is the input itself when the gradient is the output.
        float[] da = new float[a.Length], db = new float[b.Length];
        Layout.Slice(da, y, blocks, yBlock, 0, dimsA[axis] * inner);
        Layout.Slice(db, y, blocks, yBlock, dimsA[axis] * inner, dimsB[axis] * inner);
        Assert.Equal(a, da);
        Assert.Equal(b, db);
    }

    [Theory]
    [InlineData(new[] { 4, 9 }, 1, 3)]
    [InlineData(new[] { 6, 2 }, 0, 2)]
    [InlineData(new[] { 2, 6, 3 }, 1, 3)]
    [InlineData(new[] { 5 }, 0, 5)]
    public void SplitAndItsBackwardMatchTheReference(int[] dims, int axis, int parts)
    {
        const int batch = 2;
        float[] x = Rand(batch * Product(dims), 3);
        (int blocks, int inner) = Blocks(dims, axis, batch);
        int size = dims[axis] / parts, xBlock = dims[axis] * inner;
        float[] rebuilt = new float[x.Length];
        for (int index = 0; index < parts; index++)
        {
            float[] expected = Layout.SplitReference(x, dims, axis, parts, index, batch);
            float[] y = new float[expected.Length];
            Layout.Slice(y, x, blocks, xBlock, index * size * inner, size * inner);
            Assert.Equal(expected, y);

            // Backward: the part placed into zeros; the parts' placements add up to x.
            float[] dx = Enumerable.Repeat(float.NaN, x.Length).ToArray();
            Layout.Place(dx, y, blocks, xBlock, index * size * inner, size * inner, clearRest: true);
            Assert.Equal(expected.Sum(v => (double)Math.Abs(v)), dx.Sum(v => (double)Math.Abs(v)), 4);
            for (int i = 0; i < x.Length; i++) rebuilt[i] += dx[i];
        }
        Assert.Equal(x, rebuilt);
    }

    [Fact]
    public void SliceAndPlaceRejectASliceOutsideTheBlock()
    {
        float[] x = new float[12], y = new float[12];
        Assert.Throws<ArgumentOutOfRangeException>(() => Layout.Slice(y, x, 2, 6, 4, 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => Layout.Place(y, x, 2, 6, -1, 3));
    }

    [Fact]
    public void PositionalTableIsTheSinusoidFormula()
    {
        const int n = 50, d = 16;
        float[] table = PositionalEncoding.Table(n, d);
        for (int i = 0; i < n; i++)
            for (int j = 0; j < d / 2; j++)
            {
                double angle = i / Math.Pow(10000, 2.0 * j / d);
                Assert.Equal(Math.Sin(angle), table[i * d + 2 * j], 1e-6);
                Assert.Equal(Math.Cos(angle), table[i * d + 2 * j + 1], 1e-6);
            }
        Assert.Equal(0f, table[0]);       // sin 0
        Assert.Equal(1f, table[1]);       // cos 0
        Assert.Equal(MathF.Sin(1f), table[d], 6); // position 1, frequency 1
        float[] odd = PositionalEncoding.Table(3, 5); // an odd width ends on a sine
        Assert.Equal(Math.Sin(2 / Math.Pow(10000, 4.0 / 5)), odd[2 * 5 + 4], 1e-6);
    }

    [Fact]
    public void MaskedSoftmaxIsTheSoftmaxOfTheKeptColumns()
    {
        const int batch = 3, rows = 4, cols = 6;
        float[] x = Rand(batch * rows * cols, 4).Select(v => 5 * v).ToArray();
        float[] mask = [1, 0, 1, 1, 0, 1, /* none kept */ 0, 0, 0, 0, 0, 0, /* all kept */ 1, 1, 1, 1, 1, 1];
        float[] y = Enumerable.Repeat(float.NaN, x.Length).ToArray();
        Softmax.MaskedForward(y, x, mask, batch, rows, cols, scale: 0.5f);
        for (int b = 0; b < batch; b++)
            for (int r = 0; r < rows; r++)
            {
                int row = (b * rows + r) * cols;
                int[] kept = Enumerable.Range(0, cols).Where(c => mask[b * cols + c] != 0).ToArray();
                float[] expected = new float[kept.Length];
                if (kept.Length > 0) Softmax.Forward(expected, kept.Select(c => x[row + c]).ToArray(), 1, kept.Length, 0.5f);
                for (int c = 0; c < cols; c++)
                {
                    int k = Array.IndexOf(kept, c);
                    if (k < 0) Assert.Equal(0f, y[row + c]); // exactly 0, and a fully masked row is zeros, not NaN
                    else Assert.Equal(expected[k], y[row + c], 6);
                }
            }
        // Backward through the masked output gives 0 where the output is 0.
        float[] dy = Rand(x.Length, 5), dx = new float[x.Length];
        Softmax.Backward(dx, dy, y, batch * rows, cols, 0.5f);
        for (int i = 0; i < x.Length; i++) if (y[i] == 0f) Assert.Equal(0f, dx[i]);
        // In place (y = x) gives the same.
        float[] inPlace = (float[])x.Clone();
        Softmax.MaskedForward(inPlace, inPlace, mask, batch, rows, cols, scale: 0.5f);
        Assert.Equal(y, inPlace);
    }
}
