namespace Mailroom.Server.Domain.Subscriptions;

/// <summary>What a subscribe call may carry besides its target (spec §3.1): already read, not yet validated.</summary>
public sealed record SubscribeInput(
    string? Email,
    string? FirstName,
    IReadOnlyDictionary<string, string?>? Fields,
    IReadOnlyList<long> TagIds,
    IReadOnlyList<long> FormIds,
    IReadOnlyList<long> CourseIds);

public enum SubscribeError
{
    None,
    TargetNotFound,
    EmailMissing,
    EmailInvalid,
    FirstNameTooLong,
    FieldValueTooLong,
}

/// <summary>The outcome of a subscribe call; a pending double opt-in subscription carries ConfirmationRequestedAt.</summary>
public sealed record SubscribeResult(SubscribeError Error, Subscription? Subscription = null, string? InvalidFieldKey = null)
{
    public static SubscribeResult Failed(SubscribeError error, string? fieldKey = null) => new(error, InvalidFieldKey: fieldKey);
}
