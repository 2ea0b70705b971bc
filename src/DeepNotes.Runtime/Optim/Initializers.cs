namespace DeepNotes;

/// <summary>
/// Weight initialisers against exploding and vanishing gradients. Xavier keeps the variance of
/// activations and gradients equal across a layer (Var = 2 / (fanIn + fanOut)); He compensates for
/// ReLU zeroing half its inputs (Var = 2 / fanIn). Every value comes from the counter-based RNG, so
/// a seed fixes the whole model.
/// </summary>
public static class Initializers
{
    public static void Apply(Span<float> weights, Init init, int fanIn, int fanOut, float std, ulong seed, ulong stream)
    {
        if (fanIn <= 0 || fanOut <= 0) throw new ArgumentOutOfRangeException(nameof(fanIn), "fan-in and fan-out must be positive");
        switch (init)
        {
            case Init.Auto:
            case Init.XavierUniform: Uniform(weights, MathF.Sqrt(6f / (fanIn + fanOut)), seed, stream); break;
            case Init.XavierNormal: Normal(weights, MathF.Sqrt(2f / (fanIn + fanOut)), seed, stream); break;
            case Init.HeUniform: Uniform(weights, MathF.Sqrt(6f / fanIn), seed, stream); break;
            case Init.HeNormal: Normal(weights, MathF.Sqrt(2f / fanIn), seed, stream); break;
            case Init.Normal: Normal(weights, std, seed, stream); break;
            case Init.Zeros: weights.Clear(); break;
            case Init.Word2Vec: Uniform(weights, 0.5f / fanOut, seed, stream); break;
            default: throw new ArgumentOutOfRangeException(nameof(init), init, "unknown initialiser");
        }
    }

    /// <summary>U(-limit, limit).</summary>
    public static void Uniform(Span<float> weights, float limit, ulong seed, ulong stream)
    {
        for (int i = 0; i < weights.Length; i++)
            weights[i] = (2f * CounterRng.Uniform(seed, stream, (ulong)i) - 1f) * limit;
    }

    /// <summary>N(0, std²).</summary>
    public static void Normal(Span<float> weights, float std, ulong seed, ulong stream)
    {
        for (int i = 0; i < weights.Length; i++)
            weights[i] = CounterRng.Normal(seed, stream, (ulong)i) * std;
    }
}
