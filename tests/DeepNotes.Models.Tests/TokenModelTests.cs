namespace DeepNotes.Models.Tests;

/// <summary>
/// The generated API of models with token inputs: constants, typed spans, id checks, the word2vec
/// initialisation, what Predict computes, and the sparse gradients and updates of embedding tables.
/// </summary>
public class TokenModelTests
{
    private const int K1 = 1 + SkipGram.Negatives;

    [Fact]
    public void ConstantsTensorsAndInitialisation()
    {
        Assert.Equal((1, 6, 6, 6), (SkipGram.CenterSize, SkipGram.ContextsSize, SkipGram.OutputSize, SkipGram.TargetSize));
        Assert.Equal((10, 10, 6, 6), (Cbow.ContextsSize, Cbow.ContextMaskSize, Cbow.TargetsSize, Cbow.TargetSize));
        Assert.Equal(2 * 10_000 * 100, SkipGram.ParameterCount);
        var model = SkipGram.Create(2, seed: 5);
        Assert.Equal(["Center.weight [10000, 100]", "Context.weight [10000, 100]"], model.Tensors.ToArray().Select(t => t.ToString()));
        // word2vec: input vectors U(−0.5/dim, 0.5/dim), output vectors 0.
        float[] input = model.Parameters[..1_000_000].ToArray();
        Assert.True(input.All(v => MathF.Abs(v) <= 0.005f));
        Assert.True(input.Max() > 0.0049f && input.Min() < -0.0049f);
        Assert.True(model.Parameters[1_000_000..].ToArray().All(v => v == 0f));
        Assert.True(SkipGram.Create(1, seed: 5).Parameters.SequenceEqual(model.Parameters));
        // [Embedding(..., Init = Init.Normal)] is PyTorch's N(0, 1) unless Std says otherwise.
        float[] normal = EmbeddingNet.Create(1, seed: 3).Parameters[..21].ToArray();
        Assert.InRange(Math.Sqrt(normal.Select(v => (double)v * v).Average()), 0.5, 1.6);
    }

    [Fact]
    public void PredictScoresEachPairByTheDotProductOfItsVectors()
    {
        const int batch = 3;
        var model = SkipGram.Create(batch, 1);
        Initializers.Normal(model.Parameters, 0.5f, 9, 0);
        int[] centers = [4, 9_999, 4];
        int[] contexts = Word2VecData.Ids(batch * K1, 10_000, 6);
        var scores = new float[batch * K1];
        model.Predict(centers, contexts, scores, batch);
        for (int b = 0; b < batch; b++)
            for (int j = 0; j < K1; j++)
                Assert.Equal(Dot(Row(model, 0, centers[b]), Row(model, 1, contexts[b * K1 + j])), scores[b * K1 + j], 4);
    }

    [Fact]
    public void CbowAveragesOnlyTheValidSlots()
    {
        const int batch = 2, width = 2 * Cbow.Window;
        var model = Cbow.Create(batch, 1);
        Initializers.Normal(model.Parameters, 0.5f, 9, 0);
        (int[] contexts, float[] mask) = Word2VecData.Windows(batch, width, [3, 10], 10_000, 2);
        int[] targets = Word2VecData.Ids(batch * K1, 10_000, 3);
        var scores = new float[batch * K1];
        model.Predict(contexts, mask, targets, scores, batch);
        for (int b = 0; b < batch; b++)
        {
            int count = (int)mask.Skip(b * width).Take(width).Sum();
            var h = new float[Cbow.Dimension];
            for (int s = 0; s < count; s++)
                for (int d = 0; d < h.Length; d++) h[d] += Row(model, 0, contexts[b * width + s])[d] / count;
            for (int j = 0; j < K1; j++) Assert.Equal(Dot(h, Row(model, 1, targets[b * K1 + j])), scores[b * K1 + j], 4);
        }
    }

    [Fact]
    public void TokenIdsAreCheckedBeforeAnythingIsWritten()
    {
        var model = SkipGram.Create(4, 1);
        var sgd = new Sgd(0.1f);
        float[] before = model.Parameters.ToArray();
        int[] contexts = Word2VecData.Ids(2 * K1, 10_000, 1);
        contexts[K1 + 2] = 10_000;
        float[] labels = Word2VecData.Labels(2, K1);
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => model.TrainStep([1, 2], contexts, labels, 2, ref sgd));
        Assert.Equal("contexts", error.ParamName);
        Assert.StartsWith("contexts[8] (example 1, position 2) is 10000, not a token id in [0, 10000)", error.Message);
        error = Assert.Throws<ArgumentOutOfRangeException>(() => model.Predict([1, -3], contexts, new float[2 * K1], 2));
        Assert.StartsWith("center[1] (example 1, position 0) is -3, not a token id in [0, 10000)", error.Message);
        Assert.True(model.Parameters.SequenceEqual(before));
        Assert.Equal(0, model.Step);
        // Lengths are checked per span, by the names of the model.
        var length = Assert.Throws<ArgumentException>(() => model.TrainStep([1, 2], contexts, labels.AsSpan(0, K1 + 1), 2, ref sgd));
        Assert.Equal("labels", length.ParamName);
        length = Assert.Throws<ArgumentException>(() => model.ComputeLoss([1], contexts, labels, 2));
        Assert.Equal("center", length.ParamName);
        // A one-hot input is checked against its class count.
        var oneHot = MaskedMeanNet.Create(1, 1);
        error = Assert.Throws<ArgumentOutOfRangeException>(() => oneHot.ComputeLoss(new int[5], new float[5], [6], new float[2], 1));
        Assert.StartsWith("word[0] (example 0, position 0) is 6, not a token id in [0, 6)", error.Message);
    }

    [Fact]
    public void GradientsOfRowsNoBatchNamesStayZeroFromStepToStep()
    {
        const int batch = 4;
        float[] labels = Word2VecData.Labels(batch, K1);
        int[] centersA = [1, 2, 3, 1], contextsA = Word2VecData.Ids(batch * K1, 100, 1);
        int[] centersB = [500, 501, 500, 502], contextsB = Word2VecData.Ids(batch * K1, 100, 2).Select(i => i + 600).ToArray();
        var model = SkipGram.Create(batch, 1);
        var fresh = SkipGram.Create(batch, 1);
        Initializers.Normal(model.Parameters, 0.3f, 4, 0);
        model.Parameters.CopyTo(fresh.Parameters);
        model.ComputeGradients(centersA, contextsA, labels, batch);
        model.ComputeGradients(centersB, contextsB, labels, batch);  // must clear what A touched
        fresh.ComputeGradients(centersB, contextsB, labels, batch);
        Assert.True(model.Gradients.SequenceEqual(fresh.Gradients));
        int touched = 0;
        foreach (float g in model.Gradients) if (g != 0f) touched++;
        Assert.InRange(touched, 1, (3 + 24) * SkipGram.Dimension);
    }

    [Fact]
    public void PlainSgdOnTouchedRowsIsExactlyTheDenseUpdate()
    {
        const int batch = 8;
        const float rate = 0.7f;
        var model = Cbow.Create(batch, 1);
        var probe = Cbow.Create(batch, 1);
        Initializers.Normal(model.Parameters, 0.3f, 4, 0);
        model.Parameters.CopyTo(probe.Parameters);
        (int[] contexts, float[] mask) = Word2VecData.Windows(batch, 10, [1, 2, 3, 4, 5, 6, 9, 10], 50, 7);
        int[] targets = Word2VecData.Ids(batch * K1, 50, 8);
        float[] labels = Word2VecData.Labels(batch, K1);
        float[] before = model.Parameters.ToArray();
        probe.ComputeGradients(contexts, mask, targets, labels, batch);
        float[] gradient = probe.Gradients.ToArray();

        var sgd = new Sgd(rate);
        model.TrainStep(contexts, mask, targets, labels, batch, ref sgd);
        Assert.Equal(1, sgd.Steps);
        Assert.Equal(1, model.Step);
        float[] expected = new float[before.Length];
        System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(gradient, -rate, before, expected);
        Assert.True(model.Parameters.SequenceEqual(expected), "the sparse update differs from w − η·g");
        // Rows no slot names (ids ≥ 50) are bit for bit what they were.
        Assert.True(model.Parameters.Slice(50 * 100, 1_000_000 - 50 * 100).SequenceEqual(before.AsSpan(50 * 100, 1_000_000 - 50 * 100)));
    }

    [Fact]
    public void MomentumIsLazyOnEmbeddingRows()
    {
        // A row touched at step 1 and not at step 2 keeps its velocity but does not move at step 2 (dense SGD
        // would move it by η·μ·v).
        const int batch = 1;
        var model = SkipGram.Create(batch, 1);
        Initializers.Normal(model.Parameters, 0.3f, 4, 0);
        var sgd = new Sgd(0.5f, momentum: 0.9f);
        float[] labels = Word2VecData.Labels(batch, K1);
        model.TrainStep([7], [1, 2, 3, 4, 5, 6], labels, batch, ref sgd);
        float[] afterFirst = model.Parameters.ToArray();
        model.TrainStep([8], [11, 12, 13, 14, 15, 16], labels, batch, ref sgd);
        Assert.True(model.Parameters.Slice(7 * 100, 100).SequenceEqual(afterFirst.AsSpan(7 * 100, 100)));
        Assert.False(model.Parameters.Slice(8 * 100, 100).SequenceEqual(afterFirst.AsSpan(8 * 100, 100)));
    }

    private static float[] Row(IGeneratedModel model, int tensor, int id)
    {
        TensorInfo t = model.Tensors[tensor];
        return model.Parameters.Slice(t.Offset + id * t.Shape[1], t.Shape[1]).ToArray();
    }

    private static float Dot(float[] a, float[] b) => a.Zip(b, (x, y) => x * y).Sum();
}
