using System.Numerics.Tensors;

namespace DeepNotes;

/// <summary>
/// Stochastic gradient descent with optional momentum and weight decay, PyTorch's update rule:
/// d = g + λ·w; v = μ·v + d; w -= η·v (with μ = 0, v = d). Weight decay applies to tensors whose
/// role is <see cref="TensorRole.Weight"/> only — biases and batch-norm scales are not decayed (the notes decay w, not b);
/// <see cref="TensorRole.State"/> tensors (running statistics) are left alone.
/// Full-batch gradient descent is the same step with the batch set to every training row.
/// </summary>
public struct Sgd
{
    public Sgd(float learningRate, float momentum = 0f, float weightDecay = 0f)
    {
        if (!(learningRate > 0f) || !float.IsFinite(learningRate))
            throw new ArgumentOutOfRangeException(nameof(learningRate), learningRate, "learning rate must be a positive finite number");
        if (!(momentum >= 0f && momentum < 1f))
            throw new ArgumentOutOfRangeException(nameof(momentum), momentum, "momentum must be in [0, 1)");
        if (!(weightDecay >= 0f) || !float.IsFinite(weightDecay))
            throw new ArgumentOutOfRangeException(nameof(weightDecay), weightDecay, "weight decay must be a non-negative finite number");
        LearningRate = learningRate;
        Momentum = momentum;
        WeightDecay = weightDecay;
    }

    public float LearningRate { get; set; }
    public float Momentum { get; }
    public float WeightDecay { get; }
    /// <summary>Number of updates applied so far.</summary>
    public long Steps { get; private set; }

    /// <summary>
    /// Applies one update. <paramref name="velocity"/> is optimizer state of the same length as the
    /// parameters (the model keeps it in its arena); it is untouched when momentum is zero.
    /// </summary>
    public void Update(Span<float> parameters, ReadOnlySpan<float> gradients, Span<float> velocity, ReadOnlySpan<TensorInfo> tensors)
    {
        if (gradients.Length != parameters.Length || velocity.Length != parameters.Length)
            throw new ArgumentException("parameters, gradients and velocity must have the same length");
        if (LearningRate <= 0f)
            throw new InvalidOperationException("Sgd was not constructed: use new Sgd(learningRate, ...)");
        SgdStep.Run(parameters, gradients, velocity, tensors, LearningRate, Momentum, WeightDecay);
        Steps++;
    }
}
