using System.Linq;
using DeepNotes.Text;

namespace DeepNotes.Runtime.Tests;

public class Word2VecDataTests
{
    [Fact]
    public void KeepProbabilityIsWord2vecsFormula()
    {
        // word2vec.c: ran = (sqrt(cn / (sample * train_words)) + 1) * (sample * train_words) / cn
        Assert.Equal((Math.Sqrt(21_567 / 446.61) + 1) * 446.61 / 21_567, Subsampler.KeepProbability(21_567, 446_610, 1e-3), 12);
        Assert.Equal(1, Subsampler.KeepProbability(1_000, 446_610, 1e-3)); // (sqrt(2.24) + 1) / 2.24 > 1
        Assert.Equal(1, Subsampler.KeepProbability(21_567, 446_610, 0));
        // The boundary: f = φ² · t · total keeps with probability exactly 1.
        double phi2 = (3 + Math.Sqrt(5)) / 2;
        Assert.Equal(1, Subsampler.KeepProbability((long)(phi2 * 1_000_000), 1_000_000_000, 1e-3), 5);
        Assert.True(Subsampler.KeepProbability((long)(phi2 * 1_000_000) + 10_000, 1_000_000_000, 1e-3) < 1);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Subsampler(new long[] { 1 }, -1e-3));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Subsampler(new long[] { 1 }, double.NaN));
    }

    [Fact]
    public void SubsamplingKeepRatesMatchTheFormulaOnTheShippedCorpus()
    {
        Corpus corpus = ShippedCorpus.Dropped;
        Subsampler sub = new(corpus.TokenCounts, 1e-3);
        Assert.Equal(corpus.TokenCount, sub.TotalCount);
        ReadOnlySpan<int> tokens = corpus.Tokens;
        ulong stream = ContextWalker.SubsampleStream(3);

        // Over the corpus (each occurrence one draw at its position, as the batchers draw): per word, the kept
        // fraction is within 5 standard deviations of the formula, for the 30 most frequent words.
        long[] kept = new long[corpus.Vocabulary.Count];
        for (int p = 0; p < tokens.Length; p++)
        {
            if (sub.Keep(tokens[p], 11, stream, (ulong)p)) kept[tokens[p]]++;
        }
        for (int id = 1; id <= 30; id++)
        {
            long n = corpus.TokenCounts[id];
            double p = Subsampler.KeepProbability(n, corpus.TokenCount, 1e-3);
            Assert.True(p < 1, $"{corpus.Vocabulary.GetWord(id)} should be subsampled");
            double sigma = Math.Sqrt(p * (1 - p) / n);
            double rate = (double)kept[id] / n;
            Assert.True(Math.Abs(rate - p) < 5 * sigma + 1e-6,
                $"{corpus.Vocabulary.GetWord(id)}: kept {rate:F4} of {n}, formula {p:F4} (sigma {sigma:F4})");
        }
        // Words at or below φ²·t·total (≈1,169 here) are always kept.
        for (int id = 1; id < corpus.Vocabulary.Count; id++)
        {
            if (corpus.TokenCounts[id] <= 1_000) Assert.Equal(corpus.TokenCounts[id], kept[id]);
        }

        // One word, many draws: a tighter check of the rate.
        double pThe = sub.GetKeepProbability(1);
        int keptThe = 0;
        const int draws = 400_000;
        for (int i = 0; i < draws; i++) if (sub.Keep(1, 5, 9, (ulong)i)) keptThe++;
        Assert.True(Math.Abs((double)keptThe / draws - pThe) < 5 * Math.Sqrt(pThe * (1 - pThe) / draws));
    }

    [Fact]
    public void NegativeSamplesFollowCountsToTheThreeQuarters()
    {
        Corpus corpus = ShippedCorpus.Dropped;
        NegativeSampler sampler = new(corpus.TokenCounts);
        int v = corpus.Vocabulary.Count;
        double norm = 0;
        for (int id = 0; id < v; id++) norm += Math.Pow(corpus.TokenCounts[id], 0.75);
        Assert.Equal(0, sampler.Probability(Vocabulary.UnknownId)); // dropped from the corpus, never drawn
        Assert.Equal(Math.Pow(21_567, 0.75) / norm, sampler.Probability(1), 12);
        Assert.Equal(1, Enumerable.Range(0, v).Sum(sampler.Probability), 9);

        const int draws = 4_000_000;
        long[] hits = new long[v];
        for (int i = 0; i < draws; i++) hits[sampler.Sample(2024, 1, (ulong)i)]++;
        Assert.Equal(0, hits[Vocabulary.UnknownId]);

        // The most frequent words, each within 5 standard deviations (about 1-3 % relative here).
        for (int id = 1; id <= 50; id++)
        {
            double p = sampler.Probability(id);
            double expected = p * draws;
            double sigma = Math.Sqrt(draws * p * (1 - p));
            Assert.True(Math.Abs(hits[id] - expected) < 5 * sigma,
                $"{corpus.Vocabulary.GetWord(id)}: {hits[id]} draws, expected {expected:F0} ± {sigma:F0}");
        }

        // All words: Pearson's chi-square against counts^0.75, within df + 5·sqrt(2·df).
        double chi2 = 0;
        int cells = 0;
        for (int id = 1; id < v; id++)
        {
            double expected = sampler.Probability(id) * draws;
            chi2 += (hits[id] - expected) * (hits[id] - expected) / expected;
            cells++;
        }
        int df = cells - 1;
        Assert.True(chi2 < df + 5 * Math.Sqrt(2.0 * df), $"chi-square {chi2:F0} with {df} degrees of freedom");
        Assert.True(chi2 > df - 5 * Math.Sqrt(2.0 * df), $"chi-square {chi2:F0} with {df} degrees of freedom is suspiciously small");
    }

    [Fact]
    public void AliasTableIsExactOnASmallDistribution()
    {
        // counts^0.75 of 16, 0, 1, 81 are 8, 0, 1, 27: probabilities 8/36, 0, 1/36, 27/36.
        NegativeSampler sampler = new(new long[] { 16, 0, 1, 81 });
        Assert.Equal(new[] { 8 / 36.0, 0, 1 / 36.0, 27 / 36.0 }, Enumerable.Range(0, 4).Select(sampler.Probability), new ToleranceComparer(1e-12));
        const int draws = 720_000;
        int[] hits = new int[4];
        for (int i = 0; i < draws; i++) hits[sampler.Sample(1, 2, (ulong)i)]++;
        Assert.Equal(0, hits[1]);
        for (int id = 0; id < 4; id++)
        {
            double p = sampler.Probability(id);
            Assert.True(Math.Abs(hits[id] - p * draws) <= 5 * Math.Sqrt(draws * p * (1 - p)) + 1e-9, $"id {id}: {hits[id]}");
        }
        Assert.Throws<ArgumentException>(() => new NegativeSampler(new long[] { 0, 0 }));
        Assert.Throws<ArgumentException>(() => new NegativeSampler(new long[] { 3, -1 }));
    }

    /// <summary>A corpus whose every token is a distinct word, w{position}, so ids give positions back.</summary>
    private static Corpus Numbered(int[] lineLengths, out int[] lineOfPosition)
    {
        List<string> lines = new();
        List<int> lineOf = new();
        int position = 0;
        for (int l = 0; l < lineLengths.Length; l++)
        {
            lines.Add(string.Join(' ', Enumerable.Range(position, lineLengths[l]).Select(p => "w" + p)));
            lineOf.AddRange(Enumerable.Repeat(l, lineLengths[l]));
            position += lineLengths[l];
        }
        Vocabulary vocab = Vocabulary.Build(Enumerable.Range(0, position).Select(p => new KeyValuePair<string, long>("w" + p, 1)));
        Corpus corpus = Corpus.FromLines(lines, vocab);
        lineOfPosition = lineOf.ToArray();
        return corpus;
    }

    /// <summary>The position of a token of <see cref="Numbered"/> from its id.</summary>
    private static int PositionOf(Corpus corpus, int id) => int.Parse(corpus.Vocabulary.GetWord(id).AsSpan(1));

    [Fact]
    public void SkipGramWindowsStayInTheLineExcludeTheCenterAndShrinkLikeWord2vec()
    {
        int[] lengths = { 1, 40, 2, 0, 7, 1, 3, 120, 5 };
        Corpus corpus = Numbered(lengths, out int[] lineOf);
        const int window = 4;
        SkipGramBatcher batcher = new(corpus, batchSize: 13, window, negatives: 3, subsample: 0, seed: 5);
        batcher.StartEpoch(0);
        Dictionary<int, List<int>> offsets = new();
        while (batcher.Next(out int b))
        {
            for (int r = 0; r < b; r++)
            {
                int center = PositionOf(corpus, batcher.Centers[r]);
                int context = PositionOf(corpus, batcher.Contexts[r * batcher.Columns]);
                Assert.NotEqual(center, context);
                Assert.Equal(lineOf[center], lineOf[context]);
                Assert.InRange(Math.Abs(context - center), 1, window);
                if (!offsets.TryGetValue(center, out List<int>? list)) offsets[center] = list = new();
                list.Add(context - center);
                Assert.Equal(1f, batcher.Labels[r * batcher.Columns]);
                for (int k = 1; k < batcher.Columns; k++) Assert.Equal(0f, batcher.Labels[r * batcher.Columns + k]);
            }
        }

        // Every word of a line of at least two words is a center, single words never are.
        int[] centers = offsets.Keys.Order().ToArray();
        Assert.Equal(Enumerable.Range(0, corpus.TokenCount).Where(p => lengths[lineOf[p]] >= 2), centers);

        // Each center pairs with every word of a symmetric window radius r in [1, window], clipped to its line.
        int[] radiusHistogram = new int[window + 1];
        int start = 0;
        foreach (int length in lengths)
        {
            for (int p = start; p < start + length && length >= 2; p++)
            {
                int[] seen = offsets[p].ToArray();
                int radius = Math.Max(seen.Max(), -seen.Min());
                int[] expected = Enumerable.Range(-radius, 2 * radius + 1)
                    .Where(o => o != 0 && p + o >= start && p + o < start + length).ToArray();
                if (p - radius >= start && p + radius < start + length) radiusHistogram[radius]++;
                Assert.Equal(expected, seen);
            }
            start += length;
        }
        // Radii of the interior centers are uniform on 1..window (about 110 of them; a loose check that all occur).
        for (int r = 1; r <= window; r++) Assert.True(radiusHistogram[r] >= 10, $"radius {r} seen {radiusHistogram[r]} times");
    }

    [Fact]
    public void ReducedWindowRadiusIsUniformOnTheShippedCorpus()
    {
        // Without subsampling, the share of pairs at distance d is proportional to P(r >= d) = (window - d + 1) / window
        // (for centers away from line ends); check it through the internal walker over the whole corpus.
        Corpus corpus = ShippedCorpus.Dropped;
        const int window = 5;
        ContextWalker walker = new(corpus, window, subsample: 0, seed: 3);
        walker.StartEpoch(0);
        int[] radii = new int[window + 1];
        int centers = 0;
        while (walker.HasCenter)
        {
            ReadOnlySpan<int> kept = walker.Kept;
            int line = corpus.LineOf(kept[walker.Center]);
            Assert.Equal(line, corpus.LineOf(kept[0]));
            Assert.Equal(line, corpus.LineOf(kept[^1]));
            radii[walker.Radius]++;
            centers++;
            walker.NextCenter();
        }
        Assert.Equal(corpus.TokenCount, walker.Consumed);
        for (int r = 1; r <= window; r++)
        {
            double p = 1.0 / window;
            Assert.True(Math.Abs(radii[r] - p * centers) < 5 * Math.Sqrt(centers * p * (1 - p)), $"radius {r}: {radii[r]} of {centers}");
        }
        Assert.Equal(0, radii[0]);
    }

    [Fact]
    public void SubsampledWindowsStayInsideTheirLine()
    {
        // With subsampling, windows are counted in the subsampled line (as in word2vec.c) but never leave it.
        Corpus corpus = ShippedCorpus.Dropped;
        ContextWalker walker = new(corpus, window: 5, subsample: 1e-3, seed: 8);
        walker.StartEpoch(2);
        long centers = 0;
        int lastLine = -1, lastConsumed = 0;
        while (walker.HasCenter)
        {
            ReadOnlySpan<int> kept = walker.Kept;
            int line = corpus.LineOf(kept[walker.Center]);
            Assert.True(line >= lastLine);
            lastLine = line;
            Assert.True(kept.Length >= 2);
            Assert.Equal(corpus.LineStarts[line], corpus.LineStarts[corpus.LineOf(kept[0])]);
            Assert.True(kept[^1] < corpus.LineStarts[line + 1]);
            Assert.InRange(walker.WindowEnd - walker.WindowStart, 2, 11);
            Assert.True(walker.Consumed > lastConsumed);
            lastConsumed = walker.Consumed;
            centers++;
            walker.NextCenter();
        }
        Assert.Equal(corpus.TokenCount, walker.Consumed);
        // About 75 % of the 408,335 words survive subsampling at 1e-3 on this corpus (307,476 for this seed and epoch).
        Assert.InRange(centers, 280_000, 330_000);
    }

    [Fact]
    public void CbowRowsHoldTheWindowLeftPackedWithPaddingMaskAndCount()
    {
        int[] lengths = { 3, 1, 30, 0, 2, 9 };
        Corpus corpus = Numbered(lengths, out int[] lineOf);
        const int window = 3;
        CbowBatcher batcher = new(corpus, batchSize: 4, window, negatives: 2, subsample: 0, seed: 1, paddingId: -1);
        Assert.Equal(6, batcher.ContextWidth);
        batcher.StartEpoch(0);
        List<int> targets = new();
        while (batcher.Next(out int b))
        {
            for (int r = 0; r < b; r++)
            {
                int target = PositionOf(corpus, batcher.Targets[r * batcher.Columns]);
                targets.Add(target);
                int n = batcher.ContextCounts[r];
                Assert.InRange(n, 1, 2 * window);
                ReadOnlySpan<int> row = batcher.Contexts.Slice(r * 6, 6);
                ReadOnlySpan<float> mask = batcher.ContextMask.Slice(r * 6, 6);
                int[] positions = row[..n].ToArray().Select(id => PositionOf(corpus, id)).ToArray();
                Assert.Equal(positions.Order(), positions); // left to right
                int radius = Math.Max(target - positions.Min(), positions.Max() - target);
                int lineStart = corpus.LineStarts[lineOf[target]], lineEnd = corpus.LineStarts[lineOf[target] + 1];
                int[] expected = Enumerable.Range(target - radius, 2 * radius + 1)
                    .Where(p => p != target && p >= lineStart && p < lineEnd).ToArray();
                Assert.Equal(expected, positions);
                Assert.InRange(radius, 1, window);
                for (int s = 0; s < 6; s++)
                {
                    Assert.Equal(s < n ? 1f : 0f, mask[s]);
                    if (s >= n) Assert.Equal(-1, row[s]);
                }
                Assert.Equal(new[] { 1f, 0f, 0f }, batcher.Labels.Slice(r * 3, 3).ToArray());
                for (int k = 1; k < 3; k++) Assert.NotEqual(batcher.Targets[r * 3], batcher.Targets[r * 3 + k]);
            }
        }
        Assert.Equal(Enumerable.Range(0, corpus.TokenCount).Where(p => lengths[lineOf[p]] >= 2), targets);
    }

    [Fact]
    public void BatchesAreAFunctionOfSeedAndEpochOnlyNotOfTheBatchSize()
    {
        Corpus corpus = ShippedCorpus.Dropped;
        (int[] centers, int[] contexts) = SkipGramEpoch(new SkipGramBatcher(corpus, 512, seed: 42), 1, maxBatches: 400);
        SkipGramBatcher other = new(corpus, 173, seed: 42);
        SkipGramEpoch(other, 0, maxBatches: 50); // an unrelated epoch first
        (int[] centers2, int[] contexts2) = SkipGramEpoch(other, 1, maxBatches: 1200);
        int n = Math.Min(centers.Length, centers2.Length);
        Assert.True(n > 150_000);
        Assert.Equal(centers[..n], centers2[..n]);
        Assert.Equal(contexts[..(n * 6)], contexts2[..(n * 6)]);

        (int[] centersEpoch2, _) = SkipGramEpoch(new SkipGramBatcher(corpus, 512, seed: 42), 2, maxBatches: 400);
        (int[] centersSeed, _) = SkipGramEpoch(new SkipGramBatcher(corpus, 512, seed: 43), 1, maxBatches: 400);
        Assert.NotEqual(centers[..1000], centersEpoch2[..1000]);
        Assert.NotEqual(centers[..1000], centersSeed[..1000]);

        CbowBatcher cbowA = new(corpus, 256, seed: 9), cbowB = new(corpus, 100, seed: 9);
        Assert.Equal(CbowEpoch(cbowA, 3, 100), CbowEpoch(cbowB, 3, 256)[..(100 * 256 * 17)]);
    }

    [Fact]
    public void NoiseWordsNeverEqualThePositiveAndFollowTheSamplerOtherwise()
    {
        Corpus corpus = ShippedCorpus.Dropped;
        SkipGramBatcher excluding = new(corpus, 1024, negatives: 5, seed: 7);
        SkipGramBatcher raw = new(corpus, 1024, negatives: 5, seed: 7, excludePositive: false);
        Assert.True(excluding.ExcludesPositive);
        int v = corpus.Vocabulary.Count;
        long[] hits = new long[v];
        long total = 0, collisions = 0;
        excluding.StartEpoch(0);
        raw.StartEpoch(0);
        for (int batch = 0; batch < 300 && excluding.Next(out int b); batch++)
        {
            Assert.True(raw.Next(out int b2));
            Assert.Equal(b, b2);
            for (int r = 0; r < b; r++)
            {
                ReadOnlySpan<int> row = excluding.Contexts.Slice(r * 6, 6);
                ReadOnlySpan<int> rawRow = raw.Contexts.Slice(r * 6, 6);
                Assert.Equal(row[0], rawRow[0]);
                for (int k = 1; k < 6; k++)
                {
                    Assert.NotEqual(row[0], row[k]);
                    if (rawRow[k] == rawRow[0]) collisions++;
                    else Assert.Equal(rawRow[k], row[k]); // only colliding draws are redrawn
                    hits[rawRow[k]]++;
                    total++;
                }
            }
        }
        Assert.True(collisions > 0, "with 1.5 million draws some should hit the positive word");
        // The raw noise column follows the sampler: the most frequent words within 5 sigma.
        for (int id = 1; id <= 20; id++)
        {
            double p = raw.NegativeSampler.Probability(id);
            Assert.True(Math.Abs(hits[id] - p * total) < 5 * Math.Sqrt(total * p * (1 - p)), $"{corpus.Vocabulary.GetWord(id)}");
        }
    }

    [Fact]
    public void WordsConsumedSumToTheCorpusAndBatchingAllocatesNothing()
    {
        Corpus corpus = ShippedCorpus.Dropped;
        SkipGramBatcher skipGram = new(corpus, 512, seed: 1);
        CbowBatcher cbow = new(corpus, 512, seed: 1);

        // Warm-up (JIT), then whole epochs, counted.
        skipGram.StartEpoch(0);
        skipGram.Next(out _);
        cbow.StartEpoch(0);
        cbow.Next(out _);

        long before = GC.GetAllocatedBytesForCurrentThread();
        long skipWords = 0, skipBatches = 0, cbowWords = 0, cbowBatches = 0, pairs = 0;
        for (int epoch = 1; epoch <= 2; epoch++)
        {
            skipGram.StartEpoch(epoch);
            while (skipGram.Next(out int b))
            {
                skipWords += skipGram.WordsConsumed;
                pairs += b;
                skipBatches++;
            }
            cbow.StartEpoch(epoch);
            while (cbow.Next(out _))
            {
                cbowWords += cbow.WordsConsumed;
                cbowBatches++;
            }
        }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);

        Assert.Equal(2L * corpus.TokenCount, skipWords);
        Assert.Equal(2L * corpus.TokenCount, cbowWords);
        Assert.Equal(corpus.TokenCount, skipGram.EpochWordsConsumed);
        Assert.True(skipBatches > 1_000 && cbowBatches > 500, $"{skipBatches} skip-gram and {cbowBatches} CBOW batches");
        Assert.Equal(pairs, skipGram.EpochPairs * 2, tolerance: pairs / 50); // two epochs, similar sizes
        Assert.False(skipGram.Next(out int after));
        Assert.Equal(0, after);
        Assert.Equal(0, skipGram.WordsConsumed);
    }

    [Fact]
    public void BatchersValidateTheirArguments()
    {
        Corpus corpus = ShippedCorpus.Dropped;
        Assert.Throws<ArgumentOutOfRangeException>(() => new SkipGramBatcher(corpus, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SkipGramBatcher(corpus, 8, window: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SkipGramBatcher(corpus, 8, negatives: -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new CbowBatcher(corpus, 8, subsample: -1));
        Assert.Throws<ArgumentException>(() => new CbowBatcher(corpus, 8, sampler: new NegativeSampler(new long[] { 1, 2 })));
        Vocabulary vocab = Vocabulary.Build(TokenizerTests.Counts(("a", 1)));
        Assert.Contains("no tokens", Assert.Throws<ArgumentException>(() => new SkipGramBatcher(Corpus.FromLines(new[] { "" }, vocab), 8)).Message);
        Assert.Throws<InvalidOperationException>(() => new SkipGramBatcher(corpus, 8).Next(out _));
        Assert.Throws<InvalidOperationException>(() => new CbowBatcher(corpus, 8).Next(out _));
    }

    private static (int[] Centers, int[] Contexts) SkipGramEpoch(SkipGramBatcher batcher, int epoch, int maxBatches)
    {
        List<int> centers = new(), contexts = new();
        batcher.StartEpoch(epoch);
        for (int i = 0; i < maxBatches && batcher.Next(out _); i++)
        {
            centers.AddRange(batcher.Centers.ToArray());
            contexts.AddRange(batcher.Contexts.ToArray());
        }
        return (centers.ToArray(), contexts.ToArray());
    }

    /// <summary>The first rows of an epoch, flattened: 10 context slots, count, 6 targets per row (17 ints).</summary>
    private static int[] CbowEpoch(CbowBatcher batcher, int epoch, int maxBatches)
    {
        List<int> rows = new();
        batcher.StartEpoch(epoch);
        for (int i = 0; i < maxBatches && batcher.Next(out int b); i++)
        {
            for (int r = 0; r < b; r++)
            {
                rows.AddRange(batcher.Contexts.Slice(r * 10, 10).ToArray());
                rows.Add(batcher.ContextCounts[r]);
                rows.AddRange(batcher.Targets.Slice(r * 6, 6).ToArray());
            }
        }
        return rows.ToArray();
    }

    private sealed class ToleranceComparer(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= tolerance;
        public int GetHashCode(double obj) => 0;
    }
}
