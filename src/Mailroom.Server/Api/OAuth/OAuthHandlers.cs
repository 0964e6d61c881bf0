using OpenIddict.Abstractions;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace Mailroom.Server.Api.OAuth;

/// <summary>Where Kit's OAuth server (Doorkeeper) answers differently from OpenIddict's defaults.</summary>
static class OAuthHandlers
{
    public static void Register(OpenIddictServerBuilder server)
    {
        server.AddEventHandler<ProcessSignInContext>(b => b.UseSingletonHandler<KitTokenResponse>()
            .SetOrder(OpenIddictServerHandlers.EvaluateGeneratedTokens.Descriptor.Order + 1));
        server.AddEventHandler<HandleRevocationRequestContext>(b => b.UseScopedHandler<RevokeWholeGrant>()
            .SetOrder(OpenIddictServerHandlers.Revocation.RevokeToken.Descriptor.Order + 1));
        server.AddEventHandler<ApplyTokenResponseContext>(b => b.UseSingletonHandler<KeepMintedResponse>()
            .SetOrder(int.MinValue + 100_000));
    }

    /// <summary>Marks a sign-in run by <see cref="OAuthApps.MintAsync"/>, which has no HTTP response to write to.</summary>
    public const string MintedProperty = "mailroom:minted";

    /// <summary>A minted token pair is read from the sign-in context by its caller; there is no response to send.</summary>
    sealed class KeepMintedResponse : IOpenIddictServerHandler<ApplyTokenResponseContext>
    {
        public ValueTask HandleAsync(ApplyTokenResponseContext context)
        {
            if (context.Transaction.Properties.ContainsKey(MintedProperty)) context.HandleRequest();
            return default;
        }
    }

    /// <summary>
    /// Every token answer carries a refresh token (Kit's apps never ask for <c>offline_access</c>), the granted
    /// <c>scope</c> and Doorkeeper's <c>created_at</c> (Unix seconds), which Kit's SDKs read to schedule a refresh.
    /// </summary>
    sealed class KitTokenResponse : IOpenIddictServerHandler<ProcessSignInContext>
    {
        public ValueTask HandleAsync(ProcessSignInContext context)
        {
            if (context.EndpointType != OpenIddictServerEndpointType.Token) return default;
            context.GenerateRefreshToken = context.IncludeRefreshToken = true;
            IEnumerable<string> scopes = context.Principal!.GetScopes();
            // A refresh may narrow the scopes; OpenIddict applies that to the new access token.
            if (context.Request.IsRefreshTokenGrantType() && !string.IsNullOrEmpty(context.Request.Scope))
                scopes = scopes.Intersect(context.Request.GetScopes());
            context.Parameters["scope"] = string.Join(' ', scopes);
            context.Parameters["created_at"] = context.Options.TimeProvider.GetUtcNow().ToUnixTimeSeconds();
            return default;
        }
    }

    /// <summary>
    /// inferred: in Doorkeeper an access token and its refresh token are one grant, so revoking either ends both;
    /// here a revocation ends the whole authorization (every token issued through it, including rotated ones).
    /// </summary>
    sealed class RevokeWholeGrant(IOpenIddictAuthorizationManager authorizations, IOpenIddictTokenManager tokens)
        : IOpenIddictServerHandler<HandleRevocationRequestContext>
    {
        public async ValueTask HandleAsync(HandleRevocationRequestContext context)
        {
            if (context.IsRejected || context.GenericTokenPrincipal?.GetAuthorizationId() is not { } id) return;
            if (await authorizations.FindByIdAsync(id, context.CancellationToken) is { } authorization)
                await authorizations.TryRevokeAsync(authorization, context.CancellationToken);
            await tokens.RevokeByAuthorizationIdAsync(id, context.CancellationToken);
        }
    }
}
