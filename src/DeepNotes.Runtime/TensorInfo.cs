namespace DeepNotes;

/// <summary>A named tensor inside a model's parameter (or state) vector: PyTorch's name and layout.</summary>
public sealed class TensorInfo
{
    private readonly int[] _shape;

    public TensorInfo(string name, int offset, int[] shape, TensorRole role)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        long length = 1;
        foreach (int d in shape)
        {
            if (d <= 0) throw new ArgumentException($"tensor {name}: every dimension must be positive", nameof(shape));
            length *= d;
        }
        if (length > int.MaxValue) throw new ArgumentException($"tensor {name} is too large", nameof(shape));
        Name = name;
        Offset = offset;
        _shape = (int[])shape.Clone();
        Length = (int)length;
        Role = role;
    }

    public string Name { get; }
    public int Offset { get; }
    public ReadOnlySpan<int> Shape => _shape;
    public int Length { get; }
    public TensorRole Role { get; }

    public override string ToString() => $"{Name} [{string.Join(", ", _shape)}]";
}

/// <summary>What a named tensor is: a weight (decayed by the optimizer), a bias, or non-trained state.</summary>
public enum TensorRole { Weight, Bias, State }
