namespace Mailroom.Server.Domain.Outbox;

/// <summary>
/// Domain events for webhooks (spec §4.5). Raise them on the same DbContext as the change that causes
/// them, before its one SaveChanges, so an event exists exactly when its change does.
/// </summary>
public static class OutboxEvents
{
    public const string SubscriberActivate = "subscriber_activate";
    public const string SubscriberUnsubscribe = "subscriber_unsubscribe";
    public const string SubscriberBounce = "subscriber_bounce";
    public const string SubscriberComplain = "subscriber_complain";
    public const string FormSubscribe = "form_subscribe";
    public const string CourseSubscribe = "course_subscribe";
    public const string CourseComplete = "course_complete";
    public const string LinkClick = "link_click";
    public const string ProductPurchase = "product_purchase";
    public const string TagAdd = "tag_add";
    public const string TagRemove = "tag_remove";
    public const string PurchaseCreate = "purchase_create";
    // v4's custom_field.* events (v4 notes §5.7), stored without their prefix like the others.
    public const string CustomFieldCreated = "field_created";
    public const string CustomFieldDeleted = "field_deleted";
    public const string CustomFieldValueUpdated = "field_value_updated";

    public static OutboxEvent Raise(this AppDbContext db, TimeProvider time, long accountId, string eventName,
        Subscriber? subscriber = null, Purchase? purchase = null, string? matchValue = null)
    {
        // Navigations rather than ids: the subscriber or purchase may be new in this same unit of work.
        var row = new OutboxEvent
        {
            AccountId = accountId, EventName = eventName, MatchValue = matchValue, OccurredAt = time.UtcNow(),
            Subscriber = subscriber, Purchase = purchase,
        };
        db.OutboxEvents.Add(row);
        return row;
    }

    /// <summary>An event whose body is fixed now (<see cref="OutboxEvent.Payload"/>): the custom_field.* events.</summary>
    public static OutboxEvent RaiseWithPayload(this AppDbContext db, TimeProvider time, long accountId, string eventName,
        string payload, string? matchValue = null, long? subscriberId = null)
    {
        var row = new OutboxEvent
        {
            AccountId = accountId, EventName = eventName, MatchValue = matchValue, OccurredAt = time.UtcNow(),
            SubscriberId = subscriberId, Payload = payload,
        };
        db.OutboxEvents.Add(row);
        return row;
    }

    /// <summary>The same, for a subscriber known only by id (batch writers that never load the entity).</summary>
    public static OutboxEvent Raise(this AppDbContext db, TimeProvider time, long accountId, string eventName, long subscriberId, string? matchValue)
    {
        var row = new OutboxEvent
        {
            AccountId = accountId, EventName = eventName, MatchValue = matchValue, OccurredAt = time.UtcNow(), SubscriberId = subscriberId,
        };
        db.OutboxEvents.Add(row);
        return row;
    }
}
