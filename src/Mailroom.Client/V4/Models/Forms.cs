namespace Mailroom.Client.V4;

/// <summary>A form or landing page.</summary>
/// <param name="Id">The form id.</param>
/// <param name="Name">The name.</param>
/// <param name="CreatedAt">When it was created.</param>
/// <param name="Type"><c>"embed"</c> or <c>"hosted"</c>.</param>
/// <param name="Format"><c>"inline"</c>, <c>"modal"</c>, <c>"slide in"</c> or <c>"sticky bar"</c>; null for landing pages.</param>
/// <param name="EmbedJs">The embed script's URL.</param>
/// <param name="EmbedUrl">The hosted page's URL.</param>
/// <param name="Archived">Whether it is archived.</param>
/// <param name="Uid">The public uid.</param>
public sealed record Form(long Id, string Name, DateTimeOffset CreatedAt, string Type, string? Format, string? EmbedJs,
    string? EmbedUrl, bool Archived, string Uid)
{
    /// <summary>How many subscribers it has, when sent.</summary>
    public long? SubscriberCount { get; init; }
}

/// <summary>Filters of <c>GET /v4/forms</c>.</summary>
public sealed record FormQuery
{
    /// <summary><c>active</c> (Kit's default), <c>archived</c>, <c>trashed</c> or <c>all</c>.</summary>
    public string? Status { get; init; }

    /// <summary><c>embed</c> (forms) or <c>hosted</c> (landing pages).</summary>
    public string? Type { get; init; }
}

/// <summary>A subscriber as a form's subscriber list shows it: with when and from where they were added.</summary>
/// <param name="Id">The subscriber id.</param>
/// <param name="FirstName">The first name.</param>
/// <param name="EmailAddress">The address.</param>
/// <param name="State">The subscriber's state.</param>
/// <param name="CreatedAt">When the subscriber was created.</param>
/// <param name="AddedAt">When they were added to the form.</param>
/// <param name="Fields">Custom-field values by key.</param>
/// <param name="Referrer">The page they subscribed from.</param>
/// <param name="ReferrerUtmParameters">The referrer's UTM parameters.</param>
public sealed record FormSubscriber(long Id, string? FirstName, string EmailAddress, string State, DateTimeOffset CreatedAt,
    DateTimeOffset AddedAt, IReadOnlyDictionary<string, string?> Fields, string? Referrer = null,
    UtmParameters? ReferrerUtmParameters = null);

/// <summary>The UTM parameters of a referrer URL.</summary>
/// <param name="Source"><c>utm_source</c>.</param>
/// <param name="Medium"><c>utm_medium</c>.</param>
/// <param name="Campaign"><c>utm_campaign</c>.</param>
/// <param name="Term"><c>utm_term</c>.</param>
/// <param name="Content"><c>utm_content</c>.</param>
public sealed record UtmParameters(string? Source, string? Medium, string? Campaign, string? Term, string? Content);

/// <summary>One addition of <c>POST /v4/bulk/forms/subscribers</c>.</summary>
/// <param name="FormId">The form.</param>
/// <param name="SubscriberId">The subscriber.</param>
/// <param name="Referrer">The page they subscribed from.</param>
public sealed record FormAddition(long? FormId, long? SubscriberId, string? Referrer = null);

/// <summary>A refused addition of a bulk form addition.</summary>
/// <param name="Errors">Why, e.g. <c>"Form does not exist"</c>.</param>
/// <param name="Subscription">The addition as sent.</param>
public sealed record FormAdditionFailure(IReadOnlyList<string> Errors, FormAddition Subscription);
