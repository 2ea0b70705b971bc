namespace DeepNotes.Cli;

/// <summary>Mean training loss and running accuracy of one epoch; the accuracy is NaN for <see cref="ModelKind.Reconstruction"/> models, which have no classes.</summary>
internal readonly record struct EpochStats(double Loss, double Accuracy, int Steps);

/// <summary>
/// Runs epochs of mini-batch SGD. Everything is allocated in the constructor: an epoch is a loop of
/// <see cref="MiniBatcher.Next"/>, one Predict (for the running accuracy) and one TrainStep per batch,
/// with no allocation, LINQ, closure or formatting inside it. With an <see cref="AugmentationPipeline"/>,
/// each batch is copied into a buffer of the trainer's and augmented there (the batcher's copy stays as
/// read), drawing from (epoch, batch index), so a run is reproducible from its seed. When the model takes
/// images of another height and width (<c>modelInput</c>), each batch is then resized to it by an
/// <see cref="InputResizer"/> whose buffer is allocated here too. A <see cref="ModelKind.Reconstruction"/>
/// model is trained with the batch it is fed (augmented and resized) as its target and is not predicted
/// for a running accuracy; a <see cref="ModelKind.Regressor"/> gets one-hot targets from the labels.
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
    private readonly ModelKind _kind;
    private readonly IClassifier? _classifier;
    private readonly IRegressor? _regressor;
    private readonly MiniBatcher _batcher;
    private readonly float[] _output;
    private readonly float[] _targets;
    private readonly AugmentationPipeline? _augment;
    private readonly float[] _augmented;
    private readonly InputResizer _resizer;
    private Sgd _sgd;

    /// <param name="kind">How the model is trained; null: <see cref="ModelKind.Classifier"/> for an <see cref="IClassifier"/>,
    /// else <see cref="ModelKind.Regressor"/>. <see cref="ModelKind.Reconstruction"/> must be asked for.</param>
    public Trainer(IModel model, ImageDataset train, int batchSize, ulong seed, Sgd sgd, AugmentationPipeline? augment = null,
                   ImageShape? modelInput = null, ModelKind? kind = null)
    {
        if (batchSize > model.MaxBatch) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, $"exceeds the model's maxBatch {model.MaxBatch}");
        _model = model;
        _kind = kind ?? (model is IClassifier ? ModelKind.Classifier : ModelKind.Regressor);
        _classifier = _kind == ModelKind.Classifier ? model as IClassifier : null;
        _regressor = _kind == ModelKind.Classifier ? null : model as IRegressor;
        if (_classifier is null && _regressor is null)
            throw new ArgumentException($"the model is not an {(_kind == ModelKind.Classifier ? nameof(IClassifier) : nameof(IRegressor))}, as a {_kind} must be", nameof(model));
        if (_kind == ModelKind.Reconstruction && (_regressor!.TargetLength != model.InputLength || model.OutputLength != model.InputLength))
            throw new ArgumentException($"a reconstruction model's output and target must be as long as its input ({model.InputLength}), "
                + $"not {model.OutputLength} and {_regressor.TargetLength}", nameof(model));
        bool fullBatch = batchSize >= train.Count;
        _batcher = new MiniBatcher(train, batchSize, seed, shuffle: !fullBatch);
        _output = _kind == ModelKind.Reconstruction ? [] : new float[batchSize * model.OutputLength];
        _targets = _kind == ModelKind.Regressor ? new float[batchSize * _regressor!.TargetLength] : [];
        _sgd = sgd;
        if (augment is not null && augment.Channels * augment.Height * augment.Width != train.FeatureSize)
            throw new ArgumentException($"the augmentation is for {augment.Channels}x{augment.Height}x{augment.Width} images, the data has {train.FeatureSize} features", nameof(augment));
        _augment = augment;
        _augmented = augment is null ? [] : new float[batchSize * train.FeatureSize];
        _resizer = new InputResizer(new ImageShape(1, train.Rows, train.Cols), modelInput, batchSize);
        int fed = _resizer.Resizes ? modelInput!.Value.Size : train.FeatureSize;
        if (fed != model.InputLength)
            throw new ArgumentException($"the model takes {model.InputLength} inputs per example, the trainer would feed it {fed}", nameof(model));
    }

    public int BatchesPerEpoch => _batcher.BatchesPerEpoch;

    /// <summary>The rate of the next steps; a schedule sets it at the start of every epoch.</summary>
    public float LearningRate
    {
        get => _sgd.LearningRate;
        set
        {
            if (!(value > 0f) || !float.IsFinite(value))
                throw new ArgumentOutOfRangeException(nameof(value), value, "learning rate must be a positive finite number");
            _sgd.LearningRate = value;
        }
    }

    /// <summary>The resizer between the (augmented) batch and the model; for tests.</summary>
    internal InputResizer Resizer => _resizer;

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
            if (_augment is not null)
            {
                Span<float> augmented = _augmented.AsSpan(0, input.Length);
                input.CopyTo(augmented);
                _augment.Apply(augmented, batch, epoch, steps);
                input = augmented;
            }
            input = _resizer.Fit(input, batch);
            ReadOnlySpan<int> labels = _batcher.Labels;
            if (_kind != ModelKind.Reconstruction)
            {
                Span<float> output = _output.AsSpan(0, batch * classes);
                _model.Predict(input, output, batch);
                correct += Evaluator.CountCorrect(output, labels, classes);
            }

            float loss;
            if (_classifier is not null)
            {
                loss = _classifier.TrainStep(input, labels, batch, ref _sgd);
            }
            else if (_kind == ModelKind.Reconstruction)
            {
                loss = _regressor!.TrainStep(input, input, batch, ref _sgd); // the target is the input itself
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
        return new EpochStats(lossSum / seen, _kind == ModelKind.Reconstruction ? double.NaN : (double)correct / seen, steps);
    }
}
