using Mailroom.Server.Domain.Accounts;

namespace Mailroom.Server.Domain.Seeding;

/// <summary>
/// What `mailroom seed` prints: every created id under the name the file used, and the keys (shown once).
/// Part of the documented format: add properties only.
/// </summary>
public sealed record SeedResult(List<SeededAccount> Accounts);

public sealed record SeededAccount(
    long Id, string Name, string ApiKey, string ApiSecret,
    Dictionary<string, long> Forms, Dictionary<string, long> Sequences, Dictionary<string, long> Tags,
    Dictionary<string, SeededCustomField> CustomFields, Dictionary<string, long> Subscribers,
    Dictionary<string, long> Broadcasts, Dictionary<string, long> Purchases, List<long> Webhooks)
{
    internal static SeededAccount From(AccountPlan plan, NewAccount created) => new(
        created.Account.Id, created.Account.Name, created.ApiKey, created.ApiSecret,
        plan.Forms.ToDictionary(p => p.Key, p => p.Value.Id),
        plan.Sequences.ToDictionary(p => p.Key, p => p.Value.Id),
        plan.Tags.ToDictionary(p => p.Key, p => p.Value.Id),
        plan.CustomFields.ToDictionary(p => p.Key, p => new SeededCustomField(p.Value.Id, p.Value.Key)),
        plan.Subscribers.ToDictionary(p => p.Key, p => p.Value.Id),
        plan.Broadcasts.ToDictionary(b => b.Broadcast.Subject!, b => b.Broadcast.Id),
        plan.Purchases.ToDictionary(p => p.Purchase.TransactionId, p => p.Purchase.Id),
        [.. plan.Webhooks.Select(w => w.Rule.Id)]);
}

public sealed record SeededCustomField(long Id, string Key);
