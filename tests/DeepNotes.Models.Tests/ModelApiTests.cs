using System.IO;

namespace DeepNotes.Models.Tests;

/// <summary>The generated API: names and layouts, the memory plan, argument checks, checkpoints.</summary>
public class ModelApiTests
{
    /// <summary>
    /// The first gradient kernel of each Linear/Conv2d parameter overwrites its gradient and only the rest is
    /// zeroed: whatever Gradients held before (NaN here) must not leak into the next ComputeGradients.
    /// </summary>
    [Fact]
    public void ComputeGradientsReplacesWhateverTheGradientsHeld()
    {
        static void Check<T>() where T : IClassifier, IModelFactory<T>
        {
            const int batch = 4;
            T model = T.Create(batch, 3);
            float[] x = TestData.Random(batch * model.InputLength, 5);
            int[] y = TestData.RandomLabels(batch, model.OutputLength, 6);
            model.ComputeGradients(x, y, batch);
            float[] clean = model.Gradients.ToArray();
            model.Gradients.Fill(float.NaN);
            model.ComputeGradients(x, y, batch);
            Assert.True(clean.AsSpan().SequenceEqual(model.Gradients), typeof(T).Name);
            Assert.Contains(clean, v => v != 0f);
        }
        Check<Mlp>();
        Check<LeNet5>();
        Check<ResNet>();
        Check<DropoutMlp>();
    }

    [Fact]
    public void TensorsUsePyTorchNamesAndLayouts()
    {
        var model = Mlp.Create(4);
        string[] names = model.Tensors.ToArray().Select(t => t.ToString()).ToArray();
        Assert.Equal(["Hidden.weight [256, 784]", "Hidden.bias [256]", "Out.weight [10, 256]", "Out.bias [10]"], names);
        Assert.Equal(235_146 - 128 * 256 - 128 - 128 * 10 + 256 * 10 - 10 * 0 - (235_146 - 203_530 - 128 * 256 - 128 - 128 * 10 + 256 * 10), Mlp.ParameterCount);
        Assert.Equal(784 * 256 + 256 + 256 * 10 + 10, Mlp.ParameterCount);
        Assert.Equal(Mlp.ParameterCount, model.Parameters.Length);
        Assert.Equal(784, model.InputLength);
        Assert.Equal(10, model.OutputLength);
    }

    [Fact]
    public void InitialisersFollowTheLayerAndAreSeeded()
    {
        var mlp = Mlp.Create(1, seed: 7);
        // Hidden feeds a ReLU: He uniform, limit sqrt(6 / 784).
        ReadOnlySpan<float> hidden = mlp.Parameters[..(784 * 256)];
        float limit = MathF.Sqrt(6f / 784);
        Assert.True(hidden.ToArray().All(v => MathF.Abs(v) <= limit));
        Assert.True(hidden.ToArray().Max() > 0.95f * limit);
        Assert.True(mlp.Parameters.Slice(784 * 256, 256).ToArray().All(v => v == 0f)); // bias
        // Softmax regression: N(0, 0.01²) as in the book.
        var softmax = SoftmaxRegression.Create(1, seed: 7);
        float[] w = softmax.Parameters[..7840].ToArray();
        double std = Math.Sqrt(w.Select(v => (double)v * v).Average());
        Assert.InRange(std, 0.0095, 0.0105);
        // Seeds decide everything.
        Assert.True(Mlp.Create(1, 7).Parameters.SequenceEqual(mlp.Parameters));
        Assert.False(Mlp.Create(1, 8).Parameters.SequenceEqual(mlp.Parameters));
    }

    [Fact]
    public void MemoryPlanSharesBuffers()
    {
        MemoryReport plan = DropoutMlp.Create(1).Memory;
        // The planner's arena is smaller than keeping every intermediate, and inference needs less than training.
        Assert.True(plan.TrainingArenaPerRow < plan.TrainingIntermediatesPerRow, plan.ToString());
        Assert.True(plan.InferenceArenaPerRow < plan.TrainingArenaPerRow, plan.ToString());
        // The MLP at inference: one hidden buffer of 256 floats per row; the output goes straight to the caller.
        Assert.Equal(256, Mlp.InferenceArenaPerRow);
    }

    [Fact]
    public void BadArgumentsAreRefused()
    {
        var model = Mlp.Create(8);
        var sgd = new Sgd(0.1f);
        Assert.Throws<ArgumentOutOfRangeException>(() => Mlp.Create(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => model.Predict(new float[9 * 784], new float[90], 9));
        Assert.Throws<ArgumentOutOfRangeException>(() => model.Predict(new float[784], new float[10], 0));
        Assert.Throws<ArgumentException>(() => model.Predict(new float[2 * 784 - 1], new float[20], 2));
        Assert.Throws<ArgumentException>(() => model.Predict(new float[2 * 784], new float[19], 2));
        Assert.Throws<ArgumentException>(() => model.TrainStep(new float[2 * 784], new int[1], 2, ref sgd));
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => model.TrainStep(new float[2 * 784], new[] { 3, 10 }, 2, ref sgd));
        Assert.Contains("label of row 1", error.Message);
    }

    [Fact]
    public void CheckpointRoundTripsAndAMismatchLeavesTheModelUntouched()
    {
        string dir = Path.Combine(Path.GetTempPath(), "deepnotes-ckpt-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            string file = Path.Combine(dir, "mlp.safetensors");
            var trained = Mlp.Create(4, seed: 1);
            Safetensors.Save(file, trained.Tensors, trained.Parameters);

            var fresh = Mlp.Create(4, seed: 2);
            Safetensors.Load(file, fresh.Tensors, fresh.Parameters, out _);
            Assert.True(fresh.Parameters.SequenceEqual(trained.Parameters));

            var other = DropoutMlp.Create(4, seed: 3);
            float[] before = other.Parameters.ToArray();
            var error = Assert.Throws<InvalidDataException>(() => Safetensors.Load(file, other.Tensors, other.Parameters, out _));
            Assert.Contains("Hidden1.weight", error.Message);
            Assert.True(other.Parameters.SequenceEqual(before));
        }
        finally { Directory.Delete(dir, true); }
    }
}
