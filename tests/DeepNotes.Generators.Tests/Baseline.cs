using System.Text;

namespace DeepNotes.Generators.Tests;

/// <summary>Paths in the repository's source tree (not the test output folder).</summary>
internal static class RepoPaths
{
    private static readonly Lazy<string> s_root = new(FindRoot);

    /// <summary>The first folder above the test binaries holding DeepNotes.sln.</summary>
    public static string Root => s_root.Value;

    public static string ModelsDirectory => Path.Combine(Root, "src", "DeepNotes.Models");

    public static string BaselinesDirectory => Path.Combine(Root, "tests", "DeepNotes.Generators.Tests", "Baselines");

    /// <summary>The model source files, by file name (ordinal order).</summary>
    public static IReadOnlyList<string> ModelFiles() =>
        Directory.GetFiles(ModelsDirectory, "*.cs").OrderBy(p => p, StringComparer.Ordinal).ToList();

    private static string FindRoot()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "DeepNotes.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException($"No DeepNotes.sln above {AppContext.BaseDirectory}.");
    }
}

/// <summary>
/// Snapshot files of generated code, kept in the source tree as Baselines/&lt;Name&gt;.g.cs.txt (text,
/// so they are never compiled). With DEEPNOTES_UPDATE_BASELINES=1 the tests rewrite them instead.
/// </summary>
internal static class Baseline
{
    public const string UpdateVariable = "DEEPNOTES_UPDATE_BASELINES";
    public const string Extension = ".g.cs.txt";

    public static bool Updating => Environment.GetEnvironmentVariable(UpdateVariable) == "1";

    public static string PathFor(string name) => Path.Combine(RepoPaths.BaselinesDirectory, name + Extension);

    /// <summary>
    /// Compares <paramref name="actual"/> with the baseline <paramref name="name"/>, or rewrites the
    /// baseline when updating. Returns a note for the test output when it rewrote the file.
    /// </summary>
    public static string? Verify(string name, string actual)
    {
        string path = PathFor(name);
        if (Updating)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            bool same = File.Exists(path) && File.ReadAllText(path) == actual;
            if (!same) File.WriteAllText(path, actual, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
            return same ? $"Baseline {path} is up to date." : $"Baseline {path} rewritten ({UpdateVariable}=1).";
        }

        AssertMatches(name, actual);
        return null;
    }

    /// <summary>Compares with the baseline file, never rewriting it.</summary>
    public static void AssertMatches(string name, string actual)
    {
        string path = PathFor(name);
        Assert.True(File.Exists(path), $"No baseline {path}. Run the tests with {UpdateVariable}=1 to create it.");
        string expected = File.ReadAllText(path).Replace("\r\n", "\n", StringComparison.Ordinal);
        string? difference = FirstDifference(expected, actual);
        if (difference is not null)
            Assert.Fail($"The generated source for {name} differs from {path}.\n{difference}\nIf the change is intended, run the tests with {UpdateVariable}=1 and review the diff.");
    }

    /// <summary>Null when equal; otherwise the first differing line (1-based) with both versions.</summary>
    public static string? FirstDifference(string expected, string actual)
    {
        if (string.Equals(expected, actual, StringComparison.Ordinal)) return null;
        string[] e = expected.Split('\n'), a = actual.Split('\n');
        for (int i = 0; ; i++)
        {
            string? el = i < e.Length ? e[i] : null, al = i < a.Length ? a[i] : null;
            if (!string.Equals(el, al, StringComparison.Ordinal))
            {
                return $"First difference at line {i + 1}:\n" +
                       $"  expected: {Show(el)}\n" +
                       $"  actual:   {Show(al)}";
            }
        }
    }

    private static string Show(string? line) => line is null ? "<end of file>" : "\"" + line.Replace("\r", "\\r", StringComparison.Ordinal) + "\"";
}
