using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Mailroom.Server.Domain;

/// <summary>
/// Kit is a Ruby app: its money amounts and rates are floats, written <c>20.0</c>, <c>100.0</c>,
/// <c>60.97560975609756</c>. System.Text.Json would write <c>20</c> for a double and keep the database's
/// scale for a decimal (<c>20.0000</c> from PostgreSQL); this writes what Kit writes.
/// </summary>
public sealed class KitFloatConverter : JsonConverter<double>
{
    public override double Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.GetDouble();

    public override void Write(Utf8JsonWriter writer, double value, JsonSerializerOptions options) =>
        writer.WriteRawValue(Format(value.ToString("R", CultureInfo.InvariantCulture)));

    internal static string Format(string number) =>
        number.Contains('.') || number.Contains('E') || number.Contains('e') ? number : number + ".0";
}

/// <summary>The decimal form of <see cref="KitFloatConverter"/>: trailing zeros dropped, at least one decimal.</summary>
public sealed class KitMoneyConverter : JsonConverter<decimal?>
{
    public override decimal? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.Null ? null : reader.GetDecimal();

    public override void Write(Utf8JsonWriter writer, decimal? value, JsonSerializerOptions options)
    {
        if (value is null) { writer.WriteNullValue(); return; }
        // "G29" drops the trailing zeros a numeric(18,4) column adds (20.0000 → 20).
        writer.WriteRawValue(KitFloatConverter.Format(value.Value.ToString("G29", CultureInfo.InvariantCulture)));
    }

    // JsonSerializer asks for a non-null converter for the null case only when HandleNull is set.
    public override bool HandleNull => true;
}
