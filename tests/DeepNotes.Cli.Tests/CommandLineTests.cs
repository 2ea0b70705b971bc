namespace DeepNotes.Cli.Tests;

public class CommandLineTests
{
    [Theory]
    [InlineData(new[] { "frobnicate", "mlp" }, "unknown command 'frobnicate'")]
    [InlineData(new[] { "--epochs", "3" }, "unknown option '--epochs'; expected a command first")]
    [InlineData(new[] { "train" }, "'train' needs a model name (softmax, perceptron, mlp, dropout-mlp, book-mlp, book-dropout-mlp, lenet, lenet-classic, alexnet, nin, resnet, autoencoder)")]
    [InlineData(new[] { "train", "--epochs", "3" }, "'train' needs a model name")]
    [InlineData(new[] { "train", "resnet50" }, "unknown model 'resnet50' (expected one of: softmax, perceptron, mlp, dropout-mlp, book-mlp, book-dropout-mlp, lenet, lenet-classic, alexnet, nin, resnet, autoencoder)")]
    [InlineData(new[] { "train", "mlp", "--bogus" }, "unknown option '--bogus' for 'train'")]
    [InlineData(new[] { "train", "mlp", "--load", "x" }, "unknown option '--load' for 'train'")]
    [InlineData(new[] { "eval", "mlp", "--load", "x", "--epochs", "2" }, "unknown option '--epochs' for 'eval'")]
    [InlineData(new[] { "info", "mlp", "--epochs", "2" }, "unknown option '--epochs': 'info' takes no options")]
    [InlineData(new[] { "train", "mlp", "extra" }, "unexpected argument 'extra'")]
    [InlineData(new[] { "train", "mlp", "--epochs" }, "option --epochs needs a value")]
    [InlineData(new[] { "train", "mlp", "--epochs", "--lr", "0.1" }, "option --epochs needs a value")]
    [InlineData(new[] { "train", "mlp", "--lr=" }, "option --lr needs a value")]
    [InlineData(new[] { "train", "mlp", "--epochs", "ten" }, "option --epochs expects a whole number, got 'ten'")]
    [InlineData(new[] { "train", "mlp", "--epochs", "2.5" }, "option --epochs expects a whole number, got '2.5'")]
    [InlineData(new[] { "train", "mlp", "--epochs", "0" }, "option --epochs must be from 1 to 100,000, got 0")]
    [InlineData(new[] { "train", "mlp", "--epochs", "99999999999" }, "option --epochs must be from 1 to 100,000")]
    [InlineData(new[] { "train", "mlp", "--batch", "0" }, "option --batch must be from 1 to 65,536, got 0")]
    [InlineData(new[] { "train", "mlp", "--batch", "-5" }, "option --batch must be from 1 to 65,536, got -5")]
    [InlineData(new[] { "train", "mlp", "--lr", "-1" }, "option --lr must be a positive number, got -1")]
    [InlineData(new[] { "train", "mlp", "--lr", "0" }, "option --lr must be a positive number, got 0")]
    [InlineData(new[] { "train", "mlp", "--lr", "fast" }, "option --lr expects a number, got 'fast'")]
    [InlineData(new[] { "train", "mlp", "--lr", "NaN" }, "option --lr expects a number, got 'NaN'")]
    [InlineData(new[] { "train", "mlp", "--lr", "1e39" }, "option --lr expects a number, got '1e39'")]
    [InlineData(new[] { "train", "mlp", "--momentum", "1" }, "option --momentum must be in [0, 1), got 1")]
    [InlineData(new[] { "train", "mlp", "--weight-decay", "-0.1" }, "option --weight-decay must be zero or positive, got -0.1")]
    [InlineData(new[] { "train", "mlp", "--seed", "-1" }, "option --seed expects a whole number from 0 to 18446744073709551615, got '-1'")]
    [InlineData(new[] { "train", "mlp", "--epochs", "2", "--epochs", "3" }, "option --epochs is given twice")]
    [InlineData(new[] { "train", "mlp", "--full-batch", "--batch", "32" }, "--full-batch and --batch cannot be combined")]
    [InlineData(new[] { "train", "mlp", "--full-batch=yes" }, "option --full-batch takes no value")]
    [InlineData(new[] { "train", "mlp", "--augment=yes" }, "option --augment takes no value")]
    [InlineData(new[] { "train", "mlp", "--folds", "1" }, "option --folds must be from 2 to 100,000, got 1")]
    [InlineData(new[] { "train", "mlp", "--folds" }, "option --folds needs a value")]
    [InlineData(new[] { "train", "mlp", "--folds", "3", "--save", "m.safetensors" }, "--folds and --save cannot be combined: cross-validation trains a separate model per fold")]
    [InlineData(new[] { "eval", "mlp", "--load", "x", "--augment" }, "unknown option '--augment' for 'eval'")]
    [InlineData(new[] { "eval", "mlp" }, "'eval' needs --load FILE")]
    [InlineData(new[] { "help", "me" }, "unexpected argument 'me' after 'help'")]
    [InlineData(new[] { "bench", "--workload", "resnet" }, "unknown workload 'resnet' (expected all or one of: mlp, lenet, alexnet, attention, skipgram)")]
    [InlineData(new[] { "bench", "mlp" }, "unexpected argument 'mlp'")]
    [InlineData(new[] { "bench", "--threads", "0" }, "option --threads must be from 1 to 64, got 0")]
    [InlineData(new[] { "bench", "--steps", "0" }, "option --steps must be from 1 to 1,000,000, got 0")]
    [InlineData(new[] { "bench", "--epochs", "1" }, "unknown option '--epochs' for 'bench' (expected --workload, --threads, --steps)")]
    [InlineData(new[] { "train", "mlp", "--threads", "65" }, "option --threads must be from 1 to 64, got 65")]
    [InlineData(new[] { "reconstruct", "mlp", "--load", "x", "--png", "y.png" }, "'reconstruct' needs a model that reconstructs its input (autoencoder); mlp is a classifier")]
    [InlineData(new[] { "reconstruct", "perceptron", "--load", "x", "--png", "y.png" }, "'reconstruct' needs a model that reconstructs its input (autoencoder); perceptron is a regressor on one-hot targets")]
    [InlineData(new[] { "reconstruct", "autoencoder", "--png", "y.png" }, "'reconstruct' needs --load FILE, the checkpoint written by 'deepnotes train autoencoder --save FILE'")]
    [InlineData(new[] { "reconstruct", "autoencoder", "--load", "x" }, "'reconstruct' needs --png FILE, where to write the image")]
    [InlineData(new[] { "reconstruct", "autoencoder", "--load", "x", "--png", "y.png", "--count", "0" }, "option --count must be from 1 to 1,000, got 0")]
    [InlineData(new[] { "reconstruct", "autoencoder", "--load", "x", "--png", "y.png", "--count", "1001" }, "option --count must be from 1 to 1,000, got 1001")]
    [InlineData(new[] { "reconstruct", "autoencoder", "--load", "x", "--png", "y.png", "--count", "ten" }, "option --count expects a whole number, got 'ten'")]
    [InlineData(new[] { "reconstruct", "autoencoder", "--load", "x", "--png" }, "option --png needs a value")]
    [InlineData(new[] { "reconstruct", "autoencoder", "--load", "x", "--png", "y.png", "--epochs", "2" }, "unknown option '--epochs' for 'reconstruct' (expected --load, --png, --count, --data, --threads)")]
    [InlineData(new[] { "reconstruct" }, "'reconstruct' needs a model name")]
    [InlineData(new[] { "eval", "mlp", "--load", "x", "--png", "y.png" }, "unknown option '--png' for 'eval'")]
    [InlineData(new[] { "train", "autoencoder", "--folds", "3" }, "--folds compares accuracies over folds, and autoencoder has no classes")]
    public void Usage_errors_exit_2_with_the_message_and_the_usage(string[] args, string message)
    {
        CliResult result = CliRunner.Run(args);
        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("deepnotes: error: ", result.Error);
        Assert.Contains(message, result.Error);
        Assert.Contains("usage:", result.Error);
        Assert.Contains("dropout-mlp", result.Error);
        Assert.Equal("", result.Out);
        CliRunner.AssertNoStackTrace(result);
    }

    [Fact]
    public void No_arguments_prints_the_usage_and_fails()
    {
        CliResult result = CliRunner.Run([]);
        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("deepnotes: train and evaluate", result.Error);
        Assert.Equal("", result.Out);
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    [InlineData("help")]
    [InlineData("train", "mlp", "--help")]
    [InlineData("train", "--epochs", "0", "-h")]
    public void Help_prints_the_full_usage_on_stdout_and_succeeds(params string[] args)
    {
        CliResult result = CliRunner.Run(args);
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("train options:", result.Out);
        Assert.Contains("--weight-decay X", result.Out);
        Assert.Contains("deepnotes reconstruct autoencoder --load FILE --png FILE", result.Out);
        Assert.Contains("reconstruct options (models that reconstruct their input: autoencoder):", result.Out);
        Assert.Contains("deepnotes tokenize [--bpe gpt2|--chars|--words] TEXT", result.Out);
        Assert.Contains("tokenize options (one tokenizer;", result.Out);
        Assert.Equal("", result.Error);
    }

    [Fact]
    public void Train_defaults()
    {
        TrainOptions o = Assert.IsType<TrainOptions>(CommandLine.Parse(["train", "mlp"]));
        Assert.Equal("mlp", o.Model.Name);
        Assert.Equal(10, o.Epochs);
        Assert.Equal(64, o.BatchSize);
        Assert.False(o.FullBatch);
        Assert.Equal(o.Model.DefaultLearningRate, o.LearningRate);
        Assert.Equal(0.1f, o.LearningRate);
        Assert.Equal(0.9f, o.Momentum); // the MLP's default; the other models default to plain SGD
        Assert.Equal(0f, Assert.IsType<TrainOptions>(CommandLine.Parse(["train", "softmax"])).Momentum);
        Assert.Equal(0f, o.WeightDecay);
        Assert.Equal(0UL, o.Seed);
        Assert.Null(o.DataPath);
        Assert.Null(o.SavePath);
        Assert.False(o.Augment);
        Assert.Equal(0, o.Folds);
        Assert.Equal(LearningRateSchedule.Constant, o.Schedule);
    }

    [Fact]
    public void Train_options_in_both_spellings_and_any_order()
    {
        TrainOptions o = Assert.IsType<TrainOptions>(CommandLine.Parse(
            ["train", "DROPOUTMLP", "--seed=7", "--lr", "0.05", "--momentum=0.9", "--epochs", "3",
             "--weight-decay", "1e-4", "--data", "d", "--save=m.safetensors", "--full-batch", "--augment"]));
        Assert.Equal("dropout-mlp", o.Model.Name);
        Assert.Equal(7UL, o.Seed);
        Assert.Equal(0.05f, o.LearningRate);
        Assert.Equal(0.9f, o.Momentum);
        Assert.Equal(1e-4f, o.WeightDecay);
        Assert.Equal(3, o.Epochs);
        Assert.True(o.FullBatch);
        Assert.Equal("d", o.DataPath);
        Assert.Equal("m.safetensors", o.SavePath);
        Assert.True(o.Augment);

        TrainOptions f = Assert.IsType<TrainOptions>(CommandLine.Parse(["train", "softmax", "--folds=5", "--full-batch", "--data", "fashion-mnist"]));
        Assert.Equal(5, f.Folds);
        Assert.True(f.FullBatch);
        Assert.Equal("fashion-mnist", f.DataPath);
    }

    [Fact]
    public void Eval_and_info_parse()
    {
        EvalOptions e = Assert.IsType<EvalOptions>(CommandLine.Parse(["eval", "SoftmaxRegression", "--load", "a.st", "--data=x"]));
        Assert.Equal("softmax", e.Model.Name);
        Assert.Equal("a.st", e.LoadPath);
        Assert.Equal("x", e.DataPath);
        InfoOptions i = Assert.IsType<InfoOptions>(CommandLine.Parse(["info", "Perceptron"]));
        Assert.Equal("perceptron", i.Model.Name);
    }

    [Fact]
    public void Reconstruct_parses_with_its_defaults()
    {
        ReconstructOptions r = Assert.IsType<ReconstructOptions>(CommandLine.Parse(["reconstruct", "AutoEncoder", "--png=d.png", "--load", "ae.st"]));
        Assert.Equal("autoencoder", r.Model.Name);
        Assert.Equal(ModelKind.Reconstruction, r.Model.Kind);
        Assert.Equal("ae.st", r.LoadPath);
        Assert.Equal("d.png", r.PngPath);
        Assert.Equal(10, r.Count);
        Assert.Null(r.DataPath);
        Assert.Null(r.Threads);

        r = Assert.IsType<ReconstructOptions>(CommandLine.Parse(
            ["reconstruct", "autoencoder", "--count", "1000", "--data", "fashion-mnist", "--threads", "2", "--load", "a", "--png", "b"]));
        Assert.Equal((1000, "fashion-mnist", 2), (r.Count, r.DataPath, r.Threads));
    }
}

public class BenchCommandTests
{
    [Fact]
    public void Bench_runs_the_attention_workload_a_regressor()
    {
        int threads = Parallelism.ThreadCount;
        try
        {
            CliResult result = CliRunner.Run(["bench", "--workload", "attention", "--steps", "3", "--threads", "1"]);
            Assert.Equal(0, result.ExitCode);
            using var json = System.Text.Json.JsonDocument.Parse(Assert.Single(result.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
            var root = json.RootElement;
            Assert.Equal("attention", root.GetProperty("workload").GetString());
            Assert.Equal(32, root.GetProperty("batch").GetInt32());
            Assert.Equal(4 * (128 * 128 + 128), root.GetProperty("parameters").GetInt32());
            Assert.True(root.GetProperty("train_ms").GetDouble() > 0);
        }
        finally
        {
            Parallelism.ThreadCount = threads;
        }
    }

    [Fact]
    public void Bench_prints_one_json_line_per_workload_with_the_timings_and_the_memory_plan()
    {
        int threads = Parallelism.ThreadCount;
        try
        {
            CliResult result = CliRunner.Run(["bench", "--workload", "mlp", "--steps", "7", "--threads", "1"]);
            Assert.Equal(0, result.ExitCode);
            string[] lines = result.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            string line = Assert.Single(lines);
            using var json = System.Text.Json.JsonDocument.Parse(line);
            var root = json.RootElement;
            Assert.Equal("mlp", root.GetProperty("workload").GetString());
            Assert.Equal(1, root.GetProperty("threads").GetInt32());
            Assert.Equal(64, root.GetProperty("batch").GetInt32());
            Assert.Equal(7, root.GetProperty("steps").GetInt32());
            Assert.True(root.GetProperty("train_ms").GetDouble() > 0);
            Assert.True(root.GetProperty("predict_ms").GetDouble() > 0);
            Assert.True(root.GetProperty("train_ms").GetDouble() > root.GetProperty("predict_ms").GetDouble() / 2);
            Assert.Equal(235_146, root.GetProperty("parameters").GetInt32());
            long arena = root.GetProperty("arena_bytes").GetInt64(), kept = root.GetProperty("intermediate_bytes").GetInt64();
            Assert.InRange(arena, 1, kept - 1);
            Assert.True(root.GetProperty("allocated_bytes").GetInt64() >= 0);
        }
        finally
        {
            Parallelism.ThreadCount = threads;
        }
    }
}
