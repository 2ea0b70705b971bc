using System.IO;

namespace DeepNotes.Benchmarks;

/// <summary>Finds the repository root (the folder holding DeepNotes.sln) by walking up from the binary or the working directory.</summary>
internal static class RepoPaths
{
    private static string? s_root;

    public static string Root => s_root ??= Find();

    public static string Data => Path.Combine(Root, "data");

    private static string Find()
    {
        foreach (string start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
        {
            for (DirectoryInfo? d = new(start); d is not null; d = d.Parent)
            {
                if (File.Exists(Path.Combine(d.FullName, "DeepNotes.sln"))) return d.FullName;
            }
        }
        throw new DirectoryNotFoundException(
            $"DeepNotes.sln not found above '{AppContext.BaseDirectory}' or '{Directory.GetCurrentDirectory()}'.");
    }
}
