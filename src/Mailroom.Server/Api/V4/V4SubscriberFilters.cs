using Mailroom.Server.Api.V3;
using Mailroom.Server.Domain;

namespace Mailroom.Server.Api.V4;

/// <summary>The query parameters v4's subscriber lists share (status, dates, include), read once and checked the same way.</summary>
static class V4SubscriberFilters
{
    public const string AllStatuses = "all";
    static readonly string[] Statuses =
        [SubscriberStates.Active, SubscriberStates.Inactive, SubscriberStates.Bounced, SubscriberStates.Complained, SubscriberStates.Cancelled, AllStatuses];

    // inferred: Kit's document shows no message for a bad status or date; worded like its others.
    public const string StatusInvalid = "status must be one of: active, inactive, bounced, complained, cancelled, all";
    public static string DateInvalid(string name) => $"{name} is not a valid date. Use YYYY-MM-DD.";

    /// <summary>The subscriber state to filter on (default active), or null for <c>all</c>.</summary>
    public static string? ReadStatus(ApiParams p)
    {
        var status = p.String("status")?.ToLowerInvariant() ?? SubscriberStates.Active;
        if (!Statuses.Contains(status)) throw new ApiParamException(422, StatusInvalid);
        return status == AllStatuses ? null : status;
    }

    /// <summary><c>yyyy-mm-dd</c> (midnight UTC) or an ISO-8601 timestamp, as Kit's examples send both (v4 notes §3.3).</summary>
    public static DateTime? ReadDate(ApiParams p, string name)
    {
        var text = p.String(name);
        if (text is null) return null;
        if (!KitTimestamps.TryParse(text, out var utc)) throw new ApiParamException(422, DateInvalid(name));
        return utc;
    }

    public static Task<Subscriber?> FindByEmailAsync(AppDbContext db, long accountId, string email, CancellationToken ct, bool tracked = false)
    {
        // No stored address holds a NUL, and PostgreSQL refuses one even as a query parameter.
        if (email.Contains('\0')) return Task.FromResult<Subscriber?>(null);
        var normalized = EmailAddress.Normalize(email);
        var query = tracked ? db.Subscribers : db.Subscribers.AsNoTracking();
        return query.FirstOrDefaultAsync(s => s.AccountId == accountId && s.NormalizedEmail == normalized, ct);
    }
}

/// <summary>The comma-separated <c>include</c> parameter (<c>include=tags,location</c>), lower-cased.</summary>
static class V4Includes
{
    public static HashSet<string> Read(ApiParams p) =>
        [.. (p.String("include") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(s => s.ToLowerInvariant())];
}
