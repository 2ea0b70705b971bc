namespace DeepNotes;

/// <summary>
/// What every generated model offers, whatever its inputs: parameters, gradients, tensors, memory plan.
/// Models with one float input are <see cref="IModel"/>s; models with token inputs (or several inputs)
/// implement only this, and their <c>Predict</c>/<c>TrainStep</c> take one typed span per input
/// (docs/generated-api.md).
/// </summary>
public interface IGeneratedModel
{
    /// <summary>Floats per example in the forward output.</summary>
    int OutputLength { get; }
    /// <summary>The largest batch the arena was sized for in Create.</summary>
    int MaxBatch { get; }
    /// <summary>Every trainable value, in the order of <see cref="Tensors"/>.</summary>
    Span<float> Parameters { get; }
    /// <summary>The gradient of the last loss with respect to <see cref="Parameters"/>.</summary>
    Span<float> Gradients { get; }
    /// <summary>Names (PyTorch's), shapes and offsets of the tensors inside <see cref="Parameters"/>.</summary>
    ReadOnlySpan<TensorInfo> Tensors { get; }
    /// <summary>Training steps taken; dropout masks are a function of (seed, step).</summary>
    long Step { get; set; }
    /// <summary>The memory plan's figures for this model.</summary>
    MemoryReport Memory { get; }
    /// <summary>Re-draws every parameter from the model's initialisers with <paramref name="seed"/>.</summary>
    void Initialize(ulong seed);
}

/// <summary>A generated model with one float input; lets tools (the CLI, tests, benchmarks) work over any such model without reflection.</summary>
public interface IModel : IGeneratedModel
{
    /// <summary>Floats per example in the input (product of the [Shape] of the forward parameter).</summary>
    int InputLength { get; }
    /// <summary>Inference: forward pass only, dropout off, into <paramref name="output"/> ([batch, OutputLength]).</summary>
    void Predict(ReadOnlySpan<float> input, Span<float> output, int batch);
}

/// <summary>A model whose loss takes integer class labels.</summary>
public interface IClassifier : IModel
{
    float TrainStep(ReadOnlySpan<float> input, ReadOnlySpan<int> labels, int batch, ref Sgd optimizer);
    float ComputeGradients(ReadOnlySpan<float> input, ReadOnlySpan<int> labels, int batch);
    float ComputeLoss(ReadOnlySpan<float> input, ReadOnlySpan<int> labels, int batch);
}

/// <summary>A model whose loss takes real-valued targets.</summary>
public interface IRegressor : IModel
{
    int TargetLength { get; }
    float TrainStep(ReadOnlySpan<float> input, ReadOnlySpan<float> targets, int batch, ref Sgd optimizer);
    float ComputeGradients(ReadOnlySpan<float> input, ReadOnlySpan<float> targets, int batch);
    float ComputeLoss(ReadOnlySpan<float> input, ReadOnlySpan<float> targets, int batch);
}

/// <summary>Creation through a static abstract member, so generic code can make any model.</summary>
public interface IModelFactory<TSelf> where TSelf : IModelFactory<TSelf>
{
    static abstract TSelf Create(int maxBatch, ulong seed = 0);
}

/// <summary>
/// Sizes in floats from the compiler's memory planner. "PerRow" figures are multiplied by the batch.
/// <see cref="TrainingIntermediatesPerRow"/> is what keeping every intermediate tensor alive
/// (no sharing) would cost; the arena holds <see cref="TrainingArenaPerRow"/>.
/// </summary>
public readonly record struct MemoryReport(
    int ParameterCount,
    int TrainingArenaPerRow, int TrainingArenaFixed,
    int TrainingIntermediatesPerRow, int TrainingIntermediatesFixed,
    int InferenceArenaPerRow, int InferenceArenaFixed)
{
    /// <summary>Bytes of the activation arena for a batch (the larger of the two plans; they share it).</summary>
    public long ArenaBytes(int batch) =>
        4L * Math.Max((long)TrainingArenaPerRow * batch + TrainingArenaFixed, (long)InferenceArenaPerRow * batch + InferenceArenaFixed);

    /// <summary>Bytes if every intermediate of a training step were kept.</summary>
    public long IntermediateBytes(int batch) => 4L * ((long)TrainingIntermediatesPerRow * batch + TrainingIntermediatesFixed);
}

/// <summary>Argument checks shared by generated code (kept out of the generated files so they stay short).</summary>
public static class ModelChecks
{
    public static void Batch(int batch, int maxBatch)
    {
        if (batch <= 0 || batch > maxBatch)
            throw new ArgumentOutOfRangeException(nameof(batch), batch, $"batch must be in [1, {maxBatch}] (the model was created with maxBatch {maxBatch})");
    }

    public static void Length(int actual, long expected, string what)
    {
        if (actual < expected)
            throw new ArgumentException($"{what} holds {actual} values, but the batch needs {expected}", what);
    }

    /// <summary>
    /// Checks the first <paramref name="count"/> token ids of the input <paramref name="name"/>
    /// ([batch, <paramref name="perExample"/>]) against [0, <paramref name="limit"/>). The exception names the
    /// input, the position and the value.
    /// </summary>
    public static void Tokens(ReadOnlySpan<int> ids, int count, int perExample, int limit, string name)
    {
        ids = ids.Slice(0, count);
        for (int i = 0; i < ids.Length; i++)
            if ((uint)ids[i] >= (uint)limit) ThrowBadToken(ids[i], i, perExample, limit, name);
    }

    private static void ThrowBadToken(int id, int index, int perExample, int limit, string name)
    {
        string allowed = limit == int.MaxValue ? "a token id (≥ 0)" : $"a token id in [0, {limit})";
        throw new ArgumentOutOfRangeException(name, id,
            $"{name}[{index}] (example {index / perExample}, position {index % perExample}) is {id}, not {allowed}");
    }

    public static void MaxBatch(int maxBatch)
    {
        if (maxBatch <= 0) throw new ArgumentOutOfRangeException(nameof(maxBatch), maxBatch, "maxBatch must be positive");
    }
}
