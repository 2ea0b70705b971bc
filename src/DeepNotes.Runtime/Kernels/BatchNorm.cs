using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace DeepNotes.Kernels;

/// <summary>
/// Batch normalisation over x viewed as [batch, channels, spatial] (spatial = H·W for BatchNorm2d,
/// 1 for BatchNorm1d on [B, C]); statistics are per channel over batch and space. Statistics and
/// the backward's reductions are accumulated in double (two passes: mean, then squared deviations),
/// so a large common offset does not cancel away the variance. gamma and beta may be empty, which
/// means 1 and 0 (PyTorch's affine = False); so may dgamma and dbeta in <see cref="Backward"/>.
/// </summary>
public static class BatchNorm
{
    /// <summary>
    /// Training forward: y = gamma·(x − mean)·invStd + beta with the batch's per-channel mean and biased
    /// variance, invStd = 1/√(var + ε). Saves mean and invStd for <see cref="Backward"/>. With
    /// <paramref name="updateRunningStats"/>, running = (1 − momentum)·running + momentum·stat in place,
    /// with the unbiased variance (·n/(n − 1)) for runningVar, as PyTorch; otherwise the running spans
    /// are not touched and may be empty. Overwrites y; y may be x itself.
    /// </summary>
    public static void TrainForward(Span<float> y, ReadOnlySpan<float> x, ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta,
        Span<float> runningMean, Span<float> runningVar, Span<float> saveMean, Span<float> saveInvStd,
        int batch, int channels, int spatial, float momentum, float epsilon, bool updateRunningStats)
    {
        CheckTrainForward(y.Length, x.Length, gamma.Length, beta.Length, runningMean.Length, runningVar.Length, saveMean.Length, saveInvStd.Length,
                          batch, channels, spatial, updateRunningStats);
        long n = (long)batch * spatial;

        for (int c = 0; c < channels; c++)
        {
            double sum = 0;
            for (int b = 0; b < batch; b++) sum += Sum(Segment(x, b, c, channels, spatial));
            double mean = sum / n;
            double squares = 0;
            for (int b = 0; b < batch; b++) squares += SumSquaredDeviations(Segment(x, b, c, channels, spatial), mean);
            double variance = squares / n;
            double invStd = 1.0 / Math.Sqrt(variance + epsilon);
            saveMean[c] = (float)mean;
            saveInvStd[c] = (float)invStd;

            float scale = (float)((gamma.IsEmpty ? 1.0 : gamma[c]) * invStd);
            float shift = beta.IsEmpty ? 0f : beta[c];
            for (int b = 0; b < batch; b++)
                Normalize(Segment(y, b, c, channels, spatial), Segment(x, b, c, channels, spatial), (float)mean, scale, shift);

            if (updateRunningStats)
            {
                runningMean[c] = (float)((1.0 - momentum) * runningMean[c] + momentum * mean);
                runningVar[c] = (float)((1.0 - momentum) * runningVar[c] + momentum * variance * n / (n - 1));
            }
        }
    }

    /// <summary>Inference forward: y = gamma·(x − runningMean)/√(runningVar + ε) + beta. Overwrites y; y may be x itself.</summary>
    public static void InferForward(Span<float> y, ReadOnlySpan<float> x, ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta,
        ReadOnlySpan<float> runningMean, ReadOnlySpan<float> runningVar, int batch, int channels, int spatial, float epsilon)
    {
        CheckInferForward(y.Length, x.Length, gamma.Length, beta.Length, runningMean.Length, runningVar.Length, batch, channels, spatial);

        for (int c = 0; c < channels; c++)
        {
            float scale = (float)((gamma.IsEmpty ? 1.0 : gamma[c]) / Math.Sqrt((double)runningVar[c] + epsilon));
            float shift = beta.IsEmpty ? 0f : beta[c];
            for (int b = 0; b < batch; b++)
                Normalize(Segment(y, b, c, channels, spatial), Segment(x, b, c, channels, spatial), runningMean[c], scale, shift);
        }
    }

    /// <summary>
    /// Backward of <see cref="TrainForward"/> from x and the saved mean and invStd, with x̂ = (x − mean)·invStd:
    /// dbeta += Σ dy, dgamma += Σ dy·x̂ (accumulate), and (overwriting dx; dx may be dy itself)
    /// dx = gamma·invStd·(dy − mean(dy) − x̂·mean(dy·x̂)), the means over batch and space.
    /// </summary>
    public static void Backward(Span<float> dx, Span<float> dgamma, Span<float> dbeta, ReadOnlySpan<float> dy, ReadOnlySpan<float> x,
        ReadOnlySpan<float> gamma, ReadOnlySpan<float> saveMean, ReadOnlySpan<float> saveInvStd, int batch, int channels, int spatial)
    {
        CheckBackward(dx.Length, dgamma.Length, dbeta.Length, dy.Length, x.Length, gamma.Length, saveMean.Length, saveInvStd.Length, batch, channels, spatial);
        long n = (long)batch * spatial;
        if (n == 0) return;

        for (int c = 0; c < channels; c++)
        {
            float mean = saveMean[c];
            double invStd = saveInvStd[c];
            double sumDy = 0, sumDyDev = 0;
            for (int b = 0; b < batch; b++)
            {
                (double s, double sd) = SumAndDotDeviations(Segment(dy, b, c, channels, spatial), Segment(x, b, c, channels, spatial), mean);
                sumDy += s;
                sumDyDev += sd;
            }
            if (!dbeta.IsEmpty) dbeta[c] += (float)sumDy;
            if (!dgamma.IsEmpty) dgamma[c] += (float)(sumDyDev * invStd);

            // dx = a·dy + k·(x − mean) + d, with a = gamma·invStd, k = −a·invStd²·Σdy(x − mean)/n, d = −a·Σdy/n.
            double a = (gamma.IsEmpty ? 1.0 : gamma[c]) * invStd;
            float k = (float)(-a * invStd * invStd * sumDyDev / n);
            float d = (float)(-a * sumDy / n);
            for (int b = 0; b < batch; b++)
                InputGradient(Segment(dx, b, c, channels, spatial), Segment(dy, b, c, channels, spatial),
                              Segment(x, b, c, channels, spatial), (float)a, mean, k, d);
        }
    }

    private static Span<float> Segment(Span<float> t, int b, int c, int channels, int spatial)
        => t.Slice((b * channels + c) * spatial, spatial);

    private static ReadOnlySpan<float> Segment(ReadOnlySpan<float> t, int b, int c, int channels, int spatial)
        => t.Slice((b * channels + c) * spatial, spatial);

    /// <summary>Σ x in double.</summary>
    private static double Sum(ReadOnlySpan<float> x)
    {
        ref float r = ref MemoryMarshal.GetReference(x);
        int i = 0;
        double sum = 0;
        if (Vector256.IsHardwareAccelerated && x.Length >= Vector256<float>.Count)
        {
            Vector256<double> a0 = Vector256<double>.Zero, a1 = Vector256<double>.Zero;
            for (; i <= x.Length - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                (Vector256<double> lo, Vector256<double> hi) = Vector256.Widen(Vector256.LoadUnsafe(ref r, (nuint)i));
                a0 += lo;
                a1 += hi;
            }
            sum = Vector256.Sum(a0 + a1);
        }
        for (; i < x.Length; i++) sum += Unsafe.Add(ref r, i);
        return sum;
    }

    /// <summary>Σ (x − mean)² in double.</summary>
    private static double SumSquaredDeviations(ReadOnlySpan<float> x, double mean)
    {
        ref float r = ref MemoryMarshal.GetReference(x);
        int i = 0;
        double sum = 0;
        if (Vector256.IsHardwareAccelerated && x.Length >= Vector256<float>.Count)
        {
            Vector256<double> m = Vector256.Create(mean), a0 = Vector256<double>.Zero, a1 = Vector256<double>.Zero;
            for (; i <= x.Length - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                (Vector256<double> lo, Vector256<double> hi) = Vector256.Widen(Vector256.LoadUnsafe(ref r, (nuint)i));
                lo -= m;
                hi -= m;
                a0 = Vector256.FusedMultiplyAdd(lo, lo, a0);
                a1 = Vector256.FusedMultiplyAdd(hi, hi, a1);
            }
            sum = Vector256.Sum(a0 + a1);
        }
        for (; i < x.Length; i++)
        {
            double d = Unsafe.Add(ref r, i) - mean;
            sum += d * d;
        }
        return sum;
    }

    /// <summary>(Σ dy, Σ dy·(x − mean)) in double.</summary>
    private static (double Sum, double Dot) SumAndDotDeviations(ReadOnlySpan<float> dy, ReadOnlySpan<float> x, double mean)
    {
        ref float g = ref MemoryMarshal.GetReference(dy);
        ref float r = ref MemoryMarshal.GetReference(x);
        int i = 0;
        double sum = 0, dot = 0;
        if (Vector256.IsHardwareAccelerated && x.Length >= Vector256<float>.Count)
        {
            Vector256<double> m = Vector256.Create(mean);
            Vector256<double> s0 = Vector256<double>.Zero, s1 = Vector256<double>.Zero, d0 = Vector256<double>.Zero, d1 = Vector256<double>.Zero;
            for (; i <= x.Length - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                (Vector256<double> glo, Vector256<double> ghi) = Vector256.Widen(Vector256.LoadUnsafe(ref g, (nuint)i));
                (Vector256<double> xlo, Vector256<double> xhi) = Vector256.Widen(Vector256.LoadUnsafe(ref r, (nuint)i));
                s0 += glo;
                s1 += ghi;
                d0 = Vector256.FusedMultiplyAdd(glo, xlo - m, d0);
                d1 = Vector256.FusedMultiplyAdd(ghi, xhi - m, d1);
            }
            sum = Vector256.Sum(s0 + s1);
            dot = Vector256.Sum(d0 + d1);
        }
        for (; i < x.Length; i++)
        {
            double gi = Unsafe.Add(ref g, i);
            sum += gi;
            dot += gi * (Unsafe.Add(ref r, i) - mean);
        }
        return (sum, dot);
    }

    /// <summary>y = (x − mean)·scale + shift, element by element (y may be x).</summary>
    private static void Normalize(Span<float> y, ReadOnlySpan<float> x, float mean, float scale, float shift)
    {
        ref float rx = ref MemoryMarshal.GetReference(x);
        ref float ry = ref MemoryMarshal.GetReference(y);
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            Vector256<float> m = Vector256.Create(mean), a = Vector256.Create(scale), t = Vector256.Create(shift);
            for (; i <= x.Length - Vector256<float>.Count; i += Vector256<float>.Count)
                Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref rx, (nuint)i) - m, a, t).StoreUnsafe(ref ry, (nuint)i);
        }
        for (; i < x.Length; i++) Unsafe.Add(ref ry, i) = MathF.FusedMultiplyAdd(Unsafe.Add(ref rx, i) - mean, scale, shift);
    }

    /// <summary>dx = a·dy + k·(x − mean) + d, element by element (dx may be dy).</summary>
    private static void InputGradient(Span<float> dx, ReadOnlySpan<float> dy, ReadOnlySpan<float> x, float a, float mean, float k, float d)
    {
        ref float rg = ref MemoryMarshal.GetReference(dy);
        ref float rx = ref MemoryMarshal.GetReference(x);
        ref float rd = ref MemoryMarshal.GetReference(dx);
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            Vector256<float> va = Vector256.Create(a), vm = Vector256.Create(mean), vk = Vector256.Create(k), vd = Vector256.Create(d);
            for (; i <= x.Length - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                Vector256<float> dev = Vector256.LoadUnsafe(ref rx, (nuint)i) - vm;
                Vector256<float> r = Vector256.FusedMultiplyAdd(va, Vector256.LoadUnsafe(ref rg, (nuint)i), Vector256.FusedMultiplyAdd(vk, dev, vd));
                r.StoreUnsafe(ref rd, (nuint)i);
            }
        }
        for (; i < x.Length; i++)
            Unsafe.Add(ref rd, i) = MathF.FusedMultiplyAdd(a, Unsafe.Add(ref rg, i), MathF.FusedMultiplyAdd(k, Unsafe.Add(ref rx, i) - mean, d));
    }

    /// <summary>
    /// The operand checks of <see cref="TrainForward"/> on operand lengths: shared with the GPU twin
    /// (DeepNotes.Gpu.Kernels.BatchNorm), so both refuse the same calls with the same messages.
    /// </summary>
    internal static void CheckTrainForward(long y, long x, long gamma, long beta, long runningMean, long runningVar, long saveMean, long saveInvStd,
        int batch, int channels, int spatial, bool updateRunningStats)
    {
        long size = CheckSizes(batch, channels, spatial);
        long n = (long)batch * spatial;
        if (n < 2)
            throw new ArgumentException($"Training batch normalisation needs more than one value per channel; batch·spatial is {n}.", nameof(batch));
        Operands.Require(y, size, nameof(y));
        Operands.Require(x, size, nameof(x));
        RequireOptional(gamma, channels, nameof(gamma));
        RequireOptional(beta, channels, nameof(beta));
        if (updateRunningStats)
        {
            Operands.Require(runningMean, channels, nameof(runningMean));
            Operands.Require(runningVar, channels, nameof(runningVar));
        }
        Operands.Require(saveMean, channels, nameof(saveMean));
        Operands.Require(saveInvStd, channels, nameof(saveInvStd));
    }

    /// <summary>The operand checks of <see cref="InferForward"/>; returns batch·channels·spatial.</summary>
    internal static long CheckInferForward(long y, long x, long gamma, long beta, long runningMean, long runningVar, int batch, int channels, int spatial)
    {
        long size = CheckSizes(batch, channels, spatial);
        Operands.Require(y, size, nameof(y));
        Operands.Require(x, size, nameof(x));
        RequireOptional(gamma, channels, nameof(gamma));
        RequireOptional(beta, channels, nameof(beta));
        Operands.Require(runningMean, channels, nameof(runningMean));
        Operands.Require(runningVar, channels, nameof(runningVar));
        return size;
    }

    /// <summary>The operand checks of <see cref="Backward"/>.</summary>
    internal static void CheckBackward(long dx, long dgamma, long dbeta, long dy, long x, long gamma, long saveMean, long saveInvStd,
        int batch, int channels, int spatial)
    {
        long size = CheckSizes(batch, channels, spatial);
        Operands.Require(dx, size, nameof(dx));
        RequireOptional(dgamma, channels, nameof(dgamma));
        RequireOptional(dbeta, channels, nameof(dbeta));
        Operands.Require(dy, size, nameof(dy));
        Operands.Require(x, size, nameof(x));
        RequireOptional(gamma, channels, nameof(gamma));
        Operands.Require(saveMean, channels, nameof(saveMean));
        Operands.Require(saveInvStd, channels, nameof(saveInvStd));
    }

    /// <summary>Checks the sizes and returns the element count batch·channels·spatial.</summary>
    private static long CheckSizes(int batch, int channels, int spatial)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(batch);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(channels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(spatial);
        long size = (long)batch * channels * spatial;
        if (size > int.MaxValue) throw new ArgumentOutOfRangeException(nameof(batch), "batch·channels·spatial overflows 32-bit indexing.");
        return size;
    }


    /// <summary>An optional per-channel operand: empty, or at least one value per channel.</summary>
    private static void RequireOptional(long length, int channels, string name)
    {
        if (length != 0) Operands.Require(length, channels, name);
    }
}
