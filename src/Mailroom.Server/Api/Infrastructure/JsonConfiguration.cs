using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Mailroom.Server.Api.Infrastructure;

static class JsonConfiguration
{
    public static void Apply(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
        options.DictionaryKeyPolicy = null;
        // Kit writes unset scalars as null rather than omitting them (spec §1.4).
        options.DefaultIgnoreCondition = JsonIgnoreCondition.Never;
        options.Converters.Add(new KitTimestampConverter());
    }
}

/// <summary>Timestamps as Kit writes them: UTC with milliseconds, <c>2022-05-05T11:45:26.000Z</c>.</summary>
sealed class KitTimestampConverter : JsonConverter<DateTime>
{
    public const string Format = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";

    public static string Write(DateTime value) =>
        DateTime.SpecifyKind(value, DateTimeKind.Utc).ToString(Format, CultureInfo.InvariantCulture);

    public override DateTime Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        DateTime.Parse(reader.GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);

    public override void Write(Utf8JsonWriter writer, DateTime value, JsonSerializerOptions options) =>
        writer.WriteStringValue(Write(value));
}
