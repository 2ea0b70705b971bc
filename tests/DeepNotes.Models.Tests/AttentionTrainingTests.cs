namespace DeepNotes.Models.Tests;

/// <summary>
/// Attention learns something order-dependent: for random sequences of symbols, name at every position
/// the symbol one step before it. A bag of words (the multiset of the sequence plus its own position)
/// cannot; attention with the positions in its input can, by matching position i to i − 1 in Q·Kᵀ.
/// </summary>
public class AttentionTrainingTests
{
    private const int L = PreviousSymbolAttention.Length, S = PreviousSymbolAttention.Symbols, F = PreviousSymbolAttention.Features;
    private const int Batch = 32;

    /// <summary>Sequences from (seed, first index): inputs [n, L, F] and one-hot targets [n, L, S] (position 0: zeros).</summary>
    private static (float[] X, float[] T, int[] Symbols) Data(int count, ulong seed, ulong first)
    {
        float[] x = new float[count * L * F], t = new float[count * L * S];
        int[] symbols = new int[count * L];
        for (int e = 0; e < count; e++)
            for (int i = 0; i < L; i++)
            {
                int s = CounterRng.NextInt(seed, 1, first + (ulong)(e * L + i), S);
                symbols[e * L + i] = s;
                x[(e * L + i) * F + s] = 1f;
                x[(e * L + i) * F + S + i] = 1f;
                if (i > 0) t[(e * L + i) * S + symbols[e * L + i - 1]] = 1f;
            }
        return (x, t, symbols);
    }

    /// <summary>The share of positions 1..L−1 whose largest output is the previous symbol.</summary>
    private static double Accuracy(float[] y, int[] symbols, int count)
    {
        int right = 0;
        for (int e = 0; e < count; e++)
            for (int i = 1; i < L; i++)
            {
                ReadOnlySpan<float> row = y.AsSpan((e * L + i) * S, S);
                int best = 0;
                for (int c = 1; c < S; c++) if (row[c] > row[best]) best = c;
                right += best == symbols[e * L + i - 1] ? 1 : 0;
            }
        return right / (double)(count * (L - 1));
    }

    [Fact]
    public void AttentionLearnsThePreviousSymbolAndABagOfWordsCannot()
    {
        const int steps = 3000, heldOut = 500;
        float[] ones = Enumerable.Repeat(1f, Math.Max(Batch, heldOut) * L).ToArray();
        var attention = PreviousSymbolAttention.Create(Math.Max(Batch, heldOut), seed: 1);
        var bag = PreviousSymbolBag.Create(Math.Max(Batch, heldOut), seed: 1);
        var sgdA = new Sgd(0.5f, momentum: 0.9f);
        var sgdB = new Sgd(0.5f, momentum: 0.9f);
        for (int step = 0; step < steps; step++)
        {
            (float[] x, float[] t, _) = Data(Batch, 7, (ulong)(step * Batch * L));
            attention.TrainStep(x, t, Batch, ref sgdA);
            bag.TrainStep(x, ones.AsSpan(0, Batch * L), t, Batch, ref sgdB);
        }

        (float[] hx, _, int[] hs) = Data(heldOut, 8, 0);
        float[] y = new float[heldOut * L * S];
        attention.Predict(hx, y, heldOut);
        double attentionAccuracy = Accuracy(y, hs, heldOut);
        bag.Predict(hx, ones.AsSpan(0, heldOut * L), y, heldOut);
        double bagAccuracy = Accuracy(y, hs, heldOut);
        Assert.True(attentionAccuracy >= 0.95 && bagAccuracy <= 0.6,
            $"held-out accuracy: attention {attentionAccuracy:P1}, bag of words {bagAccuracy:P1} (chance 25%)");
    }
}

public class LayoutTests
{
    [Fact]
    public void ReshapePermuteAndTransposeMoveValuesAsPyTorchDoes()
    {
        // y = x.reshape(4, 2, 3).permute(2, 0, 1).transpose(-2, -1): y[c, j, i] = x[i, j·3 + c].
        const int batch = 2;
        var model = LayoutNet.Create(batch, 0);
        float[] x = Enumerable.Range(0, batch * 24).Select(i => (float)i).ToArray(), y = new float[batch * 24];
        model.Predict(x, y, batch);
        for (int b = 0; b < batch; b++)
            for (int c = 0; c < 3; c++)
                for (int j = 0; j < 2; j++)
                    for (int i = 0; i < 4; i++)
                        Assert.Equal(x[b * 24 + i * 6 + j * 3 + c], y[b * 24 + c * 8 + j * 4 + i]);
    }
}
