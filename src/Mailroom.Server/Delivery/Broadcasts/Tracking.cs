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
        var message = await FindAsync(token, ct);
        if (message is null || index < 0) return null;
        var template = await TemplateAsync(message, ct);
        var subscriber = await SubscriberViews.LoadOneAsync(db, message.AccountId, message.SubscriberId, ct);
        if (template is null || subscriber is null) return null;
        var links = HtmlText.Links(composer.RenderHtml(template, subscriber, token));
        if (index >= links.Count || links[index] == composer.UnsubscribeUrl(token)) return null;

        var url = links[index];
        var now = time.UtcNowSeconds();
        message.Clicks++;
        message.ClickedAt ??= now;
        // A click proves the message was opened, even when images were blocked.
        message.OpenedAt ??= now;
        var entity = await db.Subscribers.FirstAsync(s => s.Id == message.SubscriberId, ct);
        db.Raise(time, message.AccountId, OutboxEvents.LinkClick, subscriber: entity, matchValue: url);
        await db.SaveChangesAsync(ct);
        return url;
    }

    public async Task<bool> IsKnownAsync(string token, CancellationToken ct) => IsSequenceToken(token)
        ? await db.SequenceDeliveries.AnyAsync(r => r.Token == token, ct)
        : await db.BroadcastRecipients.AnyAsync(r => r.Token == token, ct);

    /// <summary>
    /// The unsubscribe link and RFC 8058 one-click POST: cancels the subscriber like PUT /v3/unsubscribe and
    /// credits the unsubscribe to this message's broadcast or sequence email. Idempotent. False for an unknown token.
    /// </summary>
    public async Task<bool> UnsubscribeAsync(string token, CancellationToken ct)
    {
        var message = await FindAsync(token, ct);
        if (message is null) return false;
        var email = await db.Subscribers.Where(s => s.Id == message.SubscriberId).Select(s => s.EmailAddress).FirstAsync(ct);
        message.UnsubscribedAt ??= time.UtcNowSeconds();
        // UnsubscribeAsync saves this context, so the message's mark and the cancellation commit together.
        await subscribers.UnsubscribeAsync(message.AccountId, email, ct);
        return true;
    }

    static bool IsSequenceToken(string token) => token.StartsWith('s');

    /// <summary>The tracked row the token names, from the table its first letter says.</summary>
    async Task<ITrackedMessage?> FindAsync(string token, CancellationToken ct) => IsSequenceToken(token)
        ? await db.SequenceDeliveries.FirstOrDefaultAsync(r => r.Token == token, ct)
        : await db.BroadcastRecipients.FirstOrDefaultAsync(r => r.Token == token, ct);

    /// <summary>The template the message was rendered from; a sequence email's even once unpublished or its sequence deleted.</summary>
    async Task<BroadcastTemplate?> TemplateAsync(ITrackedMessage message, CancellationToken ct) => message switch
    {
        BroadcastRecipient r => (await BroadcastTemplates.LoadAsync(db, r.BroadcastId, ct))?.Template,
        SequenceDelivery { SequenceEmailId: { } emailId } => await SequenceTemplates.LoadAsync(db, emailId, ct, sent: true),
        _ => null,
    };
}
