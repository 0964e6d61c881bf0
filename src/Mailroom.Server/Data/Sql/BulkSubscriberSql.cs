using System.Data.Common;
using System.Globalization;
using Microsoft.Data.Sqlite;
using SQLitePCL;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;
using NpgsqlTypes;

namespace Mailroom.Server.Data.Sql;

/// <summary>
/// New subscribers of a bulk create, and their events, written without the change tracker: through EF each row is its
/// own statement with its own RETURNING, which kept a 100,000-row v4 bulk create at 2,300 rows/s.
/// SQLite: multi-row statements through its C API (see <see cref="InsertSqlite"/>); Microsoft.Data.Sqlite looks
/// parameters up by name, so a multi-row statement's cost grew with the square of its parameters (100 rows a statement
/// reached 6,300 rows/s in all, reading the ids back by address cost half as much again).
/// RETURNING hands back each id, and ON CONFLICT DO NOTHING lets the caller insert first and look up only the
/// addresses that already existed.
/// PostgreSQL: one statement per <see cref="PostgresRowsPerStatement"/> rows over unnest()ed arrays, so a chunk is one
/// round trip with four parameters. Figures in bench/RESULTS.md (scenario v4) and bench/findings.md.
/// The caller owns the transaction, so rows and events are committed together.
/// </summary>
static class BulkSubscriberSql
{
    const int PostgresRowsPerStatement = 5000;
    const int SqliteEventsPerStatement = 10_000;

    public sealed record NewSubscriber(string EmailAddress, string NormalizedEmail, string? FirstName, string State);

    const string Columns = "account_id, email_address, normalized_email, first_name, state, created_at, updated_at, cancelled_at";

    /// <summary>
    /// Inserts the rows whose address the account does not hold yet and returns their ids by normalized address; an
    /// address that already exists (or appears twice) is left as it is and missing from the result.
    /// </summary>
    public static async Task<Dictionary<string, long>> InsertNewAsync(AppDbContext db, long accountId, IReadOnlyList<NewSubscriber> rows,
        DateTime now, CancellationToken ct)
    {
        var ids = new Dictionary<string, long>(rows.Count);
        if (rows.Count == 0) return ids;
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            var connection = db.Database.GetDbConnection();
            var transaction = db.Database.CurrentTransaction?.GetDbTransaction();
            if (db.Database.IsNpgsql())
                foreach (var chunk in rows.Chunk(PostgresRowsPerStatement))
                {
                    await using var insert = connection.CreateCommand();
                    insert.Transaction = transaction;
                    insert.CommandText = $"""
                        INSERT INTO subscribers ({Columns})
                        SELECT @a, e, n, f, s, @now, @now, CASE WHEN s = '{SubscriberStates.Cancelled}' THEN @now END
                        FROM unnest(@e, @n, @f, @s) AS t(e, n, f, s)
                        ON CONFLICT (account_id, normalized_email) DO NOTHING
                        RETURNING normalized_email, id
                        """;
                    Add(insert, "a", accountId);
                    Add(insert, "now", now);
                    AddArray(insert, "e", chunk.Select(r => r.EmailAddress));
                    AddArray(insert, "n", chunk.Select(r => r.NormalizedEmail));
                    AddArray(insert, "f", chunk.Select(r => r.FirstName));
                    AddArray(insert, "s", chunk.Select(r => r.State));
                    await using var reader = await insert.ExecuteReaderAsync(ct);
                    while (await reader.ReadAsync(ct)) ids[reader.GetString(0)] = reader.GetInt64(1);
                }
            else
                InsertSqlite(((SqliteConnection)connection).Handle!, accountId, rows, now, ids);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
        return ids;
    }

    /// <summary>
    /// SQLite through its C API (SQLitePCLRaw, which Microsoft.Data.Sqlite runs on): statements of
    /// <see cref="SqliteRowsPerStatement"/> rows with numbered parameters bound by position, and RETURNING read row by
    /// row. Measured, 100,000 new rows into a table of 1,000,000 with its triggers: one row a statement through
    /// Microsoft.Data.Sqlite 57,000 rows/s (RETURNING through its data reader 48,000), which binds each parameter
    /// by name and so cannot carry many rows a statement; this, 110,000 to 150,000 rows/s.
    /// </summary>
    static void InsertSqlite(sqlite3 handle, long accountId, IReadOnlyList<NewSubscriber> rows, DateTime now, Dictionary<string, long> ids)
    {
        // The text EF Core's SQLite provider writes for a DateTime, so these rows compare and sort with its own.
        var stamp = now.ToString("yyyy-MM-dd HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture);
        sqlite3_stmt? statement = null;
        var statementRows = 0;
        try
        {
            foreach (var chunk in rows.Chunk(SqliteRowsPerStatement))
            {
                if (statementRows != chunk.Length)
                {
                    statement?.Dispose();
                    statement = Prepare(handle, SqliteInsert(chunk.Length));
                    statementRows = chunk.Length;
                }
                Check(handle, raw.sqlite3_bind_int64(statement, 1, accountId));
                Check(handle, raw.sqlite3_bind_text(statement, 2, stamp));
                for (var i = 0; i < chunk.Length; i++)
                {
                    var r = chunk[i];
                    var first = SqliteFixedParameters + 1 + i * SqliteParametersPerRow;
                    Check(handle, raw.sqlite3_bind_text(statement, first, r.EmailAddress));
                    Check(handle, raw.sqlite3_bind_text(statement, first + 1, r.NormalizedEmail));
                    Check(handle, r.FirstName is null ? raw.sqlite3_bind_null(statement, first + 2) : raw.sqlite3_bind_text(statement, first + 2, r.FirstName));
                    Check(handle, raw.sqlite3_bind_text(statement, first + 3, r.State));
                    Check(handle, r.State == SubscriberStates.Cancelled ? raw.sqlite3_bind_text(statement, first + 4, stamp) : raw.sqlite3_bind_null(statement, first + 4));
                }
                int rc;
                while ((rc = raw.sqlite3_step(statement)) == raw.SQLITE_ROW)
                    ids[raw.sqlite3_column_text(statement, 1).utf8_to_string()] = raw.sqlite3_column_int64(statement, 0);
                // reset reports the step's error again; the step's own code says which it was.
                raw.sqlite3_reset(statement);
                if (rc != raw.SQLITE_DONE) throw new SqliteException(raw.sqlite3_errstr(rc).utf8_to_string(), rc);
            }
        }
        finally
        {
            statement?.Dispose();
        }
    }

    const int SqliteRowsPerStatement = 100;
    const int SqliteFixedParameters = 2;
    const int SqliteParametersPerRow = 5;

    static string SqliteInsert(int rows)
    {
        var sql = new System.Text.StringBuilder($"INSERT INTO subscribers ({Columns}) VALUES ");
        for (var i = 0; i < rows; i++)
        {
            var p = SqliteFixedParameters + 1 + i * SqliteParametersPerRow;
            if (i > 0) sql.Append(',');
            sql.Append(CultureInfo.InvariantCulture, $"(?1, ?{p}, ?{p + 1}, ?{p + 2}, ?{p + 3}, ?2, ?2, ?{p + 4})");
        }
        sql.Append(" ON CONFLICT (account_id, normalized_email) DO NOTHING RETURNING id, normalized_email");
        return sql.ToString();
    }

    static sqlite3_stmt Prepare(sqlite3 handle, string sql)
    {
        Check(handle, raw.sqlite3_prepare_v2(handle, sql, out var statement));
        return statement;
    }

    static void Check(sqlite3 handle, int rc)
    {
        if (rc != raw.SQLITE_OK) throw new SqliteException(raw.sqlite3_errmsg(handle).utf8_to_string(), rc);
    }

    /// <summary>One event per subscriber id, all of one name.</summary>
    public static async Task RaiseAsync(AppDbContext db, long accountId, string eventName, IReadOnlyList<long> subscriberIds, DateTime now, CancellationToken ct)
    {
        if (subscriberIds.Count == 0) return;
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            var connection = db.Database.GetDbConnection();
            var transaction = db.Database.CurrentTransaction?.GetDbTransaction();
            const string head = "INSERT INTO outbox_events (account_id, event_name, occurred_at, subscriber_id)";
            if (db.Database.IsNpgsql())
                foreach (var chunk in subscriberIds.Chunk(PostgresRowsPerStatement))
                {
                    await using var insert = connection.CreateCommand();
                    insert.Transaction = transaction;
                    insert.CommandText = $"{head} SELECT @a, @ev, @now, unnest(@ids)";
                    Add(insert, "a", accountId);
                    Add(insert, "ev", eventName);
                    Add(insert, "now", now);
                    insert.Parameters.Add(new NpgsqlParameter<long[]>("ids", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { TypedValue = chunk });
                    await insert.ExecuteNonQueryAsync(ct);
                }
            else
                // The ids as one JSON array that SQLite's json_each() turns into rows: a statement of a few bytes to
                // parse, where multi-row VALUES made SQLite parse and compile every row's tuple.
                foreach (var chunk in subscriberIds.Chunk(SqliteEventsPerStatement))
                {
                    await using var insert = connection.CreateCommand();
                    insert.Transaction = transaction;
                    insert.CommandText = $"{head} SELECT @a, @ev, @now, value FROM json_each(@ids)";
                    Add(insert, "@a", accountId);
                    Add(insert, "@ev", eventName);
                    Add(insert, "@now", now);
                    Add(insert, "@ids", "[" + string.Join(",", chunk.Select(id => id.ToString(CultureInfo.InvariantCulture))) + "]");
                    insert.ExecuteNonQuery();
                }
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    static DbParameter Add(DbCommand command, string name, object? value)
    {
        var p = command.CreateParameter();
        p.ParameterName = name;
        p.Value = value ?? DBNull.Value;
        command.Parameters.Add(p);
        return p;
    }

    static void AddArray(DbCommand command, string name, IEnumerable<string?> values) =>
        command.Parameters.Add(new NpgsqlParameter<string?[]>(name, NpgsqlDbType.Array | NpgsqlDbType.Text) { TypedValue = [.. values] });
}
