namespace Mailroom.Server.Domain.Subscribers;

/// <summary>The v3 subscriber object (spec §2). <c>fields</c> lists every custom-field key of the account, null when unset.</summary>
public sealed record SubscriberView(long Id, string? FirstName, string EmailAddress, string State, DateTime CreatedAt,
    IReadOnlyDictionary<string, string?> Fields);

public static class SubscriberViews
{
    /// <summary>Loads the wire view of the given subscribers of one account in two queries, keyed by id.</summary>
    public static async Task<Dictionary<long, SubscriberView>> LoadAsync(AppDbContext db, long accountId,
        IReadOnlyCollection<long> ids, CancellationToken ct)
    {
        if (ids.Count == 0) return [];
        // By id alone, the account checked on the rows read: given "account_id = ? AND id IN (...)" and no ANALYZE
        // statistics, SQLite walks the account's whole index (130 ms for a million subscribers) instead of
        // looking the ids up by primary key.
        var rows = (await db.Subscribers.AsNoTracking()
            .Where(s => ids.Contains(s.Id))
            .Select(s => new { s.Id, s.AccountId, s.FirstName, s.EmailAddress, s.State, s.CreatedAt })
            .ToListAsync(ct)).Where(s => s.AccountId == accountId).ToList();
        var fields = await db.CustomFields.AsNoTracking().Where(f => f.AccountId == accountId)
            .OrderBy(f => f.Id).Select(f => new { f.Id, f.Key }).ToListAsync(ct);
        var values = fields.Count == 0 ? [] : await db.SubscriberFieldValues.AsNoTracking()
            .Where(v => ids.Contains(v.SubscriberId))
            .Select(v => new { v.SubscriberId, v.CustomFieldId, v.Value })
            .ToListAsync(ct);
        var bySubscriber = values.ToLookup(v => v.SubscriberId);

        var result = new Dictionary<long, SubscriberView>(rows.Count);
        foreach (var row in rows)
        {
            var map = new Dictionary<string, string?>(fields.Count);
            foreach (var f in fields) map[f.Key] = null;
            var keyById = fields.ToDictionary(f => f.Id, f => f.Key);
            foreach (var v in bySubscriber[row.Id])
                if (keyById.TryGetValue(v.CustomFieldId, out var key)) map[key] = v.Value;
            result[row.Id] = new SubscriberView(row.Id, row.FirstName, row.EmailAddress, row.State, row.CreatedAt, map);
        }
        return result;
    }

    public static async Task<SubscriberView?> LoadOneAsync(AppDbContext db, long accountId, long id, CancellationToken ct) =>
        (await LoadAsync(db, accountId, [id], ct)).GetValueOrDefault(id);

    /// <summary>Views in the order of <paramref name="ids"/> (list endpoints page ids first, then load).</summary>
    public static async Task<List<SubscriberView>> LoadOrderedAsync(AppDbContext db, long accountId, IReadOnlyList<long> ids, CancellationToken ct)
    {
        var map = await LoadAsync(db, accountId, ids, ct);
        return [.. ids.Where(map.ContainsKey).Select(id => map[id])];
    }
}
