using Mailroom.Server.Domain.Accounts;
using Mailroom.Server.Domain.CustomFields;

namespace Mailroom.Server.Domain.Seeding;

/// <summary>
/// Writes a seed file: every account in one transaction, so a file with any error changes nothing.
/// Everything is checked before the first write (<see cref="AccountPlan"/>); the transaction covers what
/// only the database can tell, such as a fixed api_key taken by a concurrent writer.
/// Imported history raises no outbox events: seeding is not a subscribe, tag or purchase happening now,
/// and webhook receivers must not hear about it.
/// </summary>
public sealed class SeedImporter(AppDbContext db, AccountService accounts, TimeProvider time)
{
    public async Task<SeedResult> ImportAsync(SeedFile file, CancellationToken ct)
    {
        var now = time.UtcNowSeconds();
        var plans = SeedCheck.Entries(file.Accounts, "accounts").Select(a => AccountPlan.Build(a.Item, a.Path, now)).ToList();
        await CheckCredentialsAsync(plans, ct);

        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var results = new List<SeededAccount>();
        foreach (var plan in plans) results.Add(await WriteAsync(plan, ct));
        await transaction.CommitAsync(ct);
        return new SeedResult(results);
    }

    // Fixed credentials must identify exactly one account, in either slot (an api_key sent as api_secret
    // still authenticates, see CredentialCheck), so each may appear once across the file and the database.
    async Task CheckCredentialsAsync(List<AccountPlan> plans, CancellationToken ct)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var plan in plans)
        {
            foreach (var (value, field) in new[] { (plan.ApiKey, "api_key"), (plan.ApiSecret, "api_secret") })
            {
                if (value is null) continue;
                var path = $"{plan.Path}.{field}";
                if (!seen.Add(value)) throw SeedException.At(path, "is already used by another account in this file");
                var hash = Credentials.Hash(value);
                if (await db.Accounts.AnyAsync(a => a.ApiKeyHash == hash || a.ApiSecretHash == hash, ct))
                    throw SeedException.At(path, "is already used by another account");
            }
        }
    }

    async Task<SeededAccount> WriteAsync(AccountPlan plan, CancellationToken ct)
    {
        var created = accounts.Add(plan.Name, plan.Email, plan.PlanType, plan.ApiKey, plan.ApiSecret, plan.RateLimitPerMinute);
        if (plan.TimeZone is not null) created.Account.TimeZone = plan.TimeZone;
        created.Account.SendingEmailAddress = plan.SendingEmailAddress;
        await db.SaveChangesAsync(ct);
        var accountId = created.Account.Id;

        foreach (var field in plan.CustomFields.Values) field.AccountId = accountId;
        foreach (var tag in plan.Tags.Values) tag.AccountId = accountId;
        foreach (var form in plan.Forms.Values) form.AccountId = accountId;
        foreach (var sequence in plan.Sequences.Values) sequence.AccountId = accountId;
        foreach (var layout in plan.Layouts.Values) layout.AccountId = accountId;
        db.AddRange(plan.Layouts.Values);
        db.AddRange(plan.CustomFields.Values);
        db.AddRange(plan.Tags.Values);
        db.AddRange(plan.Forms.Values);
        db.AddRange(plan.Sequences.Values);
        await db.SaveChangesAsync(ct);

        // Layouts, exclusions and emails refer to ids saved just above.
        foreach (var links in plan.SequenceLinks)
        {
            links.Sequence.EmailTemplateId = links.Layout?.Id;
            links.Sequence.ExcludeSubscriberSources = AccountPlan.ExclusionJson(links);
        }
        foreach (var e in plan.SequenceEmails)
        {
            e.Email.AccountId = accountId;
            e.Email.SequenceId = e.Sequence.Id;
            e.Email.EmailTemplateId = e.Layout?.Id;
            db.SequenceEmails.Add(e.Email);
        }

        // A field's name embeds its id (spec §4.4), so it is set once the id exists.
        foreach (var field in plan.CustomFields.Values) field.Name = CustomFieldKeys.NameFor(field.Id, field.Key);
        foreach (var value in plan.FieldValues) value.Value.CustomFieldId = value.Field.Id;
        foreach (var subscriber in plan.Subscribers.Values) subscriber.AccountId = accountId;
        db.AddRange(plan.Subscribers.Values);
        await db.SaveChangesAsync(ct);

        foreach (var s in plan.Subscriptions)
            db.Subscriptions.Add(new Subscription
            {
                AccountId = accountId, SubscriberId = s.Subscriber.Id, SubscribableType = s.Type, SubscribableId = s.TargetId(),
                State = s.State, CreatedAt = s.Subscriber.CreatedAt, UpdatedAt = s.Subscriber.UpdatedAt,
                SequencePosition = s.Progress?.Position, SequenceAnchorAt = s.Progress is null ? null : plan.Now,
                NextSendAt = s.Progress?.NextSendAt,
            });
        foreach (var p in plan.Purchases)
        {
            p.Purchase.AccountId = accountId;
            p.Purchase.SubscriberId = p.Subscriber.Id;
            db.Purchases.Add(p.Purchase);
        }
        foreach (var b in plan.Broadcasts)
        {
            b.Broadcast.AccountId = accountId;
            db.Broadcasts.Add(b.Broadcast);
        }
        foreach (var w in plan.Webhooks)
        {
            w.Rule.AccountId = accountId;
            w.Rule.ParameterValue = w.ParameterValue();
            db.WebhookRules.Add(w.Rule);
        }
        await db.SaveChangesAsync(ct);

        foreach (var b in plan.Broadcasts)
            foreach (var subscriber in b.SentTo)
                db.BroadcastRecipients.Add(new BroadcastRecipient
                {
                    AccountId = accountId, BroadcastId = b.Broadcast.Id, SubscriberId = subscriber.Id,
                    Token = Credentials.NewToken(), SentAt = b.Broadcast.CompletedAt,
                });
        await db.SaveChangesAsync(ct);
        return SeededAccount.From(plan, created);
    }
}
