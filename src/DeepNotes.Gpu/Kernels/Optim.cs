using System;
using System.Runtime.CompilerServices;
using ILGPU;
using ILGPU.Runtime;

namespace DeepNotes.Gpu.Kernels;

/// <summary>
/// The optimizer step on the device: <c>DeepNotes.Sgd</c>'s rule over one tensor's range, with the CPU's
/// arithmetic in the CPU's order (SgdStep: v = μ·v + g; v += λ·w; w += v·(−η); without momentum
/// w = w·(1 − η·λ); w += g·(−η)). The plan calls it once per trainable tensor, with weight decay 0 for
/// biases and norms and no call for State tensors, as <c>Sgd.Update</c> decides from the tensor roles.
/// </summary>
public static class Optim
{
    internal struct SgdArgs
    {
        public float Step, Momentum, Decay, Shrink;
    }

    private static readonly ElementKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, SgdArgs> s_sgd = new(SgdKernel);

    /// <summary>
    /// One update of <paramref name="parameters"/> from <paramref name="gradients"/>; <paramref name="velocity"/> is
    /// read and written only when <paramref name="momentum"/> is not 0 (it may then be empty).
    /// </summary>
    public static void Sgd(GpuDevice device, ArrayView<float> parameters, ArrayView<float> gradients, ArrayView<float> velocity,
                           float learningRate, float momentum, float weightDecay)
    {
        global::DeepNotes.Sgd.Validate(learningRate, momentum, weightDecay);
        if (gradients.Length != parameters.Length || (momentum != 0f && velocity.Length != parameters.Length))
            throw new ArgumentException("parameters, gradients and velocity must have the same length");
        var args = new SgdArgs { Step = -learningRate, Momentum = momentum, Decay = weightDecay, Shrink = 1f - learningRate * weightDecay };
        s_sgd.Launch(device, parameters.Length, parameters, gradients, momentum != 0f ? velocity : gradients, args);
    }

    private static void SgdKernel(int count, ArrayView<float> w, ArrayView<float> g, ArrayView<float> v, SgdArgs args)
    {
        for (int i = Elements.First, step = Elements.Stride; i < count; i += step) SgdAt(i, w, g, v, args);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void SgdAt(int i, ArrayView<float> w, ArrayView<float> g, ArrayView<float> v, SgdArgs args)
    {
        float wi = w[i];
        if (args.Momentum == 0f)
        {
            if (args.Decay != 0f) wi *= args.Shrink;
            w[i] = wi + g[i] * args.Step;
            return;
        }
        float vi = v[i] * args.Momentum + g[i];
        if (args.Decay != 0f) vi += wi * args.Decay;
        v[i] = vi;
        w[i] = wi + vi * args.Step;
    }
}
