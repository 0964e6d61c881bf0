using Mailroom.Server.Domain;
using Mailroom.Server.Domain.Outbox;
using Mailroom.Server.Domain.Subscribers;
using Microsoft.Extensions.Options;
using Mailroom.Server.Delivery.Composing;

namespace Mailroom.Server.Delivery.Mail;

/// <summary>
/// Sends double opt-in confirmation emails. A subscribe to a double-opt-in form only records the request
/// (Subscription.ConfirmationRequestedAt), so the API never waits on SMTP; this worker sends it with a fresh
/// unguessable token (only its hash is stored) and at most one email per address per ConfirmationInterval.
/// </summary>
public sealed class ConfirmationMailer(IServiceScopeFactory scopes, IMailTransport transport, MessageComposer composer,
    PublicUrl publicUrl, TimeProvider time, IOptions<DeliveryOptions> options, ILogger<ConfirmationMailer> logger)
{
    public async Task<int> RunOnceAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var now = time.UtcNow();
        var due = await db.Subscriptions.AsNoTracking()
            .Where(s => s.State == SubscriptionStates.Inactive && s.SubscribableType == SubscribableTypes.Form
                        && s.ConfirmationRequestedAt != null && s.ConfirmationRequestedAt <= now
                        && (s.ConfirmationSentAt == null || s.ConfirmationSentAt < s.ConfirmationRequestedAt))
            .OrderBy(s => s.ConfirmationRequestedAt).Take(100)
            .Select(s => new { s.Id, s.AccountId, s.SubscriberId, s.SubscribableId, s.ConfirmationSentAt, s.ConfirmationRequestedAt })
            .ToListAsync(ct);
        var sent = 0;
        foreach (var request in due)
        {
            var windowStart = now - options.Value.ConfirmationInterval;
            // One email per address per interval, whichever form asked: a repeat inside the window is dropped.
            var recentlyMailed = await db.Subscriptions.AnyAsync(s => s.SubscriberId == request.SubscriberId
                && s.ConfirmationSentAt != null && s.ConfirmationSentAt > windowStart, ct);
            if (recentlyMailed)
            {
                await db.Subscriptions.Where(s => s.Id == request.Id && s.ConfirmationRequestedAt == request.ConfirmationRequestedAt)
                    .ExecuteUpdateAsync(u => u.SetProperty(s => s.ConfirmationRequestedAt, (DateTime?)null), ct);
                continue;
            }
            var token = Credentials.NewToken();
            var hash = Credentials.Hash(token);
            // Claim: only the process whose update lands sends, so two instances never mail twice.
            var claimed = await db.Subscriptions
                .Where(s => s.Id == request.Id && s.ConfirmationRequestedAt == request.ConfirmationRequestedAt
                            && (s.ConfirmationSentAt == null || s.ConfirmationSentAt < s.ConfirmationRequestedAt))
                .ExecuteUpdateAsync(u => u.SetProperty(s => s.ConfirmationSentAt, now).SetProperty(s => s.ConfirmationTokenHash, hash), ct);
            if (claimed == 0) continue;
            if (await SendAsync(db, request.AccountId, request.SubscriberId, request.SubscribableId, request.Id, token, ct)) sent++;
        }
        return sent;
    }

    async Task<bool> SendAsync(AppDbContext db, long accountId, long subscriberId, long formId, long subscriptionId, string token, CancellationToken ct)
    {
        var form = await db.Forms.AsNoTracking().FirstOrDefaultAsync(f => f.Id == formId && f.AccountId == accountId, ct);
        var account = await db.Accounts.AsNoTracking().FirstAsync(a => a.Id == accountId, ct);
        var subscriber = await SubscriberViews.LoadOneAsync(db, accountId, subscriberId, ct);
        if (form is null || subscriber is null) return false;
        var message = composer.ComposeConfirmation(account.Name, account.PrimaryEmailAddress, subscriber, form, $"{publicUrl.Value}/confirm/{token}");
        try
        {
            await transport.SendAsync(message, ct);
            return true;
        }
        catch (MailDeliveryException e) when (!e.Permanent)
        {
            // Try again in a minute: the request becomes due again and the claim condition holds once more.
            var retryAt = time.UtcNow().AddMinutes(1);
            await db.Subscriptions.Where(s => s.Id == subscriptionId)
                .ExecuteUpdateAsync(u => u.SetProperty(s => s.ConfirmationRequestedAt, retryAt), ct);
            logger.LogWarning("Confirmation email for subscription {SubscriptionId} deferred: {Reason}", subscriptionId, e.Message);
            return false;
        }
        catch (MailDeliveryException e)
        {
            if (e.Bounce)
            {
                var entity = await db.Subscribers.FirstAsync(s => s.Id == subscriberId, ct);
                if (entity.State != SubscriberStates.Bounced)
                {
                    entity.State = SubscriberStates.Bounced;
                    entity.UpdatedAt = time.UtcNowSeconds();
                    db.Raise(time, accountId, OutboxEvents.SubscriberBounce, subscriber: entity);
                    await db.SaveChangesAsync(ct);
                }
            }
            logger.LogWarning("Confirmation email for subscription {SubscriptionId} refused: {Reason}", subscriptionId, e.Message);
            return false;
        }
    }
}
