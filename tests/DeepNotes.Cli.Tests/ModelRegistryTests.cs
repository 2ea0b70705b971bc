namespace DeepNotes.Cli.Tests;

public class ModelRegistryTests
{
    [Fact]
    public void Lists_the_image_models_in_order()
    {
        List<string> names = new();
        foreach (ModelEntry entry in ModelRegistry.All) names.Add(entry.Name);
        Assert.Equal(["softmax", "perceptron", "mlp", "dropout-mlp", "book-mlp", "book-dropout-mlp", "lenet", "lenet-classic", "alexnet", "nin", "resnet", "autoencoder"], names);
        Assert.Equal("softmax, perceptron, mlp, dropout-mlp, book-mlp, book-dropout-mlp, lenet, lenet-classic, alexnet, nin, resnet, autoencoder", ModelRegistry.Names());
    }

    [Theory]
    [InlineData("softmax", "softmax")]
    [InlineData("SOFTMAX", "softmax")]
    [InlineData("softmaxregression", "softmax")]
    [InlineData("Perceptron", "perceptron")]
    [InlineData("mlp", "mlp")]
    [InlineData("Mlp", "mlp")]
    [InlineData("dropout-mlp", "dropout-mlp")]
    [InlineData("DropoutMlp", "dropout-mlp")]
    [InlineData("book-mlp", "book-mlp")]
    [InlineData("BookDropoutMlp", "book-dropout-mlp")]
    [InlineData("LeNet5Classic", "lenet-classic")]
    [InlineData("ALEXNET", "alexnet")]
    [InlineData("AutoEncoder", "autoencoder")]
    public void Finds_by_name_or_class_name_ignoring_case(string query, string expected)
        => Assert.Equal(expected, ModelRegistry.Find(query)?.Name);

    [Theory]
    [InlineData("")]
    [InlineData("linear-regression")]
    [InlineData("dropout_mlp")]
    [InlineData("mlp2")]
    public void Unknown_names_are_not_found(string query) => Assert.Null(ModelRegistry.Find(query));

    [Fact]
    public void Every_entry_creates_its_model_with_the_declared_kind_and_sizes()
    {
        foreach (ModelEntry entry in ModelRegistry.All)
        {
            Assert.True(entry.ParameterCount > 0);
            // AlexNet's 46.8 M parameters take seconds to draw in a Debug build: ResizeTests runs `info alexnet` instead.
            if (entry.Name == "alexnet") continue;
            IModel model = entry.Create(3, 5);
            Assert.Equal(entry.ParameterCount, model.Parameters.Length);
            Assert.Equal(entry.ClassName, model.GetType().Name);
            Assert.Equal(3, model.MaxBatch);
            Assert.Equal(entry.InputImage?.Size ?? 784, model.InputLength);
            Assert.Equal(entry.Name == "perceptron" ? null : entry.Name == "alexnet" ? new ImageShape(1, 224, 224) : new ImageShape(1, 28, 28), entry.InputImage);
            Assert.InRange(entry.EvalBatch, 1, Evaluator.ChunkSize);
            Assert.True(entry.DefaultLearningRate > 0f);
            switch (entry.Kind)
            {
                case ModelKind.Classifier:
                    Assert.Equal(10, model.OutputLength);
                    Assert.IsAssignableFrom<IClassifier>(model);
                    break;
                case ModelKind.Regressor:
                    Assert.Equal(10, model.OutputLength);
                    Assert.Equal(10, Assert.IsAssignableFrom<IRegressor>(model).TargetLength);
                    break;
                default:
                    // Its own input is its target: as many outputs and targets as inputs.
                    Assert.Equal(ModelKind.Reconstruction, entry.Kind);
                    Assert.Equal(model.InputLength, model.OutputLength);
                    Assert.Equal(model.InputLength, Assert.IsAssignableFrom<IRegressor>(model).TargetLength);
                    break;
            }
        }
    }

    [Fact]
    public void The_seed_decides_the_initial_weights()
    {
        ModelEntry mlp = ModelRegistry.Find("mlp")!;
        float[] a = mlp.Create(1, 1).Parameters.ToArray();
        Assert.Equal(a, mlp.Create(1, 1).Parameters.ToArray());
        Assert.NotEqual(a, mlp.Create(1, 2).Parameters.ToArray());
    }

    [Fact]
    public void Info_prints_parameters_tensors_and_memory_plan()
    {
        CliResult result = CliRunner.Run(["info", "mlp"]);
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("parameters   203,530", result.Out);
        Assert.Contains("Hidden.weight  [256, 784]", result.Out);
        Assert.Contains("Out.bias", result.Out);
        Assert.Contains("training arena                 522 per row + 1", result.Out);
        Assert.Contains("every intermediate kept        798 per row + 2", result.Out);
        // max(522 * 64 + 1, 256 * 64) floats.
        Assert.Contains("activation arena                133,636 bytes", result.Out);
        Assert.Equal("", result.Error);
    }
}
