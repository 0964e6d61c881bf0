using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Mailroom.Server.Api.Infrastructure;

namespace Mailroom.Server.Api.V4;

/// <summary>
/// How /v4 writes JSON: v3's snake_case and explicit nulls, but timestamps as the v4 document writes them
/// (<c>2023-02-17T11:43:55Z</c>: whole seconds, no fraction). Every v4 result goes through these options.
/// </summary>
public static class V4Json
{
    public static readonly JsonSerializerOptions Options = Create();

    static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        JsonConfiguration.Apply(options);
        options.Converters.Remove(options.Converters.OfType<KitTimestampConverter>().Single());
        options.Converters.Add(new V4TimestampConverter());
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }

    public static JsonHttpResult<T> Ok<T>(T value) => TypedResults.Json(value, Options, statusCode: 200);
    public static JsonHttpResult<T> Created<T>(T value) => TypedResults.Json(value, Options, statusCode: 201);
    public static JsonHttpResult<T> Accepted<T>(T value) => TypedResults.Json(value, Options, statusCode: 202);
    /// <summary>200 when the thing already existed, 201 when this call created it (v4 notes §3.6).</summary>
    public static JsonHttpResult<T> OkOrCreated<T>(T value, bool created) => TypedResults.Json(value, Options, statusCode: created ? 201 : 200);
}

/// <summary>UTC with whole seconds: <c>2023-02-17T11:43:55Z</c>.</summary>
public sealed class V4TimestampConverter : JsonConverter<DateTime>
{
    public const string Format = "yyyy-MM-dd'T'HH:mm:ss'Z'";

    public static string Write(DateTime value) =>
        DateTime.SpecifyKind(value, DateTimeKind.Utc).ToString(Format, CultureInfo.InvariantCulture);

    public override DateTime Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        DateTime.Parse(reader.GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);

    public override void Write(Utf8JsonWriter writer, DateTime value, JsonSerializerOptions options) =>
        writer.WriteStringValue(Write(value));
}
