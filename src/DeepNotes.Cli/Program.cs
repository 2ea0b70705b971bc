using DeepNotes.Cli.Commands;

namespace DeepNotes.Cli;

/// <summary>Where a command writes and what it may assume about its surroundings; tests pass their own.</summary>
/// <param name="Out">Results: one line per epoch, summaries.</param>
/// <param name="Error">Errors and the progress bar.</param>
/// <param name="ErrorIsTerminal">Whether <paramref name="Error"/> is a terminal, so a progress bar is drawn.</param>
/// <param name="WorkingDirectory">Where the search for the shipped data starts.</param>
internal sealed record CliContext(TextWriter Out, TextWriter Error, bool ErrorIsTerminal, string WorkingDirectory)
{
    /// <summary>Where <c>--data fashion-mnist</c> looks; tests point it elsewhere.</summary>
    public string FashionMnistDirectory { get; init; } = DataSource.FashionMnistDirectory;

    public static CliContext FromConsole() =>
        new(Console.Out, Console.Error, !Console.IsErrorRedirected, Environment.CurrentDirectory);
}

internal static class Program
{
    public static int Main(string[] args) => Run(args, CliContext.FromConsole());

    /// <summary>Parses and runs one command; returns the exit code. User errors are reported in one line, never as a stack trace.</summary>
    public static int Run(IReadOnlyList<string> args, CliContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        Command command;
        try
        {
            command = CommandLine.Parse(args);
        }
        catch (UsageException e)
        {
            if (args.Count > 0)
            {
                context.Error.WriteLine($"deepnotes: error: {e.Message}");
                context.Error.WriteLine();
            }
            context.Error.Write(Usage.Short());
            return ExitCodes.Usage;
        }

        try
        {
            return command switch
            {
                TrainOptions train => TrainCommand.Run(train, context),
                EvalOptions eval => EvalCommand.Run(eval, context),
                ReconstructOptions reconstruct => ReconstructCommand.Run(reconstruct, context),
                InfoOptions info => InfoCommand.Run(info, context),
                BenchOptions bench => BenchCommand.Run(bench, context),
                Word2VecOptions word2vec => Word2VecCommand.Train(word2vec, context),
                SimilarOptions similar => Word2VecCommand.Similar(similar, context),
                TokenizeOptions tokenize => TokenizeCommand.Run(tokenize, context),
                _ => Help(context),
            };
        }
        catch (CliException e)
        {
            context.Error.WriteLine($"deepnotes: error: {OneLine(e.Message)}");
            return ExitCodes.Failure;
        }
    }

    private static int Help(CliContext context)
    {
        context.Out.Write(Usage.Text());
        return ExitCodes.Ok;
    }

    /// <summary>Folds a message onto one line (some library messages carry line breaks).</summary>
    public static string OneLine(string message) => message.ReplaceLineEndings(" ").Trim();
}
