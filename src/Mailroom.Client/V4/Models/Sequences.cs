namespace Mailroom.Client.V4;

/// <summary>A sequence (Kit's v3 "course"): emails sent in order to each subscriber who joins.</summary>
/// <param name="Id">The sequence id.</param>
/// <param name="Name">The name.</param>
/// <param name="Hold">Whether subscribers stay in it after the last email (evergreen).</param>
/// <param name="Repeat">Whether a subscriber can go through it again.</param>
/// <param name="CreatedAt">When it was created.</param>
/// <param name="UpdatedAt">When it last changed.</param>
/// <param name="EmailAddress">The sending address; null for the account's default.</param>
/// <param name="EmailTemplateId">The email template; null for the default.</param>
/// <param name="SendDays">The weekdays it sends on, lowercase English, Monday first.</param>
/// <param name="SendHour">The hour it sends at (0–23) in <paramref name="TimeZone"/>.</param>
/// <param name="TimeZone">The IANA time zone of the schedule.</param>
/// <param name="Active">Whether it is delivering.</param>
/// <param name="ExcludeSubscriberSources">Subscribers from these sources skip it.</param>
public sealed record Sequence(long Id, string Name, bool Hold, bool Repeat, DateTimeOffset CreatedAt, DateTimeOffset? UpdatedAt = null,
    string? EmailAddress = null, long? EmailTemplateId = null, IReadOnlyList<string>? SendDays = null, int? SendHour = null,
    string? TimeZone = null, bool? Active = null, IReadOnlyList<SubscriberSource>? ExcludeSubscriberSources = null)
{
    /// <summary>How many emails it has, when sent.</summary>
    public int? EmailCount { get; init; }

    /// <summary>How many subscribers it has, when sent.</summary>
    public long? SubscriberCount { get; init; }
}

/// <summary>A source of subscribers a sequence excludes.</summary>
/// <param name="Type"><c>"tag"</c>, <c>"sequence"</c>, <c>"form"</c> or <c>"segment"</c>.</param>
/// <param name="Ids">The tag, sequence, form or segment ids.</param>
public sealed record SubscriberSource(string Type, IReadOnlyList<long> Ids);

/// <summary>The fields of <c>POST /v4/sequences</c> (only <see cref="Name"/> is needed) and <c>PUT /v4/sequences/{id}</c>; null fields are not sent.</summary>
public sealed record SequenceRequest
{
    /// <summary>The name.</summary>
    public string? Name { get; init; }

    /// <summary>The sending address.</summary>
    public string? EmailAddress { get; init; }

    /// <summary>The email template.</summary>
    public long? EmailTemplateId { get; init; }

    /// <summary>The weekdays to send on (<c>"monday"</c>…<c>"sunday"</c>).</summary>
    public IReadOnlyList<string>? SendDays { get; init; }

    /// <summary>The hour to send at, 0–23.</summary>
    public int? SendHour { get; init; }

    /// <summary>An IANA time zone.</summary>
    public string? TimeZone { get; init; }

    /// <summary>Deliver (true) or pause (false).</summary>
    public bool? Active { get; init; }

    /// <summary>Let subscribers go through it again.</summary>
    public bool? Repeat { get; init; }

    /// <summary>Keep subscribers after the last email.</summary>
    public bool? Hold { get; init; }

    /// <summary>Subscriber sources to exclude.</summary>
    public IReadOnlyList<SubscriberSource>? ExcludeSubscriberSources { get; init; }
}

/// <summary>A subscriber as a sequence's subscriber list shows it.</summary>
/// <param name="Id">The subscriber id.</param>
/// <param name="FirstName">The first name.</param>
/// <param name="EmailAddress">The address.</param>
/// <param name="State">The subscriber's state.</param>
/// <param name="CreatedAt">When the subscriber was created.</param>
/// <param name="AddedAt">When they were added to the sequence.</param>
/// <param name="Fields">Custom-field values by key.</param>
public sealed record SequenceSubscriber(long Id, string? FirstName, string EmailAddress, string State, DateTimeOffset CreatedAt,
    DateTimeOffset AddedAt, IReadOnlyDictionary<string, string?> Fields);

/// <summary>One email of a sequence.</summary>
/// <param name="Id">The email id.</param>
/// <param name="SequenceId">The sequence.</param>
/// <param name="Subject">The subject line.</param>
/// <param name="PreviewText">The preview text.</param>
/// <param name="EmailAddress">The sending address.</param>
/// <param name="EmailTemplateId">The email template, or null for the sequence's.</param>
/// <param name="Published">Whether it is sent (false: a draft).</param>
/// <param name="Position">Its zero-based place in the sequence.</param>
/// <param name="DelayValue">How many days or hours after the previous email it goes out.</param>
/// <param name="DelayUnit"><c>"days"</c> or <c>"hours"</c>.</param>
/// <param name="SendDays">The weekdays it may go out on; null for hour-based emails.</param>
public sealed record SequenceEmail(long Id, long SequenceId, string Subject, string? PreviewText, string? EmailAddress,
    long? EmailTemplateId, bool Published, int? Position, int DelayValue, string DelayUnit, IReadOnlyList<string>? SendDays)
{
    /// <summary>The HTML body: always on a single email, on the list only with <c>include_content</c>.</summary>
    public string? Content { get; init; }
}

/// <summary>The fields of <c>POST</c>/<c>PUT /v4/sequences/{sequence_id}/emails</c>; null fields are not sent.</summary>
public sealed record SequenceEmailRequest
{
    /// <summary>The subject line (needed to create).</summary>
    public string? Subject { get; init; }

    /// <summary>The preview text.</summary>
    public string? PreviewText { get; init; }

    /// <summary>The HTML body.</summary>
    public string? Content { get; init; }

    /// <summary>The delay after the previous email (needed to create).</summary>
    public int? DelayValue { get; init; }

    /// <summary><c>"days"</c> or <c>"hours"</c> (needed to create).</summary>
    public string? DelayUnit { get; init; }

    /// <summary>The email template.</summary>
    public long? EmailTemplateId { get; init; }

    /// <summary>Publish (true) or keep as a draft (false, Kit's default).</summary>
    public bool? Published { get; init; }

    /// <summary>The weekdays it may go out on (day-based emails only).</summary>
    public IReadOnlyList<string>? SendDays { get; init; }

    /// <summary>Its zero-based place; after the last email when null.</summary>
    public int? Position { get; init; }
}
