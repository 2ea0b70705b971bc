using DeepNotes.Models;

namespace DeepNotes.Cli;

/// <summary>What a model's loss takes, and so how it is trained and judged.</summary>
internal enum ModelKind
{
    /// <summary>An <see cref="IClassifier"/>: class labels; judged by accuracy.</summary>
    Classifier,

    /// <summary>An <see cref="IRegressor"/> fitted to one-hot targets made from the labels; judged by accuracy (arg-max).</summary>
    Regressor,

    /// <summary>
    /// An <see cref="IRegressor"/> whose target is its own input (an autoencoder): the labels are not used, and
    /// it is judged by the mean squared error per pixel between its output and its input.
    /// </summary>
    Reconstruction,
}

/// <summary>A model the CLI can train: its command-line name, class, defaults and a factory.</summary>
internal sealed class ModelEntry
{
    private readonly Func<int, ulong, IModel> _create;

    public ModelEntry(string name, string className, ModelKind kind, string inputShape, string summary,
        float defaultLearningRate, Func<int, ulong, IModel> create, float defaultMomentum = 0f,
        LearningRateSchedule defaultSchedule = LearningRateSchedule.Constant, int evalBatch = DefaultEvalBatch)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(evalBatch);
        DefaultMomentum = defaultMomentum;
        DefaultSchedule = defaultSchedule;
        Name = name;
        ClassName = className;
        Kind = kind;
        InputShape = inputShape;
        InputImage = ParseImageShape(inputShape);
        Summary = summary;
        DefaultLearningRate = defaultLearningRate;
        EvalBatch = evalBatch;
        _create = create;
    }

    /// <summary>
    /// The model's parameter count (its generated <c>ParameterCount</c> constant), known without allocating the
    /// model; 0 when not given.
    /// </summary>
    public int ParameterCount { get; init; }

    /// <summary>Rows per Predict call when evaluating, unless an entry asks for fewer.</summary>
    public const int DefaultEvalBatch = 500;

    /// <summary>The name on the command line, e.g. <c>dropout-mlp</c>.</summary>
    public string Name { get; }

    /// <summary>The model class in DeepNotes.Models, e.g. <c>DropoutMlp</c>; also accepted on the command line.</summary>
    public string ClassName { get; }

    public ModelKind Kind { get; }

    /// <summary>The [Shape] of the forward input, e.g. <c>[1, 28, 28]</c>.</summary>
    public string InputShape { get; }

    /// <summary>
    /// <see cref="InputShape"/> as channels × height × width when it has three dimensions (the model takes
    /// images, and batches of another height or width are resized to it); null for a flat input such as <c>[784]</c>.
    /// </summary>
    public ImageShape? InputImage { get; }

    /// <summary>One line for the usage text.</summary>
    public string Summary { get; }

    /// <summary>The learning rate <c>train</c> uses without <c>--lr</c> (tuned on the shipped digits, batch 64).</summary>
    public float DefaultLearningRate { get; }

    /// <summary>The momentum <c>train</c> uses without <c>--momentum</c>.</summary>
    public float DefaultMomentum { get; }

    /// <summary>The learning-rate schedule <c>train</c> uses without <c>--schedule</c>.</summary>
    public LearningRateSchedule DefaultSchedule { get; }

    /// <summary>
    /// Rows per Predict call when evaluating (train and eval both use it, so they report the same accuracy);
    /// models are created with at least this maxBatch. Smaller for models whose arena per row is large.
    /// </summary>
    public int EvalBatch { get; }

    /// <summary>Allocates the model's arena for batches of up to <paramref name="maxBatch"/> rows.</summary>
    public IModel Create(int maxBatch, ulong seed) => _create(maxBatch, seed);

    /// <summary>"[1, 224, 224]" as (1, 224, 224); null unless it is three positive whole numbers.</summary>
    internal static ImageShape? ParseImageShape(string shape)
    {
        string text = shape.Trim();
        if (text.Length < 2 || text[0] != '[' || text[^1] != ']') return null;
        string[] parts = text[1..^1].Split(',', StringSplitOptions.TrimEntries);
        if (parts.Length != 3) return null;
        Span<int> dims = stackalloc int[3];
        for (int i = 0; i < 3; i++)
        {
            if (!int.TryParse(parts[i], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out dims[i])
                || dims[i] <= 0)
                return null;
        }
        return new ImageShape(dims[0], dims[1], dims[2]);
    }
}

/// <summary>
/// The models the CLI knows, as a static table of factories: no reflection, so NativeAOT sees every
/// model it has to compile. Adding a model is one line here.
/// </summary>
internal static class ModelRegistry
{
    // Default learning rates: the best mean held-out accuracy after 10 epochs of plain SGD, batch 64, on the
    // shipped digits over seeds 0-3 (softmax: 0.1 / 0.3 / 0.5 / 1.0 tried; perceptron: 0.5 .. 32, 16 and up
    // diverge, and its loss is a mean over 10 outputs, hence the large rate; mlp: 0.05 .. 1.0 plain, and lr 0.1 with momentum 0.9, which stayed at or above 0.951 on every seed
    // where plain SGD at its best rate (0.7) ranged 0.9455-0.9550; dropout-mlp: 0.1 .. 0.8; autoencoder, momentum 0.9: held-out
    // squared error per pixel after 10 epochs 0.0181 at lr 1, 0.0156 at 2, 0.0161 at 3, and at 5 every ReLU dies in the first epoch).
    private static readonly ModelEntry[] s_all =
    [
        Entry<SoftmaxRegression>("softmax", nameof(SoftmaxRegression), SoftmaxRegression.ParameterCount, ModelKind.Classifier, "[1, 28, 28]",
            "one linear layer 784 -> 10, cross-entropy", 0.3f),
        Entry<Perceptron>("perceptron", nameof(Perceptron), Perceptron.ParameterCount, ModelKind.Regressor, "[784]",
            "784 -> 10 sigmoid units, squared error against one-hot targets", 8f),
        Entry<Mlp>("mlp", nameof(Mlp), Mlp.ParameterCount, ModelKind.Classifier, "[1, 28, 28]",
            "784 -> 256 (ReLU) -> 10, cross-entropy", 0.1f, defaultMomentum: 0.9f),
        Entry<DropoutMlp>("dropout-mlp", nameof(DropoutMlp), DropoutMlp.ParameterCount, ModelKind.Classifier, "[1, 28, 28]",
            "784 -> 256 -> 256 -> 10 with dropout 0.2 / 0.5, cross-entropy", 0.5f),
        Entry<BookMlp>("book-mlp", nameof(BookMlp), BookMlp.ParameterCount, ModelKind.Classifier, "[1, 28, 28]",
            "mlp as d2l 5.2 declares it: weights N(0, 0.01^2)", 0.1f),
        Entry<BookDropoutMlp>("book-dropout-mlp", nameof(BookDropoutMlp), BookDropoutMlp.ParameterCount, ModelKind.Classifier, "[1, 28, 28]",
            "dropout-mlp as d2l 5.6 declares it: weights N(0, 0.01^2)", 0.5f),
        Entry<LeNet5>("lenet", nameof(LeNet5), LeNet5.ParameterCount, ModelKind.Classifier, "[1, 28, 28]",
            "LeNet-5, modern: conv 5x5 (ReLU, max-pool) x2, 120-84-10", 0.05f, defaultMomentum: 0.9f, LearningRateSchedule.Cosine),
        Entry<LeNet5Classic>("lenet-classic", nameof(LeNet5Classic), LeNet5Classic.ParameterCount, ModelKind.Classifier, "[1, 28, 28]",
            "LeNet-5 as in d2l: sigmoid, average pooling", 0.9f),
        Entry<AlexNet>("alexnet", nameof(AlexNet), AlexNet.ParameterCount, ModelKind.Classifier, "[1, 224, 224]",
            "AlexNet as in d2l 8.1, images resized to 224x224 (slow on a CPU)", 0.01f, evalBatch: 32),
        Entry<Nin>("nin", nameof(Nin), Nin.ParameterCount, ModelKind.Classifier, "[1, 28, 28]",
            "network in network: conv + two 1x1 convs per block, global average pooling", 0.05f, defaultMomentum: 0.9f, LearningRateSchedule.Cosine),
        Entry<ResNet>("resnet", nameof(ResNet), ResNet.ParameterCount, ModelKind.Classifier, "[1, 28, 28]",
            "small ResNet: residual blocks with batch norm, global average pooling", 0.05f, defaultMomentum: 0.9f, LearningRateSchedule.Cosine),
        Entry<AutoEncoder>("autoencoder", nameof(AutoEncoder), AutoEncoder.ParameterCount, ModelKind.Reconstruction, "[1, 28, 28]",
            "784 -> 256 -> 64 -> 32 (code) -> 64 -> 256 -> 784, squared error against its own input", 2f, defaultMomentum: 0.9f),
    ];

    /// <summary>Every model, in the order the usage text lists them.</summary>
    public static ReadOnlySpan<ModelEntry> All => s_all;

    /// <summary>The entry whose <see cref="ModelEntry.Name"/> or <see cref="ModelEntry.ClassName"/> equals <paramref name="name"/>, ignoring case.</summary>
    public static ModelEntry? Find(string name)
    {
        foreach (ModelEntry entry in s_all)
        {
            if (string.Equals(entry.Name, name, StringComparison.OrdinalIgnoreCase)
                || string.Equals(entry.ClassName, name, StringComparison.OrdinalIgnoreCase))
                return entry;
        }
        return null;
    }

    /// <summary>"softmax, perceptron, mlp, dropout-mlp", for error messages.</summary>
    public static string Names()
    {
        string[] names = new string[s_all.Length];
        for (int i = 0; i < s_all.Length; i++) names[i] = s_all[i].Name;
        return string.Join(", ", names);
    }

    private static ModelEntry Entry<T>(string name, string className, int parameterCount, ModelKind kind, string inputShape, string summary, float lr,
                                       float defaultMomentum = 0f, LearningRateSchedule schedule = LearningRateSchedule.Constant,
                                       int evalBatch = ModelEntry.DefaultEvalBatch)
        where T : IModel, IModelFactory<T>
        => new(name, className, kind, inputShape, summary, lr, static (maxBatch, seed) => T.Create(maxBatch, seed), defaultMomentum,
               schedule, evalBatch) { ParameterCount = parameterCount };
}
