using Mailroom.Server.Domain;
using Mailroom.Server.Domain.Broadcasts;

namespace Mailroom.Server.Api.V3.Contracts;

/// <summary>The single-broadcast object, every field of spec §2 in Kit's order.</summary>
public sealed record BroadcastResponse(long Id, DateTime CreatedAt, string? Subject, string? Description, string? Content,
    bool Public, DateTime? PublishedAt, DateTime? SendAt, string? ThumbnailAlt, string? ThumbnailUrl, string? EmailAddress,
    string EmailLayoutTemplate)
{
    public static BroadcastResponse From(Broadcast b) => new(b.Id, b.CreatedAt, b.Subject, b.Description, b.Content, b.Public,
        b.PublishedAt, b.SendAt, b.ThumbnailAlt, b.ThumbnailUrl, b.EmailAddress, b.EmailLayoutTemplate ?? EmailLayouts.TextOnly);
}

public sealed record BroadcastEnvelope(BroadcastResponse Broadcast);

public sealed record BroadcastListItem(long Id, DateTime CreatedAt, string? Subject);

public sealed record BroadcastListResponse(IReadOnlyList<BroadcastListItem> Broadcasts);

/// <summary><c>{"broadcast": {"id": N, "stats": {...}}}</c>: an object, as the PHP SDK and webhookdb read it (spec §5).</summary>
public sealed record BroadcastStatsEnvelope(BroadcastStatsBody Broadcast);

public sealed record BroadcastStatsBody(long Id, BroadcastStatsResponse Stats);

public sealed record BroadcastStatsResponse(int Recipients,
    [property: System.Text.Json.Serialization.JsonConverter(typeof(KitFloatConverter))] double OpenRate,
    [property: System.Text.Json.Serialization.JsonConverter(typeof(KitFloatConverter))] double ClickRate,
    int Unsubscribes, int TotalClicks, bool ShowTotalClicks, string Status,
    [property: System.Text.Json.Serialization.JsonConverter(typeof(KitFloatConverter))] double Progress)
{
    public static BroadcastStatsResponse From(BroadcastStats s) => new(s.Recipients, s.OpenRate, s.ClickRate, s.Unsubscribes,
        s.TotalClicks, s.ShowTotalClicks, s.Status, s.Progress);
}
