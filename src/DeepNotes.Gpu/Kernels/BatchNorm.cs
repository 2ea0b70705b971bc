using System;
using System.Runtime.CompilerServices;
using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Runtime;

namespace DeepNotes.Gpu.Kernels;

/// <summary>
/// Batch normalisation over x viewed as [batch, channels, spatial], the GPU twin of
/// <c>DeepNotes.Kernels.BatchNorm</c>: one group per channel, the statistics and the backward's sums
/// reduced in double (two passes: mean, then squared deviations) like the CPU's, in a fixed tree.
/// gamma, beta, dgamma and dbeta may be empty (<c>default</c>), meaning 1 and 0 (PyTorch's affine = False);
/// the running views may be empty when the running statistics are not updated.
/// </summary>
public static class BatchNorm
{
    internal struct NormArgs
    {
        public int Batch, Channels, Spatial, Update, HasGamma, HasBeta, HasDGamma, HasDBeta;
        public float Momentum, Epsilon;
    }

    private static readonly GroupKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>,
        ArrayView<float>, ArrayView<float>, NormArgs> s_train = new(TrainKernel);
    private static readonly ElementKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>,
        NormArgs> s_infer = new(InferKernel);
    private static readonly GroupKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>,
        ArrayView<float>, ArrayView<float>, NormArgs> s_backward = new(BackwardKernel);

    /// <summary>
    /// Training forward: y = gamma·(x − mean)·invStd + beta with the batch's per-channel mean and biased variance;
    /// saves mean and invStd; with <paramref name="updateRunningStats"/>, running = (1 − momentum)·running +
    /// momentum·stat with the unbiased variance for runningVar, as PyTorch. y may be x.
    /// </summary>
    public static void TrainForward(GpuDevice device, ArrayView<float> y, ArrayView<float> x, ArrayView<float> gamma, ArrayView<float> beta,
        ArrayView<float> runningMean, ArrayView<float> runningVar, ArrayView<float> saveMean, ArrayView<float> saveInvStd,
        int batch, int channels, int spatial, float momentum, float epsilon, bool updateRunningStats)
    {
        global::DeepNotes.Kernels.BatchNorm.CheckTrainForward(y.Length, x.Length, gamma.Length, beta.Length, runningMean.Length, runningVar.Length,
            saveMean.Length, saveInvStd.Length, batch, channels, spatial, updateRunningStats);
        long n = (long)batch * spatial;
        var args = new NormArgs
        {
            Batch = batch, Channels = channels, Spatial = spatial, Momentum = momentum, Epsilon = epsilon,
            Update = updateRunningStats ? 1 : 0, HasGamma = gamma.Length == 0 ? 0 : 1, HasBeta = beta.Length == 0 ? 0 : 1,
        };
        // Views the flags say are absent are never read; valid views stand in for them.
        s_train.Launch(device, channels, (int)n, y, x, Or(gamma, saveMean), Or(beta, saveMean),
                       updateRunningStats ? runningMean : saveMean, updateRunningStats ? runningVar : saveMean, saveMean, saveInvStd, args);
    }

    /// <summary>Inference forward: y = gamma·(x − runningMean)/√(runningVar + ε) + beta. y may be x.</summary>
    public static void InferForward(GpuDevice device, ArrayView<float> y, ArrayView<float> x, ArrayView<float> gamma, ArrayView<float> beta,
        ArrayView<float> runningMean, ArrayView<float> runningVar, int batch, int channels, int spatial, float epsilon)
    {
        long size = global::DeepNotes.Kernels.BatchNorm.CheckInferForward(y.Length, x.Length, gamma.Length, beta.Length, runningMean.Length, runningVar.Length,
            batch, channels, spatial);
        var args = new NormArgs
        {
            Batch = batch, Channels = channels, Spatial = spatial, Epsilon = epsilon,
            HasGamma = gamma.Length == 0 ? 0 : 1, HasBeta = beta.Length == 0 ? 0 : 1,
        };
        s_infer.Launch(device, size, y, x, Or(gamma, runningMean), Or(beta, runningMean), runningMean, runningVar, args);
    }

    /// <summary>
    /// Backward of <see cref="TrainForward"/> from x and the saved statistics: dbeta += Σ dy, dgamma += Σ dy·x̂
    /// (accumulate), and dx = gamma·invStd·(dy − mean(dy) − x̂·mean(dy·x̂)) (overwrites; dx may be dy).
    /// </summary>
    public static void Backward(GpuDevice device, ArrayView<float> dx, ArrayView<float> dgamma, ArrayView<float> dbeta, ArrayView<float> dy,
        ArrayView<float> x, ArrayView<float> gamma, ArrayView<float> saveMean, ArrayView<float> saveInvStd, int batch, int channels, int spatial)
    {
        global::DeepNotes.Kernels.BatchNorm.CheckBackward(dx.Length, dgamma.Length, dbeta.Length, dy.Length, x.Length, gamma.Length, saveMean.Length,
            saveInvStd.Length, batch, channels, spatial);
        if ((long)batch * spatial == 0) return;
        var args = new NormArgs
        {
            Batch = batch, Channels = channels, Spatial = spatial, HasGamma = gamma.Length == 0 ? 0 : 1,
            HasDGamma = dgamma.Length == 0 ? 0 : 1, HasDBeta = dbeta.Length == 0 ? 0 : 1,
        };
        s_backward.Launch(device, channels, batch * spatial, dx, Or(dgamma, saveMean), Or(dbeta, saveMean), dy, x, Or(gamma, saveMean), saveMean, saveInvStd, args);
    }

    private static ArrayView<float> Or(ArrayView<float> view, ArrayView<float> standIn) => view.Length == 0 ? standIn : view;

    private static long Index(int k, int c, NormArgs args)
    {
        int b = k / args.Spatial;
        return ((long)b * args.Channels + c) * args.Spatial + (k - b * args.Spatial);
    }

    private static void TrainKernel(ArrayView<float> y, ArrayView<float> x, ArrayView<float> gamma, ArrayView<float> beta,
        ArrayView<float> runningMean, ArrayView<float> runningVar, ArrayView<float> saveMean, ArrayView<float> saveInvStd, NormArgs args)
    {
        ArrayView<double> scratch = SharedMemory.Allocate<double>(GroupKernel.MaxThreads);
        int c = Grid.IdxX, n = args.Batch * args.Spatial;
        double sum = 0;
        for (int k = Group.IdxX; k < n; k += Group.DimX) sum += x[Index(k, c, args)];
        double mean = GroupReduce.Sum(scratch, sum) / n;
        double squares = 0;
        for (int k = Group.IdxX; k < n; k += Group.DimX)
        {
            double d = x[Index(k, c, args)] - mean;
            squares += d * d;
        }
        double variance = GroupReduce.Sum(scratch, squares) / n;
        double invStd = 1.0 / XMath.Sqrt(variance + args.Epsilon);

        float scale = (float)((args.HasGamma != 0 ? gamma[c] : 1.0) * invStd);
        float shift = args.HasBeta != 0 ? beta[c] : 0f, m = (float)mean;
        for (int k = Group.IdxX; k < n; k += Group.DimX)
        {
            long i = Index(k, c, args);
            y[i] = (x[i] - m) * scale + shift;
        }
        if (Group.IdxX == 0)
        {
            saveMean[c] = m;
            saveInvStd[c] = (float)invStd;
            if (args.Update != 0)
            {
                runningMean[c] = (float)((1.0 - args.Momentum) * runningMean[c] + args.Momentum * mean);
                runningVar[c] = (float)((1.0 - args.Momentum) * runningVar[c] + args.Momentum * variance * n / (n - 1));
            }
        }
    }

    private static void InferKernel(int count, ArrayView<float> y, ArrayView<float> x, ArrayView<float> gamma, ArrayView<float> beta,
        ArrayView<float> runningMean, ArrayView<float> runningVar, NormArgs args)
    {
        for (int i = Elements.First, step = Elements.Stride; i < count; i += step) InferAt(i, y, x, gamma, beta, runningMean, runningVar, args);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void InferAt(int i, ArrayView<float> y, ArrayView<float> x, ArrayView<float> gamma, ArrayView<float> beta,
        ArrayView<float> runningMean, ArrayView<float> runningVar, NormArgs args)
    {
        int c = i / args.Spatial % args.Channels;
        float scale = (float)((args.HasGamma != 0 ? gamma[c] : 1.0) / XMath.Sqrt((double)runningVar[c] + args.Epsilon));
        float shift = args.HasBeta != 0 ? beta[c] : 0f;
        y[i] = (x[i] - runningMean[c]) * scale + shift;
    }

    // dx = a·dy + k·(x − mean) + d, with a = gamma·invStd, k = −a·invStd²·Σdy(x − mean)/n, d = −a·Σdy/n.
    private static void BackwardKernel(ArrayView<float> dx, ArrayView<float> dgamma, ArrayView<float> dbeta, ArrayView<float> dy,
        ArrayView<float> x, ArrayView<float> gamma, ArrayView<float> saveMean, ArrayView<float> saveInvStd, NormArgs args)
    {
        ArrayView<double> scratch = SharedMemory.Allocate<double>(GroupKernel.MaxThreads);
        int c = Grid.IdxX, n = args.Batch * args.Spatial;
        float mean = saveMean[c];
        double invStd = saveInvStd[c];
        double sumDy = 0, sumDyDev = 0;
        for (int k = Group.IdxX; k < n; k += Group.DimX)
        {
            long i = Index(k, c, args);
            double g = dy[i];
            sumDy += g;
            sumDyDev += g * (x[i] - (double)mean);
        }
        sumDy = GroupReduce.Sum(scratch, sumDy);
        sumDyDev = GroupReduce.Sum(scratch, sumDyDev);

        double a = (args.HasGamma != 0 ? gamma[c] : 1.0) * invStd;
        float k2 = (float)(-a * invStd * invStd * sumDyDev / n), d = (float)(-a * sumDy / n), af = (float)a;
        for (int k = Group.IdxX; k < n; k += Group.DimX)
        {
            long i = Index(k, c, args);
            dx[i] = af * dy[i] + (k2 * (x[i] - mean) + d);
        }
        if (Group.IdxX == 0)
        {
            if (args.HasDBeta != 0) dbeta[c] += (float)sumDy;
            if (args.HasDGamma != 0) dgamma[c] += (float)(sumDyDev * invStd);
        }
    }
}
