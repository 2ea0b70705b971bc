using System;
using System.Runtime.CompilerServices;
using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Runtime;

namespace DeepNotes.Gpu.Kernels;

/// <summary>
/// Loss functions, the GPU twins of <c>DeepNotes.Kernels.Losses</c>. A forward writes the batch-mean loss into
/// the length-1 view <c>loss</c> (given right after the device); a backward reads the upstream gradient of the
/// loss from the length-1 view <c>scale</c>. The mean is one group's reduction (each thread sums its share of
/// rows in double, then a fixed tree): deterministic, no float atomics.
/// <para>
/// The CPU checks every label (in [0, classes)) and every binary cross-entropy target (in [0, 1]) and
/// throws; here they are on the device, out of the host's reach without a copy back, so they are not
/// checked: the generated plan checks labels and targets on the host before it uploads them.
/// </para>
/// </summary>
public static class Losses
{
    private enum Kind { CrossEntropy, Nll, Mse, BinaryCrossEntropy }

    internal struct LossArgs
    {
        public int Kind, Items, Classes;
    }

    private static readonly GroupKernel<ArrayView<float>, ArrayView<float>, ArrayView<int>, LossArgs> s_labelled = new(LabelledKernel);
    private static readonly GroupKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, LossArgs> s_paired = new(PairedKernel);
    private static readonly ElementKernel<ArrayView<float>, ArrayView<float>, ArrayView<int>, ArrayView<float>, LossArgs> s_labelledBackward = new(LabelledBackwardKernel);
    private static readonly ElementKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, LossArgs> s_pairedBackward = new(PairedBackwardKernel);

    /// <summary>loss = mean over rows of −log softmax(logits)[label]; writes the softmax into <paramref name="probabilities"/>.</summary>
    public static void CrossEntropyForward(GpuDevice device, ArrayView<float> loss, ArrayView<float> probabilities, ArrayView<float> logits,
                                           ArrayView<int> labels, int rows, int classes)
    {
        CheckLabelled(loss, labels, rows, classes, (nameof(probabilities), probabilities.Length), (nameof(logits), logits.Length));
        Softmax.Rows(device, probabilities, logits, rows, classes, 0, 1f, Softmax.RowMode.ExpLog);
        s_labelled.Launch(device, 1, rows, loss, logits, labels, new LossArgs { Kind = (int)Kind.CrossEntropy, Items = rows, Classes = classes });
    }

    /// <summary>dlogits = scale · (p − onehot(label)) / rows.</summary>
    public static void CrossEntropyBackward(GpuDevice device, ArrayView<float> dLogits, ArrayView<float> probabilities, ArrayView<int> labels,
                                            int rows, int classes, ArrayView<float> scale)
    {
        CheckLabelled(scale, labels, rows, classes, (nameof(dLogits), dLogits.Length), (nameof(probabilities), probabilities.Length));
        s_labelledBackward.Launch(device, (long)rows * classes, dLogits, probabilities, labels, scale,
                                  new LossArgs { Kind = (int)Kind.CrossEntropy, Items = rows, Classes = classes });
    }

    /// <summary>loss = mean over rows of −logp[label].</summary>
    public static void NllForward(GpuDevice device, ArrayView<float> loss, ArrayView<float> logProbabilities, ArrayView<int> labels, int rows, int classes)
    {
        CheckLabelled(loss, labels, rows, classes, (nameof(logProbabilities), logProbabilities.Length));
        s_labelled.Launch(device, 1, rows, loss, logProbabilities, labels, new LossArgs { Kind = (int)Kind.Nll, Items = rows, Classes = classes });
    }

    /// <summary>dlogp = −scale/rows at each row's label, 0 elsewhere (overwrites).</summary>
    public static void NllBackward(GpuDevice device, ArrayView<float> dLogProbabilities, ArrayView<int> labels, int rows, int classes, ArrayView<float> scale)
    {
        CheckLabelled(scale, labels, rows, classes, (nameof(dLogProbabilities), dLogProbabilities.Length));
        // The probabilities argument is not read for this kind; the output view stands in for it.
        s_labelledBackward.Launch(device, (long)rows * classes, dLogProbabilities, dLogProbabilities, labels, scale,
                                  new LossArgs { Kind = (int)Kind.Nll, Items = rows, Classes = classes });
    }

    /// <summary>loss = mean((y − t)²) over <paramref name="count"/> elements.</summary>
    public static void MseForward(GpuDevice device, ArrayView<float> loss, ArrayView<float> prediction, ArrayView<float> target, int count)
        => Paired(device, Kind.Mse, loss, prediction, target, count);

    /// <summary>dy = scale · 2(y − t)/count.</summary>
    public static void MseBackward(GpuDevice device, ArrayView<float> dPrediction, ArrayView<float> prediction, ArrayView<float> target, int count, ArrayView<float> scale)
        => PairedBackward(device, Kind.Mse, dPrediction, prediction, target, count, scale);

    /// <summary>loss = mean(softplus(z) − t·z): binary cross-entropy on logits.</summary>
    public static void BinaryCrossEntropyForward(GpuDevice device, ArrayView<float> loss, ArrayView<float> logits, ArrayView<float> target, int count)
        => Paired(device, Kind.BinaryCrossEntropy, loss, logits, target, count);

    /// <summary>dz = scale · (σ(z) − t)/count.</summary>
    public static void BinaryCrossEntropyBackward(GpuDevice device, ArrayView<float> dLogits, ArrayView<float> logits, ArrayView<float> target, int count, ArrayView<float> scale)
        => PairedBackward(device, Kind.BinaryCrossEntropy, dLogits, logits, target, count, scale);

    private static void Paired(GpuDevice device, Kind kind, ArrayView<float> loss, ArrayView<float> values, ArrayView<float> target, int count)
    {
        CheckPaired(loss, count, ("values", values.Length), (nameof(target), target.Length));
        s_paired.Launch(device, 1, count, loss, values, target, new LossArgs { Kind = (int)kind, Items = count });
    }

    private static void PairedBackward(GpuDevice device, Kind kind, ArrayView<float> gradient, ArrayView<float> values, ArrayView<float> target, int count, ArrayView<float> scale)
    {
        CheckPaired(scale, count, (nameof(gradient), gradient.Length), ("values", values.Length), (nameof(target), target.Length));
        s_pairedBackward.Launch(device, count, gradient, values, target, scale, new LossArgs { Kind = (int)kind, Items = count });
    }

    private static void CheckLabelled(ArrayView<float> scalar, ArrayView<int> labels, int rows, int classes, params ReadOnlySpan<(string Name, long Length)> views)
    {
        if (scalar.Length < 1) throw new ArgumentException("the loss (or its upstream gradient) is a view of length 1", nameof(scalar));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rows);
        if (labels.Length < rows) throw new ArgumentException($"expected {rows} labels, got {labels.Length}", nameof(labels));
        Softmax.CheckRows(rows, classes, views);
    }

    private static void CheckPaired(ArrayView<float> scalar, int count, params ReadOnlySpan<(string Name, long Length)> views)
    {
        if (scalar.Length < 1) throw new ArgumentException("the loss (or its upstream gradient) is a view of length 1", nameof(scalar));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        foreach ((string name, long length) in views)
            if (length < count) throw new ArgumentException($"expected {count} values in '{name}', got {length}", name);
    }

    /// <summary>The group's mean of the threads' partial sums, written by thread 0 (as the CPU: (float)(total / items)).</summary>
    private static void WriteMean(ArrayView<double> scratch, ArrayView<float> loss, double partial, int items)
    {
        double total = GroupReduce.Sum(scratch, partial);
        if (Group.IdxX == 0) loss[0] = (float)(total / items);
    }

    // Each thread takes whole rows: cross-entropy's lse − z[label] with lse = max + log Σ e^(z − max), or NLL's −logp[label].
    private static void LabelledKernel(ArrayView<float> loss, ArrayView<float> x, ArrayView<int> labels, LossArgs args)
    {
        ArrayView<double> scratch = SharedMemory.Allocate<double>(GroupKernel.MaxThreads);
        double partial = 0;
        for (int r = Group.IdxX; r < args.Items; r += Group.DimX)
        {
            long start = (long)r * args.Classes;
            float picked = x[start + labels[r]];
            if (args.Kind == (int)Kind.Nll) { partial -= picked; continue; }
            float max = float.NegativeInfinity;
            for (int c = 0; c < args.Classes; c++) max = XMath.Max(max, x[start + c]);
            float sum = 0f;
            for (int c = 0; c < args.Classes; c++) sum += XMath.Exp(x[start + c] - max);
            partial += max + XMath.Log(sum) - picked;
        }
        WriteMean(scratch, loss, partial, args.Items);
    }

    private static void PairedKernel(ArrayView<float> loss, ArrayView<float> values, ArrayView<float> target, LossArgs args)
    {
        ArrayView<double> scratch = SharedMemory.Allocate<double>(GroupKernel.MaxThreads);
        double partial = 0;
        for (int i = Group.IdxX; i < args.Items; i += Group.DimX)
        {
            float z = values[i], t = target[i];
            if (args.Kind == (int)Kind.Mse)
            {
                double d = z - t;
                partial += d * d;
            }
            else partial += XMath.Max(z, 0f) - z * t + XMath.Log(1f + XMath.Exp(-XMath.Abs(z)));
        }
        WriteMean(scratch, loss, partial, args.Items);
    }

    private static void LabelledBackwardKernel(int count, ArrayView<float> gradient, ArrayView<float> probabilities, ArrayView<int> labels,
                                               ArrayView<float> scale, LossArgs args)
    {
        for (int i = Elements.First, step = Elements.Stride; i < count; i += step) LabelledBackwardAt(i, gradient, probabilities, labels, scale, args);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void LabelledBackwardAt(int i, ArrayView<float> gradient, ArrayView<float> probabilities, ArrayView<int> labels,
                                               ArrayView<float> scale, LossArgs args)
    {
        int row = i / args.Classes;
        bool hit = i - row * args.Classes == labels[row];
        if (args.Kind == (int)Kind.Nll)
        {
            gradient[i] = hit ? -scale[0] / args.Items : 0f;
            return;
        }
        float s = scale[0] / args.Items, v = probabilities[i] * s;
        gradient[i] = hit ? v - s : v;
    }

    private static void PairedBackwardKernel(int count, ArrayView<float> gradient, ArrayView<float> values, ArrayView<float> target,
                                             ArrayView<float> scale, LossArgs args)
    {
        for (int i = Elements.First, step = Elements.Stride; i < count; i += step) PairedBackwardAt(i, gradient, values, target, scale, args);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void PairedBackwardAt(int i, ArrayView<float> gradient, ArrayView<float> values, ArrayView<float> target,
                                             ArrayView<float> scale, LossArgs args)
    {
        if (args.Kind == (int)Kind.Mse)
            gradient[i] = (values[i] - target[i]) * (2f * scale[0] / args.Items);
        else
            gradient[i] = (DeviceMath.Sigmoid(values[i]) - target[i]) * (scale[0] / args.Items);
    }
}
