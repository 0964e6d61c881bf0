namespace Mailroom.Client;

/// <summary>A broadcast as the listing shows it.</summary>
/// <param name="Id">The broadcast id.</param>
/// <param name="CreatedAt">When it was created.</param>
/// <param name="Subject">The subject, or null for an empty draft.</param>
public sealed record BroadcastSummary(long Id, DateTimeOffset CreatedAt, string? Subject);

/// <summary>A broadcast (spec §2).</summary>
/// <param name="Id">The broadcast id.</param>
/// <param name="CreatedAt">When it was created.</param>
/// <param name="Subject">The email subject.</param>
/// <param name="Description">An internal note.</param>
/// <param name="Content">The HTML body.</param>
/// <param name="Public">Whether it is published to the web feed.</param>
/// <param name="PublishedAt">The displayed publication time (public broadcasts).</param>
/// <param name="SendAt">When it is scheduled to send; null for a draft.</param>
/// <param name="ThumbnailAlt">The web post's thumbnail alt text.</param>
/// <param name="ThumbnailUrl">The web post's thumbnail URL.</param>
/// <param name="EmailAddress">The sending address.</param>
/// <param name="EmailLayoutTemplate">The email layout template's name.</param>
public sealed record Broadcast(long Id, DateTimeOffset CreatedAt, string? Subject, string? Description, string? Content, bool Public,
    DateTimeOffset? PublishedAt, DateTimeOffset? SendAt, string? ThumbnailAlt, string? ThumbnailUrl, string? EmailAddress,
    string? EmailLayoutTemplate);

/// <summary>A broadcast's delivery statistics (<c>GET /v3/broadcasts/{id}/stats</c>).</summary>
/// <param name="Recipients">How many subscribers it was sent to.</param>
/// <param name="OpenRate">Opens as a percentage of recipients.</param>
/// <param name="ClickRate">Clicks as a percentage of recipients.</param>
/// <param name="Unsubscribes">Unsubscribes it caused.</param>
/// <param name="TotalClicks">All link clicks.</param>
/// <param name="ShowTotalClicks">Whether Kit's UI shows the total clicks.</param>
/// <param name="Status">The delivery status, e.g. <c>"draft"</c>, <c>"scheduled"</c>, <c>"sending"</c>, <c>"completed"</c>.</param>
/// <param name="Progress">Delivery progress, 0 to 100.</param>
public sealed record BroadcastStats(int Recipients, double OpenRate, double ClickRate, int Unsubscribes, int TotalClicks,
    bool ShowTotalClicks, string Status, double Progress);

/// <summary>
/// The fields of a broadcast to create or update; all optional (an empty draft is allowed). On update, what is null keeps
/// its value.
/// </summary>
public sealed record BroadcastRequest
{
    /// <summary>The email subject.</summary>
    public string? Subject { get; init; }

    /// <summary>The HTML body.</summary>
    public string? Content { get; init; }

    /// <summary>An internal note.</summary>
    public string? Description { get; init; }

    /// <summary>Publish to the web feed.</summary>
    public bool? Public { get; init; }

    /// <summary>The displayed publication time (public broadcasts).</summary>
    public DateTimeOffset? PublishedAt { get; init; }

    /// <summary>When to send; without it the broadcast is a draft.</summary>
    public DateTimeOffset? SendAt { get; init; }

    /// <summary>The sending address; the account's by default.</summary>
    public string? EmailAddress { get; init; }

    /// <summary>The email layout template's name; the account's default when absent.</summary>
    public string? EmailLayoutTemplate { get; init; }

    /// <summary>The web post's thumbnail alt text.</summary>
    public string? ThumbnailAlt { get; init; }

    /// <summary>The web post's thumbnail URL.</summary>
    public string? ThumbnailUrl { get; init; }
}
