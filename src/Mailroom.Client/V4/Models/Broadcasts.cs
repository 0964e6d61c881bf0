namespace Mailroom.Client.V4;

/// <summary>A broadcast (one email to many subscribers, optionally published to the web).</summary>
/// <param name="Id">The broadcast id.</param>
/// <param name="PublicationId">The matching post's publication id.</param>
/// <param name="CreatedAt">When it was created.</param>
/// <param name="Subject">The subject line.</param>
/// <param name="PreviewText">The preview text.</param>
/// <param name="Description">The internal description.</param>
/// <param name="Content">The HTML body.</param>
/// <param name="Public">Whether it is published to the web.</param>
/// <param name="PublishedAt">When it was (or will be) published to the web.</param>
/// <param name="SendAt">When it is scheduled to send; null for a draft.</param>
/// <param name="ThumbnailAlt">The thumbnail's alt text.</param>
/// <param name="ThumbnailUrl">The thumbnail.</param>
/// <param name="PublicUrl">The web page, when public.</param>
/// <param name="EmailAddress">The sending address.</param>
/// <param name="EmailTemplate">The email template.</param>
/// <param name="SubscriberFilter">Who receives it; untargeted is <c>[{"all":[{"type":"all_subscribers"}]}]</c>.</param>
public sealed record Broadcast(long Id, long PublicationId, DateTimeOffset CreatedAt, string Subject, string? PreviewText,
    string? Description, string? Content, bool Public, DateTimeOffset? PublishedAt, DateTimeOffset? SendAt, string? ThumbnailAlt,
    string? ThumbnailUrl, string? PublicUrl, string? EmailAddress, EmailTemplateReference? EmailTemplate,
    IReadOnlyList<SubscriberFilterGroup> SubscriberFilter)
{
    /// <summary><c>draft</c>, <c>scheduled</c>, <c>sending</c>, <c>completed</c> or <c>aborted</c>, when sent.</summary>
    public string? Status { get; init; }
}

/// <summary>The email template a broadcast uses.</summary>
/// <param name="Id">The template id.</param>
/// <param name="Name">The template name.</param>
public sealed record EmailTemplateReference(long Id, string Name);

/// <summary>One group of a broadcast's <c>subscriber_filter</c>; Kit supports exactly one of the three per broadcast.</summary>
/// <param name="All">Subscribers matching every condition.</param>
/// <param name="Any">Subscribers matching at least one condition.</param>
/// <param name="None">Subscribers matching no condition.</param>
public sealed record SubscriberFilterGroup(IReadOnlyList<FilterCondition>? All = null, IReadOnlyList<FilterCondition>? Any = null,
    IReadOnlyList<FilterCondition>? None = null);

/// <summary>A targeting condition: subscribers in these segments or with these tags.</summary>
/// <param name="Type"><c>"segment"</c> or <c>"tag"</c> (Kit answers <c>"all_subscribers"</c> for an untargeted broadcast).</param>
/// <param name="Ids">The segment or tag ids.</param>
public sealed record FilterCondition(string Type, IReadOnlyList<long>? Ids = null);

/// <summary>The fields of <c>POST /v4/broadcasts</c> and <c>PUT /v4/broadcasts/{id}</c>; null fields are not sent.</summary>
public sealed record BroadcastRequest
{
    /// <summary>The subject line.</summary>
    public string? Subject { get; init; }

    /// <summary>The HTML body.</summary>
    public string? Content { get; init; }

    /// <summary>The internal description.</summary>
    public string? Description { get; init; }

    /// <summary>The preview text.</summary>
    public string? PreviewText { get; init; }

    /// <summary>Publish to the web.</summary>
    public bool? Public { get; init; }

    /// <summary>When to publish to the web.</summary>
    public DateTimeOffset? PublishedAt { get; init; }

    /// <summary>When to send; leave null for a draft.</summary>
    public DateTimeOffset? SendAt { get; init; }

    /// <summary>The thumbnail's alt text.</summary>
    public string? ThumbnailAlt { get; init; }

    /// <summary>The thumbnail.</summary>
    public string? ThumbnailUrl { get; init; }

    /// <summary>The sending address; the account's default when null.</summary>
    public string? EmailAddress { get; init; }

    /// <summary>The email template; the account's default when null.</summary>
    public long? EmailTemplateId { get; init; }

    /// <summary>Who receives it; everyone when null. One group only (<c>all</c>, <c>any</c> or <c>none</c>).</summary>
    public IReadOnlyList<SubscriberFilterGroup>? SubscriberFilter { get; init; }
}

/// <summary>Filters of <c>GET /v4/broadcasts</c> and <c>GET /v4/broadcasts/stats</c>.</summary>
public sealed record BroadcastQuery
{
    /// <summary>Sent at or after this time.</summary>
    public DateTimeOffset? SentAfter { get; init; }

    /// <summary>Sent at or before this time.</summary>
    public DateTimeOffset? SentBefore { get; init; }

    /// <summary>Only broadcasts in this status (<c>draft</c>, <c>scheduled</c>, <c>sending</c>, <c>completed</c>, <c>aborted</c>).</summary>
    public string? Status { get; init; }

    /// <summary>Leave out the heavier fields (list only).</summary>
    public bool? Slim { get; init; }
}

/// <summary>A broadcast's delivery stats.</summary>
/// <param name="Recipients">Subscribers it was sent to.</param>
/// <param name="OpenRate">Opens per recipient, in percent.</param>
/// <param name="EmailsOpened">Emails opened.</param>
/// <param name="ClickRate">Clicks per recipient, in percent.</param>
/// <param name="UnsubscribeRate">Unsubscribes per recipient, in percent.</param>
/// <param name="Unsubscribes">Unsubscribes.</param>
/// <param name="TotalClicks">Clicks.</param>
/// <param name="ShowTotalClicks">Whether the click count is meaningful.</param>
/// <param name="Status">The broadcast's send status.</param>
/// <param name="Progress">How far sending has got, in percent.</param>
/// <param name="OpenTrackingDisabled">Whether opens went untracked.</param>
/// <param name="ClickTrackingDisabled">Whether clicks went untracked.</param>
public sealed record BroadcastStats(long Recipients, double OpenRate, long EmailsOpened, double ClickRate, double UnsubscribeRate,
    long Unsubscribes, long TotalClicks, bool ShowTotalClicks, string Status, double Progress, bool OpenTrackingDisabled,
    bool ClickTrackingDisabled);

/// <summary>One broadcast's stats in <c>GET /v4/broadcasts/stats</c>.</summary>
/// <param name="Id">The broadcast id.</param>
/// <param name="Stats">Its stats.</param>
public sealed record BroadcastStatsItem(long Id, BroadcastStats Stats)
{
    /// <summary>The subject line, when sent.</summary>
    public string? Subject { get; init; }

    /// <summary>When it was sent or is scheduled, when sent.</summary>
    public DateTimeOffset? SendAt { get; init; }
}

/// <summary>Clicks on one link of a broadcast.</summary>
/// <param name="Url">The link.</param>
/// <param name="UniqueClicks">Subscribers who clicked it.</param>
/// <param name="ClickToDeliveryRate">Unique clicks per delivered email.</param>
/// <param name="ClickToOpenRate">Unique clicks per opened email.</param>
public sealed record LinkClicks(string Url, long UniqueClicks, double ClickToDeliveryRate, double ClickToOpenRate);

sealed record BroadcastClicksBody(long Id, List<LinkClicks> Clicks);
