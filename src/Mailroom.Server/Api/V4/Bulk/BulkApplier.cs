using System.Globalization;
using System.Text.Json.Nodes;
using Mailroom.Server.Api.V3;
using Mailroom.Server.Api.V4;

namespace Mailroom.Server.Api.V4.Bulk;

/// <summary>
/// Applies one v4 bulk request and builds the body Kit answers for it (the 200, and the callback of a queued one):
/// the items applied and a <c>failures</c> entry, with Kit's per-item messages (v4 notes §4.2), for each that could not
/// be. Set-based: each step reads or writes every item at once (chunked IN lists), so the cost per item is a share of
/// a statement, not a round trip. The caller owns the transaction.
/// </summary>
public sealed partial class BulkApplier(AppDbContext db, TimeProvider time)
{
    /// <summary>Ids per IN list: well under SQLite's 32,766 parameters and PostgreSQL's 65,535.</summary>
    const int Chunk = 1000;
    /// <summary>Entities per SaveChanges: keeps the change tracker, and so memory and DetectChanges, small.</summary>
    const int SaveChunk = 5000;

    /// <summary>
    /// Checks every item's types now, before anything is applied or queued: a queued job must never fail later on
    /// input the caller could have been told about. Throws <see cref="ApiParamException"/> (400) like every reader.
    /// </summary>
    public static void Validate(BulkOperation op, JsonArray items)
    {
        foreach (var item in items)
            if (item is not JsonObject) throw new ApiParamException(400, ApiError.MustBeListOfObjects(op.ItemsKey));
        _ = op.Name switch
        {
            "subscribers" => ReadSubscribers(items).Count,
            "tags" => ReadTags(items).Count,
            "tags/subscribers" or "tags/subscribers:delete" => ReadTaggings(items).Count,
            "custom_fields" => ReadFields(items).Count,
            "custom_fields/subscribers" => ReadValues(items).Count,
            "forms/subscribers" => ReadAdditions(items).Count,
            _ => throw new ArgumentOutOfRangeException(nameof(op), op.Name, "not a bulk operation"),
        };
    }

    public async Task<JsonObject> ApplyAsync(long accountId, BulkOperation op, JsonArray items, CancellationToken ct)
    {
        var saved = db.ChangeTracker.AutoDetectChangesEnabled;
        db.ChangeTracker.AutoDetectChangesEnabled = false;
        try
        {
            return op.Name switch
            {
                "subscribers" => await SubscribersAsync(accountId, ReadSubscribers(items), ct),
                "tags" => await TagsAsync(accountId, ReadTags(items), ct),
                "tags/subscribers" => await TagAsync(accountId, ReadTaggings(items), ct),
                "tags/subscribers:delete" => await UntagAsync(accountId, ReadTaggings(items), ct),
                "custom_fields" => await FieldsAsync(accountId, ReadFields(items), ct),
                "custom_fields/subscribers" => await ValuesAsync(accountId, ReadValues(items), ct),
                "forms/subscribers" => await AdditionsAsync(accountId, ReadAdditions(items), ct),
                _ => throw new ArgumentOutOfRangeException(nameof(op), op.Name, "not a bulk operation"),
            };
        }
        finally
        {
            db.ChangeTracker.AutoDetectChangesEnabled = saved;
        }
    }

    /// <summary>Saves and forgets what is tracked (callers add at most <see cref="SaveChunk"/> items' rows between calls).</summary>
    async Task SaveAndClearAsync(CancellationToken ct)
    {
        db.ChangeTracker.DetectChanges();
        await db.SaveChangesAsync(ct);
        db.ChangeTracker.Clear();
    }

    static IEnumerable<List<T>> Chunks<T>(IEnumerable<T> source) => source.Chunk(Chunk).Select(c => c.ToList());

    static string Stamp(DateTime value) => V4TimestampConverter.Write(value);

    static JsonArray Errors(params string[] messages) => [.. messages.Select(m => (JsonNode?)JsonValue.Create(m))];

    static string Id(long id) => id.ToString(CultureInfo.InvariantCulture);
}
