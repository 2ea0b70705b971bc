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
/// generation; every participant, the caller included, claims parts one at a time from a counter
/// tagged with the generation, until none is left; the caller then waits for the parts others
/// claimed. A worker that the operating system has not scheduled yet (the machine is busy) simply
/// claims nothing: the caller runs its parts, and never waits for a thread that has no work.
/// Idle workers spin for a short while, then sleep on a monitor. A run allocates nothing.
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
    // (generation << 32) | next unclaimed part: a claim is a compare-exchange on both, so a part can
    // only be claimed while its generation is the current one.
    private long _state;
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
            long generation = (Volatile.Read(ref _state) >> 32) + 1;
            Interlocked.Exchange(ref _state, generation << 32);   // full fence: the fields above are visible first
            if (Volatile.Read(ref _sleepers) > 0)
            {
                lock (_gate) Monitor.PulseAll(_gate);
            }

            RunParts(generation, work, parts);
            var spinner = new SpinWait();
            while (Volatile.Read(ref _remaining) != 0) spinner.SpinOnce(sleep1Threshold: -1);

            Exception? error = _error;
            _work = null;
            if (error is not null) ExceptionDispatchInfo.Capture(error).Throw();
        }
        finally
        {
            Volatile.Write(ref _busy, 0);
        }
    }

    /// <summary>Claims and runs parts of <paramref name="generation"/> until none is left.</summary>
    private void RunParts(long generation, ParallelWork work, int parts)
    {
        ThreadScratch.GrowToMarks();   // any part may land on this thread: have every buffer at its size first
        while (true)
        {
            long state = Volatile.Read(ref _state);
            int next = (int)(state & 0xFFFF_FFFF);
            if (state >> 32 != generation || next >= parts) return;
            if (Interlocked.CompareExchange(ref _state, state + 1, state) != state) continue;
            try
            {
                work.Execute(next, parts);
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref _error, e, null);
            }
            Interlocked.Decrement(ref _remaining);
        }
    }

    private void EnsureWorkers(int count)
    {
        if (Volatile.Read(ref _workersStarted) >= count) return;
        lock (_gate)
        {
            while (_threads.Count < count)
            {
                var thread = new Thread(WorkerLoop)
                {
                    IsBackground = true,
                    Name = $"DeepNotes worker {_threads.Count + 1}",
                };
                _threads.Add(thread);
                thread.Start();
            }
            Volatile.Write(ref _workersStarted, _threads.Count);
        }
    }

    private void WorkerLoop()
    {
        long seen = Volatile.Read(ref _state) >> 32;
        while (true)
        {
            long generation = WaitForGeneration(seen);
            seen = generation;
            // The work and part count of this generation stay put while any of its parts is unclaimed:
            // the caller publishes the next generation only after all of them have finished.
            ParallelWork? work = _work;
            int parts = _parts;
            if (work is not null) RunParts(generation, work, parts);
        }
    }

    private long WaitForGeneration(long seen)
    {
        long generation;
        long start = Stopwatch.GetTimestamp();
        while ((generation = Volatile.Read(ref _state) >> 32) == seen)
        {
            if (Stopwatch.GetTimestamp() - start < s_spinTicks)
            {
                Thread.SpinWait(20);
                continue;
            }
            lock (_gate)
            {
                Interlocked.Increment(ref _sleepers);   // full fence before the re-check below
                while ((generation = Volatile.Read(ref _state) >> 32) == seen) Monitor.Wait(_gate);
                Interlocked.Decrement(ref _sleepers);
            }
            return generation;
        }
        return generation;
    }
}
