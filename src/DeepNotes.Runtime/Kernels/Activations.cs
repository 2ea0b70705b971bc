using System.Numerics.Tensors;

namespace DeepNotes.Kernels;

/// <summary>An activation applied element-wise; fused into a layer's epilogue by the compiler.</summary>
public enum Activation { None = 0, Relu, Sigmoid, Tanh }

/// <summary>
/// Activations forward and backward. Every backward here is written in terms of the activation's
/// output y, not its input: so a fused layer + activation keeps only y for the backward pass.
/// relu' = [y &gt; 0], sigmoid' = y(1 - y), tanh' = 1 - y².
/// Inputs and outputs may be the same span (in place).
/// </summary>
public static class Activations
{
    public static void Forward(Span<float> y, ReadOnlySpan<float> x, Activation activation)
    {
        if (y.Length < x.Length) throw new ArgumentException("output is shorter than input", nameof(y));
        y = y[..x.Length];
        switch (activation)
        {
            case Activation.None: if (!x.Overlaps(y)) x.CopyTo(y); break;
            case Activation.Relu: TensorPrimitives.Max(x, 0f, y); break;
            case Activation.Sigmoid: TensorPrimitives.Sigmoid(x, y); break;
            case Activation.Tanh: TensorPrimitives.Tanh(x, y); break;
            default: throw new ArgumentOutOfRangeException(nameof(activation));
        }
    }

    /// <summary>dx = dy · f'(x) expressed through y = f(x). <paramref name="dx"/> may alias <paramref name="dy"/>.</summary>
    public static void Backward(Span<float> dx, ReadOnlySpan<float> dy, ReadOnlySpan<float> y, Activation activation)
    {
        int n = y.Length;
        if (dy.Length < n || dx.Length < n) throw new ArgumentException("gradient spans are shorter than the activation");
        switch (activation)
        {
            case Activation.None: if (!dy.Overlaps(dx)) dy[..n].CopyTo(dx); break;
            case Activation.Relu:
                for (int i = 0; i < n; i++) dx[i] = y[i] > 0f ? dy[i] : 0f;
                break;
            case Activation.Sigmoid:
                for (int i = 0; i < n; i++) { float s = y[i]; dx[i] = dy[i] * s * (1f - s); }
                break;
            case Activation.Tanh:
                for (int i = 0; i < n; i++) { float t = y[i]; dx[i] = dy[i] * (1f - t * t); }
                break;
            default: throw new ArgumentOutOfRangeException(nameof(activation));
        }
    }

    /// <summary>Plain scalar reference for tests.</summary>
    public static float Reference(float x, Activation activation) => activation switch
    {
        Activation.None => x,
        Activation.Relu => x > 0 ? x : 0,
        Activation.Sigmoid => (float)(1.0 / (1.0 + Math.Exp(-x))),
        Activation.Tanh => (float)Math.Tanh(x),
        _ => throw new ArgumentOutOfRangeException(nameof(activation)),
    };
}
