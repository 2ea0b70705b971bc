using Xunit.Abstractions;

namespace DeepNotes.Models.Tests;

/// <summary>
/// word2vec learns what it is meant to learn: on a synthetic corpus where the two words of each planted
/// pair appear between the same neighbours (and nowhere else), skip-gram and CBOW, trained with the
/// shipped models, make each planted word the other's nearest neighbour by cosine similarity.
/// </summary>
public class PlantedStructureTests(ITestOutputHelper output)
{
    [Fact]
    public void SkipGramPutsPlantedPairsTogether()
    {
        var corpus = new PlantedCorpus(seed: 1);
        const int batch = 64, columns = 1 + SkipGram.Negatives;
        var model = SkipGram.Create(batch, seed: 2);
        var sgd = new Sgd(Rate(batch, columns));
        var centers = new int[batch];
        var contexts = new int[batch * columns];
        float[] labels = Word2VecData.Labels(batch, columns);
        (int Center, int Context)[] pairs = corpus.SkipGramPairs(window: 2).ToArray();
        float first = 0, last = 0;
        for (int epoch = 0; epoch < Epochs; epoch++)
        {
            int[] order = corpus.Shuffled(pairs.Length, epoch);
            double sum = 0;
            int steps = 0;
            for (int start = 0; start + batch <= order.Length; start += batch, steps++)
            {
                for (int b = 0; b < batch; b++)
                {
                    (int center, int context) = pairs[order[start + b]];
                    centers[b] = center;
                    contexts[b * columns] = context;
                    corpus.Negatives(contexts.AsSpan(b * columns + 1, columns - 1), context, epoch, start + b);
                }
                sum += model.TrainStep(centers, contexts, labels, batch, ref sgd);
            }
            if (epoch == 0) first = (float)(sum / steps);
            last = (float)(sum / steps);
        }
        output.WriteLine($"skip-gram: mean loss {first:F4} in the first epoch, {last:F4} in the last");
        Assert.True(last < first, "the loss did not fall");
        AssertPairsAreNearestNeighbours(corpus, model.Tensors[0], model.Parameters, "skip-gram");
    }

    [Fact]
    public void CbowPutsPlantedPairsTogether()
    {
        var corpus = new PlantedCorpus(seed: 3);
        const int batch = 64, width = 2 * Cbow.Window, columns = 1 + Cbow.Negatives;
        var model = Cbow.Create(batch, seed: 4);
        var sgd = new Sgd(Rate(batch, columns));
        var contexts = new int[batch * width];
        var mask = new float[batch * width];
        var targets = new int[batch * columns];
        float[] labels = Word2VecData.Labels(batch, columns);
        (int Center, int[] Window)[] rows = corpus.CbowRows(window: 2).ToArray();
        float first = 0, last = 0;
        for (int epoch = 0; epoch < Epochs; epoch++)
        {
            int[] order = corpus.Shuffled(rows.Length, epoch);
            double sum = 0;
            int steps = 0;
            for (int start = 0; start + batch <= order.Length; start += batch, steps++)
            {
                for (int b = 0; b < batch; b++)
                {
                    (int center, int[] window) = rows[order[start + b]];
                    // CbowBatcher's layout: the valid words first, then padding id 0 (<unk>) with mask 0.
                    Span<int> slots = contexts.AsSpan(b * width, width);
                    Span<float> weights = mask.AsSpan(b * width, width);
                    slots.Clear();
                    weights.Clear();
                    window.CopyTo(slots);
                    weights[..window.Length].Fill(1f);
                    targets[b * columns] = center;
                    corpus.Negatives(targets.AsSpan(b * columns + 1, columns - 1), center, epoch, start + b);
                }
                sum += model.TrainStep(contexts, mask, targets, labels, batch, ref sgd);
            }
            if (epoch == 0) first = (float)(sum / steps);
            last = (float)(sum / steps);
        }
        output.WriteLine($"CBOW: mean loss {first:F4} in the first epoch, {last:F4} in the last");
        Assert.True(last < first, "the loss did not fall");
        AssertPairsAreNearestNeighbours(corpus, model.Tensors[0], model.Parameters, "CBOW");
    }

    private const int Epochs = 8;

    /// <summary>
    /// word2vec's per-pair rate, 0.025, for a loss that is the mean over the batch's (1 + K) columns: the
    /// gradient of one score is (σ − label) / (batch · columns), so the same step per pair takes a rate
    /// batch · columns times larger.
    /// </summary>
    private static float Rate(int batch, int columns) => 0.025f * batch * columns;

    private void AssertPairsAreNearestNeighbours(PlantedCorpus corpus, TensorInfo table, ReadOnlySpan<float> parameters, string what)
    {
        int width = table.Shape[1];
        float[] vectors = parameters.Slice(table.Offset, table.Length).ToArray();
        float Cosine(int a, int b)
        {
            ReadOnlySpan<float> x = vectors.AsSpan(a * width, width), y = vectors.AsSpan(b * width, width);
            return System.Numerics.Tensors.TensorPrimitives.CosineSimilarity(x, y);
        }
        int[] ByCosine(int word) => Enumerable.Range(1, corpus.Words).Where(w => w != word).OrderByDescending(w => Cosine(word, w)).ToArray();

        var failures = new List<string>();
        foreach ((int a, int b) in corpus.Pairs)
        {
            int[] na = ByCosine(a), nb = ByCosine(b);
            output.WriteLine($"{what}: pair ({a}, {b}) cosine {Cosine(a, b):F3}; nearest of {a}: {na[0]}, then {na[1]} ({Cosine(a, na[1]):F3}); of {b}: {nb[0]}, then {nb[1]} ({Cosine(b, nb[1]):F3})");
            if (na[0] != b || nb[0] != a) failures.Add($"({a}, {b}): nearest {na[0]} and {nb[0]}");
        }
        Assert.True(failures.Count == 0, $"{what}: planted pairs that are not each other's nearest neighbours: " + string.Join("; ", failures));
    }
}

/// <summary>
/// A corpus with planted structure. Each of <see cref="PairCount"/> groups has two pair words and its own
/// two left and two right neighbours; a sentence is <c>noise L1 L2 X R1 R2 noise</c> with X one of the
/// group's pair words at random, so the two words of a pair have the same contexts and no other word
/// has theirs. Noise words are shared by every group. Ids start at 1: 0 is &lt;unk&gt;, never in the text.
/// </summary>
internal sealed class PlantedCorpus
{
    public const int PairCount = 8, NoiseWords = 12, Sentences = 3000;
    private const int GroupSize = 6; // A, B, L1, L2, R1, R2
    private readonly ulong _seed;
    private readonly List<int[]> _sentences = new();
    private readonly double[] _noiseCdf; // unigram^0.75, word2vec's noise distribution

    public PlantedCorpus(ulong seed)
    {
        _seed = seed;
        var counts = new long[Words + 1];
        for (int s = 0; s < Sentences; s++)
        {
            int group = CounterRng.NextInt(seed, 1, (ulong)s, PairCount);
            int first = 1 + group * GroupSize;
            int x = first + CounterRng.NextInt(seed, 2, (ulong)s, 2);
            int Noise(int k) => 1 + PairCount * GroupSize + CounterRng.NextInt(seed, 3, (ulong)(2 * s + k), NoiseWords);
            int[] sentence = [Noise(0), first + 2, first + 3, x, first + 4, first + 5, Noise(1)];
            _sentences.Add(sentence);
            foreach (int w in sentence) counts[w]++;
        }
        _noiseCdf = new double[Words + 1];
        double total = 0;
        for (int w = 1; w <= Words; w++) _noiseCdf[w] = total += Math.Pow(counts[w], 0.75);
        for (int w = 1; w <= Words; w++) _noiseCdf[w] /= total;
    }

    /// <summary>Word ids 1..Words.</summary>
    public int Words => PairCount * GroupSize + NoiseWords;

    public IEnumerable<(int A, int B)> Pairs => Enumerable.Range(0, PairCount).Select(g => (1 + g * GroupSize, 2 + g * GroupSize));

    /// <summary>Every (center, context) pair at most <paramref name="window"/> apart in a sentence.</summary>
    public IEnumerable<(int Center, int Context)> SkipGramPairs(int window)
    {
        foreach (int[] s in _sentences)
            for (int i = 0; i < s.Length; i++)
                for (int j = Math.Max(0, i - window); j <= Math.Min(s.Length - 1, i + window); j++)
                    if (j != i) yield return (s[i], s[j]);
    }

    /// <summary>Every word with the words at most <paramref name="window"/> away, left to right (fewer near the ends).</summary>
    public IEnumerable<(int Center, int[] Window)> CbowRows(int window)
    {
        foreach (int[] s in _sentences)
            for (int i = 0; i < s.Length; i++)
                yield return (s[i], Enumerable.Range(Math.Max(0, i - window), Math.Min(s.Length - 1, i + window) - Math.Max(0, i - window) + 1)
                    .Where(j => j != i).Select(j => s[j]).ToArray());
    }

    public int[] Shuffled(int count, int epoch)
    {
        int[] order = Enumerable.Range(0, count).ToArray();
        CounterRng.Shuffle(order, _seed, 100 + (ulong)epoch);
        return order;
    }

    /// <summary>Noise words from unigram^0.75, redrawn when equal to <paramref name="positive"/>.</summary>
    public void Negatives(Span<int> into, int positive, int epoch, int row)
    {
        ulong counter = ((ulong)epoch << 40) + (ulong)row * 64;
        for (int k = 0; k < into.Length; k++)
        {
            int w;
            do
            {
                double u = CounterRng.Uniform(_seed, 7, counter++);
                w = Array.BinarySearch(_noiseCdf, 1, Words, u);
                w = w < 0 ? Math.Min(~w, Words) : w;
            }
            while (w == positive);
            into[k] = w;
        }
    }
}
