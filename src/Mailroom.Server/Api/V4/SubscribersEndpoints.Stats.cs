using Microsoft.AspNetCore.Mvc;
using Mailroom.Server.Api.V3;

namespace Mailroom.Server.Api.V4;

/// <summary>GET /v4/subscribers/{subscriber_id}/stats: one subscriber's email engagement, broadcasts and sequences together.</summary>
static partial class SubscribersEndpoints
{
    /// <summary>inferred: last_opened/last_clicked/last_sent are null when there is none (the example shows only a subscriber who did all three).</summary>
    public sealed record EmailStats(int Sent, int Opened, int Clicked, int Bounced, double OpenRate, double ClickRate,
        DateTime? LastSent, DateTime? LastOpened, DateTime? LastClicked, int SendsSinceLastOpen, int SendsSinceLastClick);
    public sealed record SubscriberStats(long Id, EmailStats Stats);
    public sealed record SubscriberStatsEnvelope(SubscriberStats Subscriber);

    /// <summary>"Only data for events in the last 5 years will be included."</summary>
    const int StatsYears = 5;

    /// <summary>One message to the subscriber, from either table: its send (or failure) time and what it saw.</summary>
    sealed record Message(DateTime? SentAt, DateTime? FailedAt, bool Bounced, DateTime? OpenedAt, DateTime? ClickedAt)
    {
        public DateTime? At => SentAt ?? FailedAt;
    }

    static async Task<Results<JsonHttpResult<SubscriberStatsEnvelope>, JsonHttpResult<V4Error>>> Stats(
        [FromRoute(Name = "subscriber_id")] long subscriberId, ApiParams p, V4Caller caller, AppDbContext db, TimeProvider time, CancellationToken ct)
    {
        var after = V4SubscriberFilters.ReadDate(p, "email_sent_after");
        var before = V4SubscriberFilters.ReadDate(p, "email_sent_before");
        // inferred: the document declares no 404 here, but an id the account does not have is Not Found as everywhere else.
        if (!await db.Subscribers.AnyAsync(s => s.AccountId == caller.AccountId && s.Id == subscriberId, ct)) return V4Error.NotFound();

        var floor = time.GetUtcNow().UtcDateTime.AddYears(-StatsYears);
        var messages = (await db.BroadcastRecipients.AsNoTracking()
                .Where(r => r.AccountId == caller.AccountId && r.SubscriberId == subscriberId && (r.SentAt != null || r.FailedAt != null))
                .Select(r => new Message(r.SentAt, r.FailedAt, r.Bounced, r.OpenedAt, r.ClickedAt)).ToListAsync(ct))
            .Concat(await db.SequenceDeliveries.AsNoTracking()
                .Where(d => d.AccountId == caller.AccountId && d.SubscriberId == subscriberId && (d.SentAt != null || d.FailedAt != null))
                .Select(d => new Message(d.SentAt, d.FailedAt, d.Bounced, d.OpenedAt, d.ClickedAt)).ToListAsync(ct))
            // A bare date bound reads as that day's midnight; "before 2025-08-31" then excludes the 31st, as Kit's own
            // examples pair an after and before a month apart.
            .Where(m => m.At >= floor && (after is null || m.At >= after) && (before is null || m.At < before))
            .ToList();

        var sent = messages.Where(m => m.SentAt is not null).ToList();
        var opened = sent.Count(m => m.OpenedAt is not null);
        var clicked = sent.Count(m => m.ClickedAt is not null);
        var lastOpened = sent.Max(m => m.OpenedAt);
        var lastClicked = sent.Max(m => m.ClickedAt);
        var stats = new EmailStats(
            Sent: sent.Count, Opened: opened, Clicked: clicked, Bounced: messages.Count(m => m.Bounced),
            OpenRate: Rate(opened, sent.Count), ClickRate: Rate(clicked, sent.Count),
            LastSent: sent.Max(m => m.SentAt), LastOpened: lastOpened, LastClicked: lastClicked,
            // Emails sent after the last one the subscriber engaged with: every one when it never did.
            SendsSinceLastOpen: sent.Count(m => lastOpened is null || m.SentAt > lastOpened),
            SendsSinceLastClick: sent.Count(m => lastClicked is null || m.SentAt > lastClicked));
        return V4Json.Ok(new SubscriberStatsEnvelope(new SubscriberStats(subscriberId, stats)));
    }

    // Kit's example: 1 of 2 → 0.5. Rounded to 4 places so a rate reads as a rate, not a float artefact.
    static double Rate(int part, int whole) => whole == 0 ? 0 : Math.Round((double)part / whole, 4);
}
