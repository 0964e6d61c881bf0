using System.Text.Json.Nodes;
using Mailroom.Server.Api.V3;
using Mailroom.Server.Api.V4;
using Mailroom.Server.Data.Sql;
using Mailroom.Server.Domain;
using Mailroom.Server.Domain.Outbox;
using Mailroom.Server.Domain.Subscribers;

namespace Mailroom.Server.Api.V4.Bulk;

public sealed partial class BulkApplier
{
    sealed record SubscriberItem(string? Email, string? FirstName, string? State);

    static readonly HashSet<string> States =
        [SubscriberStates.Active, SubscriberStates.Cancelled, SubscriberStates.Bounced, SubscriberStates.Complained, SubscriberStates.Inactive];

    // inferred: Kit names the states in its schema but shows no message for another one; worded like its others.
    public const string StateInvalid = "State is invalid";

    static List<SubscriberItem> ReadSubscribers(JsonArray items) =>
        [.. items.Select(n => (JsonObject)n!).Select(o => new SubscriberItem(
            ApiParams.AsString(o["email_address"], "email_address"), ApiParams.AsString(o["first_name"], "first_name"),
            ApiParams.AsString(o["state"], "state")?.ToLowerInvariant()))];

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
        var rows = new Dictionary<string, Subscriber>();
        foreach (var chunk in Chunks(valid.Select(v => v.Normalized).Distinct()))
            foreach (var s in await db.Subscribers.AsNoTracking().Where(s => s.AccountId == accountId && chunk.Contains(s.NormalizedEmail)).ToListAsync(ct))
                rows[s.NormalizedEmail] = s;
        var now = time.UtcNowSeconds();
        // The last first name given for each address, so duplicates agree.
        var names = new Dictionary<string, string>();
        foreach (var (item, normalized) in valid)
            if (item.FirstName is not null) names[normalized] = item.FirstName;

        foreach (var (normalized, name) in names)
            if (rows.TryGetValue(normalized, out var known) && known.FirstName != name)
            {
                // One UPDATE per renamed subscriber: renames are the rare case of an import; creating is the hot path.
                await db.Subscribers.Where(s => s.Id == known.Id)
                    .ExecuteUpdateAsync(u => u.SetProperty(s => s.FirstName, name).SetProperty(s => s.UpdatedAt, now), ct);
                known.FirstName = name;
            }

        var fresh = new List<BulkSubscriberSql.NewSubscriber>();
        var seen = new HashSet<string>();
        foreach (var (item, normalized) in valid)
            if (!rows.ContainsKey(normalized) && seen.Add(normalized))
                fresh.Add(new(item.Email!, normalized, names.GetValueOrDefault(normalized), item.State ?? SubscriberStates.Active));
        if (fresh.Count > 0)
        {
            // The hot path of an import: multi-row INSERTs, not one EF statement per row (see BulkSubscriberSql).
            await db.Database.OpenConnectionAsync(ct);
            try
            {
                var ids = await BulkSubscriberSql.InsertAsync(db, accountId, fresh, now, ct);
                foreach (var f in fresh)
                    rows[f.NormalizedEmail] = new Subscriber
                    {
                        Id = ids[f.NormalizedEmail], AccountId = accountId, EmailAddress = f.EmailAddress, NormalizedEmail = f.NormalizedEmail,
                        FirstName = f.FirstName, State = f.State, CreatedAt = now, UpdatedAt = now,
                    };
                await BulkSubscriberSql.RaiseAsync(db, accountId, OutboxEvents.SubscriberActivate,
                    [.. fresh.Where(f => f.State == SubscriberStates.Active).Select(f => ids[f.NormalizedEmail])], time.UtcNow(), ct);
            }
            finally
            {
                await db.Database.CloseConnectionAsync();
            }
        }
        var subscribers = new JsonArray();
        foreach (var (_, normalized) in valid)
        {
            var s = rows[normalized];
            subscribers.Add(new JsonObject
            {
                ["id"] = s.Id, ["first_name"] = s.FirstName, ["email_address"] = s.EmailAddress, ["state"] = s.State, ["created_at"] = Stamp(s.CreatedAt),
            });
        }
        return new JsonObject { ["subscribers"] = subscribers, ["failures"] = failures };
    }
}
