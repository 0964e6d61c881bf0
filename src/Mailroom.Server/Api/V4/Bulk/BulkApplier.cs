using System.Globalization;
using System.Text.Json;
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
    /// A request's items, read once and checked (see <see cref="Read"/>): a bulk create's straight from the body's JSON
    /// into records, the hot path of an import (a node tree of 100,000 items cost about a second of CPU to build and
    /// walk); the other operations' as nodes.
    /// </summary>
    public sealed class BulkItems
    {
        internal JsonArray? Nodes { get; init; }
        internal List<SubscriberItem>? Subscribers { get; init; }
        public int Count => Subscribers?.Count ?? Nodes?.Count ?? 0;
    }

    /// <summary>
    /// The operation's list from the request; empty when it is missing or not a list. Checks every item's types now,
    /// before anything is applied or queued: a queued job must never fail later on input the caller could have been
    /// told about. Throws <see cref="ApiParamException"/> (400) like every reader.
    /// </summary>
    public static BulkItems Read(BulkOperation op, ApiParams p)
    {
        if (op == BulkOperations.Subscribers)
            return new() { Subscribers = p.Element(op.ItemsKey) is { ValueKind: JsonValueKind.Array } list ? ReadSubscribers(list, op.ItemsKey) : [] };
        var nodes = p.Node(op.ItemsKey) as JsonArray;
        if (nodes is not null) Validate(op, nodes);
        return new() { Nodes = nodes };
    }

    static void Validate(BulkOperation op, JsonArray items)
    {
        foreach (var item in items)
            if (item is not JsonObject) throw new ApiParamException(400, ApiError.MustBeListOfObjects(op.ItemsKey));
        _ = op.Name switch
        {
            "subscribers" => ReadSubscribers(items, op.ItemsKey).Count,
            "tags" => ReadTags(items).Count,
            "tags/subscribers" or "tags/subscribers:delete" => ReadTaggings(items).Count,
            "custom_fields" => ReadFields(items).Count,
            "custom_fields/subscribers" => ReadValues(items).Count,
            "forms/subscribers" => ReadAdditions(items).Count,
            _ => throw new ArgumentOutOfRangeException(nameof(op), op.Name, "not a bulk operation"),
        };
    }

    /// <summary>
    /// What a queued job stores: the items and the callback. A bulk create stores its items already read (see
    /// SubscribersPayload); the others store them as sent.
    /// </summary>
    public static string Payload(BulkOperation op, BulkItems items, string? callbackUrl)
    {
        if (items.Subscribers is { } subscribers)
            return JsonSerializer.Serialize(new SubscribersPayload(subscribers, callbackUrl), SubscribersPayloadJson);
        // Written around the items rather than from a cloned tree: a copy of 100,000 items' nodes cost a quarter second.
        return $"{{{JsonValue.Create(op.ItemsKey).ToJsonString()}:{items.Nodes!.ToJsonString()},\"callback_url\":{JsonValue.Create(callbackUrl)?.ToJsonString() ?? "null"}}}";
    }

    /// <summary>Applies the items of a request (<see cref="Read"/>) while the caller waits.</summary>
    public Task<JsonObject> ApplyAsync(long accountId, BulkOperation op, BulkItems items, CancellationToken ct) =>
        items.Subscribers is { } subscribers
            ? WithoutChangeDetection(() => SubscribersAsync(accountId, subscribers, ct))
            : ApplyAsync(accountId, op, items.Nodes!, ct);

    /// <summary>Applies a stored <see cref="Payload"/>; null when the payload cannot be read.</summary>
    public async Task<JsonObject?> ApplyPayloadAsync(long accountId, BulkOperation op, string payload, CancellationToken ct)
    {
        if (op.Name == "subscribers" && SubscribersFromPayload(payload) is { } subscribers)
            return await WithoutChangeDetection(() => SubscribersAsync(accountId, subscribers, ct));
        JsonNode? body;
        try
        {
            body = JsonNode.Parse(payload);
        }
        catch (JsonException)
        {
            return null;
        }
        return body is JsonObject o && o[op.ItemsKey] is JsonArray items ? await ApplyAsync(accountId, op, items, ct) : null;
    }

    async Task<JsonObject> WithoutChangeDetection(Func<Task<JsonObject>> apply)
    {
        var saved = db.ChangeTracker.AutoDetectChangesEnabled;
        db.ChangeTracker.AutoDetectChangesEnabled = false;
        try
        {
            return await apply();
        }
        finally
        {
            db.ChangeTracker.AutoDetectChangesEnabled = saved;
        }
    }

    async Task<JsonObject> ApplyAsync(long accountId, BulkOperation op, JsonArray items, CancellationToken ct) =>
        await WithoutChangeDetection(async () => op.Name switch
        {
            "subscribers" => await SubscribersAsync(accountId, ReadSubscribers(items, op.ItemsKey), ct),
            "tags" => await TagsAsync(accountId, ReadTags(items), ct),
            "tags/subscribers" => await TagAsync(accountId, ReadTaggings(items), ct),
            "tags/subscribers:delete" => await UntagAsync(accountId, ReadTaggings(items), ct),
            "custom_fields" => await FieldsAsync(accountId, ReadFields(items), ct),
            "custom_fields/subscribers" => await ValuesAsync(accountId, ReadValues(items), ct),
            "forms/subscribers" => await AdditionsAsync(accountId, ReadAdditions(items), ct),
            _ => throw new ArgumentOutOfRangeException(nameof(op), op.Name, "not a bulk operation"),
        });

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
