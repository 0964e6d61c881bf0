using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace Mailroom.Server.Delivery.Webhooks;

/// <summary>
/// Writes fanned-out deliveries with multi-row INSERTs. Through the change tracker, the insert was most of the
/// fan-out's cost (batch preparation, one RETURNING per row: about 0.8 ms of CPU per delivery on the bench machine),
/// and the dispatcher sends nothing while it fans out. Columns, parameter types and value converters (UTC
/// timestamps, SQLite's text GUIDs) come from the EF model, so both providers store what SaveChanges would.
/// </summary>
static class WebhookDeliveryInsert
{
    // PostgreSQL: 15 columns a row, well under its 65,535 parameters per statement. SQLite: one row per statement,
    // prepared once and run again with new values; Microsoft.Data.Sqlite looks each parameter up by name, which
    // grows with the square of the parameters in a statement and made multi-row INSERTs slower than EF Core.
    const int RowsPerStatement = 250;

    /// <summary>Inserts <paramref name="rows"/> in the context's current transaction; their Id stays unset.</summary>
    public static async Task InsertAsync(AppDbContext db, IReadOnlyList<WebhookDelivery> rows, CancellationToken ct)
    {
        if (rows.Count == 0) return;
        var entity = db.Model.FindEntityType(typeof(WebhookDelivery))!;
        var table = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
        var properties = entity.GetProperties().Where(p => p.ValueGenerated == ValueGenerated.Never).ToList();
        var sql = db.GetService<ISqlGenerationHelper>();
        var head = $"INSERT INTO {sql.DelimitIdentifier(table.Name, table.Schema)} " +
                   $"({string.Join(", ", properties.Select(p => sql.DelimitIdentifier(p.GetColumnName(table)!)))}) VALUES ";
        await db.Database.OpenConnectionAsync(ct);
        System.Data.Common.DbCommand? command = null;
        try
        {
            foreach (var chunk in rows.Chunk(db.Database.IsSqlite() ? 1 : RowsPerStatement))
            {
                // The same text for chunks of the same size, so the provider keeps the statement prepared.
                if (command is null || command.Parameters.Count != chunk.Length * properties.Count)
                {
                    if (command is not null) await command.DisposeAsync();
                    command = db.Database.GetDbConnection().CreateCommand();
                    command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
                    command.CommandText = head + string.Join(", ", Enumerable.Range(0, chunk.Length).Select(r =>
                        "(" + string.Join(", ", properties.Select((_, c) => sql.GenerateParameterNamePlaceholder($"p{r}_{c}"))) + ")"));
                }
                command.Parameters.Clear();
                for (var r = 0; r < chunk.Length; r++)
                    for (var c = 0; c < properties.Count; c++)
                    {
                        var property = properties[c];
                        command.Parameters.Add(property.GetRelationalTypeMapping()
                            .CreateParameter(command, $"p{r}_{c}", property.PropertyInfo!.GetValue(chunk[r]), property.IsNullable));
                    }
                await command.ExecuteNonQueryAsync(ct);
            }
        }
        finally
        {
            if (command is not null) await command.DisposeAsync();
            await db.Database.CloseConnectionAsync();
        }
    }
}
