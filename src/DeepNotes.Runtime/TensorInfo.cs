namespace DeepNotes;

/// <summary>A named tensor inside a model's parameter (or state) vector: PyTorch's name and layout.</summary>
public sealed class TensorInfo
{
    private readonly int[] _shape;

    /// <summary>
    /// Describes the tensor <paramref name="name"/> occupying vector[offset .. offset + product(shape)).
    /// An empty shape is a scalar (length 1).
    /// </summary>
    public TensorInfo(string name, int offset, int[] shape, TensorRole role)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        if ((uint)role > (uint)TensorRole.State)
            throw new ArgumentOutOfRangeException(nameof(role), role, "Unknown tensor role.");
        long length = 1;
        for (int i = 0; i < shape.Length; i++)
        {
            if (shape[i] < 0)
                throw new ArgumentOutOfRangeException(nameof(shape), $"Tensor '{name}': dimension {i} is {shape[i]}.");
            length *= shape[i];
            if (length > int.MaxValue)
                throw new ArgumentOutOfRangeException(nameof(shape), $"Tensor '{name}' has more than {int.MaxValue} elements.");
        }
        if (offset + length > int.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(offset), $"Tensor '{name}' ends past index {int.MaxValue}.");
        Name = name;
        Offset = offset;
        _shape = (int[])shape.Clone();
        Length = (int)length;
        Role = role;
    }

    /// <summary>The tensor's name, e.g. PyTorch's <c>fc1.weight</c>.</summary>
    public string Name { get; }

    /// <summary>Index of the tensor's first element in the flat vector.</summary>
    public int Offset { get; }

    /// <summary>The tensor's shape (row-major).</summary>
    public ReadOnlySpan<int> Shape => _shape;

    /// <summary>Number of elements: the product of <see cref="Shape"/>.</summary>
    public int Length { get; }

    /// <summary>What the tensor is.</summary>
    public TensorRole Role { get; }

    /// <inheritdoc/>
    public override string ToString() => $"{Name} [{string.Join(", ", _shape)}]";
}

/// <summary>What a <see cref="TensorInfo"/> holds.</summary>
public enum TensorRole
{
    /// <summary>A trainable weight.</summary>
    Weight,

    /// <summary>A trainable bias.</summary>
    Bias,

    /// <summary>Non-trained state, e.g. batch-norm running statistics.</summary>
    State,
}
