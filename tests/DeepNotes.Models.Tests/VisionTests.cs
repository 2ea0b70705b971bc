namespace DeepNotes.Models.Tests;

public class VisionTests(Xunit.Abstractions.ITestOutputHelper output)
{
    [Fact] public void ConvolutionsAndPoolingGradients() => GradientCheck.Classifier<ConvNet>(batch: 3);
    [Fact] public void BatchNormResidualAndGlobalPoolingGradients() => GradientCheck.Classifier<NormNet>(batch: 4, epsilon: 2e-4f);
    [Fact] public void LeNet5Gradients() => GradientCheck.Classifier<LeNet5>(batch: 2, epsilon: 2e-4f);
    [Fact] public void LeNet5ClassicGradients() => GradientCheck.Classifier<LeNet5Classic>(batch: 2);
    [Fact] public void NinGradients() => GradientCheck.Classifier<Nin>(batch: 2);
    [Fact] public void ResNetGradients() => GradientCheck.Classifier<ResNet>(batch: 2, epsilon: 2e-4f);

    [Fact]
    public void IndexedLayersAndBlocksGetModuleListNames()
    {
        string[] names = ResNet.Create(1).Tensors.ToArray().Select(t => t.Name).ToArray();
        Assert.Contains("Stage1Conv1.0.weight", names);
        Assert.Contains("Stage1Conv1.1.weight", names);
        Assert.Contains("Stage1Bn2.1.running_var", names);
        Assert.Contains("Stage2Shortcut.weight", names);
        Assert.DoesNotContain(names, n => n.StartsWith("Stage1Conv1.2", StringComparison.Ordinal));
        Assert.Equal(names.Length, names.Distinct().Count());
    }

    [Fact]
    public void BatchNormUsesRunningStatisticsInPredictAndSavesThem()
    {
        var model = NormNet.Create(8, 1);
        float[] x = TestData.Random(8 * 25, 5, 3f);
        int[] y = TestData.RandomLabels(8, 3, 6);
        TensorInfo mean = model.Tensors.ToArray().Single(t => t.Name == "Bn.running_mean");
        TensorInfo variance = model.Tensors.ToArray().Single(t => t.Name == "Bn.running_var");
        Assert.Equal(TensorRole.State, mean.Role);
        Assert.True(model.Parameters.Slice(variance.Offset, 3).ToArray().All(v => v == 1f)); // PyTorch's initial running_var

        // ComputeLoss / ComputeGradients leave the running statistics alone; TrainStep moves them.
        float[] before = model.Parameters.ToArray();
        model.ComputeGradients(x, y, 8);
        Assert.True(model.Parameters.SequenceEqual(before));
        var sgd = new Sgd(0.01f);
        model.TrainStep(x, y, 8, ref sgd);
        Assert.False(model.Parameters.Slice(mean.Offset, 3).ToArray().All(v => v == 0f));

        // Predict of one example does not depend on the rest of the batch (running statistics), training does.
        var one = new float[3];
        var eight = new float[24];
        model.Predict(x.AsSpan(0, 25), one, 1);
        model.Predict(x, eight, 8);
        for (int i = 0; i < 3; i++) Assert.Equal(one[i], eight[i], 5);
    }

    [Fact]
    public void Conv2dIsCrossCorrelationNotConvolution()
    {
        // d2l 7.2's hand-worked example: X = [[0,1,2],[3,4,5],[6,7,8]], K = [[0,1],[2,3]] gives [[19,25],[37,43]].
        var shape = new DeepNotes.Kernels.Conv2dShape(1, 3, 3, 1, 2, 2, 1, 1, 0, 0);
        float[] x = [0, 1, 2, 3, 4, 5, 6, 7, 8], k = [0, 1, 2, 3], y = new float[4];
        DeepNotes.Kernels.Conv2d.Forward(y, x, k, default, 1, shape, DeepNotes.Kernels.Activation.None, new float[shape.ScratchSize]);
        Assert.Equal([19f, 25f, 37f, 43f], y);
    }

    [Fact]
    public void AlexNetHasTheBooksParameterCountAndAPlannedArena()
    {
        Assert.Equal(46_764_746, AlexNet.ParameterCount);
        var report = new MemoryReport(AlexNet.ParameterCount, AlexNet.TrainingArenaPerRow, AlexNet.TrainingArenaFixed,
            AlexNet.TrainingIntermediatesPerRow, AlexNet.TrainingIntermediatesFixed, AlexNet.InferenceArenaPerRow, AlexNet.InferenceArenaFixed);
        output.WriteLine($"AlexNet at batch 8: arena {report.ArenaBytes(8) / 1e6:F1} MB, every intermediate {report.IntermediateBytes(8) / 1e6:F1} MB");
        Assert.True(report.ArenaBytes(8) < report.IntermediateBytes(8) / 2);
        Assert.Equal(61_706, LeNet5.ParameterCount);
    }
}
