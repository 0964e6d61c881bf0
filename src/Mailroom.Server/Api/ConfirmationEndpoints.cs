using Mailroom.Server.Domain.Subscriptions;
using static Mailroom.Server.Domain.Subscriptions.SubscriptionService;

namespace Mailroom.Server.Api;

/// <summary>The double opt-in link of confirmation emails: <c>{PublicUrl}/confirm/{token}</c>.</summary>
static class ConfirmationEndpoints
{
    public static IEndpointRouteBuilder MapConfirmation(this IEndpointRouteBuilder app)
    {
        app.MapGet("/confirm/{token}", Confirm).ExcludeFromDescription();
        return app;
    }

    static async Task<IResult> Confirm(string token, SubscriptionService subscriptions, CancellationToken ct)
    {
        var (outcome, _) = await subscriptions.ConfirmAsync(token, ct);
        if (outcome == ConfirmOutcome.NotFound)
            return Pages.Message("Link not valid", "This confirmation link is not valid. It may have been replaced by a newer email, or cut short.", 404);
        if (outcome == ConfirmOutcome.Blocked)
            return Pages.Message("Can't confirm", "This address can't receive our email, so it can't be confirmed.", 409);
        return Pages.Message("Subscription confirmed", "Thanks for confirming your subscription. You can close this page.");
    }
}
