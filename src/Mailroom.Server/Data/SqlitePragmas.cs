using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Mailroom.Server.Data;

/// <summary>
/// Per-connection settings SQLite does not store in the file.
/// busy_timeout lets SQLite itself wait for the write lock. Microsoft.Data.Sqlite leaves SQLite's busy timeout at 0 and retries
/// a busy statement after sleeping 150 ms, so two concurrent writers (subscribes, the broadcast sender) cost the
/// loser at least 150 ms; SQLite's own handler retries after 1, 2, 5, 10 … ms and gets the lock as soon as the
/// other commit is done. The timeout matches the 30-second command timeout, so nothing fails sooner than before.
/// temp_store=MEMORY keeps statement journals in memory: every statement on a table with triggers (subscribers and
/// subscriptions keep their counts by trigger) opens one, and as a temporary file it cost 35 µs a statement; single-row
/// inserts into subscribers went from 22,000 to 57,000 rows/s (bench/findings.md). Large sorts also stay in memory,
/// which the list queries avoid by reading in index order.
/// </summary>
sealed class SqlitePragmas : DbConnectionInterceptor
{
    public const int BusyTimeoutMilliseconds = 30_000;

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData) => Apply(connection);

    public override Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken)
    {
        Apply(connection);
        return Task.CompletedTask;
    }

    // A pragma on an open connection is a native call without I/O, so the synchronous path serves both.
    static void Apply(DbConnection connection)
    {
        if (connection is not SqliteConnection sqlite) return;
        using var command = sqlite.CreateCommand();
        command.CommandText = $"PRAGMA busy_timeout = {BusyTimeoutMilliseconds}; PRAGMA temp_store = MEMORY;";
        command.ExecuteNonQuery();
    }
}
