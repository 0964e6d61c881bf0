namespace Mailroom.Server.Tests.Infrastructure;

/// <summary>
/// Waits for something another thread or process does, however slow the machine is. The guard is a last resort for a
/// hung test, long enough that a loaded machine never reaches it; it is not a speed assertion.
/// </summary>
public static class Eventually
{
    public static readonly TimeSpan Guard = TimeSpan.FromMinutes(2);

    /// <param name="work">Fails the wait at once if it faults (the reason shows instead of a timeout).</param>
    public static async Task UntilAsync(Func<bool> condition, string what, Task? work = null)
    {
        using var guard = new CancellationTokenSource(Guard);
        while (!condition())
        {
            if (work is { IsFaulted: true }) await work;
            if (guard.IsCancellationRequested) throw new Xunit.Sdk.XunitException($"gave up waiting for {what} after {Guard}");
            await Task.Delay(10, CancellationToken.None);
        }
    }
}
