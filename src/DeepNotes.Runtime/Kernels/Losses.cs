using System.Numerics.Tensors;

namespace DeepNotes.Kernels;

/// <summary>
/// Loss functions, each forward returning the batch-mean loss and each backward writing the
/// gradient times <c>scale</c> (the upstream gradient of the loss, 1 for a plain loss).
/// Cross-entropy is fused with softmax: forward keeps the probabilities, backward is (p − onehot)/B.
/// </summary>
public static class Losses
{
    /// <summary>Mean over rows of −log softmax(logits)[label]. Writes the softmax into <paramref name="probabilities"/>.</summary>
    public static float CrossEntropyForward(Span<float> probabilities, ReadOnlySpan<float> logits, ReadOnlySpan<int> labels, int rows, int classes)
    {
        CheckLabels(labels, rows, classes);
        double total = 0;
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<float> z = logits.Slice(r * classes, classes);
            float lse = Softmax.LogSumExp(z);
            total += lse - z[labels[r]];
            Span<float> p = probabilities.Slice(r * classes, classes);
            TensorPrimitives.Subtract(z, lse, p);
            TensorPrimitives.Exp(p, p);
        }
        return (float)(total / rows);
    }

    /// <summary>dlogits = scale · (p − onehot(label)) / rows.</summary>
    public static void CrossEntropyBackward(Span<float> dLogits, ReadOnlySpan<float> probabilities, ReadOnlySpan<int> labels, int rows, int classes, float scale)
    {
        float s = scale / rows;
        TensorPrimitives.Multiply(probabilities[..(rows * classes)], s, dLogits[..(rows * classes)]);
        for (int r = 0; r < rows; r++) dLogits[r * classes + labels[r]] -= s;
    }

    /// <summary>Mean over rows of −logp[label].</summary>
    public static float NllForward(ReadOnlySpan<float> logProbabilities, ReadOnlySpan<int> labels, int rows, int classes)
    {
        CheckLabels(labels, rows, classes);
        double total = 0;
        for (int r = 0; r < rows; r++) total -= logProbabilities[r * classes + labels[r]];
        return (float)(total / rows);
    }

    public static void NllBackward(Span<float> dLogProbabilities, ReadOnlySpan<int> labels, int rows, int classes, float scale)
    {
        dLogProbabilities[..(rows * classes)].Clear();
        for (int r = 0; r < rows; r++) dLogProbabilities[r * classes + labels[r]] = -scale / rows;
    }

    /// <summary>mean((y − t)²) over all <paramref name="count"/> elements.</summary>
    public static float MseForward(ReadOnlySpan<float> prediction, ReadOnlySpan<float> target, int count)
    {
        CheckTargets(target, count);
        double total = 0;
        for (int i = 0; i < count; i++) { double d = prediction[i] - target[i]; total += d * d; }
        return (float)(total / count);
    }

    /// <summary>dy = scale · 2(y − t)/count.</summary>
    public static void MseBackward(Span<float> dPrediction, ReadOnlySpan<float> prediction, ReadOnlySpan<float> target, int count, float scale)
    {
        float s = 2f * scale / count;
        TensorPrimitives.Subtract(prediction[..count], target[..count], dPrediction[..count]);
        TensorPrimitives.Multiply(dPrediction[..count], s, dPrediction[..count]);
    }

    /// <summary>mean(softplus(z) − t·z) over all elements: binary cross-entropy on logits, stable for large |z|.</summary>
    public static float BinaryCrossEntropyForward(ReadOnlySpan<float> logits, ReadOnlySpan<float> target, int count)
    {
        CheckTargets(target, count);
        double total = 0;
        for (int i = 0; i < count; i++)
        {
            float z = logits[i], t = target[i];
            if (!(t >= 0f && t <= 1f)) throw new ArgumentOutOfRangeException(nameof(target), t, $"binary cross-entropy target {i} must be in [0, 1]");
            total += MathF.Max(z, 0f) - z * t + MathF.Log(1f + MathF.Exp(-MathF.Abs(z)));
        }
        return (float)(total / count);
    }

    /// <summary>dz = scale · (σ(z) − t)/count.</summary>
    public static void BinaryCrossEntropyBackward(Span<float> dLogits, ReadOnlySpan<float> logits, ReadOnlySpan<float> target, int count, float scale)
    {
        float s = scale / count;
        TensorPrimitives.Sigmoid(logits[..count], dLogits[..count]);
        TensorPrimitives.Subtract(dLogits[..count], target[..count], dLogits[..count]);
        TensorPrimitives.Multiply(dLogits[..count], s, dLogits[..count]);
    }

    private static void CheckLabels(ReadOnlySpan<int> labels, int rows, int classes)
    {
        if (labels.Length < rows) throw new ArgumentException($"expected {rows} labels, got {labels.Length}", nameof(labels));
        for (int r = 0; r < rows; r++)
            if ((uint)labels[r] >= (uint)classes)
                throw new ArgumentOutOfRangeException(nameof(labels), labels[r], $"label of row {r} is outside [0, {classes})");
    }

    private static void CheckTargets(ReadOnlySpan<float> target, int count)
    {
        if (target.Length < count) throw new ArgumentException($"expected {count} target values, got {target.Length}", nameof(target));
    }
}
