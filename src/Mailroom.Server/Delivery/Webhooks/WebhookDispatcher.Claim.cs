using Mailroom.Server.Domain;
using Mailroom.Server.Domain.Webhooks;

namespace Mailroom.Server.Delivery.Webhooks;

public sealed partial class WebhookDispatcher
{
    /// <summary>
    /// What a claim took; <see cref="Exhausted"/> when it looked at every account with due work (otherwise the next
    /// claim goes on with the accounts after the last one served).
    /// </summary>
    sealed record ClaimResult(List<WebhookClaim> Claims, bool Exhausted);

    // The account a claim served last: the next claim starts with the one after it, round-robin. Claims of one
    // instance run one at a time (one pass, one claim in it), so a plain field suffices.
    long _lastAccount;

    /// <summary>
    /// Claims up to the view's free room in due deliveries, shared between the accounts that have any, no more per
    /// target than the pass may hold for it, leaving out targets the pass already holds plenty for.
    /// </summary>
    async Task<ClaimResult> ClaimAsync(WebhookClaimView view, CancellationToken ct)
    {
        if (view.Free <= 0) return new([], true);
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        // One connection for the claim's statements: each open costs EF Core's SQLite provider more than a small query.
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            return await ClaimAsync(db, view, ct);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    /// <summary>
    /// A claim in oldest-first order over all accounts let one account's backlog (thousands of deliveries to receivers
    /// that never answer, or their due retries) fill every claim, and another account's fresh delivery waited until
    /// that backlog was worked through. So each claim serves the accounts with due work round-robin, each up to an
    /// equal share of the room, oldest first within the account. Every query walks the index on (account_id, status,
    /// next_attempt_at, id) and stops at its limit, so a claim costs the same whatever the backlog.
    /// </summary>
    async Task<ClaimResult> ClaimAsync(AppDbContext db, WebhookClaimView view, CancellationToken ct)
    {
        var now = time.UtcNow();
        var (accounts, exhausted) = await DueAccountsAsync(db, view.Free, now, ct);
        if (accounts.Count == 0) return new([], true);

        var busy = view.Busy;
        var chosen = new List<long>();
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < accounts.Count && chosen.Count < view.Free; i++)
        {
            var account = accounts[i];
            // inferred: an equal share of what is left; an account that needs less leaves its rest to those after it.
            var share = (view.Free - chosen.Count + accounts.Count - i - 1) / (accounts.Count - i);
            var candidates = await Due(db, now).Where(d => d.AccountId == account && !busy.Contains(d.TargetUrl))
                .OrderBy(d => d.NextAttemptAt).ThenBy(d => d.Id).Take(share)
                .Select(d => new { d.Id, d.TargetUrl }).ToListAsync(ct);
            foreach (var c in candidates)
            {
                var held = counts.GetValueOrDefault(c.TargetUrl, view.Held.GetValueOrDefault(c.TargetUrl));
                if (held >= view.TargetCap) continue;
                counts[c.TargetUrl] = held + 1;
                chosen.Add(c.Id);
            }
            _lastAccount = account;
        }
        if (chosen.Count == 0) return new([], exhausted);

        var until = now + Options.Lease;
        using (await WriteTurnAsync(db, ct))
            await db.WebhookDeliveries
                .Where(d => chosen.Contains(d.Id) && d.Status == WebhookDeliveryStatuses.Pending && (d.LockedUntil == null || d.LockedUntil < now))
                .ExecuteUpdateAsync(s => s.SetProperty(d => d.LockedUntil, until).SetProperty(d => d.LockedBy, _instance), ct);
        var claimed = await (
            from d in db.WebhookDeliveries.AsNoTracking()
            join r in db.WebhookRules on d.RuleId equals r.Id
            join a in db.Accounts on d.AccountId equals a.Id
            where chosen.Contains(d.Id) && d.LockedBy == _instance && d.Status == WebhookDeliveryStatuses.Pending
            orderby d.NextAttemptAt, d.Id
            select new WebhookClaim(d.Id, d.DeliveryId, d.AccountId, d.TargetUrl, d.Payload, r.EventName,
                r.Status == WebhookRuleStatuses.Enabled, a.WebhookSigningSecret, d.Attempts, d.CreatedAt)).ToListAsync(ct);

        // A rule deleted after its events were fanned out: its deliveries are cancelled, never sent.
        var orphaned = claimed.Where(c => !c.RuleEnabled).Select(c => c.Id).ToList();
        if (orphaned.Count > 0)
            using (await WriteTurnAsync(db, ct))
                await db.WebhookDeliveries.Where(d => orphaned.Contains(d.Id) && d.LockedBy == _instance && d.Status == WebhookDeliveryStatuses.Pending)
                .ExecuteUpdateAsync(s => s.SetProperty(d => d.Status, WebhookDeliveryStatuses.Cancelled)
                    .SetProperty(d => d.LockedUntil, (DateTime?)null).SetProperty(d => d.LockedBy, (string?)null), ct);
        return new([.. claimed.Where(c => c.RuleEnabled)], exhausted);
    }

    /// <summary>
    /// Up to <paramref name="limit"/> accounts with due deliveries, in account order after the one served last and
    /// then from the start. Each account costs one index seek, so this stays cheap beside the accounts table.
    /// </summary>
    async Task<(List<long> Accounts, bool Exhausted)> DueAccountsAsync(AppDbContext db, int limit, DateTime now, CancellationToken ct)
    {
        var after = _lastAccount;
        var accounts = await DueAccounts(db, now).Where(a => a > after).OrderBy(a => a).Take(limit).ToListAsync(ct);
        if (accounts.Count < limit)
            accounts.AddRange(await DueAccounts(db, now).Where(a => a <= after).OrderBy(a => a).Take(limit - accounts.Count).ToListAsync(ct));
        return (accounts, accounts.Count < limit);
    }

    static IQueryable<long> DueAccounts(AppDbContext db, DateTime now)
    {
        var due = Due(db, now);
        return db.Accounts.Where(a => due.Any(d => d.AccountId == a.Id)).Select(a => a.Id);
    }

    static IQueryable<WebhookDelivery> Due(AppDbContext db, DateTime now) =>
        db.WebhookDeliveries.AsNoTracking().Where(d => d.Status == WebhookDeliveryStatuses.Pending && d.NextAttemptAt <= now
            && (d.LockedUntil == null || d.LockedUntil < now));
}
