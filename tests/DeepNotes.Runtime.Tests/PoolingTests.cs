using DeepNotes.Kernels;
using static DeepNotes.Runtime.Tests.TestArrays;

namespace DeepNotes.Runtime.Tests;

/// <summary>Max, average and global pooling against naive window loops, with padding, ties and adjoints.</summary>
public class PoolingTests
{
    // (C, H, W, KH, KW, SH, SW, PH, PW)
    private static readonly Pool2dShape[] Shapes =
    {
        new(3, 8, 8, 2, 2, 2, 2, 0, 0),        // the common 2/2
        new(2, 7, 9, 2, 2, 2, 2, 0, 0),        // odd sizes drop the last row and column
        new(2, 13, 13, 3, 3, 2, 2, 0, 0),      // overlapping 3/2 (AlexNet)
        new(2, 11, 12, 3, 3, 2, 2, 1, 1),      // 3/2 padded (ResNet's stem pool)
        new(3, 6, 7, 3, 3, 1, 1, 1, 1),        // 3/1 "same"
        new(2, 5, 9, 2, 2, 1, 1, 1, 1),        // even kernel, stride 1, padding 1
        new(2, 9, 8, 3, 2, 1, 2, 1, 0),        // asymmetric kernel, stride and padding
        new(1, 10, 11, 2, 3, 3, 1, 1, 1),
        new(2, 10, 10, 2, 2, 3, 3, 0, 0),      // stride past the kernel skips pixels
        new(2, 5, 6, 5, 6, 1, 1, 0, 0),        // one window: the whole plane
        new(1, 3, 70, 2, 4, 1, 2, 1, 2),       // stride 2 past the 8-wide vector loop
        new(4, 6, 100, 2, 2, 2, 2, 0, 0),      // wide rows through the vector loop with a tail
        new(2, 8, 28, 2, 2, 2, 2, 0, 0),       // LeNet's pool: 14 outputs, one vector block and an overlapping one
        new(2, 9, 33, 3, 3, 2, 2, 0, 0),       // 3/2 with exactly two blocks of 8
        new(1, 7, 40, 2, 4, 1, 2, 1, 0),       // vertical padding, horizontal stride 2 and no horizontal padding
        new(1, 4, 4200, 3, 3, 2, 2, 1, 1),     // a row buffer too long for the stack
        new(1, 1, 1, 1, 1, 1, 1, 0, 0),
    };

    public static IEnumerable<object[]> ShapeIndices()
    {
        for (int i = 0; i < Shapes.Length; i++) yield return new object[] { i };
    }

    /// <summary>The window of output (i, j) clipped to the input, as the flat indices of its pixels in row-major order.</summary>
    private static IEnumerable<int> Window(in Pool2dShape s, int i, int j)
    {
        var list = new List<int>();
        for (int u = 0; u < s.KernelHeight; u++)
            for (int v = 0; v < s.KernelWidth; v++)
            {
                int r = i * s.StrideHeight - s.PadHeight + u, q = j * s.StrideWidth - s.PadWidth + v;
                if (r >= 0 && r < s.InHeight && q >= 0 && q < s.InWidth) list.Add(r * s.InWidth + q);
            }
        return list;
    }

    /// <summary>Naive pooling: calls <paramref name="visit"/>(plane, output index, window pixel indices).</summary>
    private static void ForEachWindow(in Pool2dShape s, int batch, Action<int, int, IEnumerable<int>> visit)
    {
        for (int p = 0; p < batch * s.Channels; p++)
            for (int i = 0; i < s.OutHeight; i++)
                for (int j = 0; j < s.OutWidth; j++)
                    visit(p, (p * s.OutHeight + i) * s.OutWidth + j, Window(s, i, j));
    }

    /// <summary>Random values drawn from a few levels so that windows often hold ties.</summary>
    private static float[] Levels(Random rng, int n)
    {
        var x = new float[n];
        for (int i = 0; i < n; i++) x[i] = rng.Next(-3, 4) * 0.5f;
        return x;
    }

    [Theory, MemberData(nameof(ShapeIndices))]
    public void MaxForwardAndBackwardMatchNaiveWindows(int index)
    {
        Pool2dShape s = Shapes[index];
        const int batch = 2;
        var rng = new Random(index);
        foreach (float[] x in new[] { Uniform(rng, batch * s.InSize), Levels(rng, batch * s.InSize) })
        {
            float[] y = Filled(batch * s.OutSize, float.NaN), dy = Uniform(rng, y.Length);
            float[] dx = Filled(x.Length, float.NaN), expectedDx = new float[x.Length];
            Pooling.MaxForward(y, x, batch, s);
            Pooling.MaxBackward(dx, dy, x, batch, s);
            ForEachWindow(s, batch, (p, o, window) =>
            {
                int plane = p * s.InHeight * s.InWidth;
                int best = -1;
                foreach (int k in window)
                    if (best < 0 || x[plane + k] > x[plane + best]) best = k;   // the first maximum
                Assert.Equal(x[plane + best], y[o]);
                expectedDx[plane + best] += dy[o];
            });
            for (int i = 0; i < x.Length; i++) Close(expectedDx[i], dx[i], 1e-6, $"{s} dx[{i}]");
        }
    }

    [Theory, MemberData(nameof(ShapeIndices))]
    public void AvgForwardAndBackwardMatchNaiveWindows(int index)
    {
        Pool2dShape s = Shapes[index];
        const int batch = 2;
        var rng = new Random(50 + index);
        float[] x = Uniform(rng, batch * s.InSize), y = Filled(batch * s.OutSize, float.NaN), dy = Uniform(rng, y.Length);
        float[] dx = Filled(x.Length, float.NaN);
        Pooling.AvgForward(y, x, batch, s);
        Pooling.AvgBackward(dx, dy, batch, s);
        double area = s.KernelHeight * s.KernelWidth;
        var expectedDx = new double[x.Length];
        ForEachWindow(s, batch, (p, o, window) =>
        {
            int plane = p * s.InHeight * s.InWidth;
            double sum = 0;
            foreach (int k in window)
            {
                sum += x[plane + k];
                expectedDx[plane + k] += dy[o] / area;
            }
            Close(sum / area, y[o], 1e-6, $"{s} y[{o}]");   // padding counts as zero, the divisor is the whole window
        });
        for (int i = 0; i < x.Length; i++) Close(expectedDx[i], dx[i], 1e-6, $"{s} dx[{i}]");
        // Adjoint identity: ⟨dy, avg(x)⟩ = ⟨avgᵀ(dy), x⟩.
        Close(Dot(dy, y), Dot(dx, x), 1e-5 * (1 + AbsDot(dy, Abs(y))), "adjoint");
    }

    [Fact]
    public void MaxBackwardRoutesToTheFirstMaximum()
    {
        // One 2×2 plane, four equal values; then a 3×3 window with the maximum 5 at (0,2) and (2,0).
        var s = new Pool2dShape(1, 2, 2, 2, 2, 2, 2, 0, 0);
        float[] dx = new float[4];
        Pooling.MaxBackward(dx, new float[] { 7 }, new float[] { 1, 1, 1, 1 }, 1, s);
        Assert.Equal(new float[] { 7, 0, 0, 0 }, dx);

        var t = new Pool2dShape(1, 3, 3, 3, 3, 1, 1, 0, 0);
        dx = new float[9];
        Pooling.MaxBackward(dx, new float[] { 2 }, new float[] { 0, 1, 5, 2, 3, 4, 5, 1, 0 }, 1, t);
        Assert.Equal(new float[] { 0, 0, 2, 0, 0, 0, 0, 0, 0 }, dx);

        // Overlapping windows (3/2) that share their maximum both send their gradient to it.
        var o = new Pool2dShape(1, 3, 5, 3, 3, 2, 2, 0, 0);
        float[] x = { 0, 0, 0, 0, 0, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0 };
        dx = new float[15];
        x[2] = 9; // (0, 2): in both windows, and first in row-major order in both
        Pooling.MaxBackward(dx, new float[] { 1, 10 }, x, 1, o);
        Assert.Equal(11, dx[2]);
        Assert.Equal(0, dx[7]);
    }

    [Fact]
    public void PaddingIsMinusInfinityForMaxAndZeroForAverage()
    {
        var s = new Pool2dShape(1, 4, 4, 3, 3, 1, 1, 1, 1);
        float[] negative = Filled(16, -2f), ones = Filled(16, 1f), y = new float[16];
        Pooling.MaxForward(y, negative, 1, s);
        Assert.All(y, v => Assert.Equal(-2f, v));
        Pooling.AvgForward(y, ones, 1, s);
        Close(4.0 / 9, y[0], 1e-7, "corner");      // 4 of 9 taps inside
        Close(6.0 / 9, y[1], 1e-7, "edge");
        Close(1.0, y[5], 1e-7, "inside");
    }

    [Fact]
    public void MaxPropagatesNaNAndRoutesToIt()
    {
        var s = new Pool2dShape(1, 2, 20, 2, 2, 2, 2, 0, 0);
        float[] x = new float[40], y = new float[10], dx = new float[40];
        x[3] = float.NaN; x[22] = 5;   // window 1 holds (0,2), (0,3), (1,2), (1,3)
        Pooling.MaxForward(y, x, 1, s);
        Assert.True(float.IsNaN(y[1]));
        Assert.Equal(0, y[0]);
        Pooling.MaxBackward(dx, Filled(10, 1f), x, 1, s);
        Assert.Equal(1, dx[3]);
        Assert.Equal(0, dx[22]);
    }

    [Fact]
    public void GlobalAveragePoolingAndItsAdjoint()
    {
        const int batch = 3, channels = 5, spatial = 37;
        var rng = new Random(8);
        float[] x = Uniform(rng, batch * channels * spatial), y = new float[batch * channels], dy = Uniform(rng, y.Length);
        float[] dx = Filled(x.Length, float.NaN);
        Pooling.GlobalAvgForward(y, x, batch, channels, spatial);
        for (int p = 0; p < batch * channels; p++)
        {
            double sum = 0;
            for (int k = 0; k < spatial; k++) sum += x[p * spatial + k];
            Close(sum / spatial, y[p], 1e-6, $"y[{p}]");
        }
        Pooling.GlobalAvgBackward(dx, dy, batch, channels, spatial);
        for (int i = 0; i < dx.Length; i++) Close(dy[i / spatial] / (double)spatial, dx[i], 1e-7, $"dx[{i}]");
        Close(Dot(dy, y), Dot(dx, x), 1e-5, "adjoint");
    }

    [Fact]
    public void DoesNotAllocateAfterWarmUp()
    {
        var wide = Shapes[^2];
        var rng = new Random(1);
        var data = new List<(Pool2dShape S, float[] X, float[] Y, float[] Dx)>();
        foreach (var s in new[] { Shapes[0], Shapes[3], Shapes[6], wide })
            data.Add((s, Uniform(rng, 2 * s.InSize), new float[2 * s.OutSize], new float[2 * s.InSize]));
        float[] g = new float[64], gx = new float[64 * 9];

        void RunAll()
        {
            foreach (var (s, x, y, dx) in data)
            {
                Pooling.MaxForward(y, x, 2, s);
                Pooling.MaxBackward(dx, y, x, 2, s);
                Pooling.AvgForward(y, x, 2, s);
                Pooling.AvgBackward(dx, y, 2, s);
            }
            Pooling.GlobalAvgForward(g, gx, 8, 8, 9);
            Pooling.GlobalAvgBackward(gx, g, 8, 8, 9);
        }

        RunAll();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 5; i++) RunAll();
        Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
    }

    [Fact]
    public void ValidatesOperandsUpFront()
    {
        var s = new Pool2dShape(2, 6, 6, 2, 2, 2, 2, 0, 0);
        float[] x = new float[2 * s.InSize], y = new float[2 * s.OutSize];
        string? Param(Action a) => Assert.Throws<ArgumentException>(a).ParamName;
        Assert.Equal("y", Param(() => Pooling.MaxForward(y.AsSpan(1), x, 2, s)));
        Assert.Equal("x", Param(() => Pooling.MaxForward(y, x.AsSpan(1), 2, s)));
        Assert.Equal("dx", Param(() => Pooling.MaxBackward(x.AsSpan(1), y, x, 2, s)));
        Assert.Equal("dy", Param(() => Pooling.MaxBackward(x, y.AsSpan(1), x, 2, s)));
        Assert.Equal("x", Param(() => Pooling.MaxBackward(new float[x.Length], y, x.AsSpan(1), 2, s)));
        Assert.Equal("y", Param(() => Pooling.AvgForward(y.AsSpan(1), x, 2, s)));
        Assert.Equal("x", Param(() => Pooling.AvgForward(y, x.AsSpan(1), 2, s)));
        Assert.Equal("dx", Param(() => Pooling.AvgBackward(x.AsSpan(1), y, 2, s)));
        Assert.Equal("dy", Param(() => Pooling.AvgBackward(x, y.AsSpan(1), 2, s)));
        Assert.Equal("y", Param(() => Pooling.GlobalAvgForward(new float[5], new float[18], 2, 3, 3)));
        Assert.Equal("x", Param(() => Pooling.GlobalAvgForward(new float[6], new float[17], 2, 3, 3)));
        Assert.Equal("dx", Param(() => Pooling.GlobalAvgBackward(new float[17], new float[6], 2, 3, 3)));
        Assert.Equal("dy", Param(() => Pooling.GlobalAvgBackward(new float[18], new float[5], 2, 3, 3)));
        Assert.ThrowsAny<ArgumentOutOfRangeException>(() => Pooling.GlobalAvgForward(y, x, 2, 0, 3));
        Assert.ThrowsAny<ArgumentOutOfRangeException>(() => Pooling.MaxForward(y, x, -1, s));

        foreach (Pool2dShape bad in new Pool2dShape[]
        {
            s with { Channels = 0 }, s with { KernelHeight = 0 }, s with { StrideWidth = 0 }, s with { PadHeight = -1 },
            s with { PadWidth = 2 },                // more than half the kernel
            s with { KernelHeight = 7 },            // larger than the input
        })
        {
            Assert.Equal("s", Param(() => Pooling.MaxForward(y, x, 2, bad)));
            Assert.Equal("s", Param(() => Pooling.AvgBackward(x, y, 2, bad)));
        }
    }
}
