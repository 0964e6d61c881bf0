using Mailroom.Server.Api.V3;
using Mailroom.Server.Domain.Sequences;

namespace Mailroom.Server.Api.V4;

/// <summary>
/// The opt-in <c>stats</c> of a sequence or sequence email (<c>include=stats</c>, Kit's 2026-07-17 change, not in the
/// document). inferred: Kit publishes no shape for it; the names follow its broadcast stats (recipients,
/// emails_opened, open_rate, unsubscribes, unsubscribe_rate) and the rates are percentages with two decimals, as
/// Kit's v3 broadcast stats are. Each count is of deliveries (one per subscriber per run through the sequence).
/// </summary>
public sealed record V4Stats(int Recipients, int EmailsOpened, decimal OpenRate, int Clicks, decimal ClickRate,
    int Unsubscribes, decimal UnsubscribeRate, int Bounces)
{
    public static V4Stats From(EmailStats s) =>
        new(s.Sent, s.Opens, Rate(s.Opens, s.Sent), s.Clicks, Rate(s.Clicks, s.Sent), s.Unsubscribes, Rate(s.Unsubscribes, s.Sent), s.Bounces);

    static decimal Rate(int part, int whole) => whole == 0 ? 0m : Math.Round(100m * part / whole, 2);

    /// <summary>Whether <c>include</c> (a list or a comma-separated string) asks for stats.</summary>
    public static bool Wanted(ApiParams p) =>
        p.List("include")?.Any(n => ApiParams.AsString(n, "include") is { } s && s.Equals("stats", StringComparison.OrdinalIgnoreCase)) == true;
}
