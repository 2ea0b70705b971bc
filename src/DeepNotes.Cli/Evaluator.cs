using DeepNotes.Kernels;

namespace DeepNotes.Cli;

/// <summary>Accuracy and mean loss over a data set.</summary>
internal readonly record struct Evaluation(double Accuracy, double Loss, int Count);

/// <summary>
/// Measures a model on a data set with <see cref="IModel.Predict"/> (inference mode: dropout off), in
/// chunks of <see cref="ChunkSize"/> rows read straight from the data set. The loss is the model's own
/// loss computed from the predictions: cross-entropy of the logits for classifiers, mean squared error
/// against one-hot targets for regressors. Buffers are allocated once, in the constructor.
/// </summary>
internal sealed class Evaluator
{
    /// <summary>Rows per Predict call; models are created with at least this maxBatch so train and eval chunk alike.</summary>
    public const int ChunkSize = 500;

    private readonly IModel _model;
    private readonly ModelKind _kind;
    private readonly ImageDataset _data;
    private readonly float[] _output;
    private readonly float[] _scratch;

    public Evaluator(IModel model, ModelKind kind, ImageDataset data)
    {
        if (model.MaxBatch < ChunkSize) throw new ArgumentException($"the model must be created with maxBatch >= {ChunkSize}", nameof(model));
        _model = model;
        _kind = kind;
        _data = data;
        _output = new float[ChunkSize * model.OutputLength];
        _scratch = new float[ChunkSize * model.OutputLength];
    }

    public Evaluation Run()
    {
        int classes = _model.OutputLength, features = _data.FeatureSize;
        long correct = 0;
        double lossSum = 0;
        for (int start = 0; start < _data.Count; start += ChunkSize)
        {
            int rows = Math.Min(ChunkSize, _data.Count - start);
            ReadOnlySpan<float> input = _data.Features.Slice(start * features, rows * features);
            ReadOnlySpan<int> labels = _data.Labels.Slice(start, rows);
            Span<float> output = _output.AsSpan(0, rows * classes);
            _model.Predict(input, output, rows);
            correct += CountCorrect(output, labels, classes);

            Span<float> scratch = _scratch.AsSpan(0, rows * classes);
            float loss;
            if (_kind == ModelKind.Classifier)
            {
                loss = Losses.CrossEntropyForward(scratch, output, labels, rows, classes);
            }
            else
            {
                OneHot.Encode(scratch, labels, classes);
                loss = Losses.MseForward(output, scratch, rows * classes);
            }
            lossSum += (double)loss * rows;
        }
        int n = _data.Count;
        return n == 0 ? new Evaluation(0, 0, 0) : new Evaluation((double)correct / n, lossSum / n, n);
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
