using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Mailroom.Server.Api.V3;
using Mailroom.Server.Api.V4;
using Mailroom.Server.Data.Sql;
using Mailroom.Server.Domain;
using Mailroom.Server.Domain.Outbox;
using Mailroom.Server.Domain.Subscribers;

namespace Mailroom.Server.Api.V4.Bulk;

public sealed partial class BulkApplier
{
    internal sealed record SubscriberItem(
        [property: JsonPropertyName("email_address")] string? Email,
        [property: JsonPropertyName("first_name")] string? FirstName,
        [property: JsonPropertyName("state")] string? State);

    /// <summary>
    /// A queued bulk create as stored: the items already read (trimmed, coerced to strings, the state lower-cased), so
    /// the worker deserializes them straight into records. Reading them back through a JsonNode tree and the readers
    /// again cost about half a second of CPU per 100,000 items.
    /// </summary>
    sealed record SubscribersPayload(
        [property: JsonPropertyName("subscribers")] List<SubscriberItem> Subscribers,
        [property: JsonPropertyName("callback_url")] string? CallbackUrl);

    static readonly JsonTypeInfo<SubscribersPayload> SubscribersPayloadJson =
        (JsonTypeInfo<SubscribersPayload>)V4Json.Options.GetTypeInfo(typeof(SubscribersPayload));

    static string? Clean(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    /// <summary>The items of a stored payload, or null when it is not in this form (a job queued by an older version).</summary>
    static List<SubscriberItem>? SubscribersFromPayload(string payload)
    {
        try
        {
            // Read as the readers read (trimmed, blank is absent, the state lower-cased): a job queued by an older
            // version, or written by hand, stored the items as they were sent.
            return JsonSerializer.Deserialize(payload, SubscribersPayloadJson)?.Subscribers is { } items && items.All(i => i is not null)
                ? [.. items.Select(i => new SubscriberItem(Clean(i.Email), Clean(i.FirstName), Clean(i.State)?.ToLowerInvariant()))]
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// One applied item of the answer. A typed list inside the JSON answer rather than a JsonObject a subscriber: for
    /// 100,000 subscribers, building and writing the node tree took about a second, the list a tenth of that.
    /// </summary>
    public sealed record BulkSubscriber(long Id, string? FirstName, string EmailAddress, string State, DateTime CreatedAt);

    static readonly JsonTypeInfo<List<BulkSubscriber>> SubscribersJson =
        (JsonTypeInfo<List<BulkSubscriber>>)V4Json.Options.GetTypeInfo(typeof(List<BulkSubscriber>));

    static readonly HashSet<string> States =
        [SubscriberStates.Active, SubscriberStates.Cancelled, SubscriberStates.Bounced, SubscriberStates.Complained, SubscriberStates.Inactive];

    // inferred: Kit names the states in its schema but shows no message for another one; worded like its others.
    public const string StateInvalid = "State is invalid";

    /// <summary>The items of a bulk create, read as every reader reads a string; throws (400) on an item that is not an object.</summary>
    static List<SubscriberItem> ReadSubscribers(JsonElement items, string itemsKey)
    {
        var read = new List<SubscriberItem>(items.GetArrayLength());
        foreach (var item in items.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object) throw new ApiParamException(400, ApiError.MustBeListOfObjects(itemsKey));
            read.Add(new SubscriberItem(Text(item, "email_address"), Text(item, "first_name"), Text(item, "state")?.ToLowerInvariant()));
        }
        return read;
    }

    static string? Text(JsonElement item, string name) => item.TryGetProperty(name, out var value) ? ApiParams.AsString(value, name) : null;

    /// <summary>The same from nodes: a job stored by an older version.</summary>
    static List<SubscriberItem> ReadSubscribers(JsonArray items, string itemsKey) =>
        ReadSubscribers(JsonDocument.Parse(items.ToJsonString()).RootElement, itemsKey);

    /// <summary>
    /// POST /v4/bulk/subscribers: "creates or updates" by email. A new subscriber gets the state given (active by
    /// default) and raises subscriber_activate when active, as any new subscriber does; a known one keeps its state and
    /// takes the first name when one is given (as POST /v4/subscribers does). The same address twice in one request is
    /// one subscriber (the later first name wins) and is listed at each place it appeared.
    /// </summary>
    async Task<JsonObject> SubscribersAsync(long accountId, List<SubscriberItem> items, CancellationToken ct)
    {
        var failures = new JsonArray();
        var valid = new List<(SubscriberItem Item, string Normalized)>();
        foreach (var item in items)
        {
            var problem = item.Email is null || !EmailAddress.IsValid(item.Email) ? V4Error.EmailInvalid
                : item.State is not null && !States.Contains(item.State) ? StateInvalid
                : SubscriberLimits.CheckFirstName(item.FirstName) is { Problem: not SubscriberProblem.None } v ? ApiError.SubscriberViolationMessage(v)
                : null;
            if (problem is null) { valid.Add((item, EmailAddress.Normalize(item.Email!))); continue; }
            failures.Add(new JsonObject
            {
                ["subscriber"] = new JsonObject
                {
                    ["first_name"] = item.FirstName, ["email_address"] = item.Email, ["state"] = item.State ?? SubscriberStates.Active, ["created_at"] = null,
                },
                ["errors"] = Errors(problem),
            });
        }
        var now = time.UtcNowSeconds();
        // The last first name given for each address, so duplicates agree; the first state given.
        var names = new Dictionary<string, string>();
        foreach (var (item, normalized) in valid)
            if (item.FirstName is not null) names[normalized] = item.FirstName;
        var candidates = new List<BulkSubscriberSql.NewSubscriber>();
        var seen = new HashSet<string>();
        foreach (var (item, normalized) in valid)
            if (seen.Add(normalized))
                candidates.Add(new(item.Email!, normalized, names.GetValueOrDefault(normalized), item.State ?? SubscriberStates.Active));

        // Creating is the hot path of an import, so every address is first offered as new (see BulkSubscriberSql);
        // only those the account already holds are read back.
        var ids = await BulkSubscriberSql.InsertNewAsync(db, accountId, candidates, now, ct);
        // The answer's rows by address: the new ones as inserted, the known ones read back (only what the answer shows).
        var rows = new Dictionary<string, BulkSubscriber>(candidates.Count);
        foreach (var f in candidates)
            if (ids.TryGetValue(f.NormalizedEmail, out var id))
                rows[f.NormalizedEmail] = new BulkSubscriber(id, f.FirstName, f.EmailAddress, f.State, now);
        foreach (var chunk in Chunks(candidates.Select(c => c.NormalizedEmail).Where(n => !ids.ContainsKey(n))))
            foreach (var s in await db.Subscribers.AsNoTracking().Where(s => s.AccountId == accountId && chunk.Contains(s.NormalizedEmail))
                         .Select(s => new { s.NormalizedEmail, s.Id, s.FirstName, s.EmailAddress, s.State, s.CreatedAt }).ToListAsync(ct))
                rows[s.NormalizedEmail] = new BulkSubscriber(s.Id, s.FirstName, s.EmailAddress, s.State, s.CreatedAt);

        foreach (var (normalized, name) in names)
            if (!ids.ContainsKey(normalized) && rows.TryGetValue(normalized, out var known) && known.FirstName != name)
            {
                // One UPDATE per renamed subscriber: renames are the rare case of an import.
                await db.Subscribers.Where(s => s.Id == known.Id)
                    .ExecuteUpdateAsync(u => u.SetProperty(s => s.FirstName, name).SetProperty(s => s.UpdatedAt, now), ct);
                rows[normalized] = known with { FirstName = name };
            }
        await BulkSubscriberSql.RaiseAsync(db, accountId, OutboxEvents.SubscriberActivate,
            [.. candidates.Where(c => c.State == SubscriberStates.Active && ids.ContainsKey(c.NormalizedEmail)).Select(c => ids[c.NormalizedEmail])],
            time.UtcNow(), ct);
        var subscribers = new List<BulkSubscriber>(valid.Count);
        foreach (var (_, normalized) in valid) subscribers.Add(rows[normalized]);
        return new JsonObject { ["subscribers"] = JsonValue.Create(subscribers, SubscribersJson), ["failures"] = failures };
    }
}
