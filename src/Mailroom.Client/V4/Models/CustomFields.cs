namespace Mailroom.Client.V4;

/// <summary>A custom field.</summary>
/// <param name="Id">The field id.</param>
/// <param name="Name">The internal name, <c>ck_field_{id}_{key}</c>; stays when the label changes.</param>
/// <param name="Key">The key subscribers' <c>fields</c> use (the label lowercased and underscored).</param>
/// <param name="Label">The label.</param>
public sealed record CustomField(long Id, string Name, string Key, string Label)
{
    /// <summary>When it was created (bulk creation only).</summary>
    public DateTimeOffset? CreatedAt { get; init; }
}

/// <summary>One value of <c>POST /v4/bulk/custom_fields/subscribers</c>.</summary>
/// <param name="SubscriberId">The subscriber.</param>
/// <param name="SubscriberCustomFieldId">The custom field.</param>
/// <param name="Value">The value.</param>
public sealed record CustomFieldValue(long? SubscriberId, long? SubscriberCustomFieldId, string? Value);

/// <summary>A refused custom-field value of a bulk update.</summary>
/// <param name="Errors">Why, e.g. <c>"Subscriber does not exist"</c>.</param>
/// <param name="CustomFieldValue">The value as sent.</param>
public sealed record CustomFieldValueFailure(IReadOnlyList<string> Errors, CustomFieldValue CustomFieldValue);
