using System.Text;

namespace Mailroom.Server.Delivery.Sequences;

/// <summary>
/// Writes a scheduler batch's steps as multi-row INSERTs. EF Core inserts row by row (each with RETURNING id), and the
/// scheduler needs no ids back: at a send hour of 100,000 those statements were most of the scheduler's time.
/// </summary>
static class SequenceStepSql
{
    // 8 parameters a row: 200 rows stay far under SQLite's 32,766 and PostgreSQL's 65,535 parameters per statement.
    const int RowsPerStatement = 200;

    public static async Task InsertAsync(AppDbContext db, List<SequenceDelivery> steps, CancellationToken ct)
    {
        var no = db.Database.IsNpgsql() ? "false" : "0";
        foreach (var chunk in steps.Chunk(RowsPerStatement))
        {
            var sql = new StringBuilder("INSERT INTO sequence_deliveries (account_id, sequence_id, sequence_email_id, subscriber_id, round, token, due_at, completes, attempts, bounced, clicks) VALUES ");
            var values = new List<object>(chunk.Length * 8);
            for (var i = 0; i < chunk.Length; i++)
            {
                var s = chunk[i];
                var p = values.Count;
                if (i > 0) sql.Append(',');
                sql.Append($"({{{p}}},{{{p + 1}}},{{{p + 2}}},{{{p + 3}}},{{{p + 4}}},{{{p + 5}}},{{{p + 6}}},{{{p + 7}}},0,{no},0)");
                values.AddRange([s.AccountId, s.SequenceId, s.SequenceEmailId!.Value, s.SubscriberId, s.Round, s.Token, s.DueAt, s.Completes]);
            }
            await db.Database.ExecuteSqlRawAsync(sql.ToString(), values, ct);
        }
    }
}
