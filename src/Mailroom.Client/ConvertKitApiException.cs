using System.Net;
using System.Text.Json;

namespace Mailroom.Client;

/// <summary>
/// Thrown for every non-2xx answer. Carries the status and Kit's error envelope
/// <c>{"error": ..., "message": ...}</c> verbatim, so callers can match on the strings Kit documents
/// (e.g. <c>"Not Found"</c> / <c>"The entity you were trying to find doesn't exist"</c>).
/// </summary>
public sealed class ConvertKitApiException : Exception
{
    /// <summary>Creates the exception from an answer's parts.</summary>
    /// <param name="statusCode">The HTTP status of the answer.</param>
    /// <param name="error">Kit's <c>error</c> (a short title such as <c>"Authorization Failed"</c>).</param>
    /// <param name="message">Kit's <c>message</c>; may be empty (Kit answers <c>"Course not found"</c> with an empty message).</param>
    /// <param name="retryAfter">The server's <c>Retry-After</c>, when it sent one.</param>
    public ConvertKitApiException(HttpStatusCode statusCode, string error, string message, TimeSpan? retryAfter = null)
        : base(message)
    {
        StatusCode = statusCode;
        Error = error;
        RetryAfter = retryAfter;
    }

    /// <summary>The HTTP status of the answer.</summary>
    public HttpStatusCode StatusCode { get; }

    /// <summary>Kit's <c>error</c> title, or the HTTP reason phrase when the body was not Kit's envelope.</summary>
    public string Error { get; }

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
            }
        }
        catch (JsonException)
        {
            // Not JSON (a proxy's page, an empty body): keep the reason phrase and the raw text.
        }
        return new ConvertKitApiException(response.StatusCode, error, message, RetryAfterOf(response, TimeProvider.System));
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
