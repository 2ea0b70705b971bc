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
/// calling thread. No <c>Task</c>, no delegates, no queue: the caller publishes the work and a new
/// generation. Part i belongs to participant i (the caller is 0, worker i is i), so consecutive
/// kernels split the same way find their data in the same core's cache; a part is claimed by writing
/// the generation into its slot, so it runs once. If a worker has not claimed its part a short while
/// after the caller finished its own (the operating system has not scheduled it: the machine is
/// busy), the caller claims and runs it instead of waiting. Idle workers spin for a short while, then
/// sleep on a monitor. A run allocates nothing.
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

    /// <summary>How long the caller, done with its own part, waits for a worker to claim its part before
    /// running it itself (a woken or spinning worker claims within microseconds).</summary>
    private static readonly long s_stealTicks = Stopwatch.Frequency / 20_000; // 50 µs

    private readonly object _gate = new();
    private readonly List<Thread> _threads = new();
    private ParallelWork? _work;
    private int _parts;
    // The current generation (a claim of part p for generation g writes g into _claimed[p]; it succeeds
    // only if the slot holds an older generation, so a part runs once, and a worker that wakes late with
    // an old generation claims nothing).
    private long _generation;
    private readonly long[] _claimed = new long[Parallelism.MaxThreads];
    private int _remaining;
    private int _sleepers;
    private int _busy;
    private Exception? _error;
    private int _workersStarted;

    internal static WorkerPool Shared { get; } = new();

    /// <summary>Worker threads started so far (the pool grows to the largest thread count asked for).</summary>
    internal int WorkerCount
    {
        get { lock (_gate) return _threads.Count; }
    }

    /// <summary>True while a run is in progress: a kernel about to split its work should not, as it
    /// would only run its parts in sequence.</summary>
    internal bool IsBusy => Volatile.Read(ref _busy) != 0;

    /// <summary>
    /// Runs parts 0..<paramref name="parts"/>−1 of <paramref name="work"/> on the calling thread and the
    /// workers, and returns when all are done. An exception in any part is rethrown here (the first
    /// one, with its stack trace); the other parts still run to the end.
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
            Volatile.Write(ref _remaining, parts);
            long generation = Volatile.Read(ref _generation) + 1;
            Interlocked.Exchange(ref _generation, generation);   // full fence: the fields above are visible first
            if (Volatile.Read(ref _sleepers) > 0)
            {
                lock (_gate) Monitor.PulseAll(_gate);
            }

            RunPart(generation, work, 0, parts);
            long start = Stopwatch.GetTimestamp();
            var spinner = new SpinWait();
            bool stolen = false;
            while (Volatile.Read(ref _remaining) != 0)
            {
                if (!stolen && Stopwatch.GetTimestamp() - start > s_stealTicks)
                {
                    for (int p = 1; p < parts; p++) RunPart(generation, work, p, parts);
                    stolen = true;
                    continue;
                }
                spinner.SpinOnce(sleep1Threshold: -1);
            }

            Exception? error = _error;
            _work = null;
            if (error is not null) ExceptionDispatchInfo.Capture(error).Throw();
        }
        finally
        {
            Volatile.Write(ref _busy, 0);
        }
    }

    /// <summary>Claims part <paramref name="part"/> for <paramref name="generation"/> and runs it, unless it was claimed already.</summary>
    private void RunPart(long generation, ParallelWork work, int part, int parts)
    {
        ref long slot = ref _claimed[part];
        long seen;
        do
        {
            seen = Volatile.Read(ref slot);
            if (seen >= generation) return;
        }
        while (Interlocked.CompareExchange(ref slot, generation, seen) != seen);
        ThreadScratch.GrowToMarks();   // a part may land on a thread that never ran it: every buffer at its size first
        try
        {
            work.Execute(part, parts);
        }
        catch (Exception e)
        {
            Interlocked.CompareExchange(ref _error, e, null);
        }
        Interlocked.Decrement(ref _remaining);
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
                _threads.Add(thread);
                thread.Start();
            }
            Volatile.Write(ref _workersStarted, _threads.Count);
        }
    }

    private void WorkerLoop(int index)
    {
        long seen = Volatile.Read(ref _generation);
        while (true)
        {
            long generation = WaitForGeneration(seen);
            seen = generation;
            // If the caller has moved on to a newer generation meanwhile, the claim below fails: a claim for
            // a generation succeeds only while that generation is current, and then these are its fields.
            ParallelWork? work = _work;
            int parts = _parts;
            if (work is not null && index < parts) RunPart(generation, work, index, parts);
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
