using System.Diagnostics;
using Xunit.Abstractions;

namespace DeepNotes.Models.Tests;

/// <summary>
/// The language models learn what a bag of words cannot: TransformerEncoderBlock says which of two marked tokens
/// comes first in padded sequences, and Seq2Seq reverses sequences (teacher-forced and greedy).
/// </summary>
public class SequenceModelTests(ITestOutputHelper output)
{
    private const int L = TransformerEncoderBlock.Length, V = TransformerEncoderBlock.Vocabulary;

    /// <summary>
    /// Sequences of 4..8 tokens padded to 8: token 0 and token 1 once each at random positions, fillers 2..15 elsewhere
    /// (padding too, masked). Label 1 when 0 comes before 1. Every sequence and its swap have the same bag and opposite labels.
    /// </summary>
    private static (int[] Tokens, float[] Mask, int[] Labels) FirstTokenData(int count, ulong seed, ulong first)
    {
        int[] tokens = new int[count * L], labels = new int[count];
        float[] mask = new float[count * L];
        for (int e = 0; e < count; e++)
        {
            ulong id = first + (ulong)e;
            int length = 4 + CounterRng.NextInt(seed, 1, id, L - 3);
            int a = CounterRng.NextInt(seed, 2, id, length), b = CounterRng.NextInt(seed, 3, id, length - 1);
            if (b >= a) b++;
            for (int i = 0; i < L; i++)
            {
                tokens[e * L + i] = i == a ? 0 : i == b ? 1 : 2 + CounterRng.NextInt(seed, 4, id * L + (ulong)i, V - 2);
                mask[e * L + i] = i < length ? 1f : 0f;
            }
            labels[e] = a < b ? 1 : 0;
        }
        return (tokens, mask, labels);
    }

    private static double Accuracy(float[] logits, int[] labels, int classes)
    {
        int right = 0;
        for (int e = 0; e < labels.Length; e++)
        {
            ReadOnlySpan<float> row = logits.AsSpan(e * classes, classes);
            int best = 0;
            for (int c = 1; c < classes; c++) if (row[c] > row[best]) best = c;
            right += best == labels[e] ? 1 : 0;
        }
        return right / (double)labels.Length;
    }

    [Fact]
    public void EncoderBlockTellsWhichTokenComesFirstAndABagOfWordsCannot()
    {
        const int batch = 32, steps = 800, heldOut = 1000;
        var block = TransformerEncoderBlock.Create(heldOut, seed: 1);
        var bag = TokenBag.Create(heldOut, seed: 1);
        var sgdT = new Sgd(0.05f, momentum: 0.9f);
        var sgdB = new Sgd(0.05f, momentum: 0.9f);
        var clock = Stopwatch.StartNew();
        for (int step = 0; step < steps; step++)
        {
            (int[] t, float[] m, int[] y) = FirstTokenData(batch, 11, (ulong)(step * batch));
            block.TrainStep(t, m, y, batch, ref sgdT);
        }
        double blockMs = clock.Elapsed.TotalMilliseconds / steps;
        for (int step = 0; step < steps; step++)
        {
            (int[] t, float[] m, int[] y) = FirstTokenData(batch, 11, (ulong)(step * batch));
            bag.TrainStep(t, m, y, batch, ref sgdB);
        }

        (int[] ht, float[] hm, int[] hy) = FirstTokenData(heldOut, 12, 0);
        float[] logits = new float[heldOut * 2];
        block.Predict(ht, hm, logits, heldOut);
        double blockAccuracy = Accuracy(logits, hy, 2);
        bag.Predict(ht, hm, logits, heldOut);
        double bagAccuracy = Accuracy(logits, hy, 2);
        output.WriteLine($"held-out accuracy: encoder block {blockAccuracy:P1}, bag of words {bagAccuracy:P1} (chance 50%); {blockMs:F2} ms per encoder step (batch {batch})");
        Assert.True(blockAccuracy >= 0.97 && bagAccuracy <= 0.6,
            $"held-out accuracy: encoder block {blockAccuracy:P1}, bag of words {bagAccuracy:P1} (chance 50%)");
    }

    private const int S = Seq2Seq.Symbols, T = Seq2Seq.Length;

    /// <summary>Random sources, their reversals as per-position labels, and the teacher-forced decoder input (Start, then the target shifted right).</summary>
    private static (int[] Source, int[] Shifted, int[] Target) ReverseData(int count, ulong seed, ulong first)
    {
        int[] source = new int[count * T], shifted = new int[count * T], target = new int[count * T];
        for (int e = 0; e < count; e++)
        {
            for (int i = 0; i < T; i++) source[e * T + i] = CounterRng.NextInt(seed, 1, first + (ulong)(e * T + i), S);
            for (int i = 0; i < T; i++)
            {
                target[e * T + i] = source[e * T + T - 1 - i];
                shifted[e * T + i] = i == 0 ? Seq2Seq.Start : target[e * T + i - 1];
            }
        }
        return (source, shifted, target);
    }

    private static int ArgMax(ReadOnlySpan<float> row)
    {
        int best = 0;
        for (int c = 1; c < row.Length; c++) if (row[c] > row[best]) best = c;
        return best;
    }

    [Fact]
    public void Seq2SeqReversesSequences()
    {
        const int batch = 32, steps = 1000, heldOut = 500;
        var model = Seq2Seq.Create(heldOut, seed: 1);
        var sgd = new Sgd(0.05f, momentum: 0.9f);
        var clock = Stopwatch.StartNew();
        float loss = 0;
        for (int step = 0; step < steps; step++)
        {
            (int[] src, int[] dec, int[] tgt) = ReverseData(batch, 21, (ulong)(step * batch * T));
            loss = model.TrainStep(src, dec, tgt, batch, ref sgd);
        }
        double trainSeconds = clock.Elapsed.TotalSeconds;

        // Teacher-forced: every position given the true previous targets.
        (int[] hs, int[] hd, int[] ht) = ReverseData(heldOut, 22, 0);
        float[] logits = new float[heldOut * T * S];
        model.Predict(hs, hd, logits, heldOut);
        int right = 0;
        for (int r = 0; r < heldOut * T; r++) right += ArgMax(logits.AsSpan(r * S, S)) == ht[r] ? 1 : 0;
        double teacherForced = right / (double)(heldOut * T);

        // Greedy: the decoder fed its own predictions, one position at a time (causal: later inputs cannot change earlier outputs).
        int[] decoded = new int[heldOut * T], predicted = new int[heldOut * T];
        for (int e = 0; e < heldOut; e++) decoded[e * T] = Seq2Seq.Start;
        for (int i = 0; i < T; i++)
        {
            model.Predict(hs, decoded, logits, heldOut);
            for (int e = 0; e < heldOut; e++)
            {
                predicted[e * T + i] = ArgMax(logits.AsSpan((e * T + i) * S, S));
                if (i + 1 < T) decoded[e * T + i + 1] = predicted[e * T + i];
            }
        }
        int greedyRight = 0, sequencesRight = 0;
        for (int e = 0; e < heldOut; e++)
        {
            bool all = true;
            for (int i = 0; i < T; i++)
            {
                bool ok = predicted[e * T + i] == ht[e * T + i];
                greedyRight += ok ? 1 : 0;
                all &= ok;
            }
            sequencesRight += all ? 1 : 0;
        }
        double greedy = greedyRight / (double)(heldOut * T);
        output.WriteLine($"reverse, {steps} steps of {batch} in {trainSeconds:F1} s ({1000 * trainSeconds / steps:F2} ms/step), last loss {loss:F4}: " +
                         $"teacher-forced token accuracy {teacherForced:P2}, greedy token accuracy {greedy:P2}, whole sequences {sequencesRight / (double)heldOut:P1}");
        Assert.True(teacherForced >= 0.99, $"teacher-forced token accuracy {teacherForced:P2} (greedy {greedy:P2})");
        Assert.True(greedy >= 0.99, $"greedy token accuracy {greedy:P2} (teacher-forced {teacherForced:P2})");
    }
}
