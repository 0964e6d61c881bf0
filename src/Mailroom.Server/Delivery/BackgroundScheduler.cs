using System.Runtime.InteropServices;

namespace Mailroom.Server.Delivery;

/// <summary>
/// Threads of its own for background delivery work, optionally at a lower CPU priority than the API (Workers:Nice).
/// On a small machine the dispatcher's requests, their SQLite writes and the API's requests all want the same two
/// cores: on the shared thread pool the API's requests wait in line behind the dispatcher's continuations. Work
/// started on this scheduler stays on it (an await resumes on <see cref="TaskScheduler.Current"/>), and blocking
/// calls here never starve the pool. A nice value set here is inherited by any thread these threads start, thread-pool
/// threads included, which is why Workers:Nice is off by default.
/// Threads start on demand up to <c>maxThreads</c> and end after a while without work.
/// </summary>
public sealed class BackgroundScheduler(string name, int maxThreads, int nice) : TaskScheduler
{
    static readonly TimeSpan IdleExit = TimeSpan.FromSeconds(30);
    [ThreadStatic] static BackgroundScheduler? _running;

    readonly Queue<Task> _queue = new();
    readonly object _gate = new();
    int _threads;
    int _idle;

    public override int MaximumConcurrencyLevel => maxThreads;

    /// <summary>
    /// Runs <paramref name="work"/> on this scheduler; its awaits come back here. A caller elsewhere resumes on the
    /// thread pool: the runtime never runs an await's continuation inline inside another scheduler's task.
    /// </summary>
    public Task<T> Run<T>(Func<Task<T>> work, CancellationToken ct = default) =>
        Task.Factory.StartNew(work, ct, TaskCreationOptions.DenyChildAttach, this).Unwrap();

    /// <summary>Runs a blocking call on one of this scheduler's threads.</summary>
    public Task<T> Run<T>(Func<T> work, CancellationToken ct = default) =>
        Task.Factory.StartNew(work, ct, TaskCreationOptions.DenyChildAttach, this);

    protected override void QueueTask(Task task)
    {
        var spawn = false;
        lock (_gate)
        {
            _queue.Enqueue(task);
            if (_idle > 0) Monitor.Pulse(_gate);
            // An idle thread takes one task; more queued than idle threads wake up needs another thread.
            if (_queue.Count > _idle && _threads < maxThreads)
            {
                _threads++;
                spawn = true;
            }
        }
        if (spawn) new Thread(Work) { IsBackground = true, Name = $"mailroom-{name}" }.Start();
    }

    // Only inline on our own threads: elsewhere it would run background work on an API thread at full priority.
    protected override bool TryExecuteTaskInline(Task task, bool taskWasPreviouslyQueued) =>
        _running == this && (!taskWasPreviouslyQueued || TryDequeue(task)) && TryExecuteTask(task);

    protected override bool TryDequeue(Task task)
    {
        lock (_gate)
        {
            if (!_queue.Contains(task)) return false;
            var rest = _queue.Where(t => t != task).ToList();
            _queue.Clear();
            rest.ForEach(_queue.Enqueue);
            return true;
        }
    }

    protected override IEnumerable<Task> GetScheduledTasks()
    {
        lock (_gate) return [.. _queue];
    }

    void Work()
    {
        _running = this;
        Lower(nice);
        while (true)
        {
            Task task;
            lock (_gate)
            {
                while (_queue.Count == 0)
                {
                    _idle++;
                    var woken = Monitor.Wait(_gate, IdleExit);
                    _idle--;
                    if (!woken && _queue.Count == 0)
                    {
                        _threads--;
                        return;
                    }
                }
                task = _queue.Dequeue();
            }
            TryExecuteTask(task);
        }
    }

    /// <summary>
    /// Sets the calling thread's nice value to the process's (its main thread's) plus <paramref name="increment"/>.
    /// Linux keeps a nice value per thread (setpriority on a thread id), and raising it needs no privilege; .NET's
    /// Thread.Priority does nothing there. Relative to the process, not to the thread: a thread started by one of
    /// ours already carries its value (Linux threads inherit it), and must not be lowered twice.
    /// </summary>
    public static void Lower(int increment)
    {
        if (increment <= 0) return;
        if (!OperatingSystem.IsLinux())
        {
            Thread.CurrentThread.Priority = ThreadPriority.BelowNormal;
            return;
        }
        try
        {
            var tid = gettid();
            Marshal.SetLastPInvokeError(0);
            // With PRIO_PROCESS Linux reads a single thread: the process id names the main thread.
            var process = getpriority(PrioProcess, Environment.ProcessId);
            if (process == -1 && Marshal.GetLastPInvokeError() != 0) return;
            var target = Math.Min(19, process + increment);
            Marshal.SetLastPInvokeError(0);
            var current = getpriority(PrioProcess, tid);
            if (current == -1 && Marshal.GetLastPInvokeError() != 0) return;
            if (current < target) setpriority(PrioProcess, tid, target);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // A libc without gettid (older than glibc 2.30): the work runs at normal priority.
        }
    }

    const int PrioProcess = 0;
    [DllImport("libc")] static extern int gettid();
    [DllImport("libc", SetLastError = true)] static extern int getpriority(int which, int who);
    [DllImport("libc", SetLastError = true)] static extern int setpriority(int which, int who, int prio);
}
