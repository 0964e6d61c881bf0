namespace Mailroom.Server.Domain;

public static class TimeProviderExtensions
{
    /// <summary>
    /// Now, truncated to whole seconds. Kit's timestamps always read <c>.000Z</c>, and both providers
    /// then store and compare exactly the same value (SQLite keeps ticks, Postgres microseconds).
    /// </summary>
    public static DateTime UtcNowSeconds(this TimeProvider time)
    {
        var now = time.GetUtcNow().UtcDateTime;
        return new DateTime(now.Ticks - now.Ticks % TimeSpan.TicksPerSecond, DateTimeKind.Utc);
    }

    public static DateTime UtcNow(this TimeProvider time) => time.GetUtcNow().UtcDateTime;
}
