using System.Data.Common;
using System.Text;
using Microsoft.EntityFrameworkCore.Storage;

namespace Mailroom.Server.Data.Sql;

/// <summary>
/// New subscribers of a v4 bulk create, and their subscriber_activate events, as multi-row INSERTs: through EF each
/// row is its own statement with its own RETURNING, which kept a 100,000-row import well short of bench/'s 50,000
/// rows/s goal. One statement carries <see cref="RowsPerStatement"/> rows; the ids are read back by address in one
/// query per statement. Why 100 and not thousands: SQLite looks each named parameter up linearly when binding, so a
/// statement's cost grows with the square of its parameters (1,000 rows a statement took twice as long in all as 100).
/// Measured on SQLite, 100,000 new rows through the worker: EF per-row inserts 2,300 rows/s, these 6,300 rows/s
/// (insert 5.3 s, address lookup 2.8 s, validation 1.8 s, JSON in and out the rest) — still short of the 50,000 goal.
/// The caller owns the transaction, so rows and events are committed together. Plain SQL both providers accept.
/// </summary>
static class BulkSubscriberSql
{
    const int RowsPerStatement = 100;

    public sealed record NewSubscriber(string EmailAddress, string NormalizedEmail, string? FirstName, string State);

    /// <summary>Inserts the rows and returns their ids by normalized address.</summary>
    public static async Task<Dictionary<string, long>> InsertAsync(AppDbContext db, long accountId, IReadOnlyList<NewSubscriber> rows,
        DateTime now, CancellationToken ct)
    {
        var ids = new Dictionary<string, long>(rows.Count);
        var connection = db.Database.GetDbConnection();
        var transaction = db.Database.CurrentTransaction?.GetDbTransaction();
        foreach (var chunk in rows.Chunk(RowsPerStatement))
        {
            await using (var insert = connection.CreateCommand())
            {
                insert.Transaction = transaction;
                var sql = new StringBuilder("INSERT INTO subscribers (account_id, email_address, normalized_email, first_name, state, created_at, updated_at, cancelled_at) VALUES ");
                Add(insert, "@a", accountId);
                Add(insert, "@now", now);
                for (var i = 0; i < chunk.Length; i++)
                {
                    var r = chunk[i];
                    if (i > 0) sql.Append(',');
                    sql.Append($"(@a,@e{i},@n{i},@f{i},@s{i},@now,@now,{(r.State == SubscriberStates.Cancelled ? "@now" : "NULL")})");
                    Add(insert, $"@e{i}", r.EmailAddress);
                    Add(insert, $"@n{i}", r.NormalizedEmail);
                    Add(insert, $"@f{i}", r.FirstName);
                    Add(insert, $"@s{i}", r.State);
                }
                insert.CommandText = sql.ToString();
                await insert.ExecuteNonQueryAsync(ct);
            }
            await using var select = connection.CreateCommand();
            select.Transaction = transaction;
            Add(select, "@a", accountId);
            var names = new StringBuilder();
            for (var i = 0; i < chunk.Length; i++)
            {
                if (i > 0) names.Append(',');
                names.Append($"@n{i}");
                Add(select, $"@n{i}", chunk[i].NormalizedEmail);
            }
            select.CommandText = $"SELECT normalized_email, id FROM subscribers WHERE account_id = @a AND normalized_email IN ({names})";
            await using var reader = await select.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct)) ids[reader.GetString(0)] = reader.GetInt64(1);
        }
        return ids;
    }

    /// <summary>One event per subscriber id, all of one name, as multi-row INSERTs.</summary>
    public static async Task RaiseAsync(AppDbContext db, long accountId, string eventName, IReadOnlyList<long> subscriberIds, DateTime now, CancellationToken ct)
    {
        var connection = db.Database.GetDbConnection();
        var transaction = db.Database.CurrentTransaction?.GetDbTransaction();
        foreach (var chunk in subscriberIds.Chunk(RowsPerStatement * 5))
        {
            await using var insert = connection.CreateCommand();
            insert.Transaction = transaction;
            Add(insert, "@a", accountId);
            Add(insert, "@ev", eventName);
            Add(insert, "@now", now);
            var sql = new StringBuilder("INSERT INTO outbox_events (account_id, event_name, occurred_at, subscriber_id) VALUES ");
            for (var i = 0; i < chunk.Length; i++)
            {
                if (i > 0) sql.Append(',');
                sql.Append($"(@a,@ev,@now,@i{i})");
                Add(insert, $"@i{i}", chunk[i]);
            }
            insert.CommandText = sql.ToString();
            await insert.ExecuteNonQueryAsync(ct);
        }
    }

    static void Add(DbCommand command, string name, object? value)
    {
        var p = command.CreateParameter();
        p.ParameterName = name;
        p.Value = value ?? DBNull.Value;
        command.Parameters.Add(p);
    }
}
