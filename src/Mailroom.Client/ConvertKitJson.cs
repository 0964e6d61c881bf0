using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Mailroom.Client;

/// <summary>
/// Source-generated (trim- and AOT-safe) JSON for every model. Kit's names are snake_case. Unknown fields are ignored,
/// so a server may add fields; a documented field that is missing, or null where the model says it can't be, fails the
/// read, so drift from the spec surfaces as a <see cref="JsonException"/> instead of a silently empty value.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    RespectNullableAnnotations = true,
    RespectRequiredConstructorParameters = true,
    Converters = [typeof(KitTimestampConverter)])]
[JsonSerializable(typeof(Account))]
[JsonSerializable(typeof(FormsEnvelope))]
[JsonSerializable(typeof(Form))]
[JsonSerializable(typeof(List<SubscriptionForm>))]
[JsonSerializable(typeof(SubscribeEnvelope))]
[JsonSerializable(typeof(SubscriptionsEnvelope))]
[JsonSerializable(typeof(CoursesEnvelope))]
[JsonSerializable(typeof(TagsEnvelope))]
[JsonSerializable(typeof(Tag))]
[JsonSerializable(typeof(List<Tag>))]
[JsonSerializable(typeof(SubscribersEnvelope))]
[JsonSerializable(typeof(SubscriberEnvelope))]
[JsonSerializable(typeof(CustomFieldsEnvelope))]
[JsonSerializable(typeof(CustomField))]
[JsonSerializable(typeof(List<CustomField>))]
[JsonSerializable(typeof(BroadcastsEnvelope))]
[JsonSerializable(typeof(BroadcastEnvelope))]
[JsonSerializable(typeof(BroadcastStatsEnvelope))]
[JsonSerializable(typeof(RuleEnvelope))]
[JsonSerializable(typeof(List<RuleEnvelope>))]
[JsonSerializable(typeof(SuccessEnvelope))]
[JsonSerializable(typeof(PurchasesEnvelope))]
[JsonSerializable(typeof(Purchase))]
[JsonSerializable(typeof(SubscribeRequest))]
[JsonSerializable(typeof(UpdateSubscriberRequest))]
[JsonSerializable(typeof(BroadcastRequest))]
[JsonSerializable(typeof(PurchaseRequest))]
sealed partial class ConvertKitJson : JsonSerializerContext;

// The wrappers Kit puts around its objects; callers get what is inside.
sealed record FormsEnvelope(List<Form> Forms);
sealed record SubscribeEnvelope(SubscribeResult Subscription);
sealed record SubscriptionsEnvelope(long TotalSubscriptions, int Page, int TotalPages, List<Subscription> Subscriptions);
// The list key is "courses" on both /sequences and /courses.
sealed record CoursesEnvelope(List<Sequence> Courses);
sealed record TagsEnvelope(List<Tag> Tags);
sealed record SubscribersEnvelope(long TotalSubscribers, int Page, int TotalPages, List<Subscriber> Subscribers);
sealed record SubscriberEnvelope(Subscriber Subscriber);
sealed record CustomFieldsEnvelope(List<CustomField> CustomFields);
sealed record BroadcastsEnvelope(List<BroadcastSummary> Broadcasts);
sealed record BroadcastEnvelope(Broadcast Broadcast);
// Kit's docs show the stats wrapped in an array; the live API (and the PHP SDK that reads it) answers an object.
sealed record BroadcastStatsEnvelope(BroadcastStatsBody Broadcast);
sealed record BroadcastStatsBody(long Id, BroadcastStats Stats);
sealed record RuleEnvelope(WebhookRule Rule);
sealed record SuccessEnvelope(bool Success);
sealed record PurchasesEnvelope(long TotalPurchases, int Page, int TotalPages, List<Purchase> Purchases);

/// <summary>
/// Reads any ISO-8601 timestamp (Kit has sent both <c>2017-02-28T01:56:05Z</c> and <c>2022-05-05T11:45:26.000Z</c>)
/// and writes Kit's own form, UTC with milliseconds: <c>2024-05-01T10:00:00.000Z</c>.
/// </summary>
sealed class KitTimestampConverter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.GetDateTimeOffset();

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
}
