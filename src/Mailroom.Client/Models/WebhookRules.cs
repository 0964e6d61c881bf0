using System.Globalization;

namespace Mailroom.Client;

/// <summary>A webhook rule (<c>/v3/automations/hooks</c>).</summary>
/// <param name="Id">The rule id.</param>
/// <param name="AccountId">The account id.</param>
/// <param name="Event">The event it fires on.</param>
/// <param name="TargetUrl">Where the event is POSTed.</param>
/// <param name="Status"><c>"enabled"</c> in listings; creation answers carry no status.</param>
public sealed record WebhookRule(long Id, long AccountId, WebhookRuleEvent Event, string TargetUrl, string? Status = null);

/// <summary>
/// The event of a stored rule: its name without the <c>subscriber.</c>/<c>purchase.</c> prefix (<c>"tag_add"</c>) and its
/// parameter, under the name it was created with.
/// </summary>
/// <param name="Name">The stored event name, e.g. <c>"subscriber_activate"</c>, <c>"tag_add"</c>.</param>
/// <param name="FormId">The form of <c>form_subscribe</c>.</param>
/// <param name="CourseId">The sequence of <c>course_subscribe</c>/<c>course_complete</c>, when created with <c>course_id</c>.</param>
/// <param name="SequenceId">The sequence, when created with <c>sequence_id</c>.</param>
/// <param name="TagId">The tag of <c>tag_add</c>/<c>tag_remove</c>.</param>
/// <param name="ProductId">The product of <c>product_purchase</c>.</param>
/// <param name="InitiatorValue">The link URL of <c>link_click</c>.</param>
public sealed record WebhookRuleEvent(string Name, long? FormId = null, long? CourseId = null, long? SequenceId = null,
    long? TagId = null, long? ProductId = null, string? InitiatorValue = null);

/// <summary>An event to create a webhook rule for (spec §4.5). Build one with the factory methods.</summary>
public sealed class WebhookEvent
{
    WebhookEvent(string name, string? parameter = null, object? value = null)
    {
        Name = name;
        ParameterName = parameter;
        ParameterValue = value;
    }

    /// <summary>The event name as sent, e.g. <c>"subscriber.tag_add"</c>.</summary>
    public string Name { get; }

    /// <summary>The name of the event's parameter (<c>"tag_id"</c>), or null for events without one.</summary>
    public string? ParameterName { get; }

    /// <summary>The parameter's value: an id (<see cref="long"/>) or, for link clicks, a URL.</summary>
    public object? ParameterValue { get; }

    /// <summary>A subscriber becomes active.</summary>
    public static WebhookEvent SubscriberActivate() => new("subscriber.subscriber_activate");

    /// <summary>A subscriber unsubscribes.</summary>
    public static WebhookEvent SubscriberUnsubscribe() => new("subscriber.subscriber_unsubscribe");

    /// <summary>A subscriber's address bounces.</summary>
    public static WebhookEvent SubscriberBounce() => new("subscriber.subscriber_bounce");

    /// <summary>A subscriber marks mail as spam.</summary>
    public static WebhookEvent SubscriberComplain() => new("subscriber.subscriber_complain");

    /// <summary>Someone subscribes through a form.</summary>
    /// <param name="formId">The form.</param>
    public static WebhookEvent FormSubscribe(long formId) => new("subscriber.form_subscribe", "form_id", formId);

    /// <summary>Someone subscribes to a sequence.</summary>
    /// <param name="sequenceId">The sequence.</param>
    public static WebhookEvent CourseSubscribe(long sequenceId) => new("subscriber.course_subscribe", "course_id", sequenceId);

    /// <summary>A subscriber completes a sequence.</summary>
    /// <param name="sequenceId">The sequence.</param>
    public static WebhookEvent CourseComplete(long sequenceId) => new("subscriber.course_complete", "course_id", sequenceId);

    /// <summary>A subscriber clicks a link.</summary>
    /// <param name="url">The link's URL.</param>
    public static WebhookEvent LinkClick(string url) => new("subscriber.link_click", "initiator_value", url);

    /// <summary>A subscriber buys a product.</summary>
    /// <param name="productId">The product.</param>
    public static WebhookEvent ProductPurchase(long productId) => new("subscriber.product_purchase", "product_id", productId);

    /// <summary>A tag is added to a subscriber.</summary>
    /// <param name="tagId">The tag.</param>
    public static WebhookEvent TagAdd(long tagId) => new("subscriber.tag_add", "tag_id", tagId);

    /// <summary>A tag is removed from a subscriber.</summary>
    /// <param name="tagId">The tag.</param>
    public static WebhookEvent TagRemove(long tagId) => new("subscriber.tag_remove", "tag_id", tagId);

    /// <summary>A purchase is recorded.</summary>
    public static WebhookEvent PurchaseCreate() => new("purchase.purchase_create");

    /// <inheritdoc />
    public override string ToString() => ParameterName is null
        ? Name
        : $"{Name} ({ParameterName}={Convert.ToString(ParameterValue, CultureInfo.InvariantCulture)})";
}
