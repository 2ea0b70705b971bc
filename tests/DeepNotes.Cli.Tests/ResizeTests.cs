using DeepNotes.Cli.Commands;

namespace DeepNotes.Cli.Tests;

/// <summary>
/// A classifier that takes 1×<c>side</c>×<c>side</c> images and records what it is fed, without allocating:
/// the resize path of the trainer and the evaluator tested without AlexNet's cost.
/// </summary>
internal sealed class RecordingModel : IClassifier
{
    private readonly float[] _parameters = new float[1];
    private readonly float[] _gradients = new float[1];
    private static readonly TensorInfo[] s_tensors = [new TensorInfo("w.weight", 0, [1], TensorRole.Weight)];

    public RecordingModel(int side, int maxBatch, int capacity)
    {
        InputLength = side * side;
        MaxBatch = maxBatch;
        Predicted = new float[capacity * InputLength];
        Trained = new float[capacity * InputLength];
    }

    public int InputLength { get; }
    public int OutputLength => 10;
    public int MaxBatch { get; }
    public Span<float> Parameters => _parameters;
    public Span<float> Gradients => _gradients;
    public ReadOnlySpan<TensorInfo> Tensors => s_tensors;
    public long Step { get; set; }
    public MemoryReport Memory => new(1, 0, 0, 0, 0, 0, 0);

    /// <summary>Every input Predict saw, one call after the other (wrapping around when full).</summary>
    public float[] Predicted { get; }
    public int PredictedLength { get; private set; }

    /// <summary>Every input TrainStep saw.</summary>
    public float[] Trained { get; }
    public int TrainedLength { get; private set; }

    public int PredictCalls { get; private set; }

    public void Predict(ReadOnlySpan<float> input, Span<float> output, int batch)
    {
        CheckLength(input, batch); // no Assert here: the allocation test runs through it
        PredictCalls++;
        PredictedLength = Append(Predicted, PredictedLength, input);
        for (int r = 0; r < batch; r++)
        {
            output.Slice(r * 10, 10).Clear();
            output[r * 10 + 3] = input[r * InputLength + InputLength / 2]; // some function of the image
        }
    }

    public float TrainStep(ReadOnlySpan<float> input, ReadOnlySpan<int> labels, int batch, ref Sgd optimizer)
    {
        CheckLength(input, batch);
        TrainedLength = Append(Trained, TrainedLength, input);
        Step++;
        return 1f;
    }

    public float ComputeGradients(ReadOnlySpan<float> input, ReadOnlySpan<int> labels, int batch) => 1f;
    public float ComputeLoss(ReadOnlySpan<float> input, ReadOnlySpan<int> labels, int batch) => 1f;
    public void Initialize(ulong seed) => Step = 0;

    public void Reset() => PredictedLength = TrainedLength = PredictCalls = 0;

    private void CheckLength(ReadOnlySpan<float> input, int batch)
    {
        if (input.Length != batch * InputLength) throw new InvalidOperationException("the input is not one batch of this model's images");
    }

    private static int Append(float[] store, int at, ReadOnlySpan<float> input)
    {
        if (at + input.Length > store.Length) at = 0;
        input.CopyTo(store.AsSpan(at));
        return at + input.Length;
    }
}

public class ResizeTests
{
    /// <summary><paramref name="count"/> images of 8×8 with distinct pixel values.</summary>
    private static ImageDataset Small(int count)
    {
        float[] features = new float[count * 64];
        for (int i = 0; i < features.Length; i++) features[i] = (i * 37 % 101) / 100f;
        int[] labels = new int[count];
        for (int i = 0; i < count; i++) labels[i] = i % 10;
        return new ImageDataset(features, labels, 8, 8, 10);
    }

    private static float[] Resized(ReadOnlySpan<float> images, int count, int side)
    {
        float[] expected = new float[count * side * side];
        Resize.Bilinear(expected, images, count, 1, 8, 8, side, side);
        return expected;
    }

    [Fact]
    public void The_trainer_feeds_every_batch_resized_bilinearly()
    {
        ImageDataset data = Small(6);
        RecordingModel model = new(12, 6, 6);
        // One full batch: the batcher keeps the data's order, so the expected input is known.
        Trainer trainer = new(model, data, 6, 0, new Sgd(0.1f), modelInput: new ImageShape(1, 12, 12));
        Assert.True(trainer.Resizer.Resizes);
        Assert.Equal(6 * 144, trainer.Resizer.Buffer.Length);

        EpochStats stats = trainer.RunEpoch(0, null);

        Assert.Equal(1, stats.Steps);
        float[] expected = Resized(data.Features, 6, 12);
        Assert.Equal(expected, model.Trained.AsSpan(0, model.TrainedLength).ToArray());
        Assert.Equal(expected, model.Predicted.AsSpan(0, model.PredictedLength).ToArray()); // the running accuracy too
        Assert.Equal(expected, trainer.Resizer.Buffer.ToArray());                          // written in place, in the buffer
    }

    [Fact]
    public void The_evaluator_resizes_every_chunk_including_the_last_partial_one()
    {
        ImageDataset data = Small(10);
        RecordingModel model = new(20, 4, 10);
        Evaluator evaluator = new(model, ModelKind.Classifier, data, chunk: 4, modelInput: new ImageShape(1, 20, 20));
        Assert.Equal(4 * 400, evaluator.Resizer.Buffer.Length);

        Evaluation result = evaluator.Run();

        Assert.Equal(10, result.Count);
        Assert.Equal(3, model.PredictCalls); // 4 + 4 + 2
        Assert.Equal(Resized(data.Features, 10, 20), model.Predicted.AsSpan(0, model.PredictedLength).ToArray());
    }

    [Fact]
    public void Without_another_size_the_input_passes_through()
    {
        ImageDataset data = Small(4);
        RecordingModel model = new(8, 4, 4);
        Trainer trainer = new(model, data, 4, 0, new Sgd(0.1f), modelInput: new ImageShape(1, 8, 8));
        Assert.False(trainer.Resizer.Resizes);
        Assert.Equal(0, trainer.Resizer.Buffer.Length);
        trainer.RunEpoch(0, null);
        Assert.Equal(data.Features.ToArray(), model.Trained.AsSpan(0, model.TrainedLength).ToArray());
    }

    [Fact]
    public void A_model_of_another_size_without_a_resize_is_refused()
    {
        ImageDataset data = Small(4);
        Assert.Throws<ArgumentException>(() => new Trainer(new RecordingModel(12, 4, 4), data, 4, 0, new Sgd(0.1f)));
        Assert.Throws<ArgumentException>(() => new Evaluator(new RecordingModel(12, 4, 4), ModelKind.Classifier, data, chunk: 4));
        Assert.Throws<ArgumentException>(() => new InputResizer(new ImageShape(1, 8, 8), new ImageShape(3, 12, 12), 4)); // channels differ
    }

    [Fact]
    public void Resized_epochs_allocate_nothing_after_the_first()
    {
        ImageDataset data = ImageDataset.LoadMnistShipped(Repo.DataDirectory()).Slice(0, 96);
        RecordingModel model = new(40, 32, 32);
        Trainer trainer = new(model, data, 16, 1, new Sgd(0.1f), modelInput: new ImageShape(1, 40, 40));
        Evaluator evaluator = new(model, ModelKind.Classifier, data, chunk: 32, modelInput: new ImageShape(1, 40, 40));
        trainer.RunEpoch(0, null); // warm-up: JIT
        evaluator.Run();

        long before = GC.GetAllocatedBytesForCurrentThread();
        EpochStats stats = trainer.RunEpoch(1, null);
        evaluator.Run();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.Equal(6, stats.Steps);
    }

    [Theory]
    [InlineData("[1, 224, 224]", 1, 224, 224)]
    [InlineData("[1, 28, 28]", 1, 28, 28)]
    [InlineData(" [3,32,16] ", 3, 32, 16)]
    public void Image_shapes_are_read_from_the_entry(string shape, int c, int h, int w)
        => Assert.Equal(new ImageShape(c, h, w), ModelEntry.ParseImageShape(shape));

    [Theory]
    [InlineData("[784]")]
    [InlineData("[1, 28]")]
    [InlineData("[1, 0, 28]")]
    [InlineData("1, 28, 28")]
    [InlineData("[1, 28, x]")]
    public void Flat_or_malformed_shapes_are_not_images(string shape) => Assert.Null(ModelEntry.ParseImageShape(shape));

    [Fact]
    public void AlexNet_is_registered_for_224_by_224_and_fits_28_by_28_data()
    {
        ModelEntry alexnet = ModelRegistry.Find("alexnet")!;
        Assert.Same(alexnet, ModelRegistry.Find("AlexNet"));
        Assert.Equal(new ImageShape(1, 224, 224), alexnet.InputImage);
        Assert.Equal(0.01f, alexnet.DefaultLearningRate); // the book's
        Assert.True(alexnet.EvalBatch < Evaluator.ChunkSize);

        // The data check accepts 28×28 images for it (a stand-in model of its input size, not AlexNet itself);
        // a flat input ([784]) cannot be resized to, so 8×8 images do not fit the perceptron.
        ImageDataset data = Small(2);
        ImageDataset mnistSized = new(new float[2 * 784], [0, 1], 28, 28, 10);
        DataSource.CheckFits(new DataSplit(mnistSized, mnistSized, "t"), alexnet, new RecordingModel(224, 1, 1));
        CliException e = Assert.Throws<CliException>(() => DataSource.CheckFits(new DataSplit(data, data, "t"), ModelRegistry.Find("perceptron")!, new RecordingModel(28, 1, 1)));
        Assert.Equal("the images are 8x8 (64 values) but perceptron takes 784 inputs [784]", e.Message);
    }

    [Fact]
    public void Info_alexnet_describes_the_resize()
    {
        CliResult result = CliRunner.Run(["info", "alexnet"]);
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("input        [1, 224, 224] = 50176 floats per example; output [10]", result.Out);
        Assert.Contains("train and eval resize 28x28 images to 224x224 (bilinear)", result.Out);
        Assert.Contains("parameters   46,764,746", result.Out);
        Assert.Equal(46_764_746, ModelRegistry.Find("alexnet")!.ParameterCount);
        Assert.Equal("", result.Error);
    }
}
