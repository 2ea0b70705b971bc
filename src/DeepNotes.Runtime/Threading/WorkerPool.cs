using System.Diagnostics;
using System.Runtime.ExceptionServices;
using System.Threading;

namespace DeepNotes.Threading;

/// <summary>
/// One piece of a kernel that can be split: <see cref="Execute"/> runs part <c>part</c> of
/// <c>parts</c>. Parts must write disjoint memory, and the split must depend only on
/// (<c>part</c>, <c>parts</c>), so a run gives the same bits whichever threads take the parts.
/// Kernels keep one instance per calling thread and refill its fields before each run, so a run
/// allocates nothing.
/// </summary>
internal abstract class ParallelWork
{
    public abstract void Execute(int part, int parts);
}

/// <summary>
/// A fixed set of worker threads that run the parts of one <see cref="ParallelWork"/> beside the
/// calling thread (which always takes part 0). No <c>Task</c>, no delegates, no queue: the caller
/// publishes the work and bumps a generation counter; workers spin on the counter for a short
/// while and then sleep on a monitor until the next generation. A run allocates nothing.
/// </summary>
/// <remarks>
/// One run at a time: a second caller (another thread, or a kernel called from inside a part)
/// does not wait for the pool, it runs every part itself in order. The split is the same, so the
/// result is too.
/// </remarks>
internal sealed class WorkerPool
{
    /// <summary>How long an idle worker spins before it sleeps: long enough to cover the gap between
    /// two kernels of a training step, short enough not to burn a core between steps.</summary>
    private static readonly long s_spinTicks = Stopwatch.Frequency / 5000; // 200 µs

    private readonly object _gate = new();
    private readonly List<Thread> _threads = new();
    private ParallelWork? _work;
    private int _parts;
    private long _generation;
    private int _pending;
    private int _sleepers;
    private int _busy;
    private Exception? _error;
    private int _workersStarted;
    private int _ready;
    private long _startGeneration;

    internal static WorkerPool Shared { get; } = new();

    /// <summary>
    /// How many parts to split a call into: at most one per thread (<see cref="Parallelism.ThreadCount"/>), per
    /// unit of the split dimension and per <paramref name="minWorkPerPart"/> of <paramref name="work"/>; one when
    /// there is a single thread or the shared pool is already running (the parts would only run in sequence).
    /// </summary>
    internal static int PartsFor(long work, long minWorkPerPart, long units)
    {
        int threads = Parallelism.ThreadCount;
        if (threads <= 1 || units <= 1 || Shared.IsBusy) return 1;
        return (int)Math.Max(1, Math.Min(Math.Min(threads, units), work / minWorkPerPart));
    }

    /// <summary>Worker threads started so far (the pool grows to the largest thread count asked for).</summary>
    internal int WorkerCount
    {
        get { lock (_gate) return _threads.Count; }
    }

    /// <summary>True while a run is in progress: a kernel about to split its work should not, as it
    /// would only run its parts in sequence.</summary>
    internal bool IsBusy => Volatile.Read(ref _busy) != 0;

    /// <summary>
    /// Runs parts 0..<paramref name="parts"/>−1 of <paramref name="work"/>: part 0 on the calling
    /// thread, the others on workers, and returns when all are done. An exception in any part is
    /// rethrown here (the first one, with its stack trace).
    /// </summary>
    internal void Run(ParallelWork work, int parts)
    {
        if (parts <= 1)
        {
            work.Execute(0, 1);
            return;
        }
        if (Interlocked.CompareExchange(ref _busy, 1, 0) != 0)
        {
            for (int p = 0; p < parts; p++) work.Execute(p, parts);
            return;
        }
        try
        {
            EnsureWorkers(parts - 1);
            _work = work;
            _parts = parts;
            _error = null;
            // Every worker acknowledges every generation (those past the last part do nothing), so
            // none can lag behind into the next run.
            Volatile.Write(ref _pending, _workersStarted);
            Interlocked.Increment(ref _generation);   // full fence: the fields above are visible first
            if (Volatile.Read(ref _sleepers) > 0)
            {
                lock (_gate) Monitor.PulseAll(_gate);
            }

            Exception? mine = null;
            try
            {
                work.Execute(0, parts);
            }
            catch (Exception e)
            {
                mine = e;
            }

            var spinner = new SpinWait();
            while (Volatile.Read(ref _pending) != 0) spinner.SpinOnce(sleep1Threshold: -1);
            _work = null;

            Exception? error = mine ?? _error;
            if (error is not null) ExceptionDispatchInfo.Capture(error).Throw();
        }
        finally
        {
            Volatile.Write(ref _busy, 0);
        }
    }

    private void EnsureWorkers(int count)
    {
        if (Volatile.Read(ref _workersStarted) >= count) return;
        lock (_gate)
        {
            while (_threads.Count < count)
            {
                int index = _threads.Count + 1;
                var thread = new Thread(() => WorkerLoop(index))
                {
                    IsBackground = true,
                    Name = $"DeepNotes worker {index}",
                };
                // Start at the current generation so the new worker does not run an old one.
                _threads.Add(thread);
                _startGeneration = Volatile.Read(ref _generation);
                thread.Start();
                // Wait until it has read its start generation before publishing new work.
                while (Volatile.Read(ref _ready) < _threads.Count) Thread.Yield();
            }
            Volatile.Write(ref _workersStarted, _threads.Count);
        }
    }

    private void WorkerLoop(int index)
    {
        long seen = _startGeneration;
        Interlocked.Increment(ref _ready);
        while (true)
        {
            long generation = WaitForGeneration(seen);
            seen = generation;
            ParallelWork? work = _work;
            int parts = _parts;
            if (work is not null && index < parts)
            {
                ThreadScratch.GrowToMarks();
                try
                {
                    work.Execute(index, parts);
                }
                catch (Exception e)
                {
                    Interlocked.CompareExchange(ref _error, e, null);
                }
            }
            Interlocked.Decrement(ref _pending);
        }
    }

    private long WaitForGeneration(long seen)
    {
        long generation;
        long start = Stopwatch.GetTimestamp();
        while ((generation = Volatile.Read(ref _generation)) == seen)
        {
            if (Stopwatch.GetTimestamp() - start < s_spinTicks)
            {
                Thread.SpinWait(20);
                continue;
            }
            lock (_gate)
            {
                Interlocked.Increment(ref _sleepers);   // full fence before the re-check below
                while ((generation = Volatile.Read(ref _generation)) == seen) Monitor.Wait(_gate);
                Interlocked.Decrement(ref _sleepers);
            }
            return generation;
        }
        return generation;
    }
}
