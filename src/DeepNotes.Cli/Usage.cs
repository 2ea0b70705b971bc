using System.Globalization;
using System.Text;

namespace DeepNotes.Cli;

/// <summary>The help text, built from <see cref="ModelRegistry"/> so the model list and defaults never drift.</summary>
internal static class Usage
{
    /// <summary>The full help, for <c>--help</c>.</summary>
    public static string Text() => Synopsis(new StringBuilder()).Append(Details()).ToString();

    /// <summary>The commands and models, printed after a usage error.</summary>
    public static string Short() => Synopsis(new StringBuilder()).AppendLine().AppendLine("'deepnotes --help' describes the options.").ToString();

    private static StringBuilder Synopsis(StringBuilder s)
    {
        s.AppendLine("deepnotes: train and evaluate the DeepNotes models on handwritten digits (MNIST) or clothes (Fashion-MNIST)");
        s.AppendLine();
        s.AppendLine("usage:");
        s.AppendLine("  deepnotes train <model> [options]    train, printing loss and accuracy (autoencoder: squared error)");
        s.AppendLine("                                       after every epoch");
        s.AppendLine("  deepnotes eval <model> --load FILE   accuracy and loss of a saved checkpoint on the held-out set");
        s.AppendLine("  deepnotes reconstruct autoencoder --load FILE --png FILE");
        s.AppendLine("                                       a PNG of held-out digits above their reconstructions");
        s.AppendLine("  deepnotes train skipgram|cbow [options]");
        s.AppendLine("                                       word2vec on the shipped fortunes corpus (words/s per epoch,");
        s.AppendLine("                                       nearest neighbours of a few words at the end)");
        s.AppendLine("  deepnotes similar <word> --load FILE the nearest words by cosine similarity of the input vectors");
        s.AppendLine("  deepnotes tokenize [--bpe gpt2|--chars|--words] TEXT");
        s.AppendLine("                                       the tokens of TEXT and their ids, one per line");
        s.AppendLine("  deepnotes info <model>               parameters, tensors and memory plan of a model");
        s.AppendLine("  deepnotes bench [options]            time the reference workloads; one JSON line per workload");
        s.AppendLine("  deepnotes --help                     this text");
        s.AppendLine();
        s.AppendLine("models (the class name works too, in any case):");
        int nameWidth = 0, classWidth = 0;
        foreach (ModelEntry m in ModelRegistry.All)
        {
            nameWidth = Math.Max(nameWidth, m.Name.Length);
            classWidth = Math.Max(classWidth, m.ClassName.Length);
        }
        foreach (ModelEntry m in ModelRegistry.All)
        {
            s.Append("  ").Append(m.Name.PadRight(nameWidth + 2)).Append(m.ClassName.PadRight(classWidth + 2)).Append(m.Summary)
             .Append("; default --lr ").Append(m.DefaultLearningRate.ToString(CultureInfo.InvariantCulture))
             .Append(m.DefaultMomentum == 0f ? "" : " --momentum " + m.DefaultMomentum.ToString(CultureInfo.InvariantCulture))
             .AppendLine(m.DefaultSchedule == LearningRateSchedule.Constant ? "" : " --schedule " + m.DefaultSchedule.Name());
        }
        return s;
    }

    private static string Details()
    {
        StringBuilder s = new();
        s.AppendLine();
        s.AppendLine("train options:");
        s.AppendLine("  --epochs N         passes over the training set (default 10)");
        s.AppendLine("  --batch N          examples per SGD step (default 64)");
        s.AppendLine("  --full-batch       full-batch gradient descent: one step per epoch over every training example");
        s.AppendLine("  --lr X             learning rate (default: per model, above)");
        s.AppendLine("  --momentum X       SGD momentum, in [0, 1) (default: per model, above; 0 where none is listed)");
        s.AppendLine("  --schedule S       learning rate per epoch: constant, or cosine: epoch e of E (from 0) at");
        s.AppendLine("                     lr * (1 + cos(pi * e / E)) / 2 (default: per model, above; constant where none is listed)");
        s.AppendLine("  --weight-decay X   L2 penalty on weights, not biases (default 0)");
        s.AppendLine("  --seed N           seed of the initial weights, shuffles, dropout masks and augmentations (default 0)");
        s.AppendLine("  --data PATH        the data: mnist, fashion-mnist or a directory (see below)");
        s.AppendLine("  --save FILE        write the trained parameters to FILE (safetensors, PyTorch tensor names)");
        s.AppendLine("  --augment          augment every training batch: random shifts of up to 2 pixels (zero padding),");
        s.AppendLine("                     brightness and contrast x[0.8, 1.2], blur or sharpen on 1 image in 5, and");
        s.AppendLine("                     left-right mirrors on half the images of Fashion-MNIST (never of digits)");
        s.AppendLine("  --threads N        threads the kernels split work across (default: DEEPNOTES_THREADS, else the");
        s.AppendLine("                     processor count); results are the same bits with any count");
        s.AppendLine("  --folds K          k-fold cross-validation instead (K >= 2): K fresh models, each trained on");
        s.AppendLine("                     K - 1 folds of the training set for --epochs and validated on the other;");
        s.AppendLine("                     prints each fold, the mean validation accuracy +- its std over the folds, and");
        s.AppendLine("                     the mean train - validation gap. The held-out set is not used; no --save");
        s.AppendLine();
        s.AppendLine("eval options:");
        s.AppendLine("  --load FILE        the checkpoint written by train --save (required)");
        s.AppendLine("  --data PATH        the data: mnist, fashion-mnist or a directory (see below)");
        s.AppendLine("  --threads N        as for train");
        s.AppendLine();
        s.AppendLine("reconstruct options (models that reconstruct their input: autoencoder):");
        s.AppendLine("  --load FILE        the checkpoint written by train --save (required)");
        s.AppendLine("  --png FILE         where to write the image (required): 8-bit greyscale, the first N held-out");
        s.AppendLine("                     images in rows of up to " + Commands.ReconstructCommand.Columns.ToString(CultureInfo.InvariantCulture)
            + ", each row directly above the row of their reconstructions (pairs of rows");
        s.AppendLine("                     apart by a grey line)");
        s.AppendLine("  --count N          how many held-out images (default " + ReconstructOptions.DefaultCount.ToString(CultureInfo.InvariantCulture)
            + ", at most " + ReconstructOptions.MaxCount.ToString("N0", CultureInfo.InvariantCulture) + ")");
        s.AppendLine("  --data PATH        the data: mnist, fashion-mnist or a directory (see below)");
        s.AppendLine("  --threads N        as for train");
        s.AppendLine();
        s.AppendLine("train skipgram|cbow options (word2vec with 5 noise words, plain SGD, the rate decaying linearly to 0):");
        s.AppendLine("  --epochs N         passes over the corpus (default 5)");
        s.AppendLine("  --batch N          (center, context) pairs (skipgram) or windows (cbow) per step (default 64: with");
        s.AppendLine("                     512, the summed updates of frequent words pulled every vector one way)");
        s.AppendLine("  --lr X             word2vec's starting alpha per pair (default 0.025 skipgram, 0.05 cbow); the loss is");
        s.AppendLine("                     a mean over batch x 6 scores, so the step's rate is alpha x batch x 6");
        s.AppendLine("  --window N         context words on each side, reduced at random per word as word2vec does");
        s.AppendLine("                     (default 5; cbow's model takes exactly 5)");
        s.AppendLine("  --min-count N      words seen fewer times become <unk> (default 5)");
        s.AppendLine("  --subsample X      word2vec's threshold for dropping frequent words (default 1e-3; 0 keeps all)");
        s.AppendLine("  --seed N, --threads N, --save FILE (also writes FILE.vocab)");
        s.AppendLine("  --data FILE        a text corpus (plain or .gz, one sentence per line; default data/fortunes.txt.gz)");
        s.AppendLine();
        s.AppendLine("similar options:");
        s.AppendLine("  --load FILE        a checkpoint of train skipgram|cbow --save (its FILE.vocab beside it) (required)");
        s.AppendLine("  --top N            how many words (default 10)");
        s.AppendLine();
        s.AppendLine("tokenize options (one tokenizer; TEXT is one argument, quoted; after -- it may start with dashes):");
        s.AppendLine("  --bpe NAME         byte-level BPE: gpt2 (the default), GPT-2's 50,257 ids, from Microsoft.ML.Tokenizers");
        s.AppendLine("                     and its Data.Gpt2 table (MIT), built in; every text encodes, no <unk>");
        s.AppendLine("  --words            words as word2vec reads the corpus (runs of a-z and 0-9, lower-cased), ids of the");
        s.AppendLine("                     corpus vocabulary at min-count " + TokenizeOptions.WordMinCount.ToString(CultureInfo.InvariantCulture) + " (train skipgram's), <unk> = 0");
        s.AppendLine("  --chars            one token per character, ids of the corpus's characters, <unk> = 0");
        s.AppendLine("  --data FILE        the corpus of --words and --chars (default data/fortunes.txt.gz)");
        s.AppendLine();
        s.AppendLine("bench options:");
        s.AppendLine("  --workload W       " + DeepNotes.Models.Workload.Names() + " or all (default all); the workloads of");
        s.AppendLine("                     REFERENCE.md: random data, SGD lr 0.01 momentum 0.9");
        s.AppendLine("  --threads N        as for train");
        s.AppendLine("  --steps N          timed steps per workload (default: as many as fit in about 2 s, 5 to 1000)");
        s.AppendLine("  Each line: median train_ms and predict_ms, GFLOP/s (3x the forward multiply-adds for a step),");
        s.AppendLine("  allocated_bytes over the timed steps (all threads), parameters, and arena_bytes against");
        s.AppendLine("  intermediate_bytes (every intermediate kept) from the memory plan.");
        s.AppendLine();
        s.AppendLine("data: without --data, or with --data mnist, the 10,000 digits shipped in the repository's data/");
        s.AppendLine("folder, found above the current directory or the executable; the first 8,000 train and the last");
        s.AppendLine("2,000 are held out. --data fashion-mnist is Fashion-MNIST (60,000 training / 10,000 held-out");
        s.AppendLine("images of clothes) where Debian's dataset-fashion-mnist package installs it,");
        s.AppendLine("  " + DataSource.FashionMnistDirectory + "   (sudo apt-get install dataset-fashion-mnist)");
        s.AppendLine("--data PATH is a directory holding the shipped files, or MNIST-format IDX files (train-images-idx3-ubyte,");
        s.AppendLine("train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte, raw or .gz): then the");
        s.AppendLine("training set trains and the test set is held out.");
        s.AppendLine();
        s.AppendLine("autoencoder is trained with each image as its own target, the labels unused; its loss and held-out");
        s.AppendLine("mse are the mean squared error per pixel (pixels from 0 to 1) between the images and its outputs.");
        s.AppendLine("It has no classes, so no accuracy, and no --folds.");
        s.AppendLine();
        s.AppendLine("train acc is the running accuracy over an epoch's batches, each batch predicted (dropout off) just");
        s.AppendLine("before its own update step, after augmentation with --augment; held-out acc is measured after the");
        s.AppendLine("epoch. With --folds, train acc is measured after training, over the training folds, unaugmented.");
        s.AppendLine("Models that take images of another size (alexnet: 224x224) get every batch resized bilinearly.");
        s.AppendLine("A progress bar is drawn on stderr when it is a terminal.");
        s.AppendLine();
        s.AppendLine("exit codes: 0 success, 1 failure (missing data, unreadable checkpoint, divergence), 2 wrong usage.");
        return s.ToString();
    }
}
