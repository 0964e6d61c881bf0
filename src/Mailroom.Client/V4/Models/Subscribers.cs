using System.Text.Json.Nodes;

namespace Mailroom.Client.V4;

/// <summary>A subscriber.</summary>
/// <param name="Id">The subscriber id.</param>
/// <param name="FirstName">The first name, or null when unset.</param>
/// <param name="EmailAddress">The address.</param>
/// <param name="State"><c>"active"</c>, <c>"inactive"</c> (unconfirmed), <c>"cancelled"</c>, <c>"bounced"</c> or <c>"complained"</c>.</param>
/// <param name="CreatedAt">When the subscriber was created.</param>
/// <param name="Fields">Custom-field values by field key; null where unset.</param>
public sealed record Subscriber(long Id, string? FirstName, string EmailAddress, string State, DateTimeOffset CreatedAt,
    IReadOnlyDictionary<string, string?> Fields)
{
    /// <summary>When the subscriber unsubscribed, when sent.</summary>
    public DateTimeOffset? CanceledAt { get; init; }

    /// <summary>Where the subscriber came from (list with <c>include=attribution</c>).</summary>
    public SubscriberAttribution? Attribution { get; init; }

    /// <summary>The subscriber's tags (list with <c>include=tags</c>).</summary>
    public IReadOnlyList<TagReference>? Tags { get; init; }

    /// <summary>Where the subscriber is (list with <c>include=location</c>).</summary>
    public SubscriberLocation? Location { get; init; }
}

/// <summary>A tag named on a subscriber.</summary>
/// <param name="Id">The tag id.</param>
/// <param name="Name">The name.</param>
public sealed record TagReference(long? Id, string? Name);

/// <summary>Where a subscriber came from.</summary>
/// <param name="Referrer">The referring page.</param>
/// <param name="UtmSource"><c>utm_source</c>.</param>
/// <param name="UtmMedium"><c>utm_medium</c>.</param>
/// <param name="UtmCampaign"><c>utm_campaign</c>.</param>
/// <param name="UtmTerm"><c>utm_term</c>.</param>
/// <param name="UtmContent"><c>utm_content</c>.</param>
/// <param name="SourceType">E.g. <c>"form"</c>.</param>
/// <param name="SourceName">The source's name.</param>
/// <param name="SourceMechanism">How they were added.</param>
/// <param name="SourceMechanismId">The id of what added them.</param>
public sealed record SubscriberAttribution(string? Referrer = null, string? UtmSource = null, string? UtmMedium = null,
    string? UtmCampaign = null, string? UtmTerm = null, string? UtmContent = null, string? SourceType = null, string? SourceName = null,
    string? SourceMechanism = null, long? SourceMechanismId = null);

/// <summary>A subscriber's location.</summary>
/// <param name="City">The city.</param>
/// <param name="State">The state or region.</param>
/// <param name="Country">The country.</param>
/// <param name="Latitude">The latitude.</param>
/// <param name="Longitude">The longitude.</param>
/// <param name="Timezone">The time zone.</param>
public sealed record SubscriberLocation(string? City = null, string? State = null, string? Country = null, double? Latitude = null,
    double? Longitude = null, string? Timezone = null);

/// <summary>
/// The answer of creating or updating a subscriber: the subscriber, whether it was new, whether Kit applies the custom
/// fields later (more than 10 sent: a 202), and the unknown field keys it ignored.
/// </summary>
/// <param name="Subscriber">The subscriber.</param>
/// <param name="Created">True for a 201: no subscriber had the address.</param>
/// <param name="FieldsPending">True for a 202: the fields are applied asynchronously.</param>
/// <param name="Warnings">Kit's warnings, e.g. about unknown field keys; empty when none.</param>
public sealed record SavedSubscriber(Subscriber Subscriber, bool Created, bool FieldsPending, IReadOnlyList<string> Warnings);

/// <summary>The fields of <c>POST /v4/subscribers</c> (an upsert on the address).</summary>
/// <param name="EmailAddress">The address.</param>
public sealed record SubscriberRequest(string EmailAddress)
{
    /// <summary>The first name; an existing subscriber's is overwritten.</summary>
    public string? FirstName { get; init; }

    /// <summary>The state for a new subscriber (<c>"active"</c> by default, or <c>"inactive"</c>, …).</summary>
    public string? State { get; init; }

    /// <summary>Custom-field values by key.</summary>
    public IReadOnlyDictionary<string, string?>? Fields { get; init; }
}

/// <summary>The changes of <c>PUT /v4/subscribers/{id}</c>; null fields are not sent.</summary>
public sealed record SubscriberUpdate
{
    /// <summary>A new first name.</summary>
    public string? FirstName { get; init; }

    /// <summary>A new address.</summary>
    public string? EmailAddress { get; init; }

    /// <summary>Custom-field values by key (a null value clears it).</summary>
    public IReadOnlyDictionary<string, string?>? Fields { get; init; }
}

/// <summary>Filters of <c>GET /v4/subscribers</c>; every one is optional.</summary>
public sealed record SubscriberQuery
{
    /// <summary>Only subscribers in this state; Kit lists active ones by default.</summary>
    public SubscriberStatus? Status { get; init; }

    /// <summary>Only these addresses (several are joined with commas).</summary>
    public IReadOnlyList<string>? EmailAddresses { get; init; }

    /// <summary>Created after this time.</summary>
    public DateTimeOffset? CreatedAfter { get; init; }

    /// <summary>Created before this time.</summary>
    public DateTimeOffset? CreatedBefore { get; init; }

    /// <summary>Updated after this time.</summary>
    public DateTimeOffset? UpdatedAfter { get; init; }

    /// <summary>Updated before this time.</summary>
    public DateTimeOffset? UpdatedBefore { get; init; }

    /// <summary><c>"id"</c>, <c>"updated_at"</c> or <c>"cancelled_at"</c> (the last only with <see cref="SubscriberStatus.Cancelled"/>).</summary>
    public string? SortField { get; init; }

    /// <summary>The order.</summary>
    public SortOrder? SortOrder { get; init; }

    /// <summary>Extra parts: any of <c>"attribution"</c>, <c>"tags"</c>, <c>"location"</c>.</summary>
    public IReadOnlyList<string>? Include { get; init; }

    /// <summary>Leave out the heavier fields.</summary>
    public bool? Slim { get; init; }
}

/// <summary>Filters of the form, sequence and tag subscriber lists.</summary>
public sealed record MembershipQuery
{
    /// <summary>Only subscribers in this state; Kit lists active ones by default.</summary>
    public SubscriberStatus? Status { get; init; }

    /// <summary>Subscriber created after this time.</summary>
    public DateTimeOffset? CreatedAfter { get; init; }

    /// <summary>Subscriber created before this time.</summary>
    public DateTimeOffset? CreatedBefore { get; init; }

    /// <summary>Added to the form or sequence (tagged, for a tag) after this time.</summary>
    public DateTimeOffset? AddedAfter { get; init; }

    /// <summary>Added to the form or sequence (tagged, for a tag) before this time.</summary>
    public DateTimeOffset? AddedBefore { get; init; }

    /// <summary>Leave out the heavier fields (forms and tags).</summary>
    public bool? Slim { get; init; }
}

/// <summary>A subscriber's email engagement (<c>GET /v4/subscribers/{id}/stats</c>).</summary>
/// <param name="Sent">Emails sent.</param>
/// <param name="Opened">Emails opened.</param>
/// <param name="Clicked">Emails clicked.</param>
/// <param name="Bounced">Emails bounced.</param>
/// <param name="OpenRate">Opens per email sent.</param>
/// <param name="ClickRate">Clicks per email sent.</param>
/// <param name="LastSent">The last send.</param>
/// <param name="LastOpened">The last open.</param>
/// <param name="LastClicked">The last click.</param>
/// <param name="SendsSinceLastOpen">Emails sent since the last open.</param>
/// <param name="SendsSinceLastClick">Emails sent since the last click.</param>
public sealed record SubscriberStats(long Sent, long Opened, long Clicked, long Bounced, double OpenRate, double ClickRate,
    DateTimeOffset? LastSent, DateTimeOffset? LastOpened, DateTimeOffset? LastClicked, long SendsSinceLastOpen, long SendsSinceLastClick);

sealed record SubscriberStatsBody(long Id, SubscriberStats Stats);

/// <summary>A subscriber found by <c>POST /v4/subscribers/filter</c>.</summary>
/// <param name="Id">The subscriber id.</param>
/// <param name="FirstName">The first name.</param>
/// <param name="EmailAddress">The address.</param>
/// <param name="CreatedAt">When the subscriber was created.</param>
/// <param name="TagNames">Their tags' names, when sent.</param>
/// <param name="TagIds">Their tags' ids, when sent.</param>
public sealed record FilteredSubscriber(long Id, string? FirstName, string EmailAddress, DateTimeOffset CreatedAt,
    IReadOnlyList<string>? TagNames = null, IReadOnlyList<long>? TagIds = null);

/// <summary>The body of <c>POST /v4/subscribers/filter</c>: subscribers matching every condition.</summary>
/// <param name="All">The conditions.</param>
public sealed record SubscriberFilter(IReadOnlyList<EngagementCondition> All)
{
    /// <summary><c>"raw"</c> or <c>"unique_email"</c>.</summary>
    public string? CountingMode { get; init; }
}

/// <summary>
/// One condition of the subscriber filter: a <see cref="Type"/> (<c>opens</c>, <c>clicks</c>, <c>sent</c>,
/// <c>delivered</c>, <c>subscribed</c>, <c>subscriber_state</c>, <c>tags</c>, <c>attribution</c>) with counts, a time
/// window, states, or <see cref="Any"/> of a set of broadcasts, URLs, ids or forms.
/// </summary>
/// <param name="Type">What is counted or matched.</param>
public sealed record EngagementCondition(string Type)
{
    /// <summary>Count greater than.</summary>
    public int? CountGreaterThan { get; init; }

    /// <summary>Count greater than or equal.</summary>
    public int? CountGreaterThanOrEqual { get; init; }

    /// <summary>Count less than.</summary>
    public int? CountLessThan { get; init; }

    /// <summary>Count less than or equal.</summary>
    public int? CountLessThanOrEqual { get; init; }

    /// <summary>Events after this time.</summary>
    public DateTimeOffset? After { get; init; }

    /// <summary>Events before this time.</summary>
    public DateTimeOffset? Before { get; init; }

    /// <summary>Subscriber states (<c>subscriber_state</c>).</summary>
    public IReadOnlyList<string>? States { get; init; }

    /// <summary>Which broadcasts, URLs, ids or forms count.</summary>
    public IReadOnlyList<EngagementTarget>? Any { get; init; }
}

/// <summary>
/// A set a filter condition is limited to: <c>broadcasts</c>, <c>urls</c>, <c>ids</c> or <c>forms</c>. Build it with the
/// factories: Kit's document gives <c>matching</c> two meanings (how URLs match; the ids of an <c>ids</c> set).
/// </summary>
/// <param name="Type">The kind of set.</param>
public sealed record EngagementTarget(string Type)
{
    /// <summary>Broadcast, link or form ids.</summary>
    public IReadOnlyList<long>? Ids { get; init; }

    /// <summary>URLs (<c>urls</c>).</summary>
    public IReadOnlyList<string>? Urls { get; init; }

    /// <summary>For <c>urls</c> how they match (<c>"exact"</c>, <c>"contains"</c>, <c>"starts_with"</c>, <c>"ends_with"</c>); for <c>ids</c> the ids.</summary>
    public JsonNode? Matching { get; init; }

    /// <summary>These broadcasts (opens, clicks, sent, delivered).</summary>
    /// <param name="ids">The broadcast ids.</param>
    public static EngagementTarget Broadcasts(params long[] ids) => new("broadcasts") { Ids = ids };

    /// <summary>These links (clicks).</summary>
    /// <param name="urls">The URLs.</param>
    /// <param name="matching"><c>"exact"</c>, <c>"contains"</c>, <c>"starts_with"</c> or <c>"ends_with"</c>.</param>
    public static EngagementTarget Links(IEnumerable<string> urls, string? matching = null) =>
        new("urls") { Urls = [.. urls], Matching = matching is null ? null : JsonValue.Create(matching) };

    /// <summary>These ids (e.g. the tag ids of a <c>tags</c> condition).</summary>
    /// <param name="ids">The ids.</param>
    public static EngagementTarget IdSet(params long[] ids) =>
        new("ids") { Matching = new JsonArray([.. ids.Select(id => (JsonNode?)JsonValue.Create(id))]) };

    /// <summary>These forms (<c>attribution</c>).</summary>
    /// <param name="ids">The form ids.</param>
    public static EngagementTarget Forms(params long[] ids) => new("forms") { Ids = ids };
}

/// <summary>One subscriber of <c>POST /v4/bulk/subscribers</c>.</summary>
/// <param name="EmailAddress">The address.</param>
/// <param name="FirstName">The first name.</param>
/// <param name="State">The state.</param>
public sealed record BulkSubscriber(string? EmailAddress, string? FirstName = null, string? State = null)
{
    /// <summary>When the subscriber was created (answers only).</summary>
    public DateTimeOffset? CreatedAt { get; init; }
}

/// <summary>A subscriber created or updated in bulk.</summary>
/// <param name="Id">The subscriber id.</param>
/// <param name="FirstName">The first name.</param>
/// <param name="EmailAddress">The address.</param>
/// <param name="State">The state.</param>
/// <param name="CreatedAt">When the subscriber was created.</param>
public sealed record BulkCreatedSubscriber(long Id, string? FirstName, string EmailAddress, string State, DateTimeOffset CreatedAt);

/// <summary>A refused subscriber of a bulk creation.</summary>
/// <param name="Errors">Why, e.g. <c>"Email address is invalid"</c>.</param>
/// <param name="Subscriber">The subscriber as sent.</param>
public sealed record BulkSubscriberFailure(IReadOnlyList<string> Errors, BulkSubscriber Subscriber);
