using Mailroom.Server.Domain;
using Mailroom.Server.Domain.Outbox;
using Mailroom.Server.Domain.Subscribers;
using Mailroom.Server.Delivery.Composing;
using Mailroom.Server.Delivery.Sequences;

namespace Mailroom.Server.Delivery.Broadcasts;

/// <summary>
/// Opens, clicks and unsubscribes, keyed by the token each message carries: a broadcast recipient's, or a sequence
/// step's (those start with "s", <see cref="SequenceScheduler.NewToken"/>).
/// </summary>
public sealed class Tracking(AppDbContext db, MessageComposer composer, SubscriberService subscribers, TimeProvider time)
{
    public async Task RecordOpenAsync(string token, CancellationToken ct)
    {
        var now = time.UtcNowSeconds();
        // Only the first open counts for open_rate; later ones change nothing.
        if (IsSequenceToken(token))
            await db.SequenceDeliveries.Where(r => r.Token == token && r.OpenedAt == null)
                .ExecuteUpdateAsync(s => s.SetProperty(r => r.OpenedAt, now), ct);
        else
            await db.BroadcastRecipients.Where(r => r.Token == token && r.OpenedAt == null)
                .ExecuteUpdateAsync(s => s.SetProperty(r => r.OpenedAt, now), ct);
    }

    /// <summary>
    /// The original URL of link <paramref name="index"/> in this recipient's message, or null.
    /// The URL comes only from re-rendering that message, so a click token can never redirect anywhere else.
    /// </summary>
    public async Task<string?> RecordClickAsync(string token, int index, CancellationToken ct)
    {
        if (IsSequenceToken(token)) return await RecordSequenceClickAsync(token, index, ct);
        var recipient = await db.BroadcastRecipients.FirstOrDefaultAsync(r => r.Token == token, ct);
        if (recipient is null || index < 0) return null;
        var loaded = await BroadcastTemplates.LoadAsync(db, recipient.BroadcastId, ct);
        var subscriber = await SubscriberViews.LoadOneAsync(db, recipient.AccountId, recipient.SubscriberId, ct);
        if (loaded is null || subscriber is null) return null;
        var links = HtmlText.Links(composer.RenderHtml(loaded.Template, subscriber, token));
        if (index >= links.Count || links[index] == composer.UnsubscribeUrl(token)) return null;

        var url = links[index];
        var now = time.UtcNowSeconds();
        recipient.Clicks++;
        recipient.ClickedAt ??= now;
        // A click proves the message was opened, even when images were blocked.
        recipient.OpenedAt ??= now;
        var entity = await db.Subscribers.FirstAsync(s => s.Id == recipient.SubscriberId, ct);
        db.Raise(time, recipient.AccountId, OutboxEvents.LinkClick, subscriber: entity, matchValue: url);
        await db.SaveChangesAsync(ct);
        return url;
    }

    public async Task<bool> IsKnownAsync(string token, CancellationToken ct) => IsSequenceToken(token)
        ? await db.SequenceDeliveries.AnyAsync(r => r.Token == token, ct)
        : await db.BroadcastRecipients.AnyAsync(r => r.Token == token, ct);

    /// <summary>
    /// The unsubscribe link and RFC 8058 one-click POST: cancels the subscriber like PUT /v3/unsubscribe and
    /// credits the unsubscribe to this broadcast's stats. Idempotent. False for an unknown token.
    /// </summary>
    public async Task<bool> UnsubscribeAsync(string token, CancellationToken ct)
    {
        if (IsSequenceToken(token))
        {
            var step = await db.SequenceDeliveries.FirstOrDefaultAsync(r => r.Token == token, ct);
            if (step is null) return false;
            var address = await db.Subscribers.Where(s => s.Id == step.SubscriberId).Select(s => s.EmailAddress).FirstAsync(ct);
            step.UnsubscribedAt ??= time.UtcNowSeconds();
            await subscribers.UnsubscribeAsync(step.AccountId, address, ct);
            return true;
        }
        var recipient = await db.BroadcastRecipients.FirstOrDefaultAsync(r => r.Token == token, ct);
        if (recipient is null) return false;
        var email = await db.Subscribers.Where(s => s.Id == recipient.SubscriberId).Select(s => s.EmailAddress).FirstAsync(ct);
        recipient.UnsubscribedAt ??= time.UtcNowSeconds();
        // UnsubscribeAsync saves this context, so the recipient mark and the cancellation commit together.
        await subscribers.UnsubscribeAsync(recipient.AccountId, email, ct);
        return true;
    }

    static bool IsSequenceToken(string token) => token.StartsWith('s');

    /// <summary>As for a broadcast: the URL comes only from re-rendering that step's message for its subscriber.</summary>
    async Task<string?> RecordSequenceClickAsync(string token, int index, CancellationToken ct)
    {
        var step = await db.SequenceDeliveries.FirstOrDefaultAsync(r => r.Token == token, ct);
        if (step?.SequenceEmailId is not { } emailId || index < 0) return null;
        var template = await SequenceTemplates.LoadAsync(db, emailId, ct, sent: true);
        var subscriber = await SubscriberViews.LoadOneAsync(db, step.AccountId, step.SubscriberId, ct);
        if (template is null || subscriber is null) return null;
        var links = HtmlText.Links(composer.RenderHtml(template, subscriber, token));
        if (index >= links.Count || links[index] == composer.UnsubscribeUrl(token)) return null;

        var url = links[index];
        var now = time.UtcNowSeconds();
        step.Clicks++;
        step.ClickedAt ??= now;
        step.OpenedAt ??= now;
        var entity = await db.Subscribers.FirstAsync(s => s.Id == step.SubscriberId, ct);
        db.Raise(time, step.AccountId, OutboxEvents.LinkClick, subscriber: entity, matchValue: url);
        await db.SaveChangesAsync(ct);
        return url;
    }
}
