using Mailroom.Server.Domain.Outbox;

namespace Mailroom.Server.Domain.Webhooks;

/// <summary>What a rule's extra parameter names: an account's form, sequence, tag or custom field, a product pid, or a link URL.</summary>
public enum RuleParameterKind { None, Form, Sequence, Tag, Product, Url, CustomField }

/// <summary>One v3 webhook event (spec §4.5): the name clients send, the name Kit stores and returns, its parameter.</summary>
public sealed record WebhookRuleEvent(string RequestName, string StoredName, RuleParameterKind Kind, params string[] ParameterNames);

public static class WebhookRuleEvents
{
    public static readonly IReadOnlyList<WebhookRuleEvent> All =
    [
        new("subscriber.subscriber_activate", OutboxEvents.SubscriberActivate, RuleParameterKind.None),
        new("subscriber.subscriber_unsubscribe", OutboxEvents.SubscriberUnsubscribe, RuleParameterKind.None),
        new("subscriber.subscriber_bounce", OutboxEvents.SubscriberBounce, RuleParameterKind.None),
        new("subscriber.subscriber_complain", OutboxEvents.SubscriberComplain, RuleParameterKind.None),
        new("subscriber.form_subscribe", OutboxEvents.FormSubscribe, RuleParameterKind.Form, "form_id"),
        // The docs' list says course_id, their example, n8n and activepieces send sequence_id: both work (spec §5).
        new("subscriber.course_subscribe", OutboxEvents.CourseSubscribe, RuleParameterKind.Sequence, "course_id", "sequence_id"),
        new("subscriber.course_complete", OutboxEvents.CourseComplete, RuleParameterKind.Sequence, "course_id", "sequence_id"),
        new("subscriber.link_click", OutboxEvents.LinkClick, RuleParameterKind.Url, "initiator_value"),
        new("subscriber.product_purchase", OutboxEvents.ProductPurchase, RuleParameterKind.Product, "product_id"),
        new("subscriber.tag_add", OutboxEvents.TagAdd, RuleParameterKind.Tag, "tag_id"),
        new("subscriber.tag_remove", OutboxEvents.TagRemove, RuleParameterKind.Tag, "tag_id"),
        new("purchase.purchase_create", OutboxEvents.PurchaseCreate, RuleParameterKind.None),
        // v4's custom field events (v4 notes §5.7); their body is fixed when they happen (OutboxEvent.Payload).
        new("custom_field.field_created", OutboxEvents.CustomFieldCreated, RuleParameterKind.None),
        new("custom_field.field_deleted", OutboxEvents.CustomFieldDeleted, RuleParameterKind.None),
        new("custom_field.field_value_updated", OutboxEvents.CustomFieldValueUpdated, RuleParameterKind.CustomField, "custom_field_id"),
    ];

    /// <summary>
    /// The event for a requested name. inferred: the stored name without its prefix (<c>tag_add</c>), as Kit
    /// returns it, is accepted too, so a client can post back what it listed.
    /// </summary>
    public static WebhookRuleEvent? Find(string name) =>
        All.FirstOrDefault(e => string.Equals(e.RequestName, name, StringComparison.OrdinalIgnoreCase))
        ?? All.FirstOrDefault(e => string.Equals(e.StoredName, name, StringComparison.OrdinalIgnoreCase));
}

/// <summary>
/// Rule states. A deleted rule is kept (as "deleted") rather than removed, so its delivery history survives
/// and its pending deliveries can be marked cancelled; only "enabled" rules match events or are listed.
/// </summary>
public static class WebhookRuleStatuses
{
    public const string Enabled = "enabled";
    public const string Deleted = "deleted";
}
