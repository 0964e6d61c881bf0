namespace Mailroom.Client.V4;

/// <summary>A webhook: Kit POSTs to <paramref name="TargetUrl"/> when the event happens.</summary>
/// <param name="Id">The webhook id.</param>
/// <param name="AccountId">The account.</param>
/// <param name="Event">The event, its name without the domain (<c>"tag_add"</c>, not <c>"subscriber.tag_add"</c>).</param>
/// <param name="TargetUrl">Where Kit POSTs.</param>
public sealed record Webhook(long Id, long AccountId, WebhookEvent Event, string TargetUrl);

/// <summary>
/// A webhook's event: its name and, for the events that need one, the form, tag, sequence, product, custom field or link
/// it watches. In a request the name carries its domain (<c>"subscriber.tag_add"</c>).
/// </summary>
/// <param name="Name">The event name.</param>
public sealed record WebhookEvent(string Name)
{
    /// <summary>The form (<c>subscriber.form_subscribe</c>).</summary>
    public long? FormId { get; init; }

    /// <summary>The tag (<c>subscriber.tag_add</c>, <c>subscriber.tag_remove</c>).</summary>
    public long? TagId { get; init; }

    /// <summary>The sequence (<c>subscriber.course_subscribe</c>, <c>subscriber.course_complete</c>).</summary>
    public long? SequenceId { get; init; }

    /// <summary>The product (<c>subscriber.product_purchase</c>).</summary>
    public long? ProductId { get; init; }

    /// <summary>The custom field (<c>custom_field.field_value_updated</c>).</summary>
    public long? CustomFieldId { get; init; }

    /// <summary>The link URL (<c>subscriber.link_click</c>).</summary>
    public string? InitiatorValue { get; init; }
}
