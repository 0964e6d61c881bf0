namespace Mailroom.Data;

// Entities carry no behaviour: the API maps them by hand to wire records and the
// few multi-table rules live in the server's Domain services.

public sealed class Account
{
    public long Id { get; set; }
    public string Name { get; set; } = "";
    public string PlanType { get; set; } = "creator";
    public string PrimaryEmailAddress { get; set; } = "";
    // SHA-256 of the credential, hex. The plain values are shown once, at creation.
    public string ApiKeyHash { get; set; } = "";
    public string ApiSecretHash { get; set; } = "";
    public int? RateLimitPerMinute { get; set; }
    public string? WebhookSigningSecret { get; set; }
    /// <summary>IANA zone the account's sequences use unless they name their own (v4 notes §5.1).</summary>
    public string TimeZone { get; set; } = "UTC";
    /// <summary>The From address of broadcasts and sequences that name none; <see cref="PrimaryEmailAddress"/> when null.</summary>
    public string? SendingEmailAddress { get; set; }
    /// <summary>The account's brand colours, a JSON array of hex codes (v4 <c>/account/colors</c>).</summary>
    public string Colors { get; set; } = "[]";
    /// <summary>The creator profile (name, byline, bio, image_url) as a JSON object; null until one is set.</summary>
    public string? CreatorProfile { get; set; }
    public DateTime CreatedAt { get; set; }
}

public sealed class Form
{
    public long Id { get; set; }
    public long AccountId { get; set; }
    public string Name { get; set; } = "";
    public string Type { get; set; } = FormTypes.Embed;
    public string? Format { get; set; }
    public bool Archived { get; set; }
    public string Uid { get; set; } = "";
    public string? Title { get; set; }
    public string? Description { get; set; }
    public string? SignUpButtonText { get; set; }
    public string? SuccessMessage { get; set; }
    public bool DoubleOptIn { get; set; }
    public string? ConfirmationSubject { get; set; }
    public string? ConfirmationContent { get; set; }
    public DateTime CreatedAt { get; set; }
}

public static class FormTypes
{
    public const string Embed = "embed";
    public const string Hosted = "hosted";
}

public sealed class Sequence
{
    public long Id { get; set; }
    public long AccountId { get; set; }
    public string Name { get; set; } = "";
    public bool Hold { get; set; }
    public bool Repeat { get; set; }
    /// <summary>False pauses delivery: subscribers keep their place and nothing is sent until it is true again.</summary>
    public bool Active { get; set; } = true;
    /// <summary>The sender; the account's sending address when null.</summary>
    public string? EmailAddress { get; set; }
    /// <summary>The email layout (Kit's "email template") its emails use unless they name their own.</summary>
    public long? EmailTemplateId { get; set; }
    /// <summary>Allowed send days as a bit mask, Monday = bit 0 … Sunday = bit 6 (see Mailroom.Server's SendDays).</summary>
    public int SendDays { get; set; } = 0x7F;
    public int SendHour { get; set; } = 9;
    /// <summary>IANA zone; the account's when null.</summary>
    public string? TimeZone { get; set; }
    /// <summary>JSON array of {"type": "tag|form|sequence|segment", "ids": [..]}; subscribers holding one are skipped.</summary>
    public string ExcludeSubscriberSources { get; set; } = "[]";
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    /// <summary>Soft delete, as Kit's: delivery stops at once and the sequence disappears from every read.</summary>
    public DateTime? DeletedAt { get; set; }
}

public static class DelayUnits
{
    public const string Days = "days";
    public const string Hours = "hours";
}

public sealed class SequenceEmail
{
    public long Id { get; set; }
    public long AccountId { get; set; }
    public long SequenceId { get; set; }
    public string Subject { get; set; } = "";
    public string? PreviewText { get; set; }
    public string? Content { get; set; }
    public int DelayValue { get; set; }
    public string DelayUnit { get; set; } = DelayUnits.Days;
    /// <summary>A per-email override of the sequence's send days (bit mask); null inherits. Always null for hour delays.</summary>
    public int? SendDays { get; set; }
    public bool Published { get; set; }
    /// <summary>0-based and unique within the sequence.</summary>
    public int Position { get; set; }
    public long? EmailTemplateId { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
}

/// <summary>
/// One sequence email to one subscriber, written when the step falls due and sent like a broadcast recipient: the
/// same token-keyed tracking, retries and outcomes. Unique per (email, subscriber, round), so a step is never sent
/// twice whatever the schedulers do; <see cref="Round"/> counts restarts of a repeating sequence.
/// </summary>
public sealed class SequenceDelivery : IMessageOutcome, ITrackedMessage
{
    public long Id { get; set; }
    public long AccountId { get; set; }
    public long SequenceId { get; set; }
    // Null once the email is deleted: the row stays so its unsubscribe link keeps working and stats stay whole.
    public long? SequenceEmailId { get; set; }
    public long SubscriberId { get; set; }
    public int Round { get; set; }
    public string Token { get; set; } = "";
    public DateTime DueAt { get; set; }
    /// <summary>The last step of a run through the sequence (without hold): sending it completes the subscriber.</summary>
    public bool Completes { get; set; }
    public DateTime? SentAt { get; set; }
    public int Attempts { get; set; }
    public DateTime? NextAttemptAt { get; set; }
    public DateTime? FailedAt { get; set; }
    public bool Bounced { get; set; }
    public string? LastError { get; set; }
    public DateTime? OpenedAt { get; set; }
    public DateTime? ClickedAt { get; set; }
    public int Clicks { get; set; }
    public DateTime? UnsubscribedAt { get; set; }
    // The sender holding the row; another process takes it only once the lease has run out.
    public DateTime? LockedUntil { get; set; }
    public string? LockedBy { get; set; }
}

public sealed class Tag
{
    public long Id { get; set; }
    public long AccountId { get; set; }
    public string Name { get; set; } = "";
    // Lower-cased name: tag names are unique per account regardless of case.
    public string NormalizedName { get; set; } = "";
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
}

public sealed class CustomField
{
    public long Id { get; set; }
    public long AccountId { get; set; }
    public string Label { get; set; } = "";
    public string Key { get; set; } = "";
    public string Name { get; set; } = "";
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
}

public static class SubscriberStates
{
    public const string Active = "active";
    public const string Inactive = "inactive";
    public const string Cancelled = "cancelled";
    public const string Bounced = "bounced";
    public const string Complained = "complained";
}

public sealed class Subscriber
{
    public long Id { get; set; }
    public long AccountId { get; set; }
    public string EmailAddress { get; set; } = "";
    // Lower-cased address: lookups and uniqueness are case-insensitive on both providers.
    public string NormalizedEmail { get; set; } = "";
    public string? FirstName { get; set; }
    public string State { get; set; } = SubscriberStates.Active;
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    public DateTime? CancelledAt { get; set; }
    public List<SubscriberFieldValue> FieldValues { get; set; } = [];
}

// Values are stored by field id, not key, so renaming a field's key moves every value with it.
public sealed class SubscriberFieldValue
{
    public long SubscriberId { get; set; }
    public long CustomFieldId { get; set; }
    public string? Value { get; set; }
}

public static class SubscribableTypes
{
    public const string Form = "form";
    public const string Course = "course";
    public const string Tag = "tag";
}

public static class SubscriptionStates
{
    public const string Active = "active";
    public const string Inactive = "inactive";
    public const string Cancelled = "cancelled";
}

public sealed class Subscription
{
    public long Id { get; set; }
    public long AccountId { get; set; }
    public long SubscriberId { get; set; }
    public Subscriber? Subscriber { get; set; }
    public string SubscribableType { get; set; } = SubscribableTypes.Form;
    public long SubscribableId { get; set; }
    public string State { get; set; } = SubscriptionStates.Active;
    public string? Source { get; set; }
    public string? Referrer { get; set; }
    // SHA-256 of the double opt-in token; the token itself only travels in the email.
    public string? ConfirmationTokenHash { get; set; }
    public DateTime? ConfirmationSentAt { get; set; }
    // Set by every subscribe that needs a confirmation email; the mailer sends when it is newer than
    // ConfirmationSentAt, at most once per address per 10 minutes.
    public DateTime? ConfirmationRequestedAt { get; set; }
    // Sequence progress (course subscriptions only; see Mailroom.Server's SequenceScheduler).
    /// <summary>Position of the last email passed (sent or skipped); null before the first.</summary>
    public int? SequencePosition { get; set; }
    /// <summary>When the last step was taken (or the subscriber joined): the next email's delay counts from here.</summary>
    public DateTime? SequenceAnchorAt { get; set; }
    /// <summary>When the scheduler next looks at this subscription; null when nothing is waiting. Indexed.</summary>
    public DateTime? NextSendAt { get; set; }
    public DateTime? CompletedAt { get; set; }
    /// <summary>How many times a repeating sequence was started over.</summary>
    public int SequenceRound { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
}

/// <summary>
/// How many subscribers an account has per state, kept by database triggers on <c>subscribers</c> (migration
/// ListCounts) so every writer (API, CLI, seeding, raw SQL imports) keeps it exact and the list endpoints never
/// count a million rows. <see cref="Cancelled"/> says whether cancelled_at is set: the cancelled_at listing
/// filters on that, and a cancelled subscriber who later bounces keeps it. A count is the sum over
/// <see cref="Slot"/> and <see cref="Day"/>. Day (of created_at, days since 1970-01-01 UTC) lets a list find which day its
/// n-th row falls on and start its OFFSET walk there instead of at the first row. PostgreSQL spreads each count over a few rows (by subscriber id) so concurrent subscribes
/// do not queue on one row lock; SQLite has one writer at a time and uses slot 0 only.
/// </summary>
public sealed class SubscriberCount
{
    public long AccountId { get; set; }
    public string State { get; set; } = "";
    public bool Cancelled { get; set; }
    public long Day { get; set; }
    public int Slot { get; set; }
    public long Count { get; set; }
}

/// <summary>Subscriptions per form, sequence or tag, state and day of created_at, kept like <see cref="SubscriberCount"/>.</summary>
public sealed class SubscriptionCount
{
    public long AccountId { get; set; }
    public string SubscribableType { get; set; } = "";
    public long SubscribableId { get; set; }
    public string State { get; set; } = "";
    public long Day { get; set; }
    public int Slot { get; set; }
    public long Count { get; set; }
}

public sealed class EmailLayout
{
    public long Id { get; set; }
    public long AccountId { get; set; }
    public string Name { get; set; } = "";
    public string Html { get; set; } = "";
    public DateTime CreatedAt { get; set; }
}

public static class BroadcastStatuses
{
    public const string Draft = "draft";
    public const string Scheduled = "scheduled";
    public const string Sending = "sending";
    public const string Completed = "completed";
    // inferred: Kit has no such status (its broadcasts can't break); Mailroom's fails when its template breaks a
    // render limit. v3 clients only read the string; the reason is in FailureReason and the CLI.
    public const string Failed = "failed";
}

public sealed class Broadcast
{
    public long Id { get; set; }
    public long AccountId { get; set; }
    public string? Subject { get; set; }
    public string? PreviewText { get; set; }
    public string? Content { get; set; }
    public string? Description { get; set; }
    public bool Public { get; set; }
    public DateTime? PublishedAt { get; set; }
    public DateTime? SendAt { get; set; }
    public string? EmailAddress { get; set; }
    public string? EmailLayoutTemplate { get; set; }
    public string? ThumbnailAlt { get; set; }
    public string? ThumbnailUrl { get; set; }
    /// <summary>
    /// Kit v4's <c>subscriber_filter</c> as sent (JSON array of one {all|any|none: [{type, ids}]} group); null sends
    /// to every active subscriber.
    /// </summary>
    public string? SubscriberFilter { get; set; }
    public string Status { get; set; } = BroadcastStatuses.Draft;
    // Delivery checkpoint, so a restart resumes where it stopped.
    public int RecipientCount { get; set; }
    public int SentCount { get; set; }
    public int FailedCount { get; set; }
    public long LastRecipientId { get; set; }
    // PostgreSQL writes the recipient list in chunks while the first messages go out (RecipientFreezer); true until
    // the last chunk is in. RecipientCount is the list's size from the start.
    public bool Freezing { get; set; }
    public DateTime? LockedUntil { get; set; }
    // The process holding the lease; renewals only succeed for the holder, so an expired lease taken
    // over by another process is never silently stolen back.
    public string? LockedBy { get; set; }
    public DateTime? StartedAt { get; set; }
    public DateTime? CompletedAt { get; set; }
    /// <summary>Why a <see cref="BroadcastStatuses.Failed"/> broadcast stopped (its template broke a render limit).</summary>
    public string? FailureReason { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
}

/// <summary>What the sender records about one message to one subscriber, a broadcast's or a sequence step's.</summary>
public interface IMessageOutcome
{
    long SubscriberId { get; }
    int Attempts { get; set; }
    DateTime? NextAttemptAt { get; set; }
    DateTime? FailedAt { get; set; }
    bool Bounced { get; set; }
    string? LastError { get; set; }
}

/// <summary>What tracking records about one sent message, a broadcast's or a sequence step's.</summary>
public interface ITrackedMessage
{
    long AccountId { get; }
    long SubscriberId { get; }
    DateTime? OpenedAt { get; set; }
    DateTime? ClickedAt { get; set; }
    int Clicks { get; set; }
    DateTime? UnsubscribedAt { get; set; }
}

public sealed class BroadcastRecipient : IMessageOutcome, ITrackedMessage
{
    public long Id { get; set; }
    public long AccountId { get; set; }
    public long BroadcastId { get; set; }
    public long SubscriberId { get; set; }
    public string Token { get; set; } = "";
    public DateTime? SentAt { get; set; }
    public int Attempts { get; set; }
    public DateTime? NextAttemptAt { get; set; }
    public DateTime? FailedAt { get; set; }
    public bool Bounced { get; set; }
    public string? LastError { get; set; }
    public DateTime? OpenedAt { get; set; }
    public DateTime? ClickedAt { get; set; }
    public int Clicks { get; set; }
    public DateTime? UnsubscribedAt { get; set; }
}

public sealed class Purchase
{
    public long Id { get; set; }
    public long AccountId { get; set; }
    public long SubscriberId { get; set; }
    public string TransactionId { get; set; } = "";
    public string? Status { get; set; }
    public string EmailAddress { get; set; } = "";
    public string Currency { get; set; } = "USD";
    public DateTime TransactionTime { get; set; }
    public decimal? Subtotal { get; set; }
    public decimal? Shipping { get; set; }
    public decimal? Discount { get; set; }
    public decimal? Tax { get; set; }
    public decimal? Total { get; set; }
    public string? Integration { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    public List<PurchaseProduct> Products { get; set; } = [];
}

public sealed class PurchaseProduct
{
    public long Id { get; set; }
    public long PurchaseId { get; set; }
    public int Position { get; set; }
    public long Pid { get; set; }
    public long Lid { get; set; }
    public string? Sku { get; set; }
    public string Name { get; set; } = "";
    public decimal UnitPrice { get; set; }
    public decimal Quantity { get; set; }
}

public sealed class WebhookRule
{
    public long Id { get; set; }
    public long AccountId { get; set; }
    // Stored without the "subscriber."/"purchase." prefix, as Kit returns it.
    public string EventName { get; set; } = "";
    // The event's extra parameter as the caller named it (course_id or sequence_id ...) and its value.
    public string? ParameterName { get; set; }
    public string? ParameterValue { get; set; }
    public string TargetUrl { get; set; } = "";
    public string Status { get; set; } = "enabled";
    public DateTime CreatedAt { get; set; }
}

// A domain event, written in the same transaction as the change that raised it.
public sealed class OutboxEvent
{
    public long Id { get; set; }
    public long AccountId { get; set; }
    public string EventName { get; set; } = "";
    public long? SubscriberId { get; set; }
    public Subscriber? Subscriber { get; set; }
    public long? PurchaseId { get; set; }
    public Purchase? Purchase { get; set; }
    // The value rules match on: form id, sequence id, tag id, product pid, custom field id or the clicked URL.
    public string? MatchValue { get; set; }
    /// <summary>
    /// A body built when the event happened, for events whose subject may be gone by fan-out (a deleted custom
    /// field); null for the others, whose body is built from the subscriber or purchase at fan-out.
    /// </summary>
    public string? Payload { get; set; }
    public DateTime OccurredAt { get; set; }
    public DateTime? ProcessedAt { get; set; }
    public DateTime? LockedUntil { get; set; }
    // The dispatcher holding the lease: a batch is claimed in one UPDATE, then read back by owner.
    public string? LockedBy { get; set; }
}

public static class WebhookDeliveryStatuses
{
    public const string Pending = "pending";
    public const string Delivered = "delivered";
    public const string Failed = "failed";
    public const string Cancelled = "cancelled";
}

public sealed class WebhookDelivery
{
    public long Id { get; set; }
    public long AccountId { get; set; }
    public long RuleId { get; set; }
    public long OutboxEventId { get; set; }
    // Sent as X-Mailroom-Delivery, identical on every retry so receivers can drop duplicates.
    public Guid DeliveryId { get; set; }
    public string TargetUrl { get; set; } = "";
    public string Payload { get; set; } = "";
    public string Status { get; set; } = WebhookDeliveryStatuses.Pending;
    public int Attempts { get; set; }
    public DateTime NextAttemptAt { get; set; }
    public int? LastStatusCode { get; set; }
    public string? LastError { get; set; }
    public DateTime? DeliveredAt { get; set; }
    public DateTime? LockedUntil { get; set; }
    // The dispatcher holding the lease; results are only written by the holder.
    public string? LockedBy { get; set; }
    public DateTime CreatedAt { get; set; }
}
