using System.Text;
using System.Text.Json;

namespace Mailroom.Server.Api.OAuth;

/// <summary>
/// Kit's PHP SDK 2.x (and so Kit's WordPress plugins) POSTs its code exchange and refresh as a JSON object, which
/// Kit's Rails server accepts like a form; OpenIddict reads only <c>application/x-www-form-urlencoded</c>, as
/// RFC 6749 says. A JSON object of plain values is rewritten to that form before OpenIddict reads it.
/// </summary>
static class OAuthJsonRequests
{
    // A token request is a handful of short fields; anything bigger is not one.
    const int MaxBytes = 64 * 1024;

    public static async Task ToForm(HttpContext context, RequestDelegate next)
    {
        var request = context.Request;
        if (HttpMethods.IsPost(request.Method) && request.HasJsonContentType() && request.ContentLength is null or <= MaxBytes)
        {
            var buffer = new MemoryStream();
            await request.Body.CopyToAsync(buffer, context.RequestAborted);
            if (buffer.Length <= MaxBytes && Form(buffer.ToArray()) is { } form)
            {
                var bytes = Encoding.UTF8.GetBytes(form);
                request.Body = new MemoryStream(bytes);
                request.ContentType = "application/x-www-form-urlencoded";
                request.ContentLength = bytes.Length;
            }
            else
            {
                // Not convertible: OpenIddict sees the original body and answers with its own invalid_request.
                buffer.Position = 0;
                request.Body = buffer;
            }
        }
        await next(context);
    }

    static string? Form(byte[] json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            if (document.RootElement.ValueKind != JsonValueKind.Object) return null;
            var pairs = new List<string>();
            foreach (var property in document.RootElement.EnumerateObject())
            {
                var value = property.Value.ValueKind switch
                {
                    JsonValueKind.String => property.Value.GetString(),
                    JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => property.Value.GetRawText(),
                    JsonValueKind.Null => null,
                    _ => throw new JsonException("nested value"),
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
