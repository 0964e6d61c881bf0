using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Mailroom.Server.Api.V3;

/// <summary>
/// Every request parameter of a /v3 call in one bag: query string, JSON body and form body merged
/// (body wins), with Rails-style brackets already nested. Kit clients put the same parameter in any
/// of these places on any method, so handlers never look at where a value came from (spec §1.3).
/// </summary>
public sealed class ApiParams(JsonObject root, JsonElement? body = null)
{
    internal const string ItemKey = "mailroom.params";

    public JsonObject Root { get; } = root;

    /// <summary>
    /// A parameter as a JSON element, for a handler that reads a large list straight into records: the JSON body's own
    /// element when the body carried it (no node tree built), otherwise the merged value written out as JSON.
    /// </summary>
    public JsonElement? Element(string name)
    {
        _read.Add(name);
        if (body is { ValueKind: JsonValueKind.Object } b && b.TryGetProperty(name, out var e)) return e;
        return Root.TryGetPropertyValue(name, out var n) && n is not null ? JsonDocument.Parse(n.ToJsonString()).RootElement : null;
    }

    public static ValueTask<ApiParams?> BindAsync(HttpContext context) =>
        ValueTask.FromResult<ApiParams?>(context.Items[ItemKey] as ApiParams ?? new ApiParams([]));

    public bool Has(string name) => Node(name) is not null;

    readonly HashSet<string> _read = [];

    /// <summary>Every top-level name a handler asked for: the documentation test checks each one is documented.</summary>
    public IReadOnlyCollection<string> ReadNames => _read;

    public JsonNode? Node(string name)
    {
        _read.Add(name);
        return Root.TryGetPropertyValue(name, out var n) ? n : null;
    }

    /// <summary>A scalar as text, trimmed; blank and whitespace-only values read as absent.</summary>
    public string? String(string name) => AsString(Node(name), name);

    /// <summary>Like <see cref="String"/> but keeps surrounding whitespace out of the picture only for the blank check.</summary>
    public static string? AsString(JsonNode? node, string name)
    {
        if (node is null) return null;
        if (node is not JsonValue v)
            throw new ApiParamException(400, ApiError.MustBeString(name));
        return ScalarText(v.GetValueKind() switch
        {
            JsonValueKind.String => v.GetValue<string>(),
            JsonValueKind.Number => v.ToJsonString(),
            JsonValueKind.True => "true",
            JsonValueKind.False => "false",
            _ => null,
        });
    }

    /// <summary><see cref="AsString(JsonNode?, string)"/> for an element of the body: the same rules.</summary>
    public static string? AsString(JsonElement element, string name) => element.ValueKind switch
    {
        JsonValueKind.Object or JsonValueKind.Array => throw new ApiParamException(400, ApiError.MustBeString(name)),
        JsonValueKind.String => ScalarText(element.GetString()),
        JsonValueKind.Number => ScalarText(element.GetRawText()),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => null,
    };

    static string? ScalarText(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    public long? Long(string name) => AsLong(Node(name), name);

    public static long? AsLong(JsonNode? node, string name)
    {
        if (node is null) return null;
        if (node is JsonValue v)
        {
            if (v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<long>(out var l)) return l;
            if (v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<double>(out var d) && d == Math.Floor(d) && Math.Abs(d) < 9e15) return (long)d;
            if (v.GetValueKind() == JsonValueKind.String)
            {
                var s = v.GetValue<string>().Trim();
                if (s.Length == 0) return null;
                if (long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out l)) return l;
            }
        }
        throw new ApiParamException(400, ApiError.MustBeInteger(name));
    }

    public int? Int(string name)
    {
        var value = Long(name);
        if (value is null) return null;
        if (value is < int.MinValue or > int.MaxValue) throw new ApiParamException(400, ApiError.OutOfRange(name));
        return (int)value;
    }

    public decimal? Decimal(string name) => AsDecimal(Node(name), name);

    public static decimal? AsDecimal(JsonNode? node, string name)
    {
        if (node is null) return null;
        if (node is JsonValue v)
        {
            if (v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<decimal>(out var m)) return m;
            if (v.GetValueKind() == JsonValueKind.String)
            {
                var s = v.GetValue<string>().Trim();
                if (s.Length == 0) return null;
                if (decimal.TryParse(s, NumberStyles.Number, CultureInfo.InvariantCulture, out m)) return m;
            }
        }
        throw new ApiParamException(400, ApiError.MustBeNumber(name));
    }

    public bool? Bool(string name) => AsBool(Node(name), name);

    public static bool? AsBool(JsonNode? node, string name)
    {
        if (node is null) return null;
        if (node is JsonValue v)
        {
            switch (v.GetValueKind())
            {
                case JsonValueKind.True: return true;
                case JsonValueKind.False: return false;
                case JsonValueKind.Number: return v.ToJsonString() != "0";
                case JsonValueKind.String:
                    var s = v.GetValue<string>().Trim().ToLowerInvariant();
                    if (s is "true" or "1" or "yes" or "on") return true;
                    if (s is "false" or "0" or "no" or "off") return false;
                    if (s.Length == 0) return null;
                    break;
            }
        }
        throw new ApiParamException(400, ApiError.MustBeBoolean(name));
    }

    /// <summary>An object parameter (<c>fields</c>, <c>event</c>...), with at most <see cref="MaxListItems"/> members.</summary>
    public JsonObject? Object(string name) => Node(name) switch
    {
        null => null,
        JsonObject o => o.Count > MaxListItems ? throw TooManyItems(name) : o,
        _ => throw new ApiParamException(400, ApiError.MustBeObject(name)),
    };

    /// <summary>
    /// A list given as a JSON array, a Rails <c>x[]=</c> or <c>x[0]=</c> list, or a comma-separated string
    /// (<c>tags=12,34</c>, as ConvertkitSharp sends it). Items come back as nodes in input order.
    /// </summary>
    public List<JsonNode?>? List(string name) => AsList(Node(name), name);

    /// <summary>
    /// The most items one list parameter (tags, forms, courses, tag names, products, fields) may carry: every list ends
    /// up in a SQL IN list or one row per item, and SQLite allows 32,766 parameters in a statement. inferred: Kit
    /// documents no limit; 1,000 is far above what any Kit client sends in one call and far below the database's.
    /// </summary>
    public const int MaxListItems = 1000;

    /// <summary><see cref="List"/> for a node already in hand; <paramref name="name"/> is what an error calls it.</summary>
    public static List<JsonNode?>? AsList(JsonNode? node, string name)
    {
        var list = Items(node);
        if (list is { Count: > MaxListItems }) throw TooManyItems(name);
        return list;
    }

    static ApiParamException TooManyItems(string name) => new(422, ApiError.TooManyItems(name, MaxListItems));

    static List<JsonNode?>? Items(JsonNode? node) => node switch
    {
        null => null,
        JsonArray a => [.. a],
        JsonObject o when o.Count > 0 && o.All(p => int.TryParse(p.Key, out _)) =>
            [.. o.OrderBy(p => int.Parse(p.Key, CultureInfo.InvariantCulture)).Select(p => p.Value)],
        JsonValue v when v.GetValueKind() == JsonValueKind.String =>
            [.. v.GetValue<string>().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(s => (JsonNode?)JsonValue.Create(s))],
        JsonValue v => [v],
        _ => [node],
    };

    public List<long>? LongList(string name) =>
        List(name)?.Select(n => AsLong(n, name)).Where(l => l is not null).Select(l => l!.Value).ToList();
}
