using System.Text.Json.Serialization;
using Mailroom.Server.Domain.Subscribers;

namespace Mailroom.Server.Api.V4;

/// <summary>A subscriber with the time it got a tag (tag memberships and tag lists, v4 notes §5.10).</summary>
public sealed record TaggedSubscriberResponse(long Id, string? FirstName, string EmailAddress, string State, DateTime CreatedAt,
    DateTime TaggedAt, IReadOnlyDictionary<string, string?> Fields)
{
    public static TaggedSubscriberResponse From(SubscriberView v, DateTime taggedAt) =>
        new(v.Id, v.FirstName, v.EmailAddress, v.State, v.CreatedAt, taggedAt, v.Fields);
}

public sealed record TaggedSubscriberEnvelope(TaggedSubscriberResponse Subscriber);

/// <summary>
/// The v4 subscriber object: v3's view (the same <c>fields</c>, every key of the account, null when unset) plus the
/// opt-in expansions, which are left out of the JSON unless asked for.
/// inferred: unset fields stay null on every operation. Kit's list examples show them as null; the write operations'
/// schemas type them as strings only because their examples happen to set every value.
/// </summary>
public sealed record V4SubscriberResponse(long Id, string? FirstName, string EmailAddress, string State, DateTime CreatedAt,
    IReadOnlyDictionary<string, string?> Fields)
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public Optional<V4Attribution?> Attribution { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public IReadOnlyList<V4TagRef>? Tags { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public Optional<V4Location?> Location { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public Optional<DateTime?> CanceledAt { get; init; }

    public static V4SubscriberResponse From(SubscriberView v) => new(v.Id, v.FirstName, v.EmailAddress, v.State, v.CreatedAt, v.Fields);
}

public sealed record V4TagRef(long Id, string Name);

public sealed record V4Attribution(string? Referrer, string? UtmSource, string? UtmMedium, string? UtmCampaign, string? UtmTerm,
    string? UtmContent, string? SourceType, string? SourceName, string? SourceMechanism, long? SourceMechanismId);

public sealed record V4Location(string? City, string? State, string? Country, double? Latitude, double? Longitude, string? Timezone);

/// <summary>A value that is either absent from the JSON or present (possibly null): <c>"location": null</c> differs from no key.</summary>
[JsonConverter(typeof(OptionalConverterFactory))]
public readonly record struct Optional<T>(T Value, bool IsSet)
{
    public static implicit operator Optional<T>(T value) => new(value, true);
}

sealed class OptionalConverterFactory : JsonConverterFactory
{
    public override bool CanConvert(Type typeToConvert) => typeToConvert.IsGenericType && typeToConvert.GetGenericTypeDefinition() == typeof(Optional<>);

    public override JsonConverter? CreateConverter(Type typeToConvert, System.Text.Json.JsonSerializerOptions options) =>
        (JsonConverter?)Activator.CreateInstance(typeof(OptionalConverter<>).MakeGenericType(typeToConvert.GetGenericArguments()[0]));

    sealed class OptionalConverter<T> : JsonConverter<Optional<T>>
    {
        public override Optional<T> Read(ref System.Text.Json.Utf8JsonReader reader, Type typeToConvert, System.Text.Json.JsonSerializerOptions options) =>
            new(System.Text.Json.JsonSerializer.Deserialize<T>(ref reader, options)!, true);

        public override void Write(System.Text.Json.Utf8JsonWriter writer, Optional<T> value, System.Text.Json.JsonSerializerOptions options) =>
            System.Text.Json.JsonSerializer.Serialize(writer, value.Value, options);
    }
}
