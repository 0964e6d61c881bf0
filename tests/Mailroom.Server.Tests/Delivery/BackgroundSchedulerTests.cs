using Mailroom.Server.Delivery;
using Mailroom.Server.Tests.Infrastructure;

namespace Mailroom.Server.Tests.Delivery;

/// <summary>
/// The webhook dispatcher runs on a BackgroundScheduler so its work stays off the API's thread pool and below the API's
/// CPU priority. These check the three things that depends on: work and its awaits stay on the scheduler's own threads,
/// no more threads than allowed run at once, and on Linux those threads really run at a higher nice value.
/// </summary>
public sealed class BackgroundSchedulerTests
{
    [Fact]
    public async Task Run_AwaitsInsideTheWork_ResumeOnTheSchedulersThreads()
    {
        var scheduler = new BackgroundScheduler("test", 4, nice: 0);
        var names = await scheduler.Run(async () =>
        {
            var seen = new List<string?> { Thread.CurrentThread.Name };
            for (var i = 0; i < 3; i++)
            {
                await Task.Delay(5);
                seen.Add(Thread.CurrentThread.Name);
                seen.Add(Thread.CurrentThread.IsThreadPoolThread ? "pool" : "own");
            }
            return seen;
        });

        Assert.All(names, n => Assert.True(n is "mailroom-test" or "own", $"ran on {n}"));
    }

    [Fact]
    public async Task Run_AwaitedFromOutside_ResumesTheCallerOffTheSchedulersThreads()
    {
        var scheduler = new BackgroundScheduler("test", 1, nice: 0);
        // Off xunit's synchronization context, as the server's workers are: there an await resumes wherever the
        // awaited task completes unless the scheduler sees to it.
        await Task.Run(async () =>
        {
        for (var i = 0; i < 50; i++)
        {
            // Slow enough that the caller's continuation is registered before the work ends, so the thread that
            // finishes the work is the one that could run it.
            var name = await scheduler.Run(() =>
            {
                Thread.Sleep(1);
                return Thread.CurrentThread.Name;
            });
            Assert.Equal("mailroom-test", name);
            Assert.NotEqual("mailroom-test", Thread.CurrentThread.Name);

            var asyncName = await scheduler.Run(async () =>
            {
                await Task.Delay(1);
                return Thread.CurrentThread.Name;
            });
            Assert.Equal("mailroom-test", asyncName);
            Assert.NotEqual("mailroom-test", Thread.CurrentThread.Name);
        }
        });
    }

    [Fact]
    public async Task Run_CancelledWork_CancelsTheCallersTaskWithItsToken()
    {
        var scheduler = new BackgroundScheduler("test", 1, nice: 0);
        using var cts = new CancellationTokenSource();

        var run = scheduler.Run(async () =>
        {
            await Task.Delay(Timeout.Infinite, cts.Token);
            return 0;
        });
        cts.Cancel();

        var e = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
        Assert.Equal(cts.Token, e.CancellationToken);
        Assert.True(run.IsCanceled);
    }

    [Fact]
    public async Task Run_BlockingWork_NeverRunsMoreThanMaxThreadsAtOnce()
    {
        var scheduler = new BackgroundScheduler("test", 3, nice: 0);
        var running = 0;
        var peak = 0;
        using var full = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var all = Enumerable.Range(0, 12).Select(_ => scheduler.Run(() =>
        {
            var now = Interlocked.Increment(ref running);
            InterlockedMax(ref peak, now);
            if (now >= 3) full.Set();
            // Everything holds its thread until the test lets go, so all three threads are busy at once however slowly
            // the machine starts them, and a fourth would have the whole wait below to show up.
            release.Wait();
            Interlocked.Decrement(ref running);
            return Thread.CurrentThread.Name;
        })).ToList();

        Assert.True(full.Wait(Eventually.Guard), "three pieces of work never ran at once");
        // A scheduler that started a fourth thread has this long to do it; a correct one never will.
        await Task.Delay(200);
        Assert.Equal(3, Volatile.Read(ref peak));
        release.Set();
        var names = await Task.WhenAll(all);

        Assert.Equal(3, peak);
        Assert.All(names, n => Assert.Equal("mailroom-test", n));
    }

    [Fact]
    public void Run_OnLinux_RaisesTheNiceValueOfItsThreadsOnly()
    {
        if (!OperatingSystem.IsLinux()) return;
        var scheduler = new BackgroundScheduler("test", 2, nice: 7);
        int before = 0, after = 0;
        var inside = new int[2];

        // A thread of the test's own, blocking on the work: Linux threads inherit the nice value of the thread that
        // starts them, so a thread-pool thread the scheduler's threads happened to start could carry theirs, and an
        // await could resume on one. This thread exists before the scheduler's, so only the scheduler can change it.
        var caller = new Thread(() =>
        {
            before = OwnNice();
            inside[0] = scheduler.Run(OwnNice).GetAwaiter().GetResult();
            // The second runs on a thread started by a lowered one: still lowered by 7, not by 14.
            inside[1] = scheduler.Run(() =>
            {
                // Blocks this thread of the scheduler until the inner work runs, so it runs on a second one.
                using var started = new ManualResetEventSlim();
                var inner = scheduler.Run(() =>
                {
                    started.Set();
                    return OwnNice();
                });
                started.Wait();
                return inner.GetAwaiter().GetResult();
            }).GetAwaiter().GetResult();
            after = OwnNice();
        });
        caller.Start();
        caller.Join();

        Assert.Equal(Math.Min(19, before + 7), inside[0]);
        Assert.Equal(Math.Min(19, before + 7), inside[1]);
        Assert.Equal(before, after);
    }

    [Fact]
    public async Task Run_FaultingWork_FaultsItsTaskAndTheThreadCarriesOn()
    {
        var scheduler = new BackgroundScheduler("test", 1, nice: 0);

        await Assert.ThrowsAsync<InvalidOperationException>(() => scheduler.Run(Boom));
        Assert.Equal(42, await scheduler.Run(() => 42));
    }

    static int Boom() => throw new InvalidOperationException("boom");

    /// <summary>The calling thread's nice value, from /proc (field 19 of its stat line).</summary>
    static int OwnNice()
    {
        var stat = File.ReadAllText("/proc/thread-self/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return int.Parse(fields[16]);
    }

    static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen) { }
    }
}
