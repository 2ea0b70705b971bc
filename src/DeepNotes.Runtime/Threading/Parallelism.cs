using System.Globalization;
using System.Threading;

namespace DeepNotes;

/// <summary>
/// How many threads the kernels split their work across: the calling thread plus
/// <see cref="ThreadCount"/> − 1 workers of one shared, allocation-free pool. Every split writes
/// disjoint memory in an order that does not depend on the thread count, so a model trains to the
/// same bits with 1 thread or 8.
/// </summary>
public static class Parallelism
{
    /// <summary>The largest thread count accepted.</summary>
    public const int MaxThreads = 64;

    /// <summary>The environment variable read for the default thread count.</summary>
    public const string EnvironmentVariable = "DEEPNOTES_THREADS";

    private static int s_threads;

    /// <summary>
    /// Threads per kernel, 1 to <see cref="MaxThreads"/>. Defaults to <c>DEEPNOTES_THREADS</c> when set,
    /// otherwise to the number of processors the process may use.
    /// </summary>
    public static int ThreadCount
    {
        get
        {
            int n = Volatile.Read(ref s_threads);
            if (n == 0)
            {
                n = DefaultThreadCount();
                Volatile.Write(ref s_threads, n);
            }
            return n;
        }
        set
        {
            if (value < 1 || value > MaxThreads)
                throw new ArgumentOutOfRangeException(nameof(value), value, $"The thread count must be from 1 to {MaxThreads}.");
            Volatile.Write(ref s_threads, value);
        }
    }

    private static int DefaultThreadCount()
    {
        string? text = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (string.IsNullOrWhiteSpace(text)) return Math.Clamp(Environment.ProcessorCount, 1, MaxThreads);
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n >= 1 && n <= MaxThreads) return n;
        throw new InvalidOperationException($"{EnvironmentVariable} must be a whole number from 1 to {MaxThreads}, not '{text}'.");
    }
}
