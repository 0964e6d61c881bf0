namespace Mailroom.Server.Domain.Subscriptions;

/// <summary>What a subscribe call may carry besides its target (spec §3.1): already read, not yet validated.</summary>
public sealed record SubscribeInput(
    string? Email,
    string? FirstName,
    IReadOnlyDictionary<string, string?>? Fields,
    IReadOnlyList<long> TagIds,
    IReadOnlyList<long> FormIds,
    IReadOnlyList<long> CourseIds)
{
    /// <summary>
    /// Apply the targets without touching the subscriber's state: v4's "tag a subscriber" tags an existing subscriber
    /// as it is, where a v3 subscribe call (re)activates the address (spec §4.1).
    /// </summary>
    public bool KeepState { get; init; }
}

public enum SubscribeError
{
    None,
    TargetNotFound,
    EmailMissing,
    /// <summary>A value breaks <see cref="Subscribers.SubscriberLimits"/>; the result's Violation says which.</summary>
    Invalid,
}

/// <summary>The outcome of a subscribe call; a pending double opt-in subscription carries ConfirmationRequestedAt.</summary>
public sealed record SubscribeResult(SubscribeError Error, Subscription? Subscription = null, Subscribers.SubscriberViolation Violation = default)
{
    public static SubscribeResult Failed(SubscribeError error) => new(error);
    public static SubscribeResult Failed(Subscribers.SubscriberViolation violation) => new(SubscribeError.Invalid, Violation: violation);
}
