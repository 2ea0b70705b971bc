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
        s.AppendLine("deepnotes: train and evaluate the DeepNotes models on handwritten digits (MNIST)");
        s.AppendLine();
        s.AppendLine("usage:");
        s.AppendLine("  deepnotes train <model> [options]    train, printing loss and accuracy after every epoch");
        s.AppendLine("  deepnotes eval <model> --load FILE   accuracy and loss of a saved checkpoint on the held-out digits");
        s.AppendLine("  deepnotes info <model>               parameters, tensors and memory plan of a model");
        s.AppendLine("  deepnotes --help                     this text");
        s.AppendLine();
        s.AppendLine("models (the class name works too, in any case):");
        foreach (ModelEntry m in ModelRegistry.All)
        {
            s.Append("  ").Append(m.Name.PadRight(13)).Append(m.ClassName.PadRight(19)).Append(m.Summary)
             .Append("; default --lr ").Append(m.DefaultLearningRate.ToString(CultureInfo.InvariantCulture))
             .AppendLine(m.DefaultMomentum == 0f ? "" : " --momentum " + m.DefaultMomentum.ToString(CultureInfo.InvariantCulture));
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
        s.AppendLine("  --momentum X       SGD momentum, in [0, 1) (default 0; mlp 0.9)");
        s.AppendLine("  --weight-decay X   L2 penalty on weights, not biases (default 0)");
        s.AppendLine("  --seed N           seed of the initial weights, the shuffles and the dropout masks (default 0)");
        s.AppendLine("  --data PATH        where the digits are (see below)");
        s.AppendLine("  --save FILE        write the trained parameters to FILE (safetensors, PyTorch tensor names)");
        s.AppendLine();
        s.AppendLine("eval options:");
        s.AppendLine("  --load FILE        the checkpoint written by train --save (required)");
        s.AppendLine("  --data PATH        where the digits are (see below)");
        s.AppendLine();
        s.AppendLine("data: without --data, the 10,000 digits shipped in the repository's data/ folder, found above the");
        s.AppendLine("current directory or the executable; the first 8,000 train and the last 2,000 are held out.");
        s.AppendLine("--data PATH is a directory holding those two files, or MNIST's IDX files (train-images-idx3-ubyte,");
        s.AppendLine("train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte, raw or .gz): then the");
        s.AppendLine("training set trains and the test set is held out.");
        s.AppendLine();
        s.AppendLine("train acc is the running accuracy over an epoch's batches, each batch predicted (dropout off) just");
        s.AppendLine("before its own update step; held-out acc is measured after the epoch. A progress bar is drawn on");
        s.AppendLine("stderr when it is a terminal.");
        s.AppendLine();
        s.AppendLine("exit codes: 0 success, 1 failure (missing data, unreadable checkpoint, divergence), 2 wrong usage.");
        return s.ToString();
    }
}
