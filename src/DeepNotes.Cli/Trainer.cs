namespace DeepNotes.Cli;

/// <summary>Mean training loss and running accuracy of one epoch.</summary>
internal readonly record struct EpochStats(double Loss, double Accuracy, int Steps);

/// <summary>
/// Runs epochs of mini-batch SGD. Everything is allocated in the constructor: an epoch is a loop of
/// <see cref="MiniBatcher.Next"/>, one Predict (for the running accuracy) and one TrainStep per batch,
/// with no allocation, LINQ, closure or formatting inside it.
/// </summary>
/// <remarks>
/// Train accuracy is the running accuracy over the epoch's batches: each batch is predicted (inference
/// mode, dropout off) just before its own update step, so it measures the model on examples that step
/// has not yet learned from. It costs one extra forward pass per step; a separate pass over the whole
/// training set after the epoch would cost as much again and is not done.
/// </remarks>
internal sealed class Trainer
{
    private readonly IModel _model;
    private readonly IClassifier? _classifier;
    private readonly IRegressor? _regressor;
    private readonly MiniBatcher _batcher;
    private readonly float[] _output;
    private readonly float[] _targets;
    private Sgd _sgd;

    public Trainer(IModel model, ImageDataset train, int batchSize, ulong seed, Sgd sgd)
    {
        if (batchSize > model.MaxBatch) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, $"exceeds the model's maxBatch {model.MaxBatch}");
        _model = model;
        _classifier = model as IClassifier;
        _regressor = _classifier is null ? model as IRegressor : null;
        if (_classifier is null && _regressor is null) throw new ArgumentException("the model is neither a classifier nor a regressor", nameof(model));
        bool fullBatch = batchSize >= train.Count;
        _batcher = new MiniBatcher(train, batchSize, seed, shuffle: !fullBatch);
        _output = new float[batchSize * model.OutputLength];
        _targets = _regressor is null ? [] : new float[batchSize * _regressor.TargetLength];
        _sgd = sgd;
    }

    public int BatchesPerEpoch => _batcher.BatchesPerEpoch;

    /// <summary>One pass over the training set; <paramref name="progress"/>, if any, is advanced after every step.</summary>
    public EpochStats RunEpoch(int epoch, ProgressBar? progress)
    {
        int classes = _model.OutputLength;
        double lossSum = 0;
        long correct = 0, seen = 0;
        int steps = 0;
        _batcher.StartEpoch(epoch);
        while (_batcher.Next(out int batch))
        {
            ReadOnlySpan<float> input = _batcher.Features;
            ReadOnlySpan<int> labels = _batcher.Labels;
            Span<float> output = _output.AsSpan(0, batch * classes);
            _model.Predict(input, output, batch);
            correct += Evaluator.CountCorrect(output, labels, classes);

            float loss;
            if (_classifier is not null)
            {
                loss = _classifier.TrainStep(input, labels, batch, ref _sgd);
            }
            else
            {
                Span<float> targets = _targets.AsSpan(0, batch * classes);
                OneHot.Encode(targets, labels, classes);
                loss = _regressor!.TrainStep(input, targets, batch, ref _sgd);
            }
            lossSum += (double)loss * batch;
            seen += batch;
            steps++;
            progress?.Update(steps, lossSum / seen);
        }
        return new EpochStats(lossSum / seen, (double)correct / seen, steps);
    }
}
