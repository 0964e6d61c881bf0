using System.Net;
using System.Text.Json;

namespace Mailroom.Client;

/// <summary>
/// Thrown for every non-2xx answer. Carries the status and Kit's error envelope verbatim, so callers can match on the
/// strings Kit documents: v3's <c>{"error": ..., "message": ...}</c> (e.g. <c>"Not Found"</c> / <c>"The entity you were
/// trying to find doesn't exist"</c>) and v4's <c>{"errors": ["..."]}</c> (<see cref="Errors"/>).
/// </summary>
public sealed class ConvertKitApiException : Exception
{
    /// <summary>Creates the exception from an answer's parts.</summary>
    /// <param name="statusCode">The HTTP status of the answer.</param>
    /// <param name="error">Kit's <c>error</c> (a short title such as <c>"Authorization Failed"</c>).</param>
    /// <param name="message">Kit's <c>message</c>; may be empty (Kit answers <c>"Course not found"</c> with an empty message).</param>
    /// <param name="retryAfter">The server's <c>Retry-After</c>, when it sent one.</param>
    public ConvertKitApiException(HttpStatusCode statusCode, string error, string message, TimeSpan? retryAfter = null)
        : this(statusCode, error, message, [], retryAfter)
    {
    }

    /// <summary>Creates the exception from an answer's parts, with v4's list of messages.</summary>
    /// <param name="statusCode">The HTTP status of the answer.</param>
    /// <param name="error">A short title: Kit's v3 <c>error</c>, or the HTTP reason phrase.</param>
    /// <param name="message">The message; for a v4 answer, <paramref name="errors"/> joined.</param>
    /// <param name="errors">v4's <c>errors</c>, in order; empty for a v3 answer.</param>
    /// <param name="retryAfter">The server's <c>Retry-After</c>, when it sent one.</param>
    public ConvertKitApiException(HttpStatusCode statusCode, string error, string message, IReadOnlyList<string> errors,
        TimeSpan? retryAfter = null)
        : base(message)
    {
        StatusCode = statusCode;
        Error = error;
        Errors = errors;
        RetryAfter = retryAfter;
    }

    /// <summary>The HTTP status of the answer.</summary>
    public HttpStatusCode StatusCode { get; }

    /// <summary>Kit's <c>error</c> title, or the HTTP reason phrase when the body was not Kit's envelope.</summary>
    public string Error { get; }

    /// <summary>
    /// Kit v4's <c>errors</c> messages exactly as sent (e.g. <c>["Name can't be blank"]</c>); empty for a v3 answer or a
    /// body that is not Kit's.
    /// </summary>
    public IReadOnlyList<string> Errors { get; }

    /// <summary>How long the server asked to wait before trying again (429 answers), when it said.</summary>
    public TimeSpan? RetryAfter { get; }

    /// <inheritdoc />
    public override string ToString() => $"{GetType().FullName}: {(int)StatusCode} {Error}: {Message}{Environment.NewLine}{StackTrace}";

    // Longer non-Kit bodies (an HTML error page from a proxy) are cut: the message should stay readable.
    const int MaxRawMessage = 500;

    internal static async Task<ConvertKitApiException> FromResponseAsync(HttpResponseMessage response, CancellationToken ct)
    {
        var text = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
        var error = response.ReasonPhrase ?? response.StatusCode.ToString();
        var message = text.Length > MaxRawMessage ? text[..MaxRawMessage] : text;
        List<string> errors = [];
        try
        {
            using var json = JsonDocument.Parse(text);
            if (json.RootElement.ValueKind == JsonValueKind.Object)
            {
                if (json.RootElement.TryGetProperty("error", out var e) && e.ValueKind == JsonValueKind.String) error = e.GetString()!;
                if (json.RootElement.TryGetProperty("message", out var m))
                    message = m.ValueKind switch
                    {
                        JsonValueKind.String => m.GetString()!,
                        JsonValueKind.Null => "",
                        _ => m.GetRawText(),
                    };
                // v4 (and its OAuth token endpoint, RFC 6749 §5.2) never send "message": read their shapes only then,
                // so a v3 answer is read exactly as before.
                else if (json.RootElement.TryGetProperty("errors", out var list) && list.ValueKind == JsonValueKind.Array)
                {
                    foreach (var item in list.EnumerateArray())
                        errors.Add(item.ValueKind == JsonValueKind.String ? item.GetString()! : item.GetRawText());
                    // inferred: Kit's document shows one message per answer; several are joined so none is lost.
                    message = string.Join("; ", errors);
                }
                else if (json.RootElement.TryGetProperty("error_description", out var d) && d.ValueKind == JsonValueKind.String)
                    message = d.GetString()!;
            }
        }
        catch (JsonException)
        {
            // Not JSON (a proxy's page, an empty body): keep the reason phrase and the raw text.
        }
        return new ConvertKitApiException(response.StatusCode, error, message, errors, RetryAfterOf(response, TimeProvider.System));
    }

    internal static TimeSpan? RetryAfterOf(HttpResponseMessage response, TimeProvider time)
    {
        var header = response.Headers.RetryAfter;
        if (header?.Delta is { } delta) return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
        if (header?.Date is { } date)
        {
            var wait = date - time.GetUtcNow();
            return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
        }
        return null;
    }
}
