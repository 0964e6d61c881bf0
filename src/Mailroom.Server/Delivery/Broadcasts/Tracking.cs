using Mailroom.Server.Domain;
using Mailroom.Server.Domain.Outbox;
using Mailroom.Server.Domain.Subscribers;
using Mailroom.Server.Delivery.Composing;

namespace Mailroom.Server.Delivery.Broadcasts;

/// <summary>Opens and clicks, keyed by the recipient token each message carries.</summary>
public sealed class Tracking(AppDbContext db, MessageComposer composer, SubscriberService subscribers, TimeProvider time)
{
    public async Task RecordOpenAsync(string token, CancellationToken ct)
    {
        var now = time.UtcNowSeconds();
        // Only the first open counts for open_rate; later ones change nothing.
        await db.BroadcastRecipients.Where(r => r.Token == token && r.OpenedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.OpenedAt, now), ct);
    }

    /// <summary>
    /// The original URL of link <paramref name="index"/> in this recipient's message, or null.
    /// The URL comes only from re-rendering that message, so a click token can never redirect anywhere else.
    /// </summary>
    public async Task<string?> RecordClickAsync(string token, int index, CancellationToken ct)
    {
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

    public async Task<bool> IsKnownAsync(string token, CancellationToken ct) =>
        await db.BroadcastRecipients.AnyAsync(r => r.Token == token, ct);

    /// <summary>
    /// The unsubscribe link and RFC 8058 one-click POST: cancels the subscriber like PUT /v3/unsubscribe and
    /// credits the unsubscribe to this broadcast's stats. Idempotent. False for an unknown token.
    /// </summary>
    public async Task<bool> UnsubscribeAsync(string token, CancellationToken ct)
    {
        var recipient = await db.BroadcastRecipients.FirstOrDefaultAsync(r => r.Token == token, ct);
        if (recipient is null) return false;
        var email = await db.Subscribers.Where(s => s.Id == recipient.SubscriberId).Select(s => s.EmailAddress).FirstAsync(ct);
        recipient.UnsubscribedAt ??= time.UtcNowSeconds();
        // UnsubscribeAsync saves this context, so the recipient mark and the cancellation commit together.
        await subscribers.UnsubscribeAsync(recipient.AccountId, email, ct);
        return true;
    }
}
