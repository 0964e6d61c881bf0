namespace Mailroom.Server.Domain.Seeding;

// The seed-file format (docs/seed-format.md). Outside tooling writes these files, so this shape is a
// public contract: add optional properties only, never rename or remove one, never change a default.
// Property names are the snake_case of these C# names. Everything is nullable here and checked by
// AccountPlan, so a missing value gets a message that names the entry instead of a serializer error.

public sealed record SeedFile
{
    /// <summary>Format version; absent means 1, the only version so far.</summary>
    public int? Version { get; init; }
    public List<SeedAccount?>? Accounts { get; init; }
}

public sealed record SeedAccount
{
    public string? Name { get; init; }
    public string? PrimaryEmailAddress { get; init; }
    public string? PlanType { get; init; }
    public string? ApiKey { get; init; }
    public string? ApiSecret { get; init; }
    public int? RateLimitPerMinute { get; init; }
    public List<string?>? CustomFields { get; init; }
    public List<string?>? Tags { get; init; }
    public List<SeedForm?>? Forms { get; init; }
    public List<SeedSequence?>? Sequences { get; init; }
    public List<SeedSubscriber?>? Subscribers { get; init; }
    public List<SeedBroadcast?>? Broadcasts { get; init; }
    public List<SeedPurchase?>? Purchases { get; init; }
    public List<SeedWebhook?>? Webhooks { get; init; }
}

public sealed record SeedForm
{
    public string? Name { get; init; }
    public string? Type { get; init; }
    public string? Format { get; init; }
    public string? Title { get; init; }
    public string? Description { get; init; }
    public string? SignUpButtonText { get; init; }
    public string? SuccessMessage { get; init; }
    public string? ConfirmationSubject { get; init; }
    public string? ConfirmationContent { get; init; }
    public bool? DoubleOptIn { get; init; }
    public bool? Archived { get; init; }
}

public sealed record SeedSequence
{
    public string? Name { get; init; }
    public bool? Hold { get; init; }
    public bool? Repeat { get; init; }
}

public sealed record SeedSubscriber
{
    public string? EmailAddress { get; init; }
    public string? FirstName { get; init; }
    public string? State { get; init; }
    public string? CreatedAt { get; init; }
    public string? CancelledAt { get; init; }
    public Dictionary<string, string?>? Fields { get; init; }
    public List<string?>? Forms { get; init; }
    public List<string?>? Sequences { get; init; }
    public List<string?>? Tags { get; init; }
    public SeedSubscriptions? Cancelled { get; init; }
}

/// <summary>Subscriptions that exist in the cancelled state.</summary>
public sealed record SeedSubscriptions
{
    public List<string?>? Forms { get; init; }
    public List<string?>? Sequences { get; init; }
    public List<string?>? Tags { get; init; }
}

public sealed record SeedBroadcast
{
    public string? Subject { get; init; }
    public string? Content { get; init; }
    public string? Description { get; init; }
    public bool? Public { get; init; }
    public string? PublishedAt { get; init; }
    public string? SendAt { get; init; }
    public string? CreatedAt { get; init; }
    public string? EmailAddress { get; init; }
    public string? EmailLayoutTemplate { get; init; }
    public string? ThumbnailAlt { get; init; }
    public string? ThumbnailUrl { get; init; }
    public List<string?>? SentTo { get; init; }
}

public sealed record SeedPurchase
{
    public string? TransactionId { get; init; }
    public string? EmailAddress { get; init; }
    public string? FirstName { get; init; }
    public string? Currency { get; init; }
    public string? TransactionTime { get; init; }
    public string? Status { get; init; }
    public decimal? Subtotal { get; init; }
    public decimal? Tax { get; init; }
    public decimal? Shipping { get; init; }
    public decimal? Discount { get; init; }
    public decimal? Total { get; init; }
    public string? Integration { get; init; }
    public List<SeedProduct?>? Products { get; init; }
}

public sealed record SeedProduct
{
    public string? Name { get; init; }
    public long? Pid { get; init; }
    public long? Lid { get; init; }
    public string? Sku { get; init; }
    public decimal? UnitPrice { get; init; }
    public decimal? Quantity { get; init; }
}

public sealed record SeedWebhook
{
    public string? TargetUrl { get; init; }
    public SeedWebhookEvent? Event { get; init; }
}

/// <summary>A rule's event as POST /v3/automations/hooks takes it, with names where the API takes ids.</summary>
public sealed record SeedWebhookEvent
{
    public string? Name { get; init; }
    public string? FormId { get; init; }
    public string? CourseId { get; init; }
    public string? SequenceId { get; init; }
    public string? TagId { get; init; }
    public long? ProductId { get; init; }
    public string? InitiatorValue { get; init; }
}
