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
    [Fact] public void AttentionOps() => GradientCheck.Regressor<AttentionNet>(batch: 3);
    [Fact] public void CausalSoftmaxAndTranspose() => GradientCheck.Regressor<CausalTransposeNet>(batch: 3);
    [Fact] public void SelfAttentionModel() => GradientCheck.Regressor<SelfAttention>(batch: 2);
    [Fact] public void MultiHeadReshapePermute() => GradientCheck.Regressor<MultiHeadNet>(batch: 3);

    [Fact]
    public void LayerNorm()
    {
        // Weights away from their initial 1 and biases away from 0, so dx's use of the weight is checked too.
        const int batch = 3;
        var model = LayerNormNet.Create(batch, 3);
        Span<float> p = model.Parameters;
        foreach (TensorInfo t in model.Tensors)
            if (t.Name.StartsWith("Norm.", StringComparison.Ordinal) || t.Name.StartsWith("Last.", StringComparison.Ordinal))
                for (int i = 0; i < t.Length; i++) p[t.Offset + i] += 0.5f * (2f * CounterRng.Uniform(9, 1, (ulong)(t.Offset + i)) - 1f);
        float[] x = TestData.Random(batch * LayerNormNet.InputSize, 4), target = TestData.Random(batch * LayerNormNet.TargetSize, 5);
        GradientCheck.Run(model, () => model.ComputeGradients(x, target, batch), () => model.ComputeLoss(x, target, batch));
    }
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
    public void AutoEncoderModel()
    {
        // Pixels in [0, 1], each image its own target, as in training. The loss is a mean over 3 × 784
        // sigmoid outputs, so its gradients are small (the largest about 1e-3): the absolute tolerance is
        // cut from 3e-4 to 2e-5, still above the float32 noise of the difference quotient
        // (≈ 1e-7 · loss / ε ≈ 1e-5), and the test requires gradients well above it so it checks something.
        const int batch = 3;
        var model = AutoEncoder.Create(batch, 3);
        float[] x = TestData.Random(batch * AutoEncoder.InputSize, 4).Select(MathF.Abs).ToArray();
        model.ComputeGradients(x, x, batch);
        float largest = 0f;
        foreach (float g in model.Gradients) largest = MathF.Max(largest, MathF.Abs(g));
        Assert.True(largest > 2e-4f, $"largest gradient {largest:G3}: too small for the tolerance to mean anything");
        GradientCheck.Run(model, () => model.ComputeGradients(x, x, batch), () => model.ComputeLoss(x, x, batch), absTolerance: 2e-5f);
    }

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
