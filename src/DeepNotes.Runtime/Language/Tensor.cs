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

/// <summary>
/// Integer token ids (a compile-time symbol like <see cref="Tensor"/>): a <c>[Forward]</c> input that
/// the generated methods take as a <c>ReadOnlySpan&lt;int&gt;</c>, <c>[batch, size]</c> row-major. Token ids
/// are not numbers to compute with: they are embedded (an <c>[Embedding]</c> layer) or one-hot encoded
/// (<see cref="Ops.OneHot"/>). Without a <c>[Shape]</c> an input holds one token per example. Every id
/// is checked against the vocabulary of the layers that read it before anything runs.
/// </summary>
public sealed class Tokens
{
    private Tokens() { }
}
