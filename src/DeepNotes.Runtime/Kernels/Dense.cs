namespace DeepNotes.Kernels;

/// <summary>
/// A fully connected layer over rows: y[r, o] = act(Σ_i x[r, i]·W[o, i] + b[o]), W in PyTorch's
/// [out, in] layout. Forward is one GEMM (x·Wᵀ) with bias and activation as its epilogue.
/// Backward: dx = dy·W, dW += dyᵀ·x, db += Σ_r dy (gradients accumulate, the step zeroes them).
/// </summary>
public static class Dense
{
    public static void Forward(Span<float> y, ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> b,
                               int rows, int inFeatures, int outFeatures, Activation activation)
    {
        Span<float> yy = y[..(rows * outFeatures)];
        Gemm.Multiply(yy, x, w, rows, outFeatures, inFeatures, transA: false, transB: true);
        if (!b.IsEmpty) Gemm.AddBias(yy, b, rows, outFeatures);
        if (activation != Activation.None) Activations.Forward(yy, yy, activation);
    }

    /// <summary>dx = dy·W (overwrites dx).</summary>
    public static void BackwardData(Span<float> dx, ReadOnlySpan<float> dy, ReadOnlySpan<float> w,
                                    int rows, int inFeatures, int outFeatures)
        => Gemm.Multiply(dx[..(rows * inFeatures)], dy, w, rows, inFeatures, outFeatures);

    /// <summary>
    /// dW += dyᵀ·x and db += Σ_rows dy (db may be empty when the layer has no bias). With
    /// <paramref name="overwrite"/> the sums replace what dW and db held (the compiler passes it for a
    /// parameter's first gradient contribution, so the step need not zero those gradients first).
    /// </summary>
    public static void BackwardWeights(Span<float> dw, Span<float> db, ReadOnlySpan<float> dy, ReadOnlySpan<float> x,
                                       int rows, int inFeatures, int outFeatures, bool overwrite = false)
    {
        Gemm.Multiply(dw[..(outFeatures * inFeatures)], dy, x, outFeatures, inFeatures, rows, transA: true, transB: false, beta: overwrite ? 0f : 1f);
        if (db.IsEmpty) return;
        if (overwrite) db[..outFeatures].Clear();
        Gemm.BiasGradient(db, dy, rows, outFeatures);
    }
}
