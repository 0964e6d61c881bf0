using System.Globalization;
using Mailroom.Server.Api.V3;
using Mailroom.Server.Domain;
using NodaTime;
using NodaTime.Text;

namespace Mailroom.Server.Api.V4;

/// <summary>GET /v4/account/email_stats and /growth_stats: counts over the account's messages and subscribers.</summary>
static partial class AccountEndpoints
{
    /// <summary>Kit's <c>email_stats_mode</c> "last_90": the 90 days up to now.</summary>
    public const int EmailStatsDays = 90;
    /// <summary>growth_stats without <c>starting</c>: "Defaults to 90 days ago" (the parameter's description).</summary>
    public const int GrowthStatsDefaultDays = 90;

    public sealed record EmailStats(long Sent, long Clicked, long Opened, string EmailStatsMode, bool OpenTrackingEnabled,
        bool ClickTrackingEnabled, DateTime Starting, DateTime Ending, double OpenRate, double ClickRate, double UnsubscribeRate, double BounceRate);
    public sealed record EmailStatsResponse(EmailStats Stats);
    public sealed record GrowthStats(long Cancellations, long NetNewSubscribers, long NewSubscribers, long Subscribers, string Starting, string Ending);
    public sealed record GrowthStatsResponse(GrowthStats Stats);

    sealed record Counts(long Sent, long Opened, long Clicked, long Unsubscribed, long Bounced);

    static async Task<JsonHttpResult<EmailStatsResponse>> GetEmailStats(V4Caller caller, AppDbContext db, TimeProvider time, CancellationToken ct)
    {
        var ending = time.UtcNowSeconds();
        var starting = ending.AddDays(-EmailStatsDays);
        var account = caller.AccountId;
        // Broadcast and sequence messages both count, as Kit's account stats do: one aggregate query each.
        var broadcasts = await db.BroadcastRecipients.AsNoTracking()
            .Where(r => r.AccountId == account && r.SentAt != null && r.SentAt >= starting && r.SentAt <= ending)
            .GroupBy(_ => 1).Select(g => new Counts(g.LongCount(), g.LongCount(r => r.OpenedAt != null), g.LongCount(r => r.ClickedAt != null),
                g.LongCount(r => r.UnsubscribedAt != null), g.LongCount(r => r.Bounced))).SingleOrDefaultAsync(ct);
        var sequences = await db.SequenceDeliveries.AsNoTracking()
            .Where(r => r.AccountId == account && r.SentAt != null && r.SentAt >= starting && r.SentAt <= ending)
            .GroupBy(_ => 1).Select(g => new Counts(g.LongCount(), g.LongCount(r => r.OpenedAt != null), g.LongCount(r => r.ClickedAt != null),
                g.LongCount(r => r.UnsubscribedAt != null), g.LongCount(r => r.Bounced))).SingleOrDefaultAsync(ct);
        var b = broadcasts ?? new Counts(0, 0, 0, 0, 0);
        var s = sequences ?? new Counts(0, 0, 0, 0, 0);
        var sent = b.Sent + s.Sent;
        // Percentages with two decimals, as Kit's example shows them (1 of 6 = 16.67); 0 when nothing was sent.
        double Rate(long n) => sent == 0 ? 0 : Math.Round(100.0 * n / sent, 2, MidpointRounding.AwayFromZero);
        // Mailroom always tracks opens and clicks (there is no per-account switch).
        return V4Json.Ok(new EmailStatsResponse(new EmailStats(sent, b.Clicked + s.Clicked, b.Opened + s.Opened, "last_90", true, true,
            starting, ending, Rate(b.Opened + s.Opened), Rate(b.Clicked + s.Clicked), Rate(b.Unsubscribed + s.Unsubscribed), Rate(b.Bounced + s.Bounced))));
    }

    static async Task<Results<JsonHttpResult<GrowthStatsResponse>, JsonHttpResult<V4Error>>> GetGrowthStats(
        ApiParams p, V4Caller caller, AppDbContext db, TimeProvider time, CancellationToken ct)
    {
        var zoneId = await db.Accounts.AsNoTracking().Where(a => a.Id == caller.AccountId).Select(a => a.TimeZone).SingleAsync(ct);
        var zone = AccountZone(zoneId);
        var today = Instant.FromDateTimeUtc(time.UtcNow()).InZone(zone).Date;
        var errors = new List<string>();
        var starting = ReadDate(p, "starting", V4Error.StartingDateFormat, errors) ?? today.PlusDays(-GrowthStatsDefaultDays);
        var ending = ReadDate(p, "ending", V4Error.EndingDateFormat, errors) ?? today;
        // inferred: one day (starting == ending) is a valid window; only a start after the end is refused.
        if (errors.Count == 0 && starting > ending) errors.Add(V4Error.StartingAfterEnding);
        if (errors.Count > 0) return V4Error.Unprocessable(errors);

        // The window is whole local days in the account's zone: its first instant to the last second of the end day.
        var from = zone.AtStartOfDay(starting);
        var to = zone.AtStartOfDay(ending.PlusDays(1)).PlusSeconds(-1);
        var fromUtc = from.ToDateTimeUtc();
        var toUtc = to.ToDateTimeUtc();
        var subscribers = db.Subscribers.AsNoTracking().Where(s => s.AccountId == caller.AccountId);
        var created = await subscribers.LongCountAsync(s => s.CreatedAt >= fromUtc && s.CreatedAt <= toUtc, ct);
        var cancelled = await subscribers.LongCountAsync(s => s.CancelledAt != null && s.CancelledAt >= fromUtc && s.CancelledAt <= toUtc, ct);
        // inferred: `subscribers` is the list's size at the end of the window: there by then and not cancelled by then.
        var total = await subscribers.LongCountAsync(s => s.CreatedAt <= toUtc && (s.CancelledAt == null || s.CancelledAt > toUtc), ct);
        return V4Json.Ok(new GrowthStatsResponse(new GrowthStats(cancelled, created - cancelled, created, total, ZonedStamp(from), ZonedStamp(to))));
    }

    /// <summary>
    /// YYYY-MM-DD only. inferred: the parameter's example shows 02/09/2023, but the message tells callers to use
    /// YYYY-MM-DD and Kit's PHP SDK sends that form, so anything else is refused with the message.
    /// </summary>
    static LocalDate? ReadDate(ApiParams p, string name, string message, List<string> errors)
    {
        string? text;
        try { text = p.String(name); }
        catch (ApiParamException) { errors.Add(message); return null; }
        if (text is null) return null;
        var parsed = LocalDatePattern.Iso.Parse(text);
        if (parsed.Success && text.Length == 10) return parsed.Value;
        errors.Add(message);
        return null;
    }

    /// <summary>Kit's growth_stats stamps: local time with the zone's offset then, <c>2023-02-10T00:00:00-05:00</c>.</summary>
    static string ZonedStamp(ZonedDateTime value) =>
        value.LocalDateTime.ToString("yyyy'-'MM'-'dd'T'HH':'mm':'ss", CultureInfo.InvariantCulture)
        + OffsetPattern.CreateWithInvariantCulture("+HH:mm").Format(value.Offset);
}
