using Mailroom.Server.Domain;
using Mailroom.Server.Domain.Subscriptions;
using static Mailroom.Server.Domain.Subscriptions.SubscriptionService;

namespace Mailroom.Server.Api;

/// <summary>
/// The double opt-in link of confirmation emails: <c>{PublicUrl}/confirm/{token}</c>. A GET only shows a page; the
/// confirmation is its POST, so mail scanners that prefetch every link confirm nothing nobody asked for.
/// </summary>
static class ConfirmationEndpoints
{
    public static IEndpointRouteBuilder MapConfirmation(this IEndpointRouteBuilder app)
    {
        app.MapGet("/confirm/{token}", Page).ExcludeFromDescription().WithLinkPageHeaders();
        // The token is the secret (only the recipient's inbox has it), so no antiforgery cookie: the link works in
        // any browser, even one that opens it without the sign-up's cookies. Cross-site posts are refused.
        app.MapPost("/confirm/{token}", Confirm).ExcludeFromDescription().DisableAntiforgery().WithLinkPageHeaders();
        return app;
    }

    static async Task<IResult> Page(string token, SubscriptionService subscriptions, CancellationToken ct) =>
        await subscriptions.IsConfirmationTokenAsync(token, ct)
            ? Pages.SelfPostingAction("Confirm your subscription", "Press the button to confirm your subscription.",
                "Confirm subscription", autoSubmit: true)
            : LinkNotValid();

    static async Task<IResult> Confirm(string token, HttpRequest request, PublicUrl publicUrl, SubscriptionService subscriptions, CancellationToken ct)
    {
        if (Pages.IsCrossSitePost(request, publicUrl)) return Pages.CrossSiteRefused();
        // Idempotent: confirming an already confirmed subscription answers the same page and changes nothing.
        var (outcome, _) = await subscriptions.ConfirmAsync(token, ct);
        if (outcome == ConfirmOutcome.NotFound) return LinkNotValid();
        if (outcome == ConfirmOutcome.Blocked)
            return Pages.Message("Can't confirm", "This address can't receive our email, so it can't be confirmed.", 409);
        return Pages.Message("Subscription confirmed", "Thanks for confirming your subscription. You can close this page.");
    }

    static IResult LinkNotValid() =>
        Pages.Message("Link not valid", "This confirmation link is not valid. It may have been replaced by a newer email, or cut short.", 404);
}
