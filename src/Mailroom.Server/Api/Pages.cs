using System.Net;
using System.Security.Cryptography;
using System.Text;
using Mailroom.Server.Domain;

namespace Mailroom.Server.Api;

/// <summary>Small, plain, accessible HTML pages with no external assets (confirmation, unsubscribe, errors).</summary>
static class Pages
{
    const string Style = """
        body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;max-width:34rem;margin:3rem auto;padding:0 1rem;line-height:1.5;color:#1a1a1a}
        h1{font-size:1.5rem}
        label{display:block;margin:.75rem 0 .25rem;font-weight:600}
        input[type=email],input[type=text],input[type=password]{width:100%;padding:.5rem;font-size:1rem;box-sizing:border-box}
        button{margin-top:1rem;padding:.6rem 1.2rem;font-size:1rem;cursor:pointer}
        .hp{position:absolute;left:-10000px;width:1px;height:1px;overflow:hidden}
        .error{color:#a40000}
        """;

    /// <summary>
    /// The one script a guarded page may run: it submits the page's form, so a person following a link acts with one
    /// click while a fetch that runs no script changes nothing. Allowed by its hash, never by 'unsafe-inline'.
    /// </summary>
    public const string SubmitScript = "document.getElementById('act').submit();";

    // inferred: the strictest policy these pages still work under: their own style block and the submit script by
    // hash, forms posting to this server only, no framing, no plugins, no <base> rewriting where links go.
    public static readonly string ContentSecurityPolicy =
        $"default-src 'none'; style-src '{Sha256Source(Style)}'; script-src '{Sha256Source(SubmitScript)}'; "
        + "form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    public static IResult Html(string title, string bodyHtml, int status = 200) =>
        Results.Content(Document(title, bodyHtml), "text/html; charset=utf-8", statusCode: status);

    /// <summary>The whole page as text, for the web app's preview of the hosted form (the same document, in a sandbox).</summary>
    public static string Document(string title, string bodyHtml) => $$"""
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{{WebUtility.HtmlEncode(title)}}</title>
        <style>{{Style}}</style>
        </head>
        <body>
        <main>
        {{bodyHtml}}
        </main>
        </body>
        </html>
        """;

    public static IResult Message(string title, string text, int status = 200) =>
        Html(title, $"<h1>{WebUtility.HtmlEncode(title)}</h1>\n<p>{WebUtility.HtmlEncode(text)}</p>", status);

    /// <summary>
    /// A page whose form posts back to the address it was fetched from (the link in the email, whatever path prefix a
    /// proxy adds) and, where script runs, submits itself; the button stays for anyone without script.
    /// </summary>
    public static IResult SelfPostingAction(string title, string text, string button, bool autoSubmit) =>
        Html(title, $"""
            <h1>{WebUtility.HtmlEncode(title)}</h1>
            <p>{WebUtility.HtmlEncode(text)}</p>
            <form id="act" method="post">
            <button type="submit">{WebUtility.HtmlEncode(button)}</button>
            </form>
            """ + (autoSubmit ? $"\n<script>{SubmitScript}</script>" : ""));

    public static IResult NotFound() => Message("Link not found", "This link is not valid. It may have been mistyped or cut short.", 404);

    /// <summary>
    /// Marks the pages behind an emailed link (confirm, unsubscribe): every answer, error pages included, refuses to
    /// be framed, runs only the hashed script, is not cached, and sends the token-bearing URL as no referrer elsewhere.
    /// </summary>
    public static TBuilder WithLinkPageHeaders<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(async (context, next) =>
        {
            var headers = context.HttpContext.Response.Headers;
            headers.XFrameOptions = "DENY";
            headers.ContentSecurityPolicy = ContentSecurityPolicy;
            // same-origin, not no-referrer: with no-referrer browsers send "Origin: null" on the page's own POST.
            headers["Referrer-Policy"] = "same-origin";
            headers.XContentTypeOptions = "nosniff";
            headers.CacheControl = "no-store";
            return await next(context);
        });

    /// <summary>
    /// Whether a POST to a link page was made by another site's page. The token in the URL is the real secret (only
    /// the recipient has it), so this is defence in depth, and it must let through what has no browser context at
    /// all: RFC 8058 one-click unsubscribes come from mail servers with neither Sec-Fetch-Site nor Origin.
    /// </summary>
    public static bool IsCrossSitePost(HttpRequest request, PublicUrl publicUrl)
    {
        var site = request.Headers["Sec-Fetch-Site"].ToString();
        if (site.Length > 0) return site is not ("same-origin" or "none");
        var origin = request.Headers.Origin.ToString();
        if (origin.Length == 0) return false;
        var own = $"{request.Scheme}://{request.Host}";
        return !string.Equals(origin, own, StringComparison.OrdinalIgnoreCase)
            && !string.Equals(origin, OriginOf(publicUrl.Value), StringComparison.OrdinalIgnoreCase);
    }

    public static IResult CrossSiteRefused() =>
        Message("Not allowed", "This request came from another site. Open the link from your email instead.", 403);

    static string? OriginOf(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) ? uri.GetLeftPart(UriPartial.Authority) : null;

    static string Sha256Source(string inline) => "sha256-" + Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(inline)));
}
