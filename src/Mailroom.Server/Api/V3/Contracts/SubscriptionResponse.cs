using Mailroom.Server.Domain.Subscribers;

namespace Mailroom.Server.Api.V3.Contracts;

/// <summary>
/// A subscription (spec §2). <see cref="Subscriber"/> is a <see cref="SubscriberView"/>, or a
/// <see cref="SubscriberIdResponse"/> in a subscribe answer to a caller that used only the public api_key (spec §3.1).
/// </summary>
public sealed record SubscriptionResponse(long Id, string State, DateTime CreatedAt, string? Source, string? Referrer,
    long SubscribableId, string SubscribableType, object Subscriber)
{
    public static SubscriptionResponse From(Subscription s, object subscriber) =>
        new(s.Id, s.State, s.CreatedAt, s.Source, s.Referrer, s.SubscribableId, s.SubscribableType, subscriber);
}

/// <summary>Since 2020 Kit answers a subscribe call with the subscriber's id alone, so a public key reads no private data.</summary>
public sealed record SubscriberIdResponse(long Id);

public sealed record SubscribeResponse(SubscriptionResponse Subscription);

public sealed record SubscriptionsPageResponse(long TotalSubscriptions, int Page, int TotalPages,
    IReadOnlyList<SubscriptionResponse> Subscriptions);
