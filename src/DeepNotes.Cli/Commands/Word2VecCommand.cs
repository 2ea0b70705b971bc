using System.Diagnostics;
using System.Linq;
using System.Numerics.Tensors;
using DeepNotes.Models;
using DeepNotes.Text;

namespace DeepNotes.Cli.Commands;

/// <summary>
/// <c>deepnotes train skipgram|cbow</c>: word2vec with negative sampling on a text corpus (by default the
/// shipped fortunes, data/fortunes.txt.gz), plain SGD with word2vec's linearly decaying rate, printing the
/// loss and words per second per epoch and the nearest neighbours of a few words at the end; <c>--save</c>
/// writes the model (safetensors) and its vocabulary (FILE.vocab).
/// </summary>
internal static class Word2VecCommand
{
    /// <summary>Words whose neighbours are printed after training (those in the vocabulary).</summary>
    private static readonly string[] s_probes = ["man", "day", "money", "love", "computer", "god"];

    public const string CorpusFile = "fortunes.txt.gz";

    public static int Train(Word2VecOptions o, CliContext context)
    {
        if (o.Threads is { } threads) Parallelism.ThreadCount = threads;
        string? savePath = o.SavePath is null ? null : TrainCommand.CheckOutputPath("--save", o.SavePath, "words.safetensors", "save to", context.WorkingDirectory);
        string corpusPath = FindCorpus(o.DataPath, context.WorkingDirectory);
        TextWriter w = context.Out;

        Vocabulary vocabulary;
        Corpus corpus;
        try
        {
            int capacity = o.Cbow ? Cbow.Vocabulary : SkipGram.Vocabulary;
            vocabulary = Vocabulary.FromFile(corpusPath, o.MinCount, maxSize: capacity);
            corpus = Corpus.Load(corpusPath, vocabulary);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            throw new CliException($"cannot read the corpus '{corpusPath}': {e.Message}");
        }
        if (corpus.TokenCount == 0) throw new CliException($"the corpus '{corpusPath}' holds no words");

        string name = o.Cbow ? "cbow" : "skipgram";
        int negatives = o.Cbow ? Cbow.Negatives : SkipGram.Negatives;
        // The loss is the mean over batch × (1 + K) scores, so word2vec's per-pair rate alpha becomes alpha·batch·(1 + K).
        float scale = o.BatchSize * (1 + negatives);
        w.WriteLine(TrainCommand.Invariant($"{name}: {corpus.TokenCount:N0} words in {corpus.LineCount:N0} lines of {corpusPath}"));
        w.WriteLine(TrainCommand.Invariant($"vocabulary {vocabulary.Count:N0} words (min-count {o.MinCount}, <unk> included) in a table of {(o.Cbow ? Cbow.Vocabulary : SkipGram.Vocabulary):N0} x {(o.Cbow ? Cbow.Dimension : SkipGram.Dimension)}"));
        w.WriteLine(TrainCommand.Invariant($"window {(o.Cbow ? Cbow.Window : o.Window)}, {negatives} noise words, subsample {o.Subsample}, batch {o.BatchSize}, sgd alpha {o.LearningRate} decaying linearly (step rate alpha x {scale:N0}), {Parallelism.ThreadCount} thread(s), seed {o.Seed}"));

        Runner runner = o.Cbow ? new CbowRunner(corpus, o) : new SkipGramRunner(corpus, o);
        IGeneratedModel model = runner.Model;
        var sgd = new Sgd(o.LearningRate * scale);

        long total = (long)corpus.TokenCount * o.Epochs, done = 0;
        for (int epoch = 1; epoch <= o.Epochs; epoch++)
        {
            double lossSum = 0;
            long batches = 0, words = 0, start = Stopwatch.GetTimestamp();
            runner.StartEpoch(epoch - 1);
            while (true)
            {
                // word2vec's schedule: alpha·(1 − progress), never below alpha·1e-4.
                sgd.LearningRate = o.LearningRate * scale * (float)Math.Max(1e-4, 1.0 - (double)done / total);
                if (!runner.Step(ref sgd, out int consumed, out float batchLoss)) break;
                lossSum += batchLoss;
                batches++;
                words += consumed;
                done += consumed;
            }
            double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            double loss = batches == 0 ? double.NaN : lossSum / batches;
            if (!double.IsFinite(loss)) throw new CliException($"training diverged in epoch {epoch} (loss {loss}); try a smaller --lr");
            w.WriteLine(TrainCommand.Invariant($"epoch {epoch}/{o.Epochs}  loss {loss:F4}  {words:N0} words in {seconds:F2} s = {words / seconds:N0} words/s"));
            w.Flush();
        }

        Embeddings embeddings = Embeddings.Of(model, vocabulary, o.Cbow);
        foreach (string probe in s_probes)
        {
            if (vocabulary.TryGetId(probe, out int id) && id != Vocabulary.UnknownId)
                w.WriteLine($"nearest to {probe}: {embeddings.Describe(id, 5)}");
        }

        if (savePath is not null)
        {
            Dictionary<string, string> metadata = new(StringComparer.Ordinal)
            {
                ["model"] = name,
                ["min_count"] = TrainCommand.Invariant($"{o.MinCount}"),
                ["epochs"] = TrainCommand.Invariant($"{o.Epochs}"),
                ["seed"] = TrainCommand.Invariant($"{o.Seed}"),
                ["vocabulary"] = TrainCommand.Invariant($"{vocabulary.Count}"),
            };
            string vocabPath = VocabularyPath(savePath);
            vocabulary.Save(vocabPath);
            Safetensors.Save(savePath, model.Tensors, model.Parameters, metadata);
            w.WriteLine($"saved {savePath} and its vocabulary {vocabPath}");
        }
        return ExitCodes.Ok;
    }

    /// <summary>One model with its batcher: skip-gram or CBOW.</summary>
    private abstract class Runner
    {
        public abstract IGeneratedModel Model { get; }
        public abstract void StartEpoch(int epoch);
        /// <summary>A training step on the next batch; false at the end of the epoch.</summary>
        public abstract bool Step(ref Sgd sgd, out int words, out float loss);
    }

    private sealed class SkipGramRunner(Corpus corpus, Word2VecOptions o) : Runner
    {
        private readonly SkipGram _model = SkipGram.Create(o.BatchSize, o.Seed);
        private readonly SkipGramBatcher _batcher = new(corpus, o.BatchSize, o.Window, SkipGram.Negatives, o.Subsample, o.Seed);

        public override IGeneratedModel Model => _model;
        public override void StartEpoch(int epoch) => _batcher.StartEpoch(epoch);

        public override bool Step(ref Sgd sgd, out int words, out float loss)
        {
            words = 0;
            loss = 0f;
            if (!_batcher.Next(out int n)) return false;
            loss = _model.TrainStep(_batcher.Centers, _batcher.Contexts, _batcher.Labels, n, ref sgd);
            words = _batcher.WordsConsumed;
            return true;
        }
    }

    private sealed class CbowRunner(Corpus corpus, Word2VecOptions o) : Runner
    {
        private readonly Cbow _model = Cbow.Create(o.BatchSize, o.Seed);
        private readonly CbowBatcher _batcher = new(corpus, o.BatchSize, Cbow.Window, Cbow.Negatives, o.Subsample, o.Seed);

        public override IGeneratedModel Model => _model;
        public override void StartEpoch(int epoch) => _batcher.StartEpoch(epoch);

        public override bool Step(ref Sgd sgd, out int words, out float loss)
        {
            words = 0;
            loss = 0f;
            if (!_batcher.Next(out int n)) return false;
            loss = _model.TrainStep(_batcher.Contexts, _batcher.ContextMask, _batcher.Targets, _batcher.Labels, n, ref sgd);
            words = _batcher.WordsConsumed;
            return true;
        }
    }

    /// <summary><c>deepnotes similar WORD --load FILE [--top N]</c>: nearest words by cosine similarity.</summary>
    public static int Similar(SimilarOptions o, CliContext context)
    {
        string path = Path.GetFullPath(o.LoadPath, context.WorkingDirectory);
        if (!File.Exists(path)) throw new CliException($"checkpoint '{o.LoadPath}' does not exist (write one with 'deepnotes train skipgram --save FILE')");
        string vocabPath = VocabularyPath(path);
        if (!File.Exists(vocabPath)) throw new CliException($"the vocabulary '{vocabPath}' of checkpoint '{o.LoadPath}' does not exist");
        Vocabulary vocabulary;
        try
        {
            vocabulary = Vocabulary.Load(vocabPath);
        }
        catch (InvalidDataException e)
        {
            throw new CliException(e.Message);
        }

        // SkipGram's and Cbow's tables have the same names and shapes (with the roles swapped), so the
        // checkpoint's "model" entry decides which one it is.
        IGeneratedModel model = SkipGram.Create(1);
        IReadOnlyDictionary<string, string> metadata;
        try
        {
            Safetensors.Load(path, model.Tensors, model.Parameters, out metadata);
        }
        catch (InvalidDataException e)
        {
            throw new CliException($"'{o.LoadPath}' is not a skipgram or cbow checkpoint: {e.Message}");
        }
        metadata.TryGetValue("model", out string? written);
        if (written is not ("skipgram" or "cbow"))
            throw new CliException($"'{o.LoadPath}' does not say it holds a skipgram or cbow model (its metadata has model = '{written ?? "nothing"}')");
        bool cbow = written == "cbow";
        if (cbow)
        {
            model = Cbow.Create(1);
            Safetensors.Load(path, model.Tensors, model.Parameters, out _);
        }
        if (vocabulary.Count > (cbow ? Cbow.Vocabulary : SkipGram.Vocabulary))
            throw new CliException($"the vocabulary '{vocabPath}' has {vocabulary.Count} words, more than the model's table");

        if (!vocabulary.TryGetId(o.Word, out int id) || id == Vocabulary.UnknownId)
        {
            string lower = o.Word.ToLowerInvariant();
            if (lower == o.Word || !vocabulary.TryGetId(lower, out id) || id == Vocabulary.UnknownId)
                throw new CliException($"'{o.Word}' is not in the vocabulary ({vocabulary.Count:N0} words of the training corpus)");
        }
        Embeddings embeddings = Embeddings.Of(model, vocabulary, cbow);
        foreach ((int word, float similarity) in embeddings.Nearest(id, o.Top))
            context.Out.WriteLine(TrainCommand.Invariant($"{vocabulary.GetWord(word)}\t{similarity:F4}"));
        return ExitCodes.Ok;
    }

    public static string VocabularyPath(string checkpoint) => checkpoint + ".vocab";

    /// <summary>The corpus: --data FILE, or the shipped data/fortunes.txt.gz above the working directory or the executable.</summary>
    public static string FindCorpus(string? dataPath, string workingDirectory)
    {
        if (dataPath is not null)
        {
            string full = Path.GetFullPath(dataPath, workingDirectory);
            if (Directory.Exists(full)) full = Path.Combine(full, CorpusFile);
            if (!File.Exists(full)) throw new CliException($"corpus '{dataPath}' does not exist (a text file, plain or .gz, one sentence per line)");
            return full;
        }
        string shipped = Path.Combine(DataSource.FindShippedDirectory(workingDirectory), CorpusFile);
        if (!File.Exists(shipped)) throw new CliException($"the shipped corpus '{shipped}' is missing (scripts/make-fortunes-corpus.py rebuilds it)");
        return shipped;
    }
}

/// <summary>A trained model's input vectors, L2-normalised, for cosine-similarity queries.</summary>
internal sealed class Embeddings
{
    private readonly float[] _unit;
    private readonly int _dimension;
    private readonly Vocabulary _vocabulary;

    private Embeddings(float[] unit, int dimension, Vocabulary vocabulary)
    {
        _unit = unit;
        _dimension = dimension;
        _vocabulary = vocabulary;
    }

    /// <summary>The input vectors: SkipGram's Center.weight, Cbow's Context.weight (the rows of the vocabulary only).</summary>
    public static Embeddings Of(IGeneratedModel model, Vocabulary vocabulary, bool cbow)
    {
        string name = cbow ? "Context.weight" : "Center.weight";
        foreach (TensorInfo t in model.Tensors)
        {
            if (t.Name != name) continue;
            int dimension = t.Shape[1];
            var unit = model.Parameters.Slice(t.Offset, vocabulary.Count * dimension).ToArray();
            for (int i = 0; i < vocabulary.Count; i++)
            {
                Span<float> row = unit.AsSpan(i * dimension, dimension);
                float norm = TensorPrimitives.Norm(row);
                if (norm > 0f) TensorPrimitives.Divide(row, norm, row);
            }
            return new Embeddings(unit, dimension, vocabulary);
        }
        throw new InvalidOperationException($"the model has no tensor {name}");
    }

    /// <summary>The <paramref name="top"/> words most similar to <paramref name="id"/> (itself and &lt;unk&gt; excluded), best first.</summary>
    public List<(int Word, float Similarity)> Nearest(int id, int top)
    {
        ReadOnlySpan<float> query = _unit.AsSpan(id * _dimension, _dimension);
        var all = new List<(int Word, float Similarity)>();
        for (int i = 0; i < _vocabulary.Count; i++)
        {
            if (i == id || i == Vocabulary.UnknownId) continue;
            all.Add((i, TensorPrimitives.Dot(query, _unit.AsSpan(i * _dimension, _dimension))));
        }
        all.Sort((a, b) => b.Similarity != a.Similarity ? b.Similarity.CompareTo(a.Similarity) : a.Word.CompareTo(b.Word));
        return all.GetRange(0, Math.Min(top, all.Count));
    }

    /// <summary>"word 0.87, word 0.85, …" for the <paramref name="top"/> nearest words.</summary>
    public string Describe(int id, int top)
        => string.Join(", ", Nearest(id, top).Select(n => TrainCommand.Invariant($"{_vocabulary.GetWord(n.Word)} {n.Similarity:F2}")));
}
