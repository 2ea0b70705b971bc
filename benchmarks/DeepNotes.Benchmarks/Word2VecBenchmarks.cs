using System.IO;
using BenchmarkDotNet.Attributes;
using DeepNotes.Models;
using DeepNotes.Text;

namespace DeepNotes.Benchmarks;

/// <summary>
/// One epoch of word2vec on the shipped fortunes corpus (data/fortunes.txt.gz: 446,610 words, vocabulary
/// 7,768 at min-count 5), window 5, 5 noise words, subsample 1e-3, batch 64, plain SGD at word2vec's
/// starting alpha — the settings of REFERENCE.md's word2vec C figures (≈84,000 words/s per thread for
/// skip-gram, ≈267,000–320,000 for CBOW). Words per second = 446,610 / Mean.
/// </summary>
[MemoryDiagnoser]
public class Word2VecBenchmarks
{
    private const int Batch = 64;
    private Corpus _corpus = null!;
    private SkipGram _skipGram = null!;
    private Cbow _cbow = null!;
    private SkipGramBatcher _pairs = null!;
    private CbowBatcher _windows = null!;
    private Sgd _sgd;
    private int _epoch;
    private int _savedThreads;

    [Params(1, 2)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _savedThreads = Parallelism.ThreadCount;
        Parallelism.ThreadCount = Threads;
        string path = Path.Combine(RepoPaths.Data, "fortunes.txt.gz");
        var vocabulary = Vocabulary.FromFile(path, minCount: 5, maxSize: SkipGram.Vocabulary);
        _corpus = Corpus.Load(path, vocabulary);
        _skipGram = SkipGram.Create(Batch, 1);
        _cbow = Cbow.Create(Batch, 1);
        _pairs = new SkipGramBatcher(_corpus, Batch, window: 5, negatives: SkipGram.Negatives, subsample: 1e-3, seed: 1);
        _windows = new CbowBatcher(_corpus, Batch, window: Cbow.Window, negatives: Cbow.Negatives, subsample: 1e-3, seed: 1);
    }

    [GlobalCleanup]
    public void Cleanup() => Parallelism.ThreadCount = _savedThreads;

    /// <summary>Skip-gram over every word of the corpus; returns the words consumed (the corpus size).</summary>
    [Benchmark]
    public long SkipGramEpoch()
    {
        _sgd = new Sgd(0.025f * Batch * (1 + SkipGram.Negatives));
        _pairs.StartEpoch(_epoch++);
        long words = 0;
        while (_pairs.Next(out int n))
        {
            _skipGram.TrainStep(_pairs.Centers, _pairs.Contexts, _pairs.Labels, n, ref _sgd);
            words += _pairs.WordsConsumed;
        }
        return words;
    }

    /// <summary>CBOW over every word of the corpus.</summary>
    [Benchmark]
    public long CbowEpoch()
    {
        _sgd = new Sgd(0.05f * Batch * (1 + Cbow.Negatives));
        _windows.StartEpoch(_epoch++);
        long words = 0;
        while (_windows.Next(out int n))
        {
            _cbow.TrainStep(_windows.Contexts, _windows.ContextMask, _windows.Targets, _windows.Labels, n, ref _sgd);
            words += _windows.WordsConsumed;
        }
        return words;
    }
}
