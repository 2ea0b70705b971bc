namespace DeepNotes;

/// <summary>Marks a <c>partial</c> class as a model: the DeepNotes generator compiles it at build time.</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class ModelAttribute : Attribute;

/// <summary>Marks the method whose body is the model's forward computation (the spec language subset).</summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class ForwardAttribute : Attribute;

/// <summary>Marks the method that turns the forward output and the targets into a scalar loss.</summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class LossAttribute : Attribute;

/// <summary>The per-example shape of a <see cref="Tensor"/> parameter; the batch dimension is implicit.</summary>
[AttributeUsage(AttributeTargets.Parameter, Inherited = false)]
public sealed class ShapeAttribute(params int[] dims) : Attribute
{
    public int[] Dims { get; } = dims;
}

/// <summary>How a layer's weights are initialised (biases always start at zero).</summary>
public enum Init
{
    /// <summary>He (Kaiming) uniform when the layer's output goes straight into <c>Relu</c>, Xavier uniform otherwise.</summary>
    Auto = 0,
    XavierUniform,
    XavierNormal,
    HeUniform,
    HeNormal,
    /// <summary>N(0, Std²), the notes' <c>normal(0, 0.01)</c>; set <see cref="LinearAttribute.Std"/>.</summary>
    Normal,
    Zeros,
}

/// <summary>A fully connected layer y = x·Wᵀ + b over the last axis; W is [out, in] (PyTorch's layout).</summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class LinearAttribute(int inFeatures, int outFeatures) : Attribute
{
    public int InFeatures { get; } = inFeatures;
    public int OutFeatures { get; } = outFeatures;
    public bool Bias { get; set; } = true;
    public Init Init { get; set; } = Init.Auto;
    /// <summary>Standard deviation for <see cref="Init.Normal"/>.</summary>
    public float Std { get; set; } = 0.01f;
}

/// <summary>Dropout with drop probability <paramref name="p"/> as a layer method; identity in <c>Predict</c>.</summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class DropoutAttribute(float p) : Attribute
{
    public float P { get; } = p;
}
