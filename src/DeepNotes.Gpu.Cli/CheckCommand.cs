namespace DeepNotes.Gpu.Cli;

internal static class CheckCommand
{
    public static int Run(Options options)
    {
        throw new UsageException("check: not wired yet");
    }
}
