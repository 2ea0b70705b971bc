namespace DeepNotes.Models.Tests;

/// <summary>
/// Analytic gradients (the generated backward pass) against central finite differences
/// (L(θ + ε) − L(θ − ε)) / 2ε of the generated forward pass, parameter by parameter.
/// </summary>
internal static class GradientCheck
{
    /// <param name="only">The parameters to check (default: every one of a small model, a sample of a large one).</param>
    public static void Run(IGeneratedModel model, Func<float> computeGradients, Func<float> computeLoss,
                           int samples = 60, float epsilon = 2e-3f, float relTolerance = 3e-2f, float absTolerance = 3e-4f,
                           IEnumerable<int>? only = null)
    {
        computeGradients();
        float[] analytic = model.Gradients.ToArray();
        Assert.True(analytic.Any(g => MathF.Abs(g) > 1e-6f), "the backward pass produced only zero gradients");

        // Every parameter of a small model; a spread sample of a large one, always including the largest gradients.
        IEnumerable<int> indices = only ?? (analytic.Length <= samples
            ? Enumerable.Range(0, analytic.Length)
            : Enumerable.Range(0, samples / 2).Select(i => (int)CounterRng.NextInt(7, 5, (ulong)i, analytic.Length))
                .Concat(Enumerable.Range(0, analytic.Length).OrderByDescending(i => MathF.Abs(analytic[i])).Take(samples / 2)));

        var failures = new List<string>();
        Span<float> p = model.Parameters;
        foreach (int i in indices.Distinct())
        {
            if (IsState(model, i)) continue; // running statistics: no gradient by definition
            float original = p[i];
            p[i] = original + epsilon;
            double plus = computeLoss();
            p = model.Parameters; p[i] = original - epsilon;
            double minus = computeLoss();
            p = model.Parameters; p[i] = original;
            double numeric = (plus - minus) / (2.0 * epsilon);
            double error = Math.Abs(numeric - analytic[i]);
            if (error > absTolerance + relTolerance * Math.Max(Math.Abs(numeric), Math.Abs(analytic[i])))
                failures.Add($"{Name(model, i)}: analytic {analytic[i]:G6}, numeric {numeric:G6}");
        }
        Assert.True(failures.Count == 0, "gradient mismatches:\n" + string.Join("\n", failures));
    }

    private static bool IsState(IGeneratedModel model, int index)
    {
        foreach (TensorInfo t in model.Tensors)
            if (index >= t.Offset && index < t.Offset + t.Length) return t.Role == TensorRole.State;
        return false;
    }

    private static string Name(IGeneratedModel model, int index)
    {
        foreach (TensorInfo t in model.Tensors)
            if (index >= t.Offset && index < t.Offset + t.Length) return $"{t.Name}[{index - t.Offset}]";
        return $"parameter {index}";
    }

    /// <param name="epsilon">Smaller for ReLU/max-pool networks, whose loss has kinks a larger step would cross.</param>
    /// A smaller step makes float32 rounding of the loss (≈1e-7 relative) a larger share of the
    /// difference quotient, hence the absolute tolerance of about 1e-7·loss/ε that goes with it.
    public static void Classifier<T>(int batch, ulong seed = 3, float epsilon = 2e-3f) where T : IClassifier, IModelFactory<T>
    {
        T model = T.Create(batch, seed);
        float[] x = TestData.Random(batch * model.InputLength, seed + 1);
        int[] y = TestData.RandomLabels(batch, model.OutputLength, seed + 2);
        Run(model, () => model.ComputeGradients(x, y, batch), () => model.ComputeLoss(x, y, batch),
            epsilon: epsilon, absTolerance: Math.Max(3e-4f, 3e-7f / epsilon));
    }

    public static void Regressor<T>(int batch, ulong seed = 3) where T : IRegressor, IModelFactory<T>
    {
        T model = T.Create(batch, seed);
        float[] x = TestData.Random(batch * model.InputLength, seed + 1);
        float[] t = TestData.Random(batch * model.TargetLength, seed + 2);
        Run(model, () => model.ComputeGradients(x, t, batch), () => model.ComputeLoss(x, t, batch));
    }
}
