namespace DeepNotes;

/// <summary>
/// A tensor in a model specification. It exists only at compile time: the generator reads the
/// <c>[Forward]</c> and <c>[Loss]</c> bodies and writes real code; running a spec method throws.
/// </summary>
public sealed class Tensor
{
    private Tensor() { }

    public static Tensor operator +(Tensor a, Tensor b) => throw Ops.SpecOnly();
    public static Tensor operator -(Tensor a, Tensor b) => throw Ops.SpecOnly();
    public static Tensor operator *(Tensor a, Tensor b) => throw Ops.SpecOnly();
    public static Tensor operator /(Tensor a, Tensor b) => throw Ops.SpecOnly();
    public static Tensor operator +(Tensor a, float b) => throw Ops.SpecOnly();
    public static Tensor operator -(Tensor a, float b) => throw Ops.SpecOnly();
    public static Tensor operator *(Tensor a, float b) => throw Ops.SpecOnly();
    public static Tensor operator /(Tensor a, float b) => throw Ops.SpecOnly();
    public static Tensor operator +(float a, Tensor b) => throw Ops.SpecOnly();
    public static Tensor operator -(float a, Tensor b) => throw Ops.SpecOnly();
    public static Tensor operator *(float a, Tensor b) => throw Ops.SpecOnly();
    public static Tensor operator /(float a, Tensor b) => throw Ops.SpecOnly();
    public static Tensor operator -(Tensor a) => throw Ops.SpecOnly();
}

/// <summary>Integer class labels, one per example (a compile-time symbol like <see cref="Tensor"/>).</summary>
public sealed class Labels
{
    private Labels() { }
}
