namespace DeepNotes.Cli.Tests;

/// <summary>The output of one in-process run of the CLI.</summary>
internal sealed record CliResult(int ExitCode, string Out, string Error)
{
    public string[] OutLines => Out.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}

internal static class CliRunner
{
    /// <summary>
    /// Runs the CLI in-process with captured writers; stderr is not a terminal unless asked;
    /// <paramref name="fashionDirectory"/> replaces where --data fashion-mnist looks.
    /// </summary>
    public static CliResult Run(string[] args, bool errorIsTerminal = false, string? workingDirectory = null, string? fashionDirectory = null)
    {
        using StringWriter output = new() { NewLine = "\n" };
        using StringWriter error = new() { NewLine = "\n" };
        CliContext context = new(output, error, errorIsTerminal, workingDirectory ?? Environment.CurrentDirectory)
        {
            FashionMnistDirectory = fashionDirectory ?? DataSource.FashionMnistDirectory,
        };
        int code = Program.Run(args, context);
        return new CliResult(code, output.ToString(), error.ToString());
    }

    /// <summary>No user error may surface as a stack trace.</summary>
    public static void AssertNoStackTrace(CliResult result)
    {
        Assert.DoesNotContain("   at ", result.Error);
        Assert.DoesNotContain("Exception", result.Error);
    }
}

/// <summary>A temporary directory deleted on dispose.</summary>
internal sealed class TempDir : IDisposable
{
    public TempDir()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "deepnotes-cli-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }
}

internal static class Repo
{
    /// <summary>The data/ folder of the repository above the test binaries.</summary>
    public static string DataDirectory()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (System.IO.File.Exists(Path.Combine(dir.FullName, "DeepNotes.sln"))) return Path.Combine(dir.FullName, "data");
        }
        throw new InvalidOperationException($"No DeepNotes.sln above {AppContext.BaseDirectory}.");
    }
}
