using System.Text;
using System.Text.Json;

namespace Mailroom.Server.Api.OAuth;

/// <summary>
/// Kit's PHP SDK 2.x (and so the WordPress plugin) posts its token requests as JSON
/// (<c>{"grant_type": "refresh_token", "refresh_token": ..., "client_id": ..., "client_secret": ..., "redirect_uri": ...}</c>
/// with <c>Content-Type: application/json</c>), which Kit's server accepts. OAuth 2.0, and OpenIddict with it, read
/// only form bodies. This rewrites such a body into the equivalent form before the OAuth server sees it.
/// </summary>
static class JsonTokenRequests
{
    /// <summary>A token request is a handful of short strings; anything larger is left for the OAuth server to refuse.</summary>
    const int MaxBytes = 64 * 1024;

    static readonly PathString[] Paths = ["/oauth/token", "/v4/oauth/token", "/oauth/revoke", "/v4/oauth/revoke"];

    public static async Task Rewrite(HttpContext context, RequestDelegate next)
    {
        var request = context.Request;
        if (HttpMethods.IsPost(request.Method) && Paths.Any(p => request.Path.Equals(p, StringComparison.OrdinalIgnoreCase))
            && request.ContentType?.StartsWith("application/json", StringComparison.OrdinalIgnoreCase) == true
            && request.ContentLength is null or <= MaxBytes)
        {
            var form = await ReadAsFormAsync(request, context.RequestAborted);
            if (form is not null)
            {
                var bytes = Encoding.UTF8.GetBytes(form);
                request.Body = new MemoryStream(bytes);
                request.ContentLength = bytes.Length;
                request.ContentType = "application/x-www-form-urlencoded";
            }
        }
        await next(context);
    }

    /// <summary>The JSON object's scalar members as a form body; null (body left as it was) when it is not such an object.</summary>
    static async Task<string?> ReadAsFormAsync(HttpRequest request, CancellationToken ct)
    {
        request.EnableBuffering(MaxBytes);
        var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, ct);
        request.Body.Position = 0;
        if (buffer.Length > MaxBytes) return null;
        try
        {
            using var json = JsonDocument.Parse(buffer.ToArray());
            if (json.RootElement.ValueKind != JsonValueKind.Object) return null;
            var pairs = new List<string>();
            foreach (var property in json.RootElement.EnumerateObject())
            {
                var value = property.Value.ValueKind switch
                {
                    JsonValueKind.String => property.Value.GetString(),
                    JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => property.Value.GetRawText(),
                    _ => null,
                };
                if (value is not null) pairs.Add($"{Uri.EscapeDataString(property.Name)}={Uri.EscapeDataString(value)}");
            }
            return string.Join('&', pairs);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
