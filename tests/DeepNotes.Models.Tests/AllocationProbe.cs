namespace DeepNotes.Models.Tests;

/// <summary>
/// The test assembly's entry point (GenerateProgramFile is off). With <c>alloc-probe WORKLOAD</c>
/// it measures, in a quiet process of its own, the bytes allocated by 100 steps after warm-up on
/// the calling thread and in the whole process, and prints them.
/// </summary>
public static class AllocationProbe
{
    public static int Main(string[] args)
    {
        if (args.Length != 2 || args[0] != "alloc-probe") return 0;
        switch (args[1])
        {
            case "mlp": Classifier<Mlp>(); break;
            case "dropout-mlp": Classifier<DropoutMlp>(); break;
            case "perceptron": Report("perceptron TrainStep with batcher and one-hot", Measure(PerceptronLoop())); break;
            case "lenet-augmented": Report("LeNet5 TrainStep with augmentation", Measure(AugmentedLeNetLoop())); break;
            case "resnet": Classifier<ResNet>(); break;
            case "lenet": Classifier<LeNet5>(); break;
            case "autoencoder":
                (Action train, Action predict) = AutoEncoderSteps();
                Report("AutoEncoder TrainStep", Measure(train));
                Report("AutoEncoder Predict", Measure(predict));
                break;
            case "skipgram": Report("SkipGram TrainStep", Measure(SkipGramSteps().Train)); Report("SkipGram Predict", Measure(SkipGramSteps().Predict)); break;
            case "cbow": Report("Cbow TrainStep", Measure(CbowSteps().Train)); Report("Cbow Predict", Measure(CbowSteps().Predict)); break;
            case "transformer": Report("TransformerEncoderBlock TrainStep", Measure(TransformerSteps().Train)); Report("TransformerEncoderBlock Predict", Measure(TransformerSteps().Predict)); break;
            case "seq2seq": Report("Seq2Seq TrainStep", Measure(Seq2SeqSteps().Train)); Report("Seq2Seq Predict", Measure(Seq2SeqSteps().Predict)); break;
            default: Console.Error.WriteLine($"unknown workload {args[1]}"); return 2;
        }
        return 0;
    }

    /// <summary>(bytes on this thread, bytes in the process) over 100 steps after 20 of warm-up.</summary>
    public static (long Thread, long Process) Measure(Action step)
    {
        for (int i = 0; i < 20; i++) step();
        long thread = GC.GetAllocatedBytesForCurrentThread();
        long total = GC.GetTotalAllocatedBytes(precise: true);
        for (int i = 0; i < 100; i++) step();
        return (GC.GetAllocatedBytesForCurrentThread() - thread, GC.GetTotalAllocatedBytes(precise: true) - total);
    }

    public static Action PerceptronLoop()
    {
        var model = Perceptron.Create(64, 1);
        var batches = new MiniBatcher(TestData.Train, 64, 1);
        var targets = new float[64 * 10];
        var sgd = new Sgd(0.5f);
        int epoch = 0;
        batches.StartEpoch(epoch);
        return () =>
        {
            if (!batches.Next(out int n)) { batches.StartEpoch(++epoch); batches.Next(out n); }
            OneHot.Encode(targets.AsSpan(0, n * 10), batches.Labels, 10);
            model.TrainStep(batches.Features, targets.AsSpan(0, n * 10), n, ref sgd);
        };
    }

    /// <summary>
    /// The autoencoder at batch 64 on the shuffled digits, each batch its own target (the batcher's
    /// buffer passed as both input and targets, as the CLI does), and a prediction of 64 held-out digits.
    /// </summary>
    public static (Action Train, Action Predict) AutoEncoderSteps()
    {
        var model = AutoEncoder.Create(64, 1);
        ImageDataset train = TestData.Train, heldOut = TestData.HeldOut;
        var batches = new MiniBatcher(train, 64, 1);
        var output = new float[64 * AutoEncoder.OutputSize];
        var sgd = new Sgd(2f, momentum: 0.9f);
        int epoch = 0;
        batches.StartEpoch(epoch);
        return (() =>
        {
            if (!batches.Next(out int n)) { batches.StartEpoch(++epoch); batches.Next(out n); }
            model.TrainStep(batches.Features, batches.Features, n, ref sgd);
        }, () => model.Predict(heldOut.Features[..(64 * AutoEncoder.InputSize)], output, 64));
    }

    /// <summary>A training step and a prediction of model T at batch 64 on fixed data, ready to be measured.</summary>
    public static (Action Train, Action Predict) ClassifierSteps<T>() where T : IClassifier, IModelFactory<T>
    {
        const int batch = 64;
        T model = T.Create(batch, 1);
        float[] x = TestData.Random(batch * model.InputLength, 2);
        int[] y = TestData.RandomLabels(batch, model.OutputLength, 3);
        var output = new float[batch * model.OutputLength];
        var sgd = new Sgd(0.01f, momentum: 0.9f, weightDecay: 1e-4f);
        return (() => model.TrainStep(x, y, batch, ref sgd), () => model.Predict(x, output, batch));
    }

    /// <summary>
    /// Skip-gram at batch 1,024 × 5 negatives (REFERENCE.md's workload), a new batch of ids each step, plain SGD
    /// and with momentum (the lazy sparse path), ready to be measured.
    /// </summary>
    public static (Action Train, Action Predict) SkipGramSteps()
    {
        const int batch = 1024, columns = 1 + SkipGram.Negatives;
        var model = SkipGram.Create(batch, 1);
        int[][] centers = [Word2VecData.Ids(batch, 10_000, 1), Word2VecData.Ids(batch, 10_000, 2)];
        int[][] contexts = [Word2VecData.Ids(batch * columns, 10_000, 3), Word2VecData.Ids(batch * columns, 10_000, 4)];
        float[] labels = Word2VecData.Labels(batch, columns);
        var scores = new float[batch * columns];
        var sgd = new Sgd(0.5f, momentum: 0.5f);
        int step = 0;
        return (() => { int k = step++ & 1; model.TrainStep(centers[k], contexts[k], labels, batch, ref sgd); },
                () => model.Predict(centers[0], contexts[0], scores, batch));
    }

    /// <summary>TransformerEncoderBlock at batch 64 on padded sequences (lengths 3..8), ready to be measured.</summary>
    public static (Action Train, Action Predict) TransformerSteps()
    {
        const int batch = 64, n = TransformerEncoderBlock.Length;
        var model = TransformerEncoderBlock.Create(batch, 1);
        int[] tokens = TestData.RandomLabels(batch * n, TransformerEncoderBlock.Vocabulary, 2), labels = TestData.RandomLabels(batch, 2, 3);
        float[] mask = Enumerable.Range(0, batch * n).Select(i => i % n < 3 + i / n % 6 ? 1f : 0f).ToArray(), output = new float[batch * 2];
        var sgd = new Sgd(0.01f, momentum: 0.9f);
        return (() => model.TrainStep(tokens, mask, labels, batch, ref sgd), () => model.Predict(tokens, mask, output, batch));
    }

    /// <summary>Seq2Seq at batch 64 with per-position labels, ready to be measured.</summary>
    public static (Action Train, Action Predict) Seq2SeqSteps()
    {
        const int batch = 64, n = Seq2Seq.Length;
        var model = Seq2Seq.Create(batch, 1);
        int[] source = TestData.RandomLabels(batch * n, Seq2Seq.Symbols, 2), shifted = TestData.RandomLabels(batch * n, Seq2Seq.Symbols + 1, 3);
        int[] target = TestData.RandomLabels(batch * n, Seq2Seq.Symbols, 4);
        float[] output = new float[batch * Seq2Seq.OutputSize];
        var sgd = new Sgd(0.01f, momentum: 0.9f);
        return (() => model.TrainStep(source, shifted, target, batch, ref sgd), () => model.Predict(source, shifted, output, batch));
    }

    /// <summary>CBOW at batch 1,024, window 5, 5 negatives, CbowBatcher's layout (ragged windows padded with id 0, masked).</summary>
    public static (Action Train, Action Predict) CbowSteps()
    {
        const int batch = 1024, width = 2 * Cbow.Window, columns = 1 + Cbow.Negatives;
        var model = Cbow.Create(batch, 1);
        int[] counts = Enumerable.Range(0, batch).Select(b => 1 + b % width).ToArray();
        (int[] contexts, float[] mask) = Word2VecData.Windows(batch, width, counts, 10_000, 5);
        int[] targets = Word2VecData.Ids(batch * columns, 10_000, 6);
        float[] labels = Word2VecData.Labels(batch, columns);
        var scores = new float[batch * columns];
        var sgd = new Sgd(0.5f);
        return (() => model.TrainStep(contexts, mask, targets, labels, batch, ref sgd),
                () => model.Predict(contexts, mask, targets, scores, batch));
    }

    /// <summary>LeNet-5 trained on batches that the augmentation pipeline crops, flips, filters and jitters first.</summary>
    public static Action AugmentedLeNetLoop()
    {
        var model = LeNet5.Create(64, 1);
        var batches = new MiniBatcher(TestData.Train, 64, 1);
        var pipeline = new AugmentationPipeline(1, 28, 28, new AugmentationOptions
        {
            CropPadding = 2, FlipProbability = 0.5f, Brightness = 0.2f, Contrast = 0.2f, FilterProbability = 0.2f, Seed = 3,
        });
        var images = new float[64 * 784];
        var sgd = new Sgd(0.05f, momentum: 0.9f);
        int epoch = 0, index = 0;
        batches.StartEpoch(epoch);
        return () =>
        {
            if (!batches.Next(out int n)) { batches.StartEpoch(++epoch); index = 0; batches.Next(out n); }
            batches.Features.CopyTo(images);
            pipeline.Apply(images.AsSpan(0, n * 784), n, epoch, index++);
            model.TrainStep(images.AsSpan(0, n * 784), batches.Labels, n, ref sgd);
        };
    }

    private static void Classifier<T>() where T : IClassifier, IModelFactory<T>
    {
        (Action train, Action predict) = ClassifierSteps<T>();
        Report(typeof(T).Name + " TrainStep", Measure(train));
        Report(typeof(T).Name + " Predict", Measure(predict));
    }

    private static void Report(string what, (long Thread, long Process) bytes)
        => Console.WriteLine($"{what} thread={bytes.Thread} process={bytes.Process}");
}
