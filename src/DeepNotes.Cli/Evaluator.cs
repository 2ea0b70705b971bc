using DeepNotes.Kernels;

namespace DeepNotes.Cli;

/// <summary>
/// Accuracy and mean loss over a data set. For a <see cref="ModelKind.Reconstruction"/> model the loss is the
/// mean squared error per pixel between its outputs and its inputs (the held-out figure it is judged by) and the
/// accuracy is NaN: there are no classes.
/// </summary>
internal readonly record struct Evaluation(double Accuracy, double Loss, int Count);

/// <summary>
/// Measures a model on a data set with <see cref="IModel.Predict"/> (inference mode: dropout off), in
/// chunks of <see cref="Chunk"/> rows (<see cref="ChunkSize"/> unless the model's entry asks for fewer) read
/// straight from the data set, or resized to the model's input (<see cref="InputResizer"/>) when it takes
/// images of another size. The loss is the model's own loss computed from the predictions: cross-entropy of
/// the logits for classifiers, mean squared error against one-hot targets for regressors, and against the
/// input it was given (resized, if it was) for reconstruction models. Buffers are allocated once, in the constructor.
/// </summary>
internal sealed class Evaluator
{
    /// <summary>Rows per Predict call by default; models are created with at least their chunk as maxBatch so train and eval chunk alike.</summary>
    public const int ChunkSize = ModelEntry.DefaultEvalBatch;

    private readonly IModel _model;
    private readonly ModelKind _kind;
    private readonly ImageDataset _data;
    private readonly float[] _output;
    private readonly float[] _scratch;
    private readonly InputResizer _resizer;

    public Evaluator(IModel model, ModelKind kind, ImageDataset data, int chunk = ChunkSize, ImageShape? modelInput = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(chunk);
        if (model.MaxBatch < chunk) throw new ArgumentException($"the model must be created with maxBatch >= {chunk}", nameof(model));
        if (kind == ModelKind.Reconstruction && model.OutputLength != model.InputLength)
            throw new ArgumentException($"a reconstruction model's output must be as long as its input ({model.InputLength}), not {model.OutputLength}", nameof(model));
        _model = model;
        _kind = kind;
        _data = data;
        Chunk = chunk;
        _output = new float[chunk * model.OutputLength];
        _scratch = kind == ModelKind.Reconstruction ? [] : new float[chunk * model.OutputLength];
        _resizer = new InputResizer(new ImageShape(1, data.Rows, data.Cols), modelInput, chunk);
        int fed = _resizer.Resizes ? modelInput!.Value.Size : data.FeatureSize;
        if (fed != model.InputLength)
            throw new ArgumentException($"the model takes {model.InputLength} inputs per example, the evaluator would feed it {fed}", nameof(model));
    }

    /// <summary>An evaluator for a registered model: its evaluation chunk and input shape.</summary>
    public Evaluator(IModel model, ModelEntry entry, ImageDataset data)
        : this(model, entry.Kind, data, entry.EvalBatch, entry.InputImage)
    {
    }

    /// <summary>Rows per Predict call.</summary>
    public int Chunk { get; }

    /// <summary>The resizer between the data and the model; for tests.</summary>
    internal InputResizer Resizer => _resizer;

    public Evaluation Run()
    {
        int classes = _model.OutputLength, features = _data.FeatureSize; // "classes": outputs per row (pixels, for reconstructions)
        long correct = 0;
        double lossSum = 0;
        for (int start = 0; start < _data.Count; start += Chunk)
        {
            int rows = Math.Min(Chunk, _data.Count - start);
            ReadOnlySpan<float> input = _resizer.Fit(_data.Features.Slice(start * features, rows * features), rows);
            ReadOnlySpan<int> labels = _data.Labels.Slice(start, rows);
            Span<float> output = _output.AsSpan(0, rows * classes);
            _model.Predict(input, output, rows);

            float loss;
            if (_kind == ModelKind.Reconstruction)
            {
                loss = Losses.MseForward(output, input, rows * classes);
            }
            else if (_kind == ModelKind.Classifier)
            {
                correct += CountCorrect(output, labels, classes);
                loss = Losses.CrossEntropyForward(_scratch.AsSpan(0, rows * classes), output, labels, rows, classes);
            }
            else
            {
                correct += CountCorrect(output, labels, classes);
                Span<float> oneHot = _scratch.AsSpan(0, rows * classes);
                OneHot.Encode(oneHot, labels, classes);
                loss = Losses.MseForward(output, oneHot, rows * classes);
            }
            lossSum += (double)loss * rows;
        }
        int n = _data.Count;
        double accuracy = _kind == ModelKind.Reconstruction ? double.NaN : (double)correct / n;
        return n == 0 ? new Evaluation(0, 0, 0) : new Evaluation(accuracy, lossSum / n, n);
    }

    /// <summary>How many rows of <paramref name="output"/> ([rows, classes]) have their largest value at the label (first maximum wins ties).</summary>
    public static int CountCorrect(ReadOnlySpan<float> output, ReadOnlySpan<int> labels, int classes)
    {
        int correct = 0;
        for (int r = 0; r < labels.Length; r++)
        {
            ReadOnlySpan<float> row = output.Slice(r * classes, classes);
            int best = 0;
            for (int c = 1; c < classes; c++)
            {
                if (row[c] > row[best]) best = c;
            }
            if (best == labels[r]) correct++;
        }
        return correct;
    }
}
