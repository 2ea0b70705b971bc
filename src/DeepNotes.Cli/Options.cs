namespace DeepNotes.Cli;

/// <summary>A parsed command line: one of the records below.</summary>
internal abstract record Command;

/// <summary><c>deepnotes --help</c>.</summary>
internal sealed record HelpCommand : Command;

/// <summary>
/// <c>deepnotes train</c>: every value already checked and defaulted. <see cref="Folds"/> of 0 means one
/// training run evaluated on the held-out set; 2 or more means k-fold cross-validation over the training set.
/// <see cref="LearningRate"/> is the base rate; <see cref="Schedule"/> sets each epoch's rate from it.
/// </summary>
internal sealed record TrainOptions(
    ModelEntry Model,
    int Epochs,
    int BatchSize,
    bool FullBatch,
    float LearningRate,
    float Momentum,
    float WeightDecay,
    ulong Seed,
    string? DataPath,
    string? SavePath,
    bool Augment = false,
    int Folds = 0,
    LearningRateSchedule Schedule = LearningRateSchedule.Constant,
    int? Threads = null) : Command
{
    public const int DefaultEpochs = 10;
    public const int DefaultBatchSize = 64;
}

/// <summary><c>deepnotes eval</c>.</summary>
internal sealed record EvalOptions(ModelEntry Model, string LoadPath, string? DataPath, int? Threads = null) : Command;

/// <summary>
/// <c>deepnotes reconstruct</c>: the first <see cref="Count"/> held-out images and a reconstruction model's
/// outputs for them, written to <see cref="PngPath"/> as one greyscale PNG.
/// </summary>
internal sealed record ReconstructOptions(ModelEntry Model, string LoadPath, string PngPath, int Count, string? DataPath, int? Threads = null) : Command
{
    public const int DefaultCount = 10;
    public const int MaxCount = 1000;
}

/// <summary><c>deepnotes bench</c>: <see cref="Workload"/> null means every workload; null counts mean the defaults.</summary>
internal sealed record BenchOptions(DeepNotes.Models.Workload? Workload, int? Threads, int? Steps) : Command;

/// <summary><c>deepnotes train skipgram|cbow</c>: word2vec on a text corpus.</summary>
internal sealed record Word2VecOptions(bool Cbow, int Epochs, int BatchSize, float LearningRate, int Window, int MinCount,
    double Subsample, ulong Seed, string? DataPath, string? SavePath, int? Threads) : Command
{
    // Batch 64: at 512 (d2l's, with Adam) plain SGD at word2vec's alpha summed hundreds of updates of the
    // frequent words per step and every vector ended up pointing one way (cosine ≈ 1.00 to everything).
    public const int DefaultEpochs = 5, DefaultBatch = 64, DefaultWindow = 5, DefaultMinCount = 5;
    public const double DefaultSubsample = 1e-3;
    /// <summary>word2vec's default starting rates (alpha) for skip-gram and CBOW.</summary>
    public const float DefaultSkipGramRate = 0.025f, DefaultCbowRate = 0.05f;
}

/// <summary><c>deepnotes similar WORD --load FILE</c>.</summary>
internal sealed record SimilarOptions(string Word, string LoadPath, int Top, int? Threads) : Command
{
    public const int DefaultTop = 10;
}

/// <summary>Which tokenizer <c>deepnotes tokenize</c> uses.</summary>
internal enum TokenizerKind
{
    /// <summary>Byte-level BPE (<c>--bpe NAME</c>, the default: GPT-2's).</summary>
    Bpe,

    /// <summary>One token per character, the character vocabulary of a corpus (<c>--chars</c>).</summary>
    Characters,

    /// <summary>Words as word2vec reads the corpus, its vocabulary at min-count 5 (<c>--words</c>).</summary>
    Words,
}

/// <summary>
/// <c>deepnotes tokenize</c>: the tokens and ids of <see cref="Text"/>. <see cref="BpeModel"/> is set for
/// <see cref="TokenizerKind.Bpe"/> only; <see cref="DataPath"/> (the corpus of the vocabulary) for the others.
/// </summary>
internal sealed record TokenizeOptions(TokenizerKind Kind, string Text, string? BpeModel, string? DataPath) : Command
{
    /// <summary>The min-count of the <c>--words</c> vocabulary: <c>train skipgram</c>'s default, so the ids are its ids.</summary>
    public const int WordMinCount = Word2VecOptions.DefaultMinCount;
}

/// <summary><c>deepnotes info</c>.</summary>
internal sealed record InfoOptions(ModelEntry Model) : Command;

/// <summary>A wrong command line: the message is printed with the usage text, exit code 2.</summary>
internal sealed class UsageException(string message) : Exception(message);

/// <summary>A failure at run time that the user can fix (missing data, bad checkpoint): one line, exit code 1.</summary>
internal sealed class CliException(string message) : Exception(message);

/// <summary>The process exit codes.</summary>
internal static class ExitCodes
{
    public const int Ok = 0;
    public const int Failure = 1;
    public const int Usage = 2;
}
