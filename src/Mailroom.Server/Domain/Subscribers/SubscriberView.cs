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
        var fields = await FieldMaps.LoadAsync(db, accountId, ids, ct);
        var result = new Dictionary<long, SubscriberView>(rows.Count);
        foreach (var row in rows)
            result[row.Id] = new SubscriberView(row.Id, row.FirstName, row.EmailAddress, row.State, row.CreatedAt, fields.For(row.Id));
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

/// <summary>
/// The <c>fields</c> object of subscriber views: every custom-field key of the account, null when unset, read in
/// two queries for a batch of subscribers (the API's views and the broadcast sender's share it).
/// </summary>
public sealed class FieldMaps
{
    readonly List<(long Id, string Key)> _fields;
    readonly Dictionary<long, string> _keyById;
    readonly ILookup<long, (long FieldId, string? Value)> _values;

    FieldMaps(List<(long Id, string Key)> fields, ILookup<long, (long FieldId, string? Value)> values)
    {
        _fields = fields;
        _keyById = fields.ToDictionary(f => f.Id, f => f.Key);
        _values = values;
    }

    public static async Task<FieldMaps> LoadAsync(AppDbContext db, long accountId, IReadOnlyCollection<long> subscriberIds, CancellationToken ct)
    {
        var fields = (await db.CustomFields.AsNoTracking().Where(f => f.AccountId == accountId)
            .OrderBy(f => f.Id).Select(f => new { f.Id, f.Key }).ToListAsync(ct)).Select(f => (f.Id, f.Key)).ToList();
        var values = fields.Count == 0 ? [] : await db.SubscriberFieldValues.AsNoTracking()
            .Where(v => subscriberIds.Contains(v.SubscriberId))
            .Select(v => new { v.SubscriberId, v.CustomFieldId, v.Value })
            .ToListAsync(ct);
        return new FieldMaps(fields, values.ToLookup(v => v.SubscriberId, v => (v.CustomFieldId, v.Value)));
    }

    public Dictionary<string, string?> For(long subscriberId)
    {
        var map = new Dictionary<string, string?>(_fields.Count);
        foreach (var f in _fields) map[f.Key] = null;
        foreach (var (fieldId, value) in _values[subscriberId])
            if (_keyById.TryGetValue(fieldId, out var key)) map[key] = value;
        return map;
    }
}
