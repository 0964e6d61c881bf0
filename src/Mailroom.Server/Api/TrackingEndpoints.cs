using System.Globalization;
using Mailroom.Server.Delivery;
using Mailroom.Server.Domain;
using Mailroom.Server.Delivery.Broadcasts;

namespace Mailroom.Server.Api;

/// <summary>The links inside sent mail: open pixel, tracked clicks and unsubscribe. Public, no credentials.</summary>
static class TrackingEndpoints
{
    // The smallest transparent GIF (43 bytes).
    static readonly byte[] Pixel = Convert.FromBase64String("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7");

    public static IEndpointRouteBuilder MapTracking(this IEndpointRouteBuilder app)
    {
        app.MapGet("/o/{token}", Open).ExcludeFromDescription();
        app.MapGet("/c/{token}", Click).ExcludeFromDescription();
        app.MapGet("/u/{token}", UnsubscribePage).ExcludeFromDescription().WithLinkPageHeaders();
        // Mail clients' one-click unsubscribe (RFC 8058) posts "List-Unsubscribe=One-Click" here, without a page.
        app.MapPost("/u/{token}", Unsubscribe).ExcludeFromDescription().DisableAntiforgery().WithLinkPageHeaders();
        return app;
    }

    static async Task<IResult> Open(string token, Tracking tracking, HttpContext http, CancellationToken ct)
    {
        await tracking.RecordOpenAsync(token, ct);
        http.Response.Headers.CacheControl = "no-store, no-cache, must-revalidate";
        // The pixel is served whatever the token: a scanner learns nothing about which tokens exist.
        return Results.File(Pixel, "image/gif");
    }

    static async Task<IResult> Click(string token, Tracking tracking, CancellationToken ct)
    {
        var dash = token.LastIndexOf('-');
        if (dash <= 0 || !int.TryParse(token[(dash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var index))
            return Pages.NotFound();
        var url = await tracking.RecordClickAsync(token[..dash], index, ct);
        return url is null ? Pages.NotFound() : Results.Redirect(url);
    }

    static async Task<IResult> UnsubscribePage(string token, Tracking tracking, CancellationToken ct)
    {
        // GET never unsubscribes: link scanners and mail previews follow links, people press buttons.
        if (!await tracking.IsKnownAsync(token, ct)) return Pages.NotFound();
        return Pages.Html("Unsubscribe", $"""
            <h1>Unsubscribe</h1>
            <p>Press the button to stop receiving these emails.</p>
            <form method="post" action="/u/{System.Net.WebUtility.HtmlEncode(token)}">
            <button type="submit">Unsubscribe</button>
            </form>
            """);
    }

    static async Task<IResult> Unsubscribe(string token, HttpRequest request, PublicUrl publicUrl, Tracking tracking, CancellationToken ct)
    {
        // Mail servers' one-click posts carry no Origin or Sec-Fetch-Site and pass; another site's page does not.
        if (Pages.IsCrossSitePost(request, publicUrl)) return Pages.CrossSiteRefused();
        return await tracking.UnsubscribeAsync(token, ct)
            ? Pages.Message("Unsubscribed", "You won't receive these emails any more.")
            : Pages.NotFound();
    }
}
