using BenchmarkDotNet.Attributes;
using DeepNotes.Models;

namespace DeepNotes.Benchmarks;

/// <summary>
/// Shared set-up for the model benchmarks: the model at batch 64 (seed 42), SGD with lr 0.1 and
/// momentum 0.9, and the 10,000 shipped MNIST digits cut into 156 batches of 64. Each TrainStep
/// takes the next batch, cycling, so the weights see real data and the loss does not collapse to
/// zero (which would fill the gradients with denormals) as it would on one repeated batch.
/// </summary>
public abstract class ClassifierBenchmark<TModel> where TModel : class, IClassifier, IModelFactory<TModel>
{
    public const int Batch = 64;

    private TModel _model = null!;
    private Sgd _sgd;
    private float[] _images = null!;
    private int[] _labels = null!;
    private float[] _output = null!;
    private int _batches;
    private int _next;
    private float _lastLoss = float.NaN;

    [GlobalSetup]
    public void Setup()
    {
        ImageDataset digits = ImageDataset.LoadMnistShipped(RepoPaths.Data);
        _model = TModel.Create(Batch, seed: 42);
        if (digits.FeatureSize != _model.InputLength)
            throw new InvalidOperationException($"{typeof(TModel).Name} takes {_model.InputLength} inputs, the digits have {digits.FeatureSize}.");
        _images = digits.Features.ToArray();
        _labels = digits.Labels.ToArray();
        _batches = digits.Count / Batch;
        _output = new float[Batch * _model.OutputLength];
        _sgd = new Sgd(0.1f, momentum: 0.9f);
        _next = 0;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        if (_model.Step > 0)
            Console.WriteLine($"// {typeof(TModel).Name}: {_model.Step} training steps, last batch loss {_lastLoss:G4}");
    }

    /// <summary>Forward + cross-entropy + backward + SGD-with-momentum update on the next batch.</summary>
    protected float Train()
    {
        int i = _next;
        _next = i + 1 == _batches ? 0 : i + 1;
        int features = _model.InputLength;
        _lastLoss = _model.TrainStep(_images.AsSpan(i * Batch * features, Batch * features), _labels.AsSpan(i * Batch, Batch), Batch, ref _sgd);
        return _lastLoss;
    }

    /// <summary>Inference (dropout off) on the first batch.</summary>
    protected float Infer()
    {
        _model.Predict(_images.AsSpan(0, Batch * _model.InputLength), _output, Batch);
        return _output[0];
    }
}

// Flops count GEMM multiply-adds only (2 per MAC), batch 64: forward = 2·64·Σ in·out; a training
// step is forward + the weight gradient of every layer (same cost as forward) + the data gradient
// of every layer but the first (the input needs no gradient, and the generator emits none).

/// <summary>d2l's MLP, 784-256-10 (203,530 parameters).</summary>
[MemoryDiagnoser]
public class MlpBenchmarks : ClassifierBenchmark<Mlp>
{
    [Benchmark, Flops(2 * 2.0 * Batch * (784 * 256 + 256 * 10) + 2.0 * Batch * 256 * 10)]
    public float TrainStep() => Train();

    [Benchmark, Flops(2.0 * Batch * (784 * 256 + 256 * 10))]
    public float Predict() => Infer();
}

/// <summary>d2l's softmax regression, 784-10 (7,850 parameters).</summary>
[MemoryDiagnoser]
public class SoftmaxRegressionBenchmarks : ClassifierBenchmark<SoftmaxRegression>
{
    [Benchmark, Flops(2 * 2.0 * Batch * 784 * 10)]
    public float TrainStep() => Train();

    [Benchmark, Flops(2.0 * Batch * 784 * 10)]
    public float Predict() => Infer();
}

/// <summary>d2l's MLP with dropout, 784-256-256-10, dropout 0.2 / 0.5 (269,322 parameters).</summary>
[MemoryDiagnoser]
public class DropoutMlpBenchmarks : ClassifierBenchmark<DropoutMlp>
{
    [Benchmark, Flops(2 * 2.0 * Batch * (784 * 256 + 256 * 256 + 256 * 10) + 2.0 * Batch * (256 * 256 + 256 * 10))]
    public float TrainStep() => Train();

    [Benchmark, Flops(2.0 * Batch * (784 * 256 + 256 * 256 + 256 * 10))]
    public float Predict() => Infer();
}
