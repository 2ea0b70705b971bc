using System.Globalization;

namespace DeepNotes.Cli;

/// <summary>
/// Turns the argument vector into a checked <see cref="Command"/>. Options are <c>--name value</c> or
/// <c>--name=value</c>, in any order after the model; every mistake is a <see cref="UsageException"/>
/// whose message names the argument at fault.
/// </summary>
internal static class CommandLine
{
    private static readonly string[] s_trainOptions =
        ["--epochs", "--batch", "--lr", "--momentum", "--schedule", "--weight-decay", "--seed", "--data", "--save", "--full-batch", "--augment", "--folds", "--threads"];
    private static readonly string[] s_flags = ["--full-batch", "--augment"];
    private static readonly string[] s_evalOptions = ["--load", "--data", "--threads"];
    private static readonly string[] s_reconstructOptions = ["--load", "--png", "--count", "--data", "--threads"];
    private static readonly string[] s_benchOptions = ["--workload", "--threads", "--steps"];
    private static readonly string[] s_word2vecOptions =
        ["--epochs", "--batch", "--lr", "--window", "--min-count", "--subsample", "--seed", "--data", "--save", "--threads"];
    private static readonly string[] s_similarOptions = ["--load", "--top", "--threads"];
    private static readonly string[] s_infoOptions = [];
    private static readonly string[] s_tokenizeOptions = ["--bpe", "--chars", "--words", "--data"];

    public static Command Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        foreach (string arg in args)
        {
            if (arg == "--") break; // what follows is text (tokenize), even "--help"
            if (arg is "-h" or "--help") return new HelpCommand();
        }
        if (args.Count == 0) throw new UsageException("no command given");

        string command = args[0];
        string[] allowed = command switch
        {
            "train" => s_trainOptions,
            "eval" => s_evalOptions,
            "reconstruct" => s_reconstructOptions,
            "info" => s_infoOptions,
            "bench" => s_benchOptions,
            "similar" => s_similarOptions,
            "tokenize" => s_tokenizeOptions,
            "help" => [],
            _ when command.StartsWith('-') => throw new UsageException($"unknown option '{command}'; expected a command first (train, eval, reconstruct, similar, tokenize, info or bench)"),
            _ => throw new UsageException($"unknown command '{command}' (expected train, eval, reconstruct, similar, tokenize, info or bench)"),
        };
        if (command == "help")
        {
            if (args.Count > 1) throw new UsageException($"unexpected argument '{args[1]}' after 'help'");
            return new HelpCommand();
        }

        if (command == "bench") return BuildBench(ReadOptions(command, args, allowed, first: 1));
        if (command == "tokenize") return BuildTokenize(args);
        if (command == "similar")
        {
            if (args.Count < 2 || args[1].StartsWith('-')) throw new UsageException("'similar' needs a word, e.g. deepnotes similar day --load words.safetensors");
            Dictionary<string, string?> similar = ReadOptions(command, args, allowed);
            return new SimilarOptions(args[1],
                Get(similar, "--load") ?? throw new UsageException("'similar' needs --load FILE, a checkpoint written by 'train skipgram --save' or 'train cbow --save'"),
                ParseInt(similar, "--top", SimilarOptions.DefaultTop, 1, 1000), ParseThreads(similar));
        }
        if (command == "train" && args.Count >= 2 && (args[1] is "skipgram" or "cbow"))
            return BuildWord2Vec(args[1] == "cbow", ReadOptions(command, args, s_word2vecOptions));

        if (args.Count < 2 || args[1].StartsWith('-'))
            throw new UsageException($"'{command}' needs a model name ({ModelRegistry.Names()})");
        ModelEntry model = ModelRegistry.Find(args[1])
            ?? throw new UsageException($"unknown model '{args[1]}' (expected one of: {ModelRegistry.Names()})");

        Dictionary<string, string?> options = ReadOptions(command, args, allowed);
        return command switch
        {
            "train" => BuildTrain(model, options),
            "eval" => new EvalOptions(model,
                Get(options, "--load") ?? throw new UsageException("'eval' needs --load FILE, the checkpoint to evaluate"),
                Get(options, "--data"), ParseThreads(options)),
            "reconstruct" => BuildReconstruct(model, options),
            _ => new InfoOptions(model),
        };
    }

    private static Dictionary<string, string?> ReadOptions(string command, IReadOnlyList<string> args, string[] allowed, int first = 2)
    {
        Dictionary<string, string?> options = new(StringComparer.Ordinal);
        for (int i = first; i < args.Count; i++)
        {
            string arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal))
                throw new UsageException($"unexpected argument '{arg}'");
            int equals = arg.IndexOf('=');
            string name = equals < 0 ? arg : arg[..equals];
            if (Array.IndexOf(allowed, name) < 0)
                throw new UsageException(allowed.Length == 0
                    ? $"unknown option '{name}': '{command}' takes no options"
                    : $"unknown option '{name}' for '{command}' (expected {string.Join(", ", allowed)})");
            if (options.ContainsKey(name))
                throw new UsageException($"option {name} is given twice");

            string? value;
            if (Array.IndexOf(s_flags, name) >= 0)
            {
                if (equals >= 0) throw new UsageException($"option {name} takes no value");
                value = null;
            }
            else if (equals >= 0)
            {
                value = arg[(equals + 1)..];
                if (value.Length == 0) throw new UsageException($"option {name} needs a value");
            }
            else
            {
                if (i + 1 >= args.Count || args[i + 1].StartsWith("--", StringComparison.Ordinal))
                    throw new UsageException($"option {name} needs a value");
                value = args[++i];
            }
            options.Add(name, value);
        }
        return options;
    }

    private static TrainOptions BuildTrain(ModelEntry model, Dictionary<string, string?> options)
    {
        bool fullBatch = options.ContainsKey("--full-batch");
        if (fullBatch && options.ContainsKey("--batch"))
            throw new UsageException("--full-batch and --batch cannot be combined (full batch means every training example)");

        int epochs = ParseInt(options, "--epochs", TrainOptions.DefaultEpochs, 1, 100_000);
        int batch = ParseInt(options, "--batch", TrainOptions.DefaultBatchSize, 1, 65_536);
        float lr = ParseFloat(options, "--lr", model.DefaultLearningRate, "a positive number", static x => x > 0f);
        float momentum = ParseFloat(options, "--momentum", model.DefaultMomentum, "in [0, 1)", static x => x >= 0f && x < 1f);
        float decay = ParseFloat(options, "--weight-decay", 0f, "zero or positive", static x => x >= 0f);
        LearningRateSchedule schedule = model.DefaultSchedule;
        if (Get(options, "--schedule") is { } scheduleText && !Schedules.TryParse(scheduleText, out schedule))
            throw new UsageException($"option --schedule expects constant or cosine, got '{scheduleText}'");

        ulong seed = 0;
        if (Get(options, "--seed") is { } s && !ulong.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out seed))
            throw new UsageException($"option --seed expects a whole number from 0 to {ulong.MaxValue}, got '{s}'");

        int folds = ParseInt(options, "--folds", 0, 2, 100_000);
        if (folds > 0 && model.Kind == ModelKind.Reconstruction)
            throw new UsageException($"--folds compares accuracies over folds, and {model.Name} has no classes: "
                + "train it without --folds (its held-out figure is the squared error per pixel)");
        if (folds > 0 && options.ContainsKey("--save"))
            throw new UsageException("--folds and --save cannot be combined: cross-validation trains a separate model per fold, "
                + "so there is no one model to save (train without --folds to save one)");

        return new TrainOptions(model, epochs, batch, fullBatch, lr, momentum, decay, seed,
            Get(options, "--data"), Get(options, "--save"), options.ContainsKey("--augment"), folds, schedule, ParseThreads(options));
    }

    private static ReconstructOptions BuildReconstruct(ModelEntry model, Dictionary<string, string?> options)
    {
        if (model.Kind != ModelKind.Reconstruction)
            throw new UsageException($"'reconstruct' needs a model that reconstructs its input ({ReconstructionModelNames()}); "
                + $"{model.Name} is a {(model.Kind == ModelKind.Classifier ? "classifier" : "regressor on one-hot targets")}");
        string load = Get(options, "--load")
            ?? throw new UsageException($"'reconstruct' needs --load FILE, the checkpoint written by 'deepnotes train {model.Name} --save FILE'");
        string png = Get(options, "--png") ?? throw new UsageException("'reconstruct' needs --png FILE, where to write the image");
        int count = ParseInt(options, "--count", ReconstructOptions.DefaultCount, 1, ReconstructOptions.MaxCount);
        return new ReconstructOptions(model, load, png, count, Get(options, "--data"), ParseThreads(options));
    }

    private static string ReconstructionModelNames()
    {
        List<string> names = new();
        foreach (ModelEntry entry in ModelRegistry.All)
        {
            if (entry.Kind == ModelKind.Reconstruction) names.Add(entry.Name);
        }
        return string.Join(", ", names);
    }

    private static Word2VecOptions BuildWord2Vec(bool cbow, Dictionary<string, string?> options)
    {
        int epochs = ParseInt(options, "--epochs", Word2VecOptions.DefaultEpochs, 1, 1000);
        int batch = ParseInt(options, "--batch", Word2VecOptions.DefaultBatch, 1, 65_536);
        float lr = ParseFloat(options, "--lr", cbow ? Word2VecOptions.DefaultCbowRate : Word2VecOptions.DefaultSkipGramRate, "a positive number", static x => x > 0f);
        int window = ParseInt(options, "--window", Word2VecOptions.DefaultWindow, 1, 100);
        if (cbow && window != DeepNotes.Models.Cbow.Window)
            throw new UsageException($"option --window must be {DeepNotes.Models.Cbow.Window} for cbow: the model's context input has 2 x {DeepNotes.Models.Cbow.Window} slots");
        int minCount = ParseInt(options, "--min-count", Word2VecOptions.DefaultMinCount, 1, 1_000_000);
        double subsample = Word2VecOptions.DefaultSubsample;
        if (Get(options, "--subsample") is { } sub
            && (!double.TryParse(sub, NumberStyles.Float, CultureInfo.InvariantCulture, out subsample) || !double.IsFinite(subsample) || subsample < 0))
            throw new UsageException($"option --subsample expects a number, zero or positive (0 keeps every word), got '{sub}'");
        ulong seed = 0;
        if (Get(options, "--seed") is { } s && !ulong.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out seed))
            throw new UsageException($"option --seed expects a whole number from 0 to {ulong.MaxValue}, got '{s}'");
        return new Word2VecOptions(cbow, epochs, batch, lr, window, minCount, subsample, seed,
            Get(options, "--data"), Get(options, "--save"), ParseThreads(options));
    }

    /// <summary>
    /// <c>tokenize [--bpe NAME | --chars | --words] [--data FILE] TEXT</c>: options and the one TEXT in any order;
    /// after <c>--</c> the next argument is TEXT even if it starts with dashes.
    /// </summary>
    private static TokenizeOptions BuildTokenize(IReadOnlyList<string> args)
    {
        string? text = null, bpe = null, data = null;
        List<string> modes = new();
        for (int i = 1; i < args.Count; i++)
        {
            string arg = args[i];
            bool literal = arg == "--";
            if (literal)
            {
                if (i + 1 >= args.Count) throw new UsageException("'--' must be followed by the TEXT to tokenize");
                arg = args[++i];
            }
            if (literal || !arg.StartsWith("--", StringComparison.Ordinal))
            {
                if (text is not null)
                    throw new UsageException($"'tokenize' takes one TEXT, got '{text}' and '{arg}' (quote a text with spaces)");
                text = arg;
                continue;
            }
            int equals = arg.IndexOf('=');
            string name = equals < 0 ? arg : arg[..equals];
            if (Array.IndexOf(s_tokenizeOptions, name) < 0)
                throw new UsageException($"unknown option '{name}' for 'tokenize' (expected {string.Join(", ", s_tokenizeOptions)})");
            if (name is "--chars" or "--words")
            {
                if (equals >= 0) throw new UsageException($"option {name} takes no value");
                if (modes.Contains(name)) throw new UsageException($"option {name} is given twice");
                modes.Add(name);
                continue;
            }
            string value;
            if (equals >= 0) value = arg[(equals + 1)..];
            else if (i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal)) value = args[++i];
            else throw new UsageException($"option {name} needs a value");
            if (value.Length == 0) throw new UsageException($"option {name} needs a value");
            if (name == "--bpe")
            {
                if (bpe is not null) throw new UsageException("option --bpe is given twice");
                bpe = value;
                modes.Add(name);
            }
            else
            {
                if (data is not null) throw new UsageException("option --data is given twice");
                data = value;
            }
        }
        if (modes.Count > 1)
            throw new UsageException($"{string.Join(" and ", modes)} cannot be combined: give one tokenizer (--bpe NAME, --chars or --words)");
        if (text is null)
            throw new UsageException("'tokenize' needs a TEXT, e.g. deepnotes tokenize --bpe gpt2 \"Hello world\"");
        TokenizerKind kind = modes.Count == 0 || modes[0] == "--bpe" ? TokenizerKind.Bpe
            : modes[0] == "--chars" ? TokenizerKind.Characters : TokenizerKind.Words;
        if (kind == TokenizerKind.Bpe)
        {
            if (data is not null)
                throw new UsageException("--data is the corpus whose vocabulary --chars and --words use; BPE has its own table");
            bpe ??= DeepNotes.Text.BpeTokenizer.Gpt2;
            string? known = null;
            foreach (string model in DeepNotes.Text.BpeTokenizer.Models)
            {
                if (string.Equals(model, bpe, StringComparison.OrdinalIgnoreCase)) known = model;
            }
            bpe = known ?? throw new UsageException(
                $"unknown BPE tokenizer '{bpe}' (expected {string.Join(", ", DeepNotes.Text.BpeTokenizer.Models)})");
        }
        return new TokenizeOptions(kind, text, bpe, data);
    }

    private static BenchOptions BuildBench(Dictionary<string, string?> options)
    {
        DeepNotes.Models.Workload? workload = null;
        if (Get(options, "--workload") is { } name && !string.Equals(name, "all", StringComparison.OrdinalIgnoreCase))
        {
            workload = DeepNotes.Models.Workload.Find(name) ?? throw new UsageException(
                $"unknown workload '{name}' (expected all or one of: {DeepNotes.Models.Workload.Names()})");
        }
        int? steps = Get(options, "--steps") is null ? null : ParseInt(options, "--steps", 0, 1, 1_000_000);
        return new BenchOptions(workload, ParseThreads(options), steps);
    }

    /// <summary>--threads N: kernels split across N threads (default: DEEPNOTES_THREADS or the processor count).</summary>
    private static int? ParseThreads(Dictionary<string, string?> options)
        => Get(options, "--threads") is null ? null : ParseInt(options, "--threads", 0, 1, Parallelism.MaxThreads);

    private static string? Get(Dictionary<string, string?> options, string name)
        => options.TryGetValue(name, out string? value) ? value : null;

    private static int ParseInt(Dictionary<string, string?> options, string name, int fallback, int min, int max)
    {
        if (Get(options, name) is not { } text) return fallback;
        if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value))
            throw new UsageException($"option {name} expects a whole number, got '{text}'");
        if (value < min || value > max)
            throw new UsageException($"option {name} must be from {min} to {max.ToString("N0", CultureInfo.InvariantCulture)}, got {text}");
        return (int)value;
    }

    private static float ParseFloat(Dictionary<string, string?> options, string name, float fallback, string range, Func<float, bool> valid)
    {
        if (Get(options, name) is not { } text) return fallback;
        if (!float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out float value) || !float.IsFinite(value))
            throw new UsageException($"option {name} expects a number, got '{text}'");
        if (!valid(value))
            throw new UsageException($"option {name} must be {range}, got {text}");
        return value;
    }
}
