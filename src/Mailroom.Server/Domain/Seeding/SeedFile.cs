using System.Text.Json;
using System.Text.Json.Serialization;

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
    /// <summary>IANA zone the account's sequences send in unless they name their own; UTC when absent.</summary>
    public string? TimeZone { get; init; }
    /// <summary>From address of broadcasts and sequences that name none; the primary address when absent.</summary>
    public string? SendingEmailAddress { get; init; }
    public List<SeedEmailLayout?>? EmailLayouts { get; init; }
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

/// <summary>An HTML email layout (Kit's "email template") with a {{ content }} placeholder, as `mailroom layouts add` takes it.</summary>
public sealed record SeedEmailLayout
{
    public string? Name { get; init; }
    public string? Html { get; init; }
}

public sealed record SeedSequence
{
    public string? Name { get; init; }
    public bool? Hold { get; init; }
    public bool? Repeat { get; init; }
    public bool? Active { get; init; }
    public List<string?>? SendDays { get; init; }
    public int? SendHour { get; init; }
    public string? TimeZone { get; init; }
    public string? EmailAddress { get; init; }
    /// <summary>An email layout's name from this account's <c>email_layouts</c>.</summary>
    public string? EmailTemplate { get; init; }
    public List<SeedExcludedSource?>? ExcludeSubscriberSources { get; init; }
    public List<SeedSequenceEmail?>? Emails { get; init; }
}

/// <summary>Subscribers holding one of these are skipped: tags, forms and sequences by name, or any source by id.</summary>
public sealed record SeedExcludedSource
{
    public string? Type { get; init; }
    public List<string?>? Names { get; init; }
    public List<long>? Ids { get; init; }
}

public sealed record SeedSequenceEmail
{
    public string? Subject { get; init; }
    public string? PreviewText { get; init; }
    public string? Content { get; init; }
    public int? DelayValue { get; init; }
    public string? DelayUnit { get; init; }
    public List<string?>? SendDays { get; init; }
    public bool? Published { get; init; }
    public int? Position { get; init; }
    public string? EmailTemplate { get; init; }
}

/// <summary>
/// A subscriber's sequence: its name (start at the beginning) or <c>{"name", "position", "next_send_at"}</c> to place
/// them mid-sequence. Read by <see cref="SeedSequenceReferenceConverter"/>, so both forms may stand in one list.
/// </summary>
[JsonConverter(typeof(SeedSequenceReferenceConverter))]
public sealed record SeedSequenceReference
{
    public string? Name { get; init; }
    /// <summary>The position of the last email the subscriber passed.</summary>
    public int? Position { get; init; }
    public string? NextSendAt { get; init; }
    internal bool Placed { get; init; }
}

/// <summary>
/// Reads a subscriber's sequence as a name or as <c>{"name", "position", "next_send_at"}</c>. The object is read by
/// hand: a nested serializer call would report its errors relative to itself, not to the file.
/// </summary>
public sealed class SeedSequenceReferenceConverter : JsonConverter<SeedSequenceReference>
{
    public override SeedSequenceReference? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.String) return new SeedSequenceReference { Name = reader.GetString() };
        if (reader.TokenType != JsonTokenType.StartObject) throw new JsonException(SeedReader.Own(AccountPlan.NameOrObject));
        using var document = JsonDocument.ParseValue(ref reader);
        string? name = null, nextSendAt = null;
        int? position = null;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in document.RootElement.EnumerateObject())
        {
            if (!seen.Add(property.Name)) throw new JsonException(SeedReader.Own($"\"{property.Name}\" appears twice"));
            var value = property.Value;
            var isNull = value.ValueKind == JsonValueKind.Null;
            switch (property.Name)
            {
                case "name" when isNull || value.ValueKind == JsonValueKind.String: name = value.GetString(); break;
                case "next_send_at" when isNull || value.ValueKind == JsonValueKind.String: nextSendAt = value.GetString(); break;
                case "position" when isNull: break;
                case "position" when value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var p): position = p; break;
                case "name" or "next_send_at": throw new JsonException(SeedReader.Own($"{property.Name} must be a string"));
                case "position": throw new JsonException(SeedReader.Own("position must be a whole number"));
                default: throw new JsonException(SeedReader.Own($"unknown property \"{property.Name}\""));
            }
        }
        return new SeedSequenceReference { Name = name, Position = position, NextSendAt = nextSendAt, Placed = true };
    }

    public override void Write(Utf8JsonWriter writer, SeedSequenceReference value, JsonSerializerOptions options) =>
        JsonSerializer.Serialize(writer, new { name = value.Name, position = value.Position, next_send_at = value.NextSendAt }, options);
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
    public List<SeedSequenceReference?>? Sequences { get; init; }
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
