using Microsoft.Extensions.Time.Testing;

namespace Mailroom.Server.Tests.Infrastructure;

/// <summary>
/// The app's fake clock, which also tells a test when the code under test has started waiting on it: advancing the
/// clock before anyone waits is lost on a loaded machine, where the waiter may arrive late.
/// </summary>
public sealed class TestClock(DateTimeOffset start) : FakeTimeProvider(start)
{
    int _timers;

    /// <summary>Timers created on this clock so far (each <c>Task.Delay(…, clock)</c> creates one).</summary>
    public int TimersCreated => Volatile.Read(ref _timers);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        Interlocked.Increment(ref _timers);
        return base.CreateTimer(callback, state, dueTime, period);
    }
}
