using System.Globalization;
using Mailroom.Server.Api.OAuth;
using Microsoft.AspNetCore.Authentication;
using OpenIddict.Abstractions;
using OpenIddict.Validation.AspNetCore;

namespace Mailroom.Server.Api.V4;

/// <summary>Resolves an OAuth access token (<c>Authorization: Bearer</c>) to its account and scopes.</summary>
static class V4Bearer
{
    /// <summary>
    /// OpenIddict's validation against the local server: signature, encryption, expiry, and (entry validation) that
    /// neither the token nor its grant was revoked. Anything else, garbage included, is null: the pipeline's 401.
    /// </summary>
    public static async Task<V4Caller?> AuthenticateAsync(HttpContext context)
    {
        const string scheme = OpenIddictValidationAspNetCoreDefaults.AuthenticationScheme;
        // The authentication middleware runs only on the OAuth endpoints (OAuthSetup.UseMailroomOAuth), so this
        // does its part for the one scheme: the validation handler sets up its state when it sees the request.
        var handlers = context.RequestServices.GetRequiredService<IAuthenticationHandlerProvider>();
        if (await handlers.GetHandlerAsync(context, scheme) is IAuthenticationRequestHandler handler && await handler.HandleRequestAsync())
            return null;
        var result = await context.AuthenticateAsync(scheme);
        if (!result.Succeeded || result.Principal is not { } principal) return null;
        // The grant's id keys the rate limit: every token of one authorization shares a budget, across refreshes.
        if (!long.TryParse(principal.GetClaim(OAuthSetup.AccountClaim), NumberStyles.None, CultureInfo.InvariantCulture, out var accountId)
            || !long.TryParse(principal.GetAuthorizationId(), NumberStyles.None, CultureInfo.InvariantCulture, out var grantId))
            return null;
        return new V4Caller(accountId, V4CredentialKind.OAuth, grantId, CanWrite: principal.HasScope(OAuthSetup.WriteScope));
    }
}
