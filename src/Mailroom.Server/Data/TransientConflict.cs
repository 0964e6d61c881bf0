using Npgsql;

namespace Mailroom.Server.Data;

/// <summary>
/// Recognises PostgreSQL aborting a transaction only because of what ran beside it (deadlock_detected,
/// serialization_failure): the transaction wrote nothing, and the same unit of work run again normally succeeds.
/// SQLite runs one writer at a time and never answers so.
/// </summary>
static class TransientConflict
{
    // The server's error arrives wrapped: SaveChanges puts it in a DbUpdateException, and Npgsql's execution strategy
    // wraps anything it deems transient (these two are) in an InvalidOperationException on top.
    public static bool Is(Exception e)
    {
        for (Exception? inner = e; inner is not null; inner = inner.InnerException)
            if (inner is PostgresException p)
                return p.SqlState is PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure;
        return false;
    }

    /// <summary>
    /// Runs <paramref name="once"/> (one transaction) again while PostgreSQL picks it as the victim of a conflict, up
    /// to <paramref name="maxAttempts"/> in all, with <paramref name="reset"/> (clearing the rolled-back attempt's
    /// tracked changes) and a short pause between attempts.
    /// </summary>
    public static async Task<T> RetryAsync<T>(Func<Task<T>> once, Action reset, int maxAttempts, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await once();
            }
            catch (Exception e) when (attempt < maxAttempts && Is(e))
            {
                reset();
                await BackoffAsync(attempt, ct);
            }
        }
    }

    /// <summary>
    /// A few milliseconds, random, growing with the attempt: the transaction that won has a moment to commit, and
    /// two losers of one deadlock do not start again in step and meet again.
    /// </summary>
    public static Task BackoffAsync(int attempt, CancellationToken ct) =>
        // Real time, not the injected TimeProvider: this is a pause, not a timestamp, and tests freeze their clock.
        Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(5, 25) * attempt), ct);
}
