using System.Buffers;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Unicode;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Primitives;

namespace Mailroom.Server.Api.V3;

/// <summary>Reads query string and body into an <see cref="ApiParams"/> bag (spec §1.3).</summary>
static class ApiParamsReader
{
    /// <summary>
    /// The deepest nesting a parameter may have, as brackets in a key (<c>a[b][c]</c> is 3) or as JSON objects and
    /// arrays. Rack 3 refuses keys nested deeper than 32 (<c>param_depth_limit</c>; Rails' own builder allows 100),
    /// and no Kit call nests deeper than 4, so 32 costs no client anything while bounding the work per key.
    /// </summary>
    public const int MaxDepth = 32;

    /// <summary>
    /// The longest parameter name, decoded. Kit's longest names are custom-field keys inside <c>fields[...]</c>, well under
    /// this; a bound keeps one key from being a megabyte that every later step copies and compares.
    /// </summary>
    public const int MaxKeyLength = 1024;

    public static async Task<ApiParams> ReadAsync(HttpRequest request, long maxBodyBytes, CancellationToken ct)
    {
        var root = new JsonObject();
        // Parsed from the raw string, not request.Query: that groups values by key, which loses the order
        // Rails needs to rebuild arrays of objects (`p[][name]=A&p[][pid]=1&p[][name]=B&p[][pid]=2`).
        foreach (var (key, value) in ParsePairs(request.QueryString.Value?.TrimStart('?') ?? ""))
            AddRails(root, key, value);

        if (request.ContentLength > maxBodyBytes)
            throw new PayloadTooLargeException(maxBodyBytes);
        var body = TrimBom(await ReadBodyAsync(request, maxBodyBytes, ct));
        if (IsBlank(body)) return new ApiParams(root);
        // Checked once for every content type: invalid bytes inside a JSON string only fail when the string is read,
        // which was deep in a handler (a 500), and a form body would otherwise turn them silently into U+FFFD.
        if (!Utf8.IsValid(body.Span)) throw new ApiParamException(400, ApiError.BodyNotUtf8Message);

        var contentType = request.ContentType ?? "";
        if (contentType.Contains("json", StringComparison.OrdinalIgnoreCase) ||
            (!contentType.Contains("form", StringComparison.OrdinalIgnoreCase) && LooksLikeJson(body)))
        {
            var element = ParseJsonObject(body);
            if (element is null) return new ApiParams(root);
            // The node tree over the document is lazy: a node is built when a handler reaches it. Moved, not cloned: a
            // 100,000-item bulk body is a large tree, and a copy of it cost a quarter second.
            var parsed = JsonObject.Create(element.Value)!;
            foreach (var key in parsed.Select(p => p.Key).ToList())
            {
                var value = parsed[key];
                parsed.Remove(key);
                root[key] = value;
            }
            return new ApiParams(root, element);
        }
        else if (contentType.Contains("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase)
                 || contentType.Length == 0)
        {
            var form = new JsonObject();
            foreach (var (key, value) in ParsePairs(Encoding.UTF8.GetString(body.Span)))
                AddRails(form, key, value);
            foreach (var (key, value) in form)
                root[key] = value?.DeepClone();
        }
        else if (contentType.Contains("multipart/form-data", StringComparison.OrdinalIgnoreCase))
        {
            throw new ApiParamException(400, ApiError.MultipartNotSupportedMessage);
        }
        return new ApiParams(root);
    }

    static async Task<byte[]> ReadBodyAsync(HttpRequest request, long max, CancellationToken ct)
    {
        // A request without Content-Length or chunked encoding (every GET from a Kit client) has no body:
        // reading it would only allocate the buffers below, on the hottest path of the API.
        if (request.HttpContext.Features.Get<IHttpRequestBodyDetectionFeature>() is { CanHaveBody: false }) return [];
        // A body of announced length (checked against the limit by the caller; Kestrel never delivers more) is read into
        // one array of that size: growing a stream and copying it out again cost three copies of a 10 MB bulk body.
        if (request.ContentLength is { } length and > 0)
        {
            var exact = new byte[length];
            var filled = 0;
            while (filled < exact.Length && await request.Body.ReadAsync(exact.AsMemory(filled), ct) is var n and > 0) filled += n;
            return filled == exact.Length ? exact : exact[..filled];
        }
        using var buffer = new MemoryStream();
        var chunk = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            int read;
            while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
            {
                if (buffer.Length + read > max) throw new PayloadTooLargeException(max);
                buffer.Write(chunk, 0, read);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
        return buffer.ToArray();
    }

    // Some Windows clients start a UTF-8 body with a byte order mark, which the JSON reader rejects.
    static ReadOnlyMemory<byte> TrimBom(byte[] body) =>
        body.AsSpan().StartsWith(Encoding.UTF8.Preamble) ? body.AsMemory(Encoding.UTF8.Preamble.Length) : body;

    // An empty or whitespace-only body carries no parameters, whatever its content type says.
    static bool IsBlank(ReadOnlyMemory<byte> body) => body.Span.Trim(" \t\r\n"u8).IsEmpty;

    static bool LooksLikeJson(ReadOnlyMemory<byte> body)
    {
        foreach (var b in body.Span)
        {
            if (b is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n') continue;
            return b is (byte)'{' or (byte)'[';
        }
        return false;
    }

    /// <summary>The body's object, or null when it carries no parameters. Throws <see cref="ApiParamException"/> (400).</summary>
    static JsonElement? ParseJsonObject(ReadOnlyMemory<byte> body)
    {
        try
        {
            // Not disposed: the parameters' nodes read from it for the rest of the request. Its buffers are rented, so an
            // undisposed document leaves them to the garbage collector rather than the pool; the request is its lifetime.
            var root = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = MaxDepth }).RootElement;
            if (root.ValueKind == JsonValueKind.Null) return null;
            // PHP's json_encode([]) is "[]": Kit's PHP SDK sends it as the body of every call without arguments
            // (adding a subscriber to a sequence by id, deletes). An empty array means no parameters.
            if (root.ValueKind == JsonValueKind.Array && root.GetArrayLength() == 0) return null;
            if (root.ValueKind != JsonValueKind.Object) throw new ApiParamException(400, ApiError.BodyNotObjectMessage);
            // The nodes over the document decode strings and build dictionaries only when reached; walking the document
            // here surfaces duplicate keys and unreadable strings (a lone surrogate such as "\ud800") as a 400, not a 500
            // in whichever handler reads them. On the document, not on nodes: building a node tree of a 100,000-item
            // bulk body only to look at it cost about a second of CPU (bench/findings.md, v4).
            Check(root);
            return root;
        }
        catch (JsonException e)
        {
            throw new ApiParamException(400, ApiError.BodyNotJson(Describe(e)));
        }
        catch (InvalidOperationException)
        {
            throw new ApiParamException(400, ApiError.BodyNotJson(null));
        }
    }

    static string Describe(JsonException e) =>
        e.LineNumber is { } line ? ApiError.JsonPositionReason(line + 1, e.BytePositionInLine + 1) : ApiError.JsonUnexpectedReason;

    /// <summary>Every key unique within its object, and every string (keys included) readable and free of NUL.</summary>
    static void Check(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var count = 0;
                foreach (var p in element.EnumerateObject())
                {
                    count++;
                    if (IsEscaped(JsonMarshal.GetRawUtf8PropertyName(p))) CheckText(p.Name);
                    Check(p.Value);
                }
                if (count > 1) CheckUniqueKeys(element, count);
                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray()) Check(item);
                break;
            // A string without escapes is the body's own bytes, already checked as UTF-8, and JSON forbids a raw
            // control character in a string; only an escaped one can hold a NUL or a lone surrogate (GetString throws).
            case JsonValueKind.String when IsEscaped(JsonMarshal.GetRawUtf8Value(element)):
                CheckText(element.GetString()!);
                break;
        }
    }

    static bool IsEscaped(ReadOnlySpan<byte> raw) => raw.IndexOf((byte)'\\') >= 0;

    /// <summary>
    /// A JsonObject throws on a duplicate key when a handler first reaches it (a 500), so duplicates are refused here.
    /// Small objects (every bulk item) compare their raw names pairwise without decoding them.
    /// </summary>
    static void CheckUniqueKeys(JsonElement element, int count)
    {
        const int Pairwise = 8;
        if (count <= Pairwise)
        {
            var i = 0;
            var escaped = false;
            foreach (var p in element.EnumerateObject())
            {
                var name = JsonMarshal.GetRawUtf8PropertyName(p);
                escaped |= IsEscaped(name);
                var j = 0;
                foreach (var q in element.EnumerateObject())
                {
                    if (j++ >= i) break;
                    if (name.SequenceEqual(JsonMarshal.GetRawUtf8PropertyName(q))) throw Duplicate();
                }
                i++;
            }
            if (!escaped) return;
        }
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var p in element.EnumerateObject())
            if (!seen.Add(p.Name)) throw Duplicate();
    }

    static ApiParamException Duplicate() => new(400, ApiError.BodyNotJson(ApiError.DuplicatePropertyReason));

    // PostgreSQL cannot store U+0000 in text and refuses the whole statement, so a NUL is refused here on both
    // providers before it reaches a handler. inferred: Kit (Rails on PostgreSQL) failed such calls too.
    static void CheckText(string text)
    {
        if (text.Contains('\0')) throw new ApiParamException(400, ApiError.NulCharacterMessage);
    }

    /// <summary>The pairs of a query string or form body, in the order they were sent.</summary>
    static IEnumerable<(string Key, string Value)> ParsePairs(string text)
    {
        foreach (var pair in text.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=');
            var key = Decode(eq < 0 ? pair : pair[..eq]);
            var value = Decode(eq < 0 ? "" : pair[(eq + 1)..]);
            if (key.Length > MaxKeyLength) throw new ApiParamException(400, ApiError.KeyTooLong(MaxKeyLength));
            CheckText(key);
            CheckText(value);
            yield return (key, value);
        }
    }

    static string Decode(string s) => Uri.UnescapeDataString(s.Replace('+', ' '));

    /// <summary>
    /// Rails' nested-parameter rules: <c>a[b]=1</c> → {"a":{"b":"1"}}, <c>a[]=1</c> → {"a":["1"]},
    /// <c>a[][name]=X&amp;a[][name]=Y</c> → {"a":[{"name":"X"},{"name":"Y"}]}. A key with no value
    /// (<c>&amp;fields&amp;first_name</c>, as the Ruby gem sends it) counts as absent.
    /// </summary>
    internal static void AddRails(JsonObject root, string key, StringValues values)
    {
        foreach (var value in values)
        {
            if (string.IsNullOrEmpty(value)) continue;
            var path = SplitKey(key);
            if (path.Count == 0) continue;
            Assign(root, path, 0, value);
        }
    }

    /// <summary>
    /// <c>a[b][]</c> → ["a", "b", ""]. One pass over the key with indexes, never re-slicing what is left of it
    /// (that copied the rest at every bracket: quadratic in the key), and no further than <see cref="MaxDepth"/> segments.
    /// </summary>
    static List<string> SplitKey(string key)
    {
        var parts = new List<string>();
        var open = key.IndexOf('[');
        if (open < 0) { parts.Add(key); return parts; }
        if (open == 0) return parts;
        parts.Add(key[..open]);
        // Like Rails, segments are read while the key goes on with '['; anything after the last ']' that is not a '[' is dropped.
        while (open < key.Length && key[open] == '[')
        {
            var close = key.IndexOf(']', open + 1);
            if (close < 0) break;
            if (parts.Count == MaxDepth) throw new ApiParamException(400, ApiError.KeyTooDeep(MaxDepth));
            parts.Add(key[(open + 1)..close]);
            open = close + 1;
        }
        return parts;
    }

    static void Assign(JsonObject target, List<string> path, int i, string value)
    {
        var name = path[i];
        if (i == path.Count - 1) { target[name] = value; return; }
        var next = path[i + 1];
        if (next.Length == 0)
        {
            if (target[name] is not JsonArray array) target[name] = array = [];
            if (i + 1 == path.Count - 1) { array.Add(value); return; }
            // a[][name]=…: start a new element when the last one already has this (full, nested) key,
            // as Rails does, so a[][d][x]=1&a[][d][y]=2 stays one element.
            if (array.Count == 0 || array[^1] is not JsonObject last || HasPath(last, path, i + 2))
                array.Add(last = new JsonObject());
            Assign(last, path, i + 2, value);
            return;
        }
        if (target[name] is not JsonObject obj) target[name] = obj = new JsonObject();
        Assign(obj, path, i + 1, value);
    }

    static bool HasPath(JsonObject target, List<string> path, int i)
    {
        for (JsonNode? node = target; i < path.Count; i++)
        {
            // Rails never counts a key containing [] as present: a[][tags][]=1&a[][tags][]=2 is one element.
            if (path[i].Length == 0) return false;
            if (node is not JsonObject obj || !obj.TryGetPropertyValue(path[i], out node)) return false;
        }
        return true;
    }
}

sealed class PayloadTooLargeException(long limit) : Exception($"Request body exceeds {limit} bytes")
{
    public long Limit { get; } = limit;
}
