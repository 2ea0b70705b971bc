namespace DeepNotes.Models.Tests;

/// <summary>Every op (through the small test models) and every shipped model: backward against finite differences.</summary>
public class GradientTests
{
    [Fact] public void ElementwiseChains() => GradientCheck.Regressor<ChainNet>(batch: 3);
    [Fact] public void BroadcastingSumAndMean() => GradientCheck.Regressor<BroadcastNet>(batch: 3);
    [Fact] public void Softmax() => GradientCheck.Regressor<SoftmaxNet>(batch: 4);
    [Fact] public void LogSoftmaxAndNll() => GradientCheck.Classifier<LogSoftmaxNet>(batch: 4);
    [Fact] public void NllOfLogSoftmaxFused() => GradientCheck.Classifier<FusedNllNet>(batch: 4);
    [Fact] public void BatchedMatMul() => GradientCheck.Classifier<MatMulNet>(batch: 3);
    [Fact] public void BinaryCrossEntropy()
    {
        var model = BceNet.Create(4, 5);
        float[] x = TestData.Random(4 * 6, 11);
        float[] t = TestData.Random(4 * 3, 12).Select(v => MathF.Abs(v)).ToArray(); // targets in [0, 1]
        GradientCheck.Run(model, () => model.ComputeGradients(x, t, 4), () => model.ComputeLoss(x, t, 4));
    }
    [Fact] public void SharedLayerAndDropout() => GradientCheck.Classifier<SharedLayerNet>(batch: 5);

    [Fact] public void SoftmaxRegressionModel() => GradientCheck.Classifier<SoftmaxRegression>(batch: 3);
    [Fact] public void PerceptronModel() => GradientCheck.Regressor<Perceptron>(batch: 3);
    [Fact] public void MlpModel() => GradientCheck.Classifier<Mlp>(batch: 3);
    [Fact] public void DropoutMlpModel() => GradientCheck.Classifier<DropoutMlp>(batch: 3);
    [Fact] public void LinearRegressionModel() => GradientCheck.Regressor<LinearRegression>(batch: 4);

    [Fact]
    public void FusedAndUnfusedNllAgree()
    {
        // The same weights through Nll(LogSoftmax(z)) fused and the model that keeps them apart.
        var fused = FusedNllNet.Create(4, 9);
        var apart = LogSoftmaxNet.Create(4, 9);
        float[] x = TestData.Random(4 * 5, 1);
        int[] y = TestData.RandomLabels(4, 4, 2);
        float lf = fused.ComputeGradients(x, y, 4), la = apart.ComputeGradients(x, y, 4);
        Assert.Equal(la, lf, 5);
        for (int i = 0; i < fused.Gradients.Length; i++) Assert.Equal(apart.Gradients[i], fused.Gradients[i], 5);
    }
}
