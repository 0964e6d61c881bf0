using System.Globalization;
using Mailroom.Server.Delivery;

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
}
