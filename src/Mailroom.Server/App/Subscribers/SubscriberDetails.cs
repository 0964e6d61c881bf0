namespace Mailroom.Server.App.Subscribers;

public sealed record FieldRow(long Id, string Key, string Label, string? Value);
public sealed record NamedRow(long Id, string Name);
public sealed record MembershipRow(long Id, string Name, string State, DateTime CreatedAt);
public sealed record SequenceRow(long Id, string Name, string State, int? Position, int Emails, DateTime? NextSendAt, DateTime? CompletedAt);
public sealed record SentEmailRow(string Kind, string Subject, DateTime? SentAt, DateTime? OpenedAt, DateTime? ClickedAt, int Clicks, bool Bounced);
public sealed record EventRow(long Id, string Name, DateTime OccurredAt, DateTime? ProcessedAt);

/// <summary>Everything the subscriber page shows, read in a fixed number of queries.</summary>
public sealed record SubscriberDetails(
    Subscriber Subscriber,
    IReadOnlyList<FieldRow> Fields,
    IReadOnlyList<MembershipRow> Tags,
    IReadOnlyList<NamedRow> OtherTags,
    IReadOnlyList<MembershipRow> Forms,
    IReadOnlyList<SequenceRow> Sequences,
    IReadOnlyList<SentEmailRow> Emails,
    IReadOnlyList<EventRow> Events)
{
    /// <summary>Newest e-mails and events shown; a subscriber of ten years can have thousands.</summary>
    public const int Recent = 100;

    /// <summary>The subscriber with this id in this account, or null (another account's id is not found, as an unknown one).</summary>
    public static async Task<SubscriberDetails?> LoadAsync(AppDbContext db, long accountId, long id, CancellationToken ct)
    {
        var subscriber = await db.Subscribers.AsNoTracking().FirstOrDefaultAsync(s => s.AccountId == accountId && s.Id == id, ct);
        if (subscriber is null) return null;

        var fields = await db.CustomFields.AsNoTracking().Where(f => f.AccountId == accountId).OrderBy(f => f.Id)
            .Select(f => new FieldRow(f.Id, f.Key, f.Label,
                db.SubscriberFieldValues.Where(v => v.SubscriberId == id && v.CustomFieldId == f.Id).Select(v => v.Value).FirstOrDefault()))
            .ToListAsync(ct);

        var subscriptions = await db.Subscriptions.AsNoTracking().Where(x => x.SubscriberId == id && x.AccountId == accountId).ToListAsync(ct);
        List<long> Ids(string type) => [.. subscriptions.Where(x => x.SubscribableType == type).Select(x => x.SubscribableId)];
        var tagIds = Ids(SubscribableTypes.Tag);
        var formIds = Ids(SubscribableTypes.Form);
        var sequenceIds = Ids(SubscribableTypes.Course);
        var allTags = await db.Tags.AsNoTracking().Where(t => t.AccountId == accountId).OrderBy(t => t.Name)
            .Select(t => new NamedRow(t.Id, t.Name)).ToListAsync(ct);
        var forms = await db.Forms.AsNoTracking().Where(f => f.AccountId == accountId && formIds.Contains(f.Id))
            .ToDictionaryAsync(f => f.Id, f => f.Name, ct);
        var sequences = await db.Sequences.AsNoTracking().Where(s => s.AccountId == accountId && sequenceIds.Contains(s.Id))
            .ToDictionaryAsync(s => s.Id, s => s.Name, ct);
        var emailCounts = await db.SequenceEmails.AsNoTracking().Where(e => sequenceIds.Contains(e.SequenceId))
            .GroupBy(e => e.SequenceId).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.Key, g => g.Count, ct);
        var tagNames = allTags.ToDictionary(t => t.Id, t => t.Name);

        IReadOnlyList<MembershipRow> Memberships(string type, Dictionary<long, string> names) =>
            [.. subscriptions.Where(x => x.SubscribableType == type && names.ContainsKey(x.SubscribableId)).OrderBy(x => x.CreatedAt)
                .Select(x => new MembershipRow(x.SubscribableId, names[x.SubscribableId], x.State, x.CreatedAt))];
        // As the API's subscriber tags: a tag cancelled by an unsubscribe is no longer on the subscriber.
        var tags = Memberships(SubscribableTypes.Tag, tagNames).Where(t => t.State != SubscriptionStates.Cancelled).ToList();
        var sequenceRows = subscriptions.Where(x => x.SubscribableType == SubscribableTypes.Course && sequences.ContainsKey(x.SubscribableId))
            .OrderBy(x => x.CreatedAt)
            .Select(x => new SequenceRow(x.SubscribableId, sequences[x.SubscribableId], x.State, x.SequencePosition,
                emailCounts.GetValueOrDefault(x.SubscribableId), x.NextSendAt, x.CompletedAt)).ToList();

        var broadcastEmails = await db.BroadcastRecipients.AsNoTracking().Where(r => r.SubscriberId == id && r.AccountId == accountId)
            .OrderByDescending(r => r.Id).Take(Recent)
            .Join(db.Broadcasts, r => r.BroadcastId, b => b.Id, (r, b) => new SentEmailRow("Broadcast", b.Subject ?? "", r.SentAt,
                r.OpenedAt, r.ClickedAt, r.Clicks, r.Bounced)).ToListAsync(ct);
        var sequenceEmails = await db.SequenceDeliveries.AsNoTracking().Where(d => d.SubscriberId == id && d.AccountId == accountId)
            .OrderByDescending(d => d.Id).Take(Recent)
            .Select(d => new SentEmailRow("Sequence",
                db.SequenceEmails.Where(e => e.Id == d.SequenceEmailId).Select(e => e.Subject).FirstOrDefault() ?? "(deleted email)",
                d.SentAt, d.OpenedAt, d.ClickedAt, d.Clicks, d.Bounced)).ToListAsync(ct);
        var emails = broadcastEmails.Concat(sequenceEmails).OrderByDescending(e => e.SentAt ?? DateTime.MaxValue).Take(Recent).ToList();

        var events = await db.OutboxEvents.AsNoTracking().Where(e => e.SubscriberId == id && e.AccountId == accountId)
            .OrderByDescending(e => e.Id).Take(Recent)
            .Select(e => new EventRow(e.Id, e.EventName, e.OccurredAt, e.ProcessedAt)).ToListAsync(ct);

        return new(subscriber, fields, tags, [.. allTags.Where(t => !tags.Any(x => x.Id == t.Id))],
            Memberships(SubscribableTypes.Form, forms), sequenceRows, emails, events);
    }
}
