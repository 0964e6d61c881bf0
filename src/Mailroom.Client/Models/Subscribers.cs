namespace Mailroom.Client;

/// <summary>A subscriber (spec §2).</summary>
/// <param name="Id">The subscriber id.</param>
/// <param name="FirstName">The first name, or null when unset.</param>
/// <param name="EmailAddress">The email address.</param>
/// <param name="State"><c>"active"</c>, <c>"inactive"</c> (unconfirmed), <c>"cancelled"</c>, <c>"bounced"</c> or <c>"complained"</c>.</param>
/// <param name="CreatedAt">When the subscriber was created.</param>
/// <param name="Fields">Custom-field values by field key; null where unset.</param>
public sealed record Subscriber(long Id, string? FirstName, string EmailAddress, string State, DateTimeOffset CreatedAt,
    IReadOnlyDictionary<string, string?> Fields);

/// <summary>A subscriber's membership of a form, sequence (<c>"course"</c>) or tag, as the subscription listings show it.</summary>
/// <param name="Id">The subscription id.</param>
/// <param name="State"><c>"active"</c>, <c>"inactive"</c> (pending confirmation) or <c>"cancelled"</c>.</param>
/// <param name="CreatedAt">When the subscription was made.</param>
/// <param name="Source">Where it came from, when known.</param>
/// <param name="Referrer">The referring URL, when known.</param>
/// <param name="SubscribableId">The form, sequence or tag id.</param>
/// <param name="SubscribableType"><c>"form"</c>, <c>"course"</c> or <c>"tag"</c>.</param>
/// <param name="Subscriber">The subscriber.</param>
public sealed record Subscription(long Id, string State, DateTimeOffset CreatedAt, string? Source, string? Referrer,
    long SubscribableId, string SubscribableType, Subscriber Subscriber);

/// <summary>
/// The answer to a subscribe call: the subscription made (or the existing one). Since 2020 Kit reveals only the
/// subscriber's id here; use <see cref="ConvertKitClient.GetSubscriberAsync"/> for the rest.
/// </summary>
/// <param name="Id">The subscription id.</param>
/// <param name="State"><c>"active"</c>, or <c>"inactive"</c> while a double opt-in form waits for confirmation.</param>
/// <param name="CreatedAt">When the subscription was made.</param>
/// <param name="Source">Where it came from, when known.</param>
/// <param name="Referrer">The referring URL, when known.</param>
/// <param name="SubscribableId">The form, sequence or tag id subscribed to.</param>
/// <param name="SubscribableType"><c>"form"</c>, <c>"course"</c> or <c>"tag"</c>.</param>
/// <param name="Subscriber">The subscriber's id.</param>
public sealed record SubscribeResult(long Id, string State, DateTimeOffset CreatedAt, string? Source, string? Referrer,
    long SubscribableId, string SubscribableType, SubscriberReference Subscriber);

/// <summary>The subscriber of a subscribe answer: its id.</summary>
/// <param name="Id">The subscriber id.</param>
public sealed record SubscriberReference(long Id);

/// <summary>The parameters of a subscribe call to a form, sequence or tag (spec §3.1).</summary>
/// <param name="Email">The address to subscribe; an existing subscriber with it is updated.</param>
public sealed record SubscribeRequest(string Email)
{
    /// <summary>Sets (overwrites) the first name when given.</summary>
    public string? FirstName { get; init; }

    /// <summary>Custom-field values by field key; the fields must exist, unknown keys are ignored.</summary>
    public IReadOnlyDictionary<string, string?>? Fields { get; init; }

    /// <summary>Tag ids to apply in the same call.</summary>
    public IReadOnlyList<long>? Tags { get; init; }
}

/// <summary>The changes of <c>PUT /v3/subscribers/{id}</c>; what is null stays as it is.</summary>
public sealed record UpdateSubscriberRequest
{
    /// <summary>A new first name.</summary>
    public string? FirstName { get; init; }

    /// <summary>A new email address.</summary>
    public string? EmailAddress { get; init; }

    /// <summary>Custom-field values by field key (null clears a value); unknown keys are ignored.</summary>
    public IReadOnlyDictionary<string, string?>? Fields { get; init; }
}

/// <summary>Filters of <c>GET /v3/subscribers</c>; every one is optional.</summary>
public sealed record SubscriberQuery
{
    /// <summary>Created on or after this day (UTC).</summary>
    public DateOnly? From { get; init; }

    /// <summary>Created on or before this day (UTC).</summary>
    public DateOnly? To { get; init; }

    /// <summary>Updated at or after this time.</summary>
    public DateTimeOffset? UpdatedFrom { get; init; }

    /// <summary>Updated at or before this time.</summary>
    public DateTimeOffset? UpdatedTo { get; init; }

    /// <summary>Order by creation (or cancellation) time.</summary>
    public SortOrder? SortOrder { get; init; }

    /// <summary><see cref="SubscriberSortField.CancelledAt"/> lists unsubscribed subscribers by cancellation time.</summary>
    public SubscriberSortField? SortField { get; init; }

    /// <summary>Only the subscriber with this address (in any state).</summary>
    public string? EmailAddress { get; init; }

    /// <summary>Only subscribers in this state; Kit lists active subscribers by default.</summary>
    public SubscriberStatus? Status { get; init; }
}

/// <summary>The <c>sort_field</c> of the subscriber listing.</summary>
public enum SubscriberSortField
{
    /// <summary>Creation time (the default).</summary>
    CreatedAt,

    /// <summary>Cancellation time; the listing then holds unsubscribed subscribers only.</summary>
    CancelledAt,
}

/// <summary>The <c>status</c> filter of the subscriber listing.</summary>
public enum SubscriberStatus
{
    /// <summary>Confirmed subscribers (the default).</summary>
    Active,

    /// <summary>Subscribers waiting for double opt-in confirmation.</summary>
    Inactive,

    /// <summary>Unsubscribed subscribers.</summary>
    Cancelled,

    /// <summary>Subscribers whose address bounced.</summary>
    Bounced,

    /// <summary>Subscribers who marked mail as spam.</summary>
    Complained,

    /// <summary>Every state.</summary>
    All,
}

/// <summary>Filters of the form, sequence and tag subscription listings.</summary>
public sealed record SubscriptionQuery
{
    /// <summary>Order by subscription time.</summary>
    public SortOrder? SortOrder { get; init; }

    /// <summary>Active (the default) or cancelled subscriptions.</summary>
    public SubscriptionState? SubscriberState { get; init; }
}

/// <summary>The <c>subscriber_state</c> filter of subscription listings.</summary>
public enum SubscriptionState
{
    /// <summary>Active subscriptions (the default).</summary>
    Active,

    /// <summary>Cancelled subscriptions.</summary>
    Cancelled,
}
