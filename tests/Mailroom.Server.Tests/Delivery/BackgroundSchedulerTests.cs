using Mailroom.Server.Delivery;

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
    public async Task Run_BlockingWork_NeverRunsMoreThanMaxThreadsAtOnce()
    {
        var scheduler = new BackgroundScheduler("test", 3, nice: 0);
        var running = 0;
        var peak = 0;
        var all = Enumerable.Range(0, 12).Select(_ => scheduler.Run(() =>
        {
            var now = Interlocked.Increment(ref running);
            InterlockedMax(ref peak, now);
            Thread.Sleep(20);
            Interlocked.Decrement(ref running);
            return Thread.CurrentThread.Name;
        })).ToList();

        var names = await Task.WhenAll(all);

        Assert.Equal(3, peak);
        Assert.All(names, n => Assert.Equal("mailroom-test", n));
    }

    [Fact]
    public async Task Run_OnLinux_RaisesTheNiceValueOfItsThreadsOnly()
    {
        if (!OperatingSystem.IsLinux()) return;
        var before = OwnNice();
        var scheduler = new BackgroundScheduler("test", 1, nice: 7);

        var inside = await scheduler.Run(OwnNice);

        Assert.Equal(Math.Min(19, before + 7), inside);
        Assert.Equal(before, OwnNice());
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
