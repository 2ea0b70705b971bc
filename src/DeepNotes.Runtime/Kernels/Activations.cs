using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

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
            case Activation.Relu: Backward<ReluGrad>(dx[..n], dy[..n], y); break;
            case Activation.Sigmoid: Backward<SigmoidGrad>(dx[..n], dy[..n], y); break;
            case Activation.Tanh: Backward<TanhGrad>(dx[..n], dy[..n], y); break;
            default: throw new ArgumentOutOfRangeException(nameof(activation));
        }
    }

    /// <summary>dx[i] = TGrad(dy[i], y[i]), vectorised; dx may be dy (same start) but must not partly overlap it.</summary>
    private static void Backward<TGrad>(Span<float> dx, ReadOnlySpan<float> dy, ReadOnlySpan<float> y) where TGrad : IActivationGrad
    {
        int n = y.Length, i = 0;
        ref float pdx = ref MemoryMarshal.GetReference(dx);
        ref float pdy = ref MemoryMarshal.GetReference(dy);
        ref float py = ref MemoryMarshal.GetReference(y);
        if (Vector512.IsHardwareAccelerated)
        {
            for (; i + Vector512<float>.Count <= n; i += Vector512<float>.Count)
                TGrad.Invoke(Vector512.LoadUnsafe(ref pdy, (nuint)i), Vector512.LoadUnsafe(ref py, (nuint)i)).StoreUnsafe(ref pdx, (nuint)i);
        }
        if (Vector256.IsHardwareAccelerated)
        {
            for (; i + Vector256<float>.Count <= n; i += Vector256<float>.Count)
                TGrad.Invoke(Vector256.LoadUnsafe(ref pdy, (nuint)i), Vector256.LoadUnsafe(ref py, (nuint)i)).StoreUnsafe(ref pdx, (nuint)i);
        }
        for (; i < n; i++) dx[i] = TGrad.Invoke(dy[i], y[i]);
    }

    private interface IActivationGrad
    {
        static abstract float Invoke(float dy, float y);
        static abstract Vector256<float> Invoke(Vector256<float> dy, Vector256<float> y);
        static abstract Vector512<float> Invoke(Vector512<float> dy, Vector512<float> y);
    }

    /// <summary>relu' = [y &gt; 0] (a select, not a branch: random signs would mispredict).</summary>
    private readonly struct ReluGrad : IActivationGrad
    {
        public static float Invoke(float dy, float y) => y > 0f ? dy : 0f;
        public static Vector256<float> Invoke(Vector256<float> dy, Vector256<float> y) => Vector256.GreaterThan(y, Vector256<float>.Zero) & dy;
        public static Vector512<float> Invoke(Vector512<float> dy, Vector512<float> y) => Vector512.GreaterThan(y, Vector512<float>.Zero) & dy;
    }

    private readonly struct SigmoidGrad : IActivationGrad
    {
        public static float Invoke(float dy, float y) => dy * y * (1f - y);
        public static Vector256<float> Invoke(Vector256<float> dy, Vector256<float> y) => dy * y * (Vector256<float>.One - y);
        public static Vector512<float> Invoke(Vector512<float> dy, Vector512<float> y) => dy * y * (Vector512<float>.One - y);
    }

    private readonly struct TanhGrad : IActivationGrad
    {
        public static float Invoke(float dy, float y) => dy * (1f - y * y);
        public static Vector256<float> Invoke(Vector256<float> dy, Vector256<float> y) => dy * (Vector256<float>.One - y * y);
        public static Vector512<float> Invoke(Vector512<float> dy, Vector512<float> y) => dy * (Vector512<float>.One - y * y);
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
