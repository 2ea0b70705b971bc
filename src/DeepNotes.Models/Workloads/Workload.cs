using System;
using System.Collections.Generic;

namespace DeepNotes.Models;

/// <summary>
/// One of the fixed workloads that <c>../shared/REFERENCE.md</c> measured PyTorch's CPU engine on:
/// a model, a batch size and the work a step does. <c>deepnotes bench</c> and the benchmark suite
/// both run these, so their figures describe the same thing.
/// </summary>
public sealed class Workload
{
    private readonly Func<Workload, ulong, IWorkloadRun> _start;

    private Workload(string name, string description, int batch, long forwardMultiplyAdds, Func<Workload, ulong, IWorkloadRun> start)
    {
        Name = name;
        Description = description;
        Batch = batch;
        ForwardMultiplyAdds = forwardMultiplyAdds;
        _start = start;
    }

    private static Func<Workload, ulong, IWorkloadRun> Model(Func<int, ulong, IModel> create)
        => (workload, seed) => new WorkloadRun(workload, create(workload.Batch, seed), seed);

    /// <summary>The name on the command line and in the JSON output: <c>mlp</c>, <c>lenet</c>, <c>alexnet</c>, <c>attention</c>, <c>skipgram</c>.</summary>
    public string Name { get; }

    public string Description { get; }

    /// <summary>Examples per step (REFERENCE.md's batch for this workload).</summary>
    public int Batch { get; }

    /// <summary>Multiply-adds of one forward pass over one example (convolutions and linear layers).</summary>
    public long ForwardMultiplyAdds { get; }

    /// <summary>
    /// Floating-point operations of one training step as REFERENCE.md counts them: three times the
    /// forward pass (forward, data gradient, weight gradient), 2 per multiply-add.
    /// </summary>
    public double TrainFlops => 2.0 * 3 * ForwardMultiplyAdds * Batch;

    /// <summary>Floating-point operations of one <c>Predict</c> on a batch.</summary>
    public double PredictFlops => 2.0 * ForwardMultiplyAdds * Batch;

    // Forward multiply-adds per example, layer by layer (output elements × taps or inputs):
    //   mlp:     784·256 + 256·128 + 128·10                                   = 234,752
    //   lenet:   6·28·28·25 + 16·10·10·150 + 400·120 + 120·84 + 84·10           = 416,520
    //   alexnet: 96·54·54·121 + 256·26·26·2400 + 384·12·12·2304 + 384·12·12·3456
    //            + 256·12·12·3456 + 6400·4096 + 4096·4096 + 4096·10           = 938,129,376
    //   attention: 4 projections 4·64·128·128 + Q·Kᵀ 64·64·128 + weights·V 64·64·128 = 5,242,880
    //            (REFERENCE.md: ≈1.0 GFLOP per step at batch 32)
    //   skipgram: 6 scores of 100-dimensional dot products per pair              = 600
    /// <summary>The workloads, in REFERENCE.md's order.</summary>
    public static IReadOnlyList<Workload> All { get; } =
    [
        new("mlp", "784-256-128-10 MLP (ReLU, cross-entropy), batch 64", 64, 234_752,
            Model(static (batch, seed) => Mlp256x128.Create(batch, seed))),
        new("lenet", "LeNet-5 (ReLU, max pooling) on 1x28x28, batch 64", 64, 416_520,
            Model(static (batch, seed) => LeNet5.Create(batch, seed))),
        new("alexnet", "d2l AlexNet on 1x224x224 (dropout 0.5), batch 8", 8, 938_129_376,
            Model(static (batch, seed) => AlexNet.Create(batch, seed))),
        new("attention", "single-head self-attention on 64x128 sequences (Q/K/V/O projections, MSE), batch 32", 32, 5_242_880,
            Model(static (batch, seed) => SelfAttention.Create(batch, seed))),
        new("skipgram", "word2vec skip-gram, vocabulary 10,000 x 100, 1,024 pairs x 5 noise words per step", SkipGramRun.Pairs,
            600, static (workload, seed) => new SkipGramRun(workload, seed)),
    ];

    /// <summary>The workload names, comma-separated, for messages.</summary>
    public static string Names()
    {
        string[] names = new string[All.Count];
        for (int i = 0; i < names.Length; i++) names[i] = All[i].Name;
        return string.Join(", ", names);
    }

    /// <summary>The workload called <paramref name="name"/> (ordinal, case-insensitive), or null.</summary>
    public static Workload? Find(string name)
    {
        foreach (Workload w in All)
        {
            if (string.Equals(w.Name, name, StringComparison.OrdinalIgnoreCase)) return w;
        }
        return null;
    }

    /// <summary>The model at this workload's batch with a few batches of seeded random data, ready to step.</summary>
    public IWorkloadRun Start(ulong seed = 42) => _start(this, seed);
}

/// <summary>A workload's model and data, ready to time: steps allocate nothing.</summary>
public interface IWorkloadRun
{
    Workload Workload { get; }

    /// <summary>The model, for its memory plan and step count.</summary>
    IGeneratedModel Model { get; }

    /// <summary>Forward, loss, backward and an SGD update on the next batch; returns its loss.</summary>
    float TrainStep();

    /// <summary>Inference on a batch; returns one output value (so the call cannot be optimised away).</summary>
    float Predict();
}

/// <summary>
/// REFERENCE.md's skip-gram workload: <see cref="SkipGram"/> (10,000 × 100 tables) on <see cref="Pairs"/>
/// (center, context) pairs with 5 noise words each, ids uniform over the vocabulary (seeded, redrawn on
/// every cycle of <see cref="Batches"/> batches), plain SGD as word2vec (the embedding updates are sparse).
/// </summary>
public sealed class SkipGramRun : IWorkloadRun
{
    public const int Pairs = 1024, Batches = 8;
    private const ulong Stream = 0x5C1B;
    private readonly SkipGram _model;
    private readonly int[] _centers = new int[Batches * Pairs];
    private readonly int[] _contexts = new int[Batches * Pairs * (1 + SkipGram.Negatives)];
    private readonly float[] _labels = new float[Pairs * (1 + SkipGram.Negatives)];
    private readonly float[] _scores = new float[Pairs * (1 + SkipGram.Negatives)];
    private readonly ulong _seed;
    private Sgd _sgd = new(0.025f * Pairs * (1 + SkipGram.Negatives));
    private int _next;
    private long _cycle;

    internal SkipGramRun(Workload workload, ulong seed)
    {
        Workload = workload;
        _seed = seed;
        _model = SkipGram.Create(Pairs, seed);
        for (int i = 0; i < _labels.Length; i += 1 + SkipGram.Negatives) _labels[i] = 1f;
        Draw();
    }

    public Workload Workload { get; }

    public IGeneratedModel Model => _model;

    public float TrainStep()
    {
        int i = _next, columns = 1 + SkipGram.Negatives;
        _next = (i + 1) % Batches;
        float loss = _model.TrainStep(_centers.AsSpan(i * Pairs, Pairs), _contexts.AsSpan(i * Pairs * columns, Pairs * columns), _labels, Pairs, ref _sgd);
        if (_next == 0)
        {
            _cycle++;
            Draw();
        }
        return loss;
    }

    public float Predict()
    {
        int columns = 1 + SkipGram.Negatives;
        _model.Predict(_centers.AsSpan(0, Pairs), _contexts.AsSpan(0, Pairs * columns), _scores, Pairs);
        return _scores[0];
    }

    private void Draw()
    {
        ulong first = (ulong)(_cycle * (_centers.Length + _contexts.Length));
        for (int i = 0; i < _centers.Length; i++) _centers[i] = CounterRng.NextInt(_seed, Stream, first + (ulong)i, SkipGram.Vocabulary);
        first += (ulong)_centers.Length;
        for (int i = 0; i < _contexts.Length; i++) _contexts[i] = CounterRng.NextInt(_seed, Stream, first + (ulong)i, SkipGram.Vocabulary);
    }
}

/// <summary>
/// A workload's model, data and optimizer (SGD, lr 0.01, momentum 0.9, as REFERENCE.md's steps).
/// The data are <see cref="Batches"/> batches of uniform [0, 1) inputs, cycled, with uniform random
/// labels (a classifier) or uniform [0, 1) targets (a regressor: attention) drawn afresh on every
/// cycle: random targets that change cannot be learnt, so the loss stays near ln(classes) (or the
/// targets' variance) however long a benchmark runs (a memorised batch would drive it to zero and the
/// gradients towards denormals). Steps allocate nothing.
/// </summary>
public sealed class WorkloadRun : IWorkloadRun
{
    /// <summary>Distinct batches cycled through by <see cref="TrainStep"/>.</summary>
    public const int Batches = 8;

    private readonly float[] _inputs;
    private readonly int[] _labels;
    private readonly float[] _targets;
    private readonly float[] _output;
    private const ulong Stream = 0xBE4C;
    private readonly ulong _seed;
    private Sgd _sgd = new(0.01f, momentum: 0.9f);
    private int _next;
    private long _cycle;

    internal WorkloadRun(Workload workload, IModel model, ulong seed)
    {
        if (model is not (IClassifier or IRegressor)) throw new ArgumentException("a workload's model is a classifier or a regressor", nameof(model));
        Workload = workload;
        Model = model;
        int batch = workload.Batch;
        _inputs = new float[Batches * batch * model.InputLength];
        _labels = model is IClassifier ? new int[Batches * batch] : [];
        _targets = model is IRegressor r ? new float[Batches * batch * r.TargetLength] : [];
        _output = new float[batch * model.OutputLength];
        _seed = seed;
        for (int i = 0; i < _inputs.Length; i++) _inputs[i] = CounterRng.Uniform(seed, Stream, (ulong)i);
        DrawLabels();
    }

    public Workload Workload { get; }

    /// <summary>An <see cref="IClassifier"/> or an <see cref="IRegressor"/>.</summary>
    public IModel Model { get; }

    IGeneratedModel IWorkloadRun.Model => Model;

    /// <summary>Forward, loss (cross-entropy or MSE), backward and an SGD update on the next batch; returns its loss.</summary>
    public float TrainStep()
    {
        int batch = Workload.Batch, i = _next, features = Model.InputLength;
        _next = (i + 1) % Batches;
        if (_next == 0)
        {
            _cycle++;
            DrawLabels();
        }
        ReadOnlySpan<float> input = _inputs.AsSpan(i * batch * features, batch * features);
        if (Model is IRegressor regressor)
        {
            int targets = batch * regressor.TargetLength;
            return regressor.TrainStep(input, _targets.AsSpan(i * targets, targets), batch, ref _sgd);
        }
        return ((IClassifier)Model).TrainStep(input, _labels.AsSpan(i * batch, batch), batch, ref _sgd);
    }

    private void DrawLabels()
    {
        ulong first = (ulong)(_cycle * _labels.Length);
        for (int i = 0; i < _labels.Length; i++) _labels[i] = CounterRng.NextInt(_seed, Stream + 1, first + (ulong)i, Model.OutputLength);
        first = (ulong)(_cycle * _targets.Length);
        for (int i = 0; i < _targets.Length; i++) _targets[i] = CounterRng.Uniform(_seed, Stream + 2, first + (ulong)i);
    }

    /// <summary>Inference (dropout off) on the first batch; returns the first logit.</summary>
    public float Predict()
    {
        int batch = Workload.Batch;
        Model.Predict(_inputs.AsSpan(0, batch * Model.InputLength), _output, batch);
        return _output[0];
    }
}
