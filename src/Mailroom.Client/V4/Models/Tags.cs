namespace Mailroom.Client.V4;

/// <summary>A tag.</summary>
/// <param name="Id">The tag id.</param>
/// <param name="Name">The name (unique per account, ignoring case).</param>
/// <param name="CreatedAt">When it was created.</param>
public sealed record Tag(long Id, string Name, DateTimeOffset CreatedAt)
{
    /// <summary>How many subscribers carry it, when sent.</summary>
    public long? SubscriberCount { get; init; }
}

/// <summary>A tag as a subscriber's tag list shows it: with when it was applied.</summary>
/// <param name="Id">The tag id.</param>
/// <param name="Name">The name.</param>
/// <param name="TaggedAt">When the subscriber got it.</param>
public sealed record SubscriberTag(long Id, string Name, DateTimeOffset TaggedAt);

/// <summary>A subscriber as a tag's subscriber list shows it.</summary>
/// <param name="Id">The subscriber id.</param>
/// <param name="FirstName">The first name.</param>
/// <param name="EmailAddress">The address.</param>
/// <param name="State">The subscriber's state.</param>
/// <param name="CreatedAt">When the subscriber was created.</param>
/// <param name="TaggedAt">When they got the tag.</param>
/// <param name="Fields">Custom-field values by key.</param>
public sealed record TaggedSubscriber(long Id, string? FirstName, string EmailAddress, string State, DateTimeOffset CreatedAt,
    DateTimeOffset TaggedAt, IReadOnlyDictionary<string, string?> Fields);

/// <summary>One tagging of the bulk tag operations.</summary>
/// <param name="TagId">The tag.</param>
/// <param name="SubscriberId">The subscriber.</param>
public sealed record Tagging(long? TagId, long? SubscriberId);

/// <summary>A refused tagging of a bulk tag operation.</summary>
/// <param name="Errors">Why, e.g. <c>"Tag does not exist"</c>.</param>
/// <param name="Tagging">The tagging as sent.</param>
public sealed record TaggingFailure(IReadOnlyList<string> Errors, Tagging Tagging);

/// <summary>A subscriber tagged by <c>POST /v4/bulk/tags/subscribers</c>.</summary>
/// <param name="Id">The subscriber id.</param>
/// <param name="FirstName">The first name.</param>
/// <param name="EmailAddress">The address.</param>
/// <param name="CreatedAt">When the subscriber was created.</param>
/// <param name="TaggedAt">When they got the tag.</param>
public sealed record BulkTaggedSubscriber(long Id, string? FirstName, string EmailAddress, DateTimeOffset CreatedAt, DateTimeOffset TaggedAt);

/// <summary>A subscriber added to a form by <c>POST /v4/bulk/forms/subscribers</c>.</summary>
/// <param name="Id">The subscriber id.</param>
/// <param name="FirstName">The first name.</param>
/// <param name="EmailAddress">The address.</param>
/// <param name="CreatedAt">When the subscriber was created.</param>
/// <param name="AddedAt">When they were added to the form.</param>
/// <param name="Referrer">The referrer sent.</param>
/// <param name="ReferrerUtmParameters">The referrer's UTM parameters.</param>
public sealed record BulkFormSubscriber(long Id, string? FirstName, string EmailAddress, DateTimeOffset CreatedAt, DateTimeOffset AddedAt,
    string? Referrer = null, UtmParameters? ReferrerUtmParameters = null);
