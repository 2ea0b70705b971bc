using DeepNotes.Kernels;
using static DeepNotes.Runtime.Tests.TestArrays;

namespace DeepNotes.Runtime.Tests;

/// <summary>Conv2d against its seven-loop reference, a worked example, finite differences and adjoint identities.</summary>
public class ConvTests
{
    // (Cin, H, W, Cout, KH, KW, SH, SW, PH, PW)
    private static readonly Conv2dShape[] FixedShapes = BuildShapes();

    private static Conv2dShape[] BuildShapes()
    {
        var shapes = new List<Conv2dShape>();
        // Every stride 1, 2, 3 with every padding 0, 1, 2 on odd-sized inputs.
        foreach (int stride in new[] { 1, 2, 3 })
            foreach (int pad in new[] { 0, 1, 2 })
                shapes.Add(new(3, 9, 11, 4, 3, 3, stride, stride, pad, pad));
        shapes.AddRange(new Conv2dShape[]
        {
            new(2, 7, 10, 5, 3, 5, 1, 2, 2, 1),     // asymmetric kernel, stride and padding
            new(1, 13, 17, 3, 4, 2, 3, 1, 0, 2),    // Cin = 1, even kernel, asymmetric
            new(3, 8, 8, 6, 1, 1, 1, 1, 0, 0),      // 1×1: the plain-GEMM path
            new(5, 9, 7, 3, 1, 1, 2, 3, 0, 0),      // 1×1 strided goes through im2col
            new(4, 5, 5, 3, 1, 1, 1, 1, 1, 1),      // 1×1 padded: a border of bias-only outputs
            new(1, 28, 28, 6, 5, 5, 1, 1, 2, 2),    // LeNet C1
            new(6, 14, 14, 16, 5, 5, 1, 1, 0, 0),   // LeNet C3
            new(2, 3, 4, 2, 5, 6, 1, 1, 1, 1),      // kernel the size of the padded input: 1×1 output
            new(1, 2, 3, 2, 4, 4, 1, 1, 2, 1),      // kernel larger than the input, padding covers it
            new(2, 10, 10, 3, 2, 2, 3, 3, 0, 0),    // stride larger than the kernel: skipped pixels
            new(1, 4, 4, 2, 2, 2, 1, 1, 2, 2),      // padding as large as the kernel: all-padding outputs
            new(1, 35, 35, 8, 11, 11, 4, 4, 1, 1),  // AlexNet C1 in miniature
            new(1, 1, 1, 1, 1, 1, 1, 1, 0, 0),
            new(7, 6, 5, 33, 3, 2, 2, 1, 1, 0),     // Cout past a GEMM tile
            // Stride 1 and wide enough for the direct kernels: odd rows, channel blocks with a ragged end,
            // exactly one vector of columns (8 and 16), asymmetric padding.
            new(3, 17, 21, 11, 3, 4, 1, 1, 1, 2),
            new(2, 9, 20, 19, 2, 3, 1, 1, 0, 0),
            new(1, 3, 18, 9, 2, 3, 1, 1, 0, 0),
            new(2, 4, 16, 5, 2, 1, 1, 1, 0, 0),
            new(2, 5, 10, 3, 3, 3, 1, 1, 0, 0),
            new(5, 12, 40, 8, 5, 5, 1, 1, 2, 0),
        });
        var rng = new Random(2024);
        for (int t = 0; t < 8; t++)
        {
            int kh = rng.Next(1, 6), kw = rng.Next(1, 6), ph = rng.Next(0, 3), pw = rng.Next(0, 3);
            shapes.Add(new(rng.Next(1, 6), rng.Next(Math.Max(1, kh - 2 * ph), 16), rng.Next(Math.Max(1, kw - 2 * pw), 16), rng.Next(1, 10),
                           kh, kw, rng.Next(1, 4), rng.Next(1, 4), ph, pw));
        }
        return shapes.ToArray();
    }

    public static IEnumerable<object[]> ShapeIndices()
    {
        for (int i = 0; i < FixedShapes.Length; i++) yield return new object[] { i };
    }

    // Every forward path; a direct one the shape cannot take runs im2col.
    private static readonly Conv2dPath[] Paths = { Conv2dPath.Auto, Conv2dPath.Im2Col, Conv2dPath.Direct256, Conv2dPath.Direct512, Conv2dPath.Channels };

    internal static readonly WeightsPath[] WeightPaths = { WeightsPath.Auto, WeightsPath.Im2Col, WeightsPath.Dot, WeightsPath.Channels };

    private static int BatchFor(in Conv2dShape s) => s.InSize > 1000 ? 2 : 3;

    [Theory, MemberData(nameof(ShapeIndices))]
    public void ForwardMatchesReference(int index)
    {
        Conv2dShape s = FixedShapes[index];
        int batch = BatchFor(s);
        var rng = new Random(index);
        float[] x = Uniform(rng, batch * s.InSize), w = Uniform(rng, s.WeightSize), bias = Uniform(rng, s.OutChannels);
        float[] scratch = Filled(s.ScratchSize, float.NaN);
        float[] expected = new float[batch * s.OutSize], bound = new float[batch * s.OutSize];
        Conv2d.Reference(expected, x, w, bias, batch, s);
        Conv2d.Reference(bound, Abs(x), Abs(w), Abs(bias), batch, s);   // Σ |terms| per output

        foreach (Conv2dPath path in Paths)
        foreach (bool withBias in new[] { true, false })
        {
            float[] y = Filled(batch * s.OutSize, float.NaN);   // overwritten, never read
            Array.Fill(scratch, float.NaN);
            Conv2d.Forward(y, x, w, withBias ? bias : default, batch, s, Activation.None, scratch, path);
            float[] exp = expected;
            if (!withBias)
            {
                exp = new float[y.Length];
                Conv2d.Reference(exp, x, w, default, batch, s);
            }
            double tol = 2e-6 * Math.Sqrt(s.ColumnRows + 1);
            for (int i = 0; i < y.Length; i++)
                Close(exp[i], y[i], tol * (bound[i] + 1e-3), $"{path} {s} y[{i}]");
        }
    }

    [Fact]
    public void ForwardIsCrossCorrelationWithoutFlip()
    {
        // d2l.ai §7.2: X = [[0,1,2],[3,4,5],[6,7,8]] ⋆ K = [[0,1],[2,3]] = [[19,25],[37,43]].
        var s = new Conv2dShape(1, 3, 3, 1, 2, 2, 1, 1, 0, 0);
        float[] x = { 0, 1, 2, 3, 4, 5, 6, 7, 8 }, k = { 0, 1, 2, 3 }, y = new float[4], r = new float[4];
        Conv2d.Forward(y, x, k, default, 1, s, Activation.None, new float[s.ScratchSize]);
        Conv2d.Reference(r, x, k, default, 1, s);
        Assert.Equal(new float[] { 19, 25, 37, 43 }, y);
        Assert.Equal(y, r);

        // The same with padding 1 and stride 2, worked by hand, plus a bias:
        // padded X is 5×5 with X in the middle; windows start at (0,0), (0,2), (2,0), (2,2).
        var p = new Conv2dShape(1, 3, 3, 1, 2, 2, 2, 2, 1, 1);
        Assert.Equal((2, 2), (p.OutHeight, p.OutWidth));
        y = new float[4];
        Conv2d.Forward(y, x, k, new float[] { 10 }, 1, p, Activation.None, new float[p.ScratchSize]);
        // (0,0): only X[0,0]·K[1,1] = 0; (0,2): X[0,1]·K[1,0] + X[0,2]·K[1,1] = 2 + 6;
        // (2,0): X[1,0]·K[0,1] + X[2,0]·K[1,1] = 3 + 18; (2,2): 4·0 + 5·1 + 7·2 + 8·3 = 43.
        Assert.Equal(new float[] { 10, 18, 31, 53 }, y);
    }

    [Fact]
    public void ShallowStrideOneConvolutionsGoDirect()
    {
        var lenet1 = new Conv2dShape(1, 28, 28, 6, 5, 5, 1, 1, 2, 2);
        var lenet3 = new Conv2dShape(6, 14, 14, 16, 5, 5, 1, 1, 0, 0);
        var deep = new Conv2dShape(128, 28, 28, 128, 3, 3, 1, 1, 1, 1);
        var strided = new Conv2dShape(1, 224, 224, 96, 11, 11, 4, 4, 1, 1);
        if (System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated)
            Assert.Equal(Conv2dPath.Direct512, Conv2d.Resolve(Conv2dPath.Auto, lenet1));
        else if (System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated)
            Assert.Equal(Conv2dPath.Direct256, Conv2d.Resolve(Conv2dPath.Auto, lenet1));
        if (System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated)
            Assert.Equal(Conv2dPath.Channels, Conv2d.Resolve(Conv2dPath.Auto, lenet3));    // 10 columns, 16 channels: vectors over the channels
        else if (System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated)
            Assert.Equal(Conv2dPath.Direct256, Conv2d.Resolve(Conv2dPath.Auto, lenet3));   // 10 columns: too narrow for 16-wide vectors
        Assert.Equal(Conv2dPath.Im2Col, Conv2d.Resolve(Conv2dPath.Auto, deep));
        Assert.Equal(Conv2dPath.Im2Col, Conv2d.Resolve(Conv2dPath.Auto, strided));
        Assert.Equal(Conv2dPath.Im2Col, Conv2d.Resolve(Conv2dPath.Direct512, strided));
        Assert.Equal(Conv2dPath.Im2Col, Conv2d.Resolve(Conv2dPath.Direct512, lenet3));
        Assert.Equal(Conv2dPath.Direct256, Conv2d.Resolve(Conv2dPath.Direct256, lenet3));
    }

    [Fact]
    public void ShapeSizes()
    {
        var alex = new Conv2dShape(1, 224, 224, 96, 11, 11, 4, 4, 1, 1);
        Assert.Equal((54, 54), (alex.OutHeight, alex.OutWidth));
        Assert.Equal(121 * 54 * 54, alex.ScratchSize);
        Assert.Equal(96 * 121, alex.WeightSize);
        var lenet = new Conv2dShape(1, 28, 28, 6, 5, 5, 1, 1, 2, 2);
        Assert.Equal((28, 28, 784, 6 * 784), (lenet.OutHeight, lenet.OutWidth, lenet.InSize, lenet.OutSize));
        Assert.Equal(0, new Conv2dShape(8, 5, 5, 4, 1, 1, 1, 1, 0, 0).ScratchSize);
        Assert.Equal(8 * 3 * 3, new Conv2dShape(8, 5, 5, 4, 1, 1, 2, 2, 0, 0).ScratchSize);
        Assert.Equal(8 * 7 * 7, new Conv2dShape(8, 5, 5, 4, 1, 1, 1, 1, 1, 1).ScratchSize);
    }

    [Theory]
    [InlineData(Activation.Relu)] [InlineData(Activation.Sigmoid)] [InlineData(Activation.Tanh)]
    public void ActivationIsTheEpilogue(Activation activation)
    {
        foreach (Conv2dShape s in new[] { FixedShapes[4], FixedShapes[14], new Conv2dShape(3, 8, 8, 6, 1, 1, 1, 1, 0, 0) })
        foreach (Conv2dPath path in Paths)
        {
            var rng = new Random(5);
            float[] x = Uniform(rng, 2 * s.InSize), w = Uniform(rng, s.WeightSize), bias = Uniform(rng, s.OutChannels);
            float[] y = new float[2 * s.OutSize], r = new float[y.Length];
            Conv2d.Forward(y, x, w, bias, 2, s, activation, new float[s.ScratchSize], path);
            Conv2d.Reference(r, x, w, bias, 2, s);
            for (int i = 0; i < y.Length; i++) Close(Activations.Reference(r[i], activation), y[i], 1e-5, $"{activation} y[{i}]");
        }
    }

    /// <summary>Adjoint identities on every shape: ⟨dy, conv(x)⟩ = ⟨convᵀ(dy), x⟩ and ⟨dy, conv_x(w)⟩ = ⟨dW, w⟩.</summary>
    [Theory, MemberData(nameof(ShapeIndices))]
    public void BackwardSatisfiesAdjointIdentities(int index)
    {
        Conv2dShape s = FixedShapes[index];
        int batch = BatchFor(s);
        var rng = new Random(100 + index);
        float[] x = Uniform(rng, batch * s.InSize), w = Uniform(rng, s.WeightSize), dy = Uniform(rng, batch * s.OutSize);
        float[] scratch = Filled(s.ScratchSize, float.NaN);
        float[] y = new float[dy.Length], yAbs = new float[dy.Length];
        Conv2d.Reference(y, x, w, default, batch, s);
        Conv2d.Reference(yAbs, Abs(x), Abs(w), default, batch, s);
        double lhs = Dot(dy, y), scale = AbsDot(dy, yAbs) + 1;

        float[] dx = Filled(x.Length, float.NaN);   // overwritten
        Conv2d.BackwardData(dx, dy, w, batch, s, scratch);
        Close(lhs, Dot(dx, x), 1e-5 * scale, $"{s} data adjoint");

        // Every weight-gradient path (one the shape or scratch does not allow falls back to im2col).
        foreach (WeightsPath path in WeightPaths)
        {
            float[] dw = new float[w.Length];
            Conv2d.BackwardWeights(dw, default, dy, x, batch, s, scratch, path);
            Close(lhs, Dot(dw, w), 1e-5 * scale, $"{s} weight adjoint ({path})");
        }
    }

    /// <summary>Every entry of dx, dW and dbias against a central difference of ⟨dy, Reference(x, w, b)⟩ in double.</summary>
    [Theory]
    [InlineData(2, 5, 6, 3, 3, 3, 1, 1, 1, 1)]
    [InlineData(3, 7, 6, 2, 3, 2, 2, 3, 2, 1)]
    [InlineData(1, 6, 6, 4, 5, 5, 1, 1, 2, 2)]
    [InlineData(3, 4, 5, 2, 1, 1, 1, 1, 0, 0)]
    [InlineData(2, 9, 9, 2, 4, 4, 3, 3, 0, 0)]
    public void BackwardMatchesFiniteDifferences(int cin, int h, int wd, int cout, int kh, int kw, int sh, int sw, int ph, int pw)
    {
        var s = new Conv2dShape(cin, h, wd, cout, kh, kw, sh, sw, ph, pw);
        const int batch = 2;
        var rng = new Random(cin * 31 + h);
        float[] x = Uniform(rng, batch * s.InSize), w = Uniform(rng, s.WeightSize), bias = Uniform(rng, cout), dy = Uniform(rng, batch * s.OutSize);
        float[] y = new float[dy.Length];
        double Loss()
        {
            Conv2d.Reference(y, x, w, bias, batch, s);
            return Dot(dy, y);
        }
        // The loss is linear in each argument, so a large step is exact up to rounding of y.
        double Numeric(float[] v, int i)
        {
            const float step = 0.5f;
            float old = v[i];
            v[i] = old + step; double up = Loss();
            v[i] = old - step; double down = Loss();
            v[i] = old;
            return (up - down) / (2 * step);
        }

        float[] scratch = new float[s.ScratchSize];
        float[] dx = new float[x.Length];
        Conv2d.BackwardData(dx, dy, w, batch, s, scratch);
        for (int i = 0; i < x.Length; i++) Close(Numeric(x, i), dx[i], 1e-4, $"dx[{i}]");

        // Gradients accumulate onto what is there, or replace it with overwrite; both weight-gradient paths.
        foreach (WeightsPath path in WeightPaths)
            foreach (bool overwrite in new[] { false, true })
            {
                float[] dw = Uniform(rng, w.Length), db = Uniform(rng, cout);
                float[] dw0 = overwrite ? new float[w.Length] : (float[])dw.Clone(), db0 = overwrite ? new float[cout] : (float[])db.Clone();
                Conv2d.BackwardWeights(dw, db, dy, x, batch, s, scratch, path, overwrite);
                for (int i = 0; i < w.Length; i++) Close(dw0[i] + Numeric(w, i), dw[i], 1e-4, $"dw[{i}] ({path}, overwrite: {overwrite})");
                for (int i = 0; i < cout; i++) Close(db0[i] + Numeric(bias, i), db[i], 1e-4, $"db[{i}] ({path}, overwrite: {overwrite})");
            }
    }

    [Fact]
    public void LeNetsSecondLayerTakesTheChannelVectorPaths()
    {
        var c3 = new Conv2dShape(6, 14, 14, 16, 5, 5, 1, 1, 0, 0);
        bool wide = System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated;
        Assert.Equal(wide ? Conv2dPath.Channels : Conv2dPath.Direct256, Conv2d.Resolve(Conv2dPath.Auto, c3));
        Assert.Equal(wide, Conv2d.FitsChannels(c3));
        Assert.False(Conv2d.FitsChannels(new Conv2dShape(6, 14, 14, 17, 5, 5, 1, 1, 0, 0)));   // 17 output channels: more than one vector
    }

    [Fact]
    public void LeNetsImageLayerTakesTheDirectWeightGradient()
    {
        Assert.True(Conv2d.UsesDirectWeights(new Conv2dShape(1, 28, 28, 6, 5, 5, 1, 1, 2, 2)) == System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated);
        Assert.False(Conv2d.UsesDirectWeights(new Conv2dShape(3, 9, 11, 4, 3, 3, 2, 2, 1, 1)));   // strided
    }

    [Fact]
    public void PointwiseConvolutionNeedsNoScratch()
    {
        var s = new Conv2dShape(4, 3, 5, 6, 1, 1, 1, 1, 0, 0);
        var rng = new Random(9);
        float[] x = Uniform(rng, 2 * s.InSize), w = Uniform(rng, s.WeightSize), dy = Uniform(rng, 2 * s.OutSize);
        float[] y = new float[dy.Length], r = new float[dy.Length], dx = new float[x.Length], dw = new float[w.Length];
        Conv2d.Forward(y, x, w, default, 2, s, Activation.None, Span<float>.Empty);
        Conv2d.Reference(r, x, w, default, 2, s);
        for (int i = 0; i < y.Length; i++) Close(r[i], y[i], 1e-5, $"y[{i}]");
        Conv2d.BackwardData(dx, dy, w, 2, s, Span<float>.Empty);
        Conv2d.BackwardWeights(dw, default, dy, x, 2, s, Span<float>.Empty);
        Close(Dot(dy, r), Dot(dx, x), 1e-4, "data adjoint");
        Close(Dot(dy, r), Dot(dw, w), 1e-4, "weight adjoint");
    }

    [Fact]
    public void ZeroBatchIsANoOp()
    {
        var s = FixedShapes[0];
        float[] scratch = new float[s.ScratchSize], w = new float[s.WeightSize];
        Conv2d.Forward(Span<float>.Empty, default, w, default, 0, s, Activation.Relu, scratch);
        Conv2d.BackwardData(Span<float>.Empty, default, w, 0, s, scratch);
        Conv2d.BackwardWeights(new float[s.WeightSize], default, default, default, 0, s, scratch);
    }

    [Fact]
    public void DoesNotAllocateAfterWarmUp()
    {
        var shapes = new[] { FixedShapes[4], new Conv2dShape(1, 28, 28, 6, 5, 5, 1, 1, 2, 2), new Conv2dShape(3, 8, 8, 6, 1, 1, 1, 1, 0, 0) };
        var rng = new Random(3);
        var data = new List<(Conv2dShape S, float[] X, float[] W, float[] B, float[] Y, float[] Scratch)>();
        foreach (var s in shapes)
            data.Add((s, Uniform(rng, 4 * s.InSize), Uniform(rng, s.WeightSize), Uniform(rng, s.OutChannels), new float[4 * s.OutSize], new float[s.ScratchSize]));
        float[] dx = new float[4 * 784], dw = new float[16 * 150], db = new float[16];

        void RunAll()
        {
            foreach (var (s, x, w, b, y, scratch) in data)
            {
                Conv2d.Forward(y, x, w, b, 4, s, Activation.Relu, scratch);
                Conv2d.BackwardData(dx, y, w, 4, s, scratch);
                Conv2d.BackwardWeights(dw, db, y, x, 4, s, scratch);
            }
        }

        RunAll();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 5; i++) RunAll();
        Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
    }

    [Fact]
    public void ValidatesOperandsUpFront()
    {
        var s = new Conv2dShape(2, 6, 6, 3, 3, 3, 1, 1, 1, 1);
        const int batch = 2;
        float[] x = new float[batch * s.InSize], w = new float[s.WeightSize], b = new float[3], y = new float[batch * s.OutSize];
        float[] scratch = new float[s.ScratchSize], dw = new float[s.WeightSize];

        string? Param(Action a) => Assert.Throws<ArgumentException>(a).ParamName;
        Assert.Equal("y", Param(() => Conv2d.Forward(y.AsSpan(1), x, w, b, batch, s, Activation.None, scratch)));
        Assert.Equal("x", Param(() => Conv2d.Forward(y, x.AsSpan(1), w, b, batch, s, Activation.None, scratch)));
        Assert.Equal("w", Param(() => Conv2d.Forward(y, x, w.AsSpan(1), b, batch, s, Activation.None, scratch)));
        Assert.Equal("bias", Param(() => Conv2d.Forward(y, x, w, b.AsSpan(1), batch, s, Activation.None, scratch)));
        Assert.Equal("scratch", Param(() => Conv2d.Forward(y, x, w, b, batch, s, Activation.None, scratch.AsSpan(1))));
        Assert.Throws<ArgumentOutOfRangeException>(() => Conv2d.Forward(y, x, w, b, batch, s, (Activation)9, scratch));
        Assert.Throws<ArgumentOutOfRangeException>(() => Conv2d.Forward(y, x, w, b, -1, s, Activation.None, scratch));

        Assert.Equal("dx", Param(() => Conv2d.BackwardData(x.AsSpan(1), y, w, batch, s, scratch)));
        Assert.Equal("dy", Param(() => Conv2d.BackwardData(x, y.AsSpan(1), w, batch, s, scratch)));
        Assert.Equal("w", Param(() => Conv2d.BackwardData(x, y, w.AsSpan(1), batch, s, scratch)));
        Assert.Equal("scratch", Param(() => Conv2d.BackwardData(x, y, w, batch, s, scratch.AsSpan(1))));

        Assert.Equal("dw", Param(() => Conv2d.BackwardWeights(dw.AsSpan(1), b, y, x, batch, s, scratch)));
        Assert.Equal("dbias", Param(() => Conv2d.BackwardWeights(dw, b.AsSpan(1), y, x, batch, s, scratch)));
        Assert.Equal("dy", Param(() => Conv2d.BackwardWeights(dw, b, y.AsSpan(1), x, batch, s, scratch)));
        Assert.Equal("x", Param(() => Conv2d.BackwardWeights(dw, b, y, x.AsSpan(1), batch, s, scratch)));
        Assert.Equal("scratch", Param(() => Conv2d.BackwardWeights(dw, b, y, x, batch, s, scratch.AsSpan(1))));

        Assert.Equal("y", Param(() => Conv2d.Reference(y.AsSpan(1), x, w, b, batch, s)));

        // Bad shapes: non-positive sizes or strides, negative padding, a kernel larger than the padded input.
        foreach (Conv2dShape bad in new Conv2dShape[]
        {
            s with { InChannels = 0 }, s with { OutChannels = -1 }, s with { KernelWidth = 0 }, s with { StrideHeight = 0 },
            s with { PadWidth = -1 }, s with { KernelHeight = 9 }, new(1, 4, 4, 1, 5, 1, 2, 1, 0, 0),
        })
        {
            Assert.Equal("s", Param(() => Conv2d.Forward(y, x, w, b, batch, bad, Activation.None, new float[1 << 12])));
            Assert.Equal("s", Param(() => Conv2d.Reference(y, x, w, b, batch, bad)));
        }
    }
}
