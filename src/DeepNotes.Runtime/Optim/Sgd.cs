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
        Validate(learningRate, momentum, weightDecay);
        LearningRate = learningRate;
        Momentum = momentum;
        WeightDecay = weightDecay;
    }

    /// <summary>The hyperparameter checks of the constructor, for every update that takes the values apart (the GPU's Optim.Sgd).</summary>
    internal static void Validate(float learningRate, float momentum, float weightDecay)
    {
        if (!(learningRate > 0f) || !float.IsFinite(learningRate))
            throw new ArgumentOutOfRangeException(nameof(learningRate), learningRate, "learning rate must be a positive finite number");
        if (!(momentum >= 0f && momentum < 1f))
            throw new ArgumentOutOfRangeException(nameof(momentum), momentum, "momentum must be in [0, 1)");
        if (!(weightDecay >= 0f) || !float.IsFinite(weightDecay))
            throw new ArgumentOutOfRangeException(nameof(weightDecay), weightDecay, "weight decay must be a non-negative finite number");
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

    /// <summary>
    /// The sparse update of an embedding table: only the rows listed in <paramref name="rows"/> (each
    /// once: <see cref="Kernels.SparseRows"/> builds the list) get the rule of <see cref="Update"/>, so a
    /// step costs rows × width, not the whole table. <paramref name="tensor"/> locates the table
    /// ([vocabulary, width]) inside the three vectors. Does not count as a step (<see cref="Update"/>
    /// does, once per training step).
    /// <para>
    /// Without momentum and weight decay this is exactly the dense update (the other rows' gradients are
    /// zero). With momentum it is <em>lazy</em>, like TensorFlow's lazy Adam and PyTorch's SparseAdam: a
    /// row's velocity decays and moves the row only on the steps that touch it (dense SGD would keep
    /// moving an untouched row by η·μᵏ·v for k steps). Weight decay is lazy in the same way: only
    /// touched rows decay.
    /// </para>
    /// </summary>
    public readonly void UpdateRows(Span<float> parameters, ReadOnlySpan<float> gradients, Span<float> velocity, TensorInfo tensor, ReadOnlySpan<int> rows)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (gradients.Length != parameters.Length || velocity.Length != parameters.Length)
            throw new ArgumentException("parameters, gradients and velocity must have the same length");
        if (LearningRate <= 0f)
            throw new InvalidOperationException("Sgd was not constructed: use new Sgd(learningRate, ...)");
        if (tensor.Shape.Length != 2 || tensor.Role == TensorRole.State)
            throw new ArgumentException($"{tensor.Name} is not a trainable [rows, width] table", nameof(tensor));
        int width = tensor.Shape[1], count = tensor.Shape[0];
        float decay = tensor.Role == TensorRole.Weight ? WeightDecay : 0f;
        foreach (int row in rows)
        {
            if ((uint)row >= (uint)count) throw new ArgumentOutOfRangeException(nameof(rows), row, $"{tensor.Name} has {count} rows");
            int offset = tensor.Offset + row * width;
            Span<float> w = parameters.Slice(offset, width);
            ReadOnlySpan<float> g = gradients.Slice(offset, width);
            if (Momentum == 0f)
            {
                if (decay != 0f) TensorPrimitives.Multiply(w, 1f - LearningRate * decay, w);
                TensorPrimitives.MultiplyAdd(g, -LearningRate, w, w);
            }
            else
            {
                Span<float> v = velocity.Slice(offset, width);
                TensorPrimitives.Multiply(v, Momentum, v);
                TensorPrimitives.Add(v, g, v);
                if (decay != 0f) TensorPrimitives.MultiplyAdd(w, decay, v, v);
                TensorPrimitives.MultiplyAdd(v, -LearningRate, w, w);
            }
        }
    }
}
