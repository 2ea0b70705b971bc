namespace DeepNotes.Models.Tests;

/// <summary>The token ops and the word2vec models: backward against finite differences.</summary>
public class TokenGradientTests
{
    [Fact]
    public void EmbeddingWithRepeatedIds()
    {
        const int batch = 3;
        var model = EmbeddingNet.Create(batch, 4);
        int[] ids = [1, 1, 3, 1, 0, 6, 3, 3, 2, 1, 5, 5]; // 1 and 3 repeat within and across examples; 4 is never used
        float[] t = TestData.Random(batch * 2, 5);
        GradientCheck.Run(model, () => model.ComputeGradients(ids, t, batch), () => model.ComputeLoss(ids, t, batch));
        Assert.True(model.Gradients.Slice(4 * 3, 3).ToArray().All(g => g == 0f), "row 4 was not used and must have no gradient");
    }

    [Fact]
    public void MaskedMeanAndOneHot()
    {
        const int batch = 4;
        var model = MaskedMeanNet.Create(batch, 6);
        int[] ids = [0, 2, 2, 5, 1, 3, 3, 3, 0, 0, 4, 1, 2, 0, 5, 1, 1, 1, 1, 1];
        float[] mask = [1, 1, 1, 0, 0, 1, 0.5f, 1, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1]; // weights, a row with none
        int[] word = [5, 0, 3, 3];
        float[] t = TestData.Random(batch * 2, 7);
        GradientCheck.Run(model, () => model.ComputeGradients(ids, mask, word, t, batch), () => model.ComputeLoss(ids, mask, word, t, batch));
    }

    [Fact]
    public void IndexedEmbeddings()
    {
        const int batch = 2;
        var model = IndexedEmbeddingNet.Create(batch, 5);
        Assert.Equal(["E.0.weight [5, 2]", "E.1.weight [5, 2]"], model.Tensors.ToArray().Select(t => t.ToString()));
        int[] first = [0, 2, 2, 4, 4, 4], second = [1, 1, 3, 0, 2, 4];
        float[] t = TestData.Random(batch * 6, 9);
        GradientCheck.Run(model, () => model.ComputeGradients(first, second, t, batch), () => model.ComputeLoss(first, second, t, batch));
    }

    [Fact] public void MaskedMeanWithALearnedMask() => GradientCheck.Regressor<LearnedMaskNet>(batch: 3);

    [Fact] public void MatMulWithVectorOperands() => GradientCheck.Regressor<MatVecNet>(batch: 3);

    [Fact]
    public void FusedBagAndLookupSharingOneTable()
    {
        const int batch = 3;
        var model = SharedBagNet.Create(batch, 8);
        int[] contexts = [3, 4, 0, 0, 2, 2, 7, 0, 8, 5, 5, 1];
        float[] mask = [1, 1, 0, 0, 1, 1, 1, 0, 1, 1, 1, 1];  // the zero slots hold id 0, which must get no gradient from them
        int[] candidates = [4, 1, 6, 2, 2, 5, 3, 8, 8];
        float[] labels = [1, 0, 0, 1, 0, 0, 1, 0, 0];
        GradientCheck.Run(model, () => model.ComputeGradients(contexts, mask, candidates, labels, batch),
                          () => model.ComputeLoss(contexts, mask, candidates, labels, batch));
        Assert.True(model.Gradients.Slice(0, 4).ToArray().All(g => g == 0f), "id 0 sits only in masked slots: no gradient");
    }

    [Fact]
    public void SkipGramModel()
    {
        const int batch = 4;
        var model = SkipGram.Create(batch, 1);
        Initializers.Normal(model.Parameters, 0.3f, 2, 0); // word2vec starts the output vectors at 0, which hides the input vectors' gradient
        int[] centers = [3, 17, 3, 29];
        int[] contexts = Word2VecData.Ids(batch * (1 + SkipGram.Negatives), 30, 3);
        float[] labels = Word2VecData.Labels(batch, 1 + SkipGram.Negatives);
        GradientCheck.Run(model, () => model.ComputeGradients(centers, contexts, labels, batch),
                          () => model.ComputeLoss(centers, contexts, labels, batch),
                          only: Word2VecData.RowsOf(model.Tensors[0], centers).Concat(Word2VecData.RowsOf(model.Tensors[1], contexts)).Concat(Word2VecData.Untouched(model)));
    }

    [Fact]
    public void CbowModel()
    {
        const int batch = 4, width = 2 * Cbow.Window;
        var model = Cbow.Create(batch, 1);
        Initializers.Normal(model.Parameters, 0.3f, 2, 0);
        (int[] contexts, float[] mask) = Word2VecData.Windows(batch, width, [1, 4, 10, 7], 30, 4);
        int[] targets = Word2VecData.Ids(batch * (1 + Cbow.Negatives), 30, 5);
        float[] labels = Word2VecData.Labels(batch, 1 + Cbow.Negatives);
        GradientCheck.Run(model, () => model.ComputeGradients(contexts, mask, targets, labels, batch),
                          () => model.ComputeLoss(contexts, mask, targets, labels, batch),
                          only: Word2VecData.RowsOf(model.Tensors[0], contexts).Concat(Word2VecData.RowsOf(model.Tensors[1], targets)).Concat(Word2VecData.Untouched(model)));
        // The padding slots hold id 0, which no valid slot names: its row has no gradient.
        Assert.DoesNotContain(0, contexts.Where((_, i) => mask[i] != 0f));
        Assert.True(model.Gradients.Slice(0, Cbow.Dimension).ToArray().All(g => g == 0f));
    }
}

/// <summary>Token ids, labels and context windows for the word2vec tests.</summary>
internal static class Word2VecData
{
    public static int[] Ids(int count, int vocabulary, ulong seed) => TestData.RandomLabels(count, vocabulary, seed);

    /// <summary>[batch, columns]: 1 in column 0, 0 elsewhere, as the batchers give them.</summary>
    public static float[] Labels(int batch, int columns)
    {
        var labels = new float[batch * columns];
        for (int b = 0; b < batch; b++) labels[b * columns] = 1f;
        return labels;
    }

    /// <summary>CbowBatcher's layout: <paramref name="counts"/>[b] ids in [1, vocabulary) first, then padding id 0 with mask 0.</summary>
    public static (int[] Contexts, float[] Mask) Windows(int batch, int width, int[] counts, int vocabulary, ulong seed)
    {
        var contexts = new int[batch * width];
        var mask = new float[batch * width];
        for (int b = 0; b < batch; b++)
            for (int s = 0; s < counts[b]; s++)
            {
                contexts[b * width + s] = 1 + CounterRng.NextInt(seed, 97, (ulong)(b * width + s), vocabulary - 1);
                mask[b * width + s] = 1f;
            }
        return (contexts, mask);
    }

    /// <summary>Every parameter index of the rows of <paramref name="table"/> that <paramref name="ids"/> name.</summary>
    public static IEnumerable<int> RowsOf(TensorInfo table, int[] ids)
    {
        int width = table.Shape[1];
        return ids.Distinct().SelectMany(id => Enumerable.Range(table.Offset + id * width, width));
    }

    /// <summary>A sample of parameters from rows no test batch names (ids ≥ 1000): their gradient must be 0, numerically too.</summary>
    public static IEnumerable<int> Untouched(IGeneratedModel model) =>
        model.Tensors.ToArray().SelectMany(t => Enumerable.Range(0, 10).Select(k => t.Offset + (1000 + 877 * k) * t.Shape[1] + k));
}
