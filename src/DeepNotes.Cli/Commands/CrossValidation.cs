using System.Diagnostics;

namespace DeepNotes.Cli.Commands;

/// <summary>
/// <c>deepnotes train --folds K</c>: k-fold cross-validation over the training set. The training
/// examples are shuffled once (from the seed) and cut into K contiguous folds (<see cref="KFold"/>);
/// for each fold a fresh model, initialised from the same seed, trains for --epochs on the other
/// K − 1 folds and is then measured on its training folds (no augmentation, dropout off) and on
/// the fold it never saw. The held-out set is not used. The summary is the mean validation accuracy
/// with its standard deviation over the folds (population, as NumPy's std) and the mean gap between
/// training and validation accuracy: the estimate of the generalisation error and how far the
/// training error understates it.
/// </summary>
internal static class CrossValidation
{
    /// <summary>The RNG stream of the one shuffle before the folds are cut (tagged "FOLD").</summary>
    public const ulong OrderStream = 0x464F_4C44_0000_0000UL;

    public static int Run(TrainOptions o, DataSplit data, AugmentationPipeline? augment, CliContext context)
    {
        // The command line refuses --folds for them: there is no accuracy to compare.
        if (o.Model.Kind == ModelKind.Reconstruction) throw new ArgumentException($"{o.Model.Name} has no classes to cross-validate", nameof(o));
        int n = data.Train.Count, k = o.Folds;
        if (k > n)
            throw new CliException($"--folds {k} is more than the {n} training {data.Noun}: every fold needs at least one");
        int[] order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        CounterRng.Shuffle(order, o.Seed, OrderStream);

        ProgressBar? bar = context.ErrorIsTerminal ? new ProgressBar(context.Error) : null;
        TextWriter w = context.Out;
        double[] trainAccuracy = new double[k], validationAccuracy = new double[k];
        for (int fold = 0; fold < k; fold++)
        {
            long start = Stopwatch.GetTimestamp();
            (int[] trainIndices, int[] validationIndices) = KFold.Split(order, k, fold);
            ImageDataset train = data.Train.Select(trainIndices), validation = data.Train.Select(validationIndices);
            int batch = o.FullBatch ? train.Count : Math.Min(o.BatchSize, train.Count);
            IModel model = o.Model.Create(Math.Max(batch, o.Model.EvalBatch), o.Seed);
            if (fold == 0) DataSource.CheckFits(data, o.Model, model);
            Trainer trainer = new(model, train, batch, o.Seed, new Sgd(o.LearningRate, o.Momentum, o.WeightDecay), augment, o.Model.InputImage, o.Model.Kind);
            if (fold == 0)
            {
                w.WriteLine(TrainCommand.Invariant(
                    $"{TrainCommand.Describe(o.Model, model)}: {k}-fold cross-validation over {n} training {data.Noun} (held-out set not used), {data.Description}"));
                w.WriteLine(TrainCommand.Invariant(
                    $"sgd lr {o.LearningRate} ({o.Schedule.Name()} schedule) momentum {o.Momentum} weight decay {o.WeightDecay}, batch {(o.FullBatch ? "all training folds (full batch)" : batch)}, {o.Epochs} epoch{(o.Epochs == 1 ? "" : "s")} per fold, seed {o.Seed}"));
                if (augment is not null) w.WriteLine(TrainCommand.DescribeAugmentation(augment.Options));
            }

            EpochStats stats = default;
            for (int epoch = 1; epoch <= o.Epochs; epoch++) stats = TrainCommand.RunEpoch(trainer, epoch, o, bar);
            trainAccuracy[fold] = new Evaluator(model, o.Model, train).Run().Accuracy;
            validationAccuracy[fold] = new Evaluator(model, o.Model, validation).Run().Accuracy;
            double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            w.WriteLine(TrainCommand.Invariant(
                $"fold {fold + 1}/{k}  loss {stats.Loss:F4}  train acc {trainAccuracy[fold]:F4}  validation acc {validationAccuracy[fold]:F4}  ({train.Count} train / {validation.Count} validation, {seconds:F2} s)"));
            w.Flush();
        }

        (double mean, double std) = MeanStd(validationAccuracy);
        double gap = 0;
        for (int f = 0; f < k; f++) gap += trainAccuracy[f] - validationAccuracy[f];
        w.WriteLine(TrainCommand.Invariant($"mean validation accuracy {mean:F4} ± {std:F4} (std over {k} folds)"));
        w.WriteLine(TrainCommand.Invariant($"mean train − validation gap {gap / k:F4}"));
        return ExitCodes.Ok;
    }

    /// <summary>Mean and population standard deviation.</summary>
    internal static (double Mean, double Std) MeanStd(ReadOnlySpan<double> values)
    {
        double mean = 0;
        foreach (double v in values) mean += v;
        mean /= values.Length;
        double squares = 0;
        foreach (double v in values) squares += (v - mean) * (v - mean);
        return (mean, Math.Sqrt(squares / values.Length));
    }
}
