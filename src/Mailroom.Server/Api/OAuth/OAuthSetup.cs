using Microsoft.Extensions.Options;
using OpenIddict.Server;
using OpenIddict.Validation;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Mailroom.Server.Api.OAuth;

/// <summary>
/// OAuth 2.0 for Kit's app model (v4 notes §3.1): apps registered with <c>mailroom apps create</c>, the authorization
/// code flow (PKCE S256 for public apps), single-use rotating refresh tokens and revocation, on OpenIddict with its
/// entities in <see cref="AppDbContext"/>. /v4 accepts the access tokens through <see cref="V4.V4Bearer"/>.
/// </summary>
static class OAuthSetup
{
    public const string ReadScope = "read";
    public const string WriteScope = "write";
    /// <summary>The account a token acts for (today also its subject; with users, the subject becomes the person).</summary>
    public const string AccountClaim = "account_id";

    // Kit's document names the /v4/oauth/* addresses; Kit's PHP SDK 2.x (and its WordPress plugins) post to /oauth/*.
    static readonly string[] TokenPaths = ["/v4/oauth/token", "/oauth/token"];
    static readonly string[] AuthorizePaths = ["/v4/oauth/authorize", "/oauth/authorize"];
    static readonly string[] RevokePaths = ["/v4/oauth/revoke", "/oauth/revoke"];

    // Tokens name this issuer rather than the address a request came in on, so a token stays valid whichever host
    // name, proxy or CLI produced it (the CLI has no request at all).
    static readonly Uri Issuer = new("urn:mailroom");

    // inferred: Kit's examples show expires_in 7200 (refresh) and 172800 (code exchange); two hours, as Doorkeeper
    // (Kit's OAuth server) defaults to. Refresh tokens rotate on every use, so a long life only helps an idle app.
    public static readonly TimeSpan AccessTokenLifetime = TimeSpan.FromHours(2);
    static readonly TimeSpan RefreshTokenLifetime = TimeSpan.FromDays(365);

    public static IServiceCollection AddMailroomOAuth(this IServiceCollection services)
    {
        services.AddOpenIddict()
            .AddCore(o => o.UseEntityFrameworkCore().UseDbContext<AppDbContext>().ReplaceDefaultEntities<long>())
            .AddServer(o =>
            {
                o.SetIssuer(Issuer);
                o.SetTokenEndpointUris(TokenPaths).SetAuthorizationEndpointUris(AuthorizePaths).SetRevocationEndpointUris(RevokePaths);
                o.AllowAuthorizationCodeFlow().AllowRefreshTokenFlow();
                o.RegisterScopes(ReadScope, WriteScope);
                o.SetAccessTokenLifetime(AccessTokenLifetime).SetRefreshTokenLifetime(RefreshTokenLifetime);
                // Kit since 2026-05-20: a refresh token works once; a replay is invalid_grant (and OpenIddict then
                // revokes the whole grant, as a stolen token may be the one being replayed). No grace period.
                o.SetRefreshTokenReuseLeeway(TimeSpan.Zero);
                o.Configure(options =>
                {
                    options.CodeChallengeMethods.Clear();
                    options.CodeChallengeMethods.Add(CodeChallengeMethods.Sha256);
                });
                OAuthHandlers.Register(o);
                o.UseAspNetCore()
                    .EnableAuthorizationEndpointPassthrough()
                    // Mailroom runs behind a TLS-terminating proxy (PublicUrl) or on loopback; the check would refuse both.
                    .DisableTransportSecurityRequirement();
            })
            .AddValidation(o =>
            {
                o.UseLocalServer();
                o.UseAspNetCore();
                // A revoked grant or token stops working at once, not when its access token expires.
                o.EnableAuthorizationEntryValidation();
                o.EnableTokenEntryValidation();
            });
        services.AddSingleton<IConfigureOptions<OpenIddictServerOptions>, OAuthKeyRing>();
        services.AddOptions<OpenIddictServerOptions>().Configure<TimeProvider>((o, clock) => o.TimeProvider = clock);
        services.AddOptions<OpenIddictValidationOptions>().Configure<TimeProvider>((o, clock) => o.TimeProvider = clock);
        services.AddOptions<OpenIddict.Core.OpenIddictCoreOptions>().Configure<TimeProvider>((o, clock) => o.TimeProvider = clock);
        services.AddScoped<OAuthApps>();
        return services;
    }

    /// <summary>
    /// OpenIddict answers its endpoints from the authentication middleware, which would otherwise look at every
    /// request; only the OAuth addresses go through it.
    /// </summary>
    public static WebApplication UseMailroomOAuth(this WebApplication app)
    {
        app.UseWhen(c => IsOAuth(c.Request.Path), b => b.Use(OAuthJsonRequests.ToForm).UseAuthentication());
        // WebApplication puts UseAuthentication first in the pipeline unless the app called it, and a branch's call
        // is not seen (its Properties are a copy): without this mark OpenIddict would run on every request, before
        // the JSON rewrite. The key is ASP.NET Core's (AuthAppBuilderExtensions); OAuthTests' JSON refresh catches a change.
        ((IApplicationBuilder)app).Properties["__AuthenticationMiddlewareSet"] = true;
        return app;
    }

    static bool IsOAuth(PathString path) =>
        path.StartsWithSegments("/oauth", StringComparison.OrdinalIgnoreCase) || path.StartsWithSegments("/v4/oauth", StringComparison.OrdinalIgnoreCase);

    public static WebApplication MapMailroomOAuth(this WebApplication app)
    {
        foreach (var path in AuthorizePaths)
            app.MapMethods(path, [HttpMethods.Get, HttpMethods.Post], Authorize)
                .WithMetadata(new V4.AnonymousV4Attribute()).ExcludeFromDescription();
        return app;
    }

    // OpenIddict has already checked the request (client, redirect URI, PKCE) when it gets here. Signing a person in
    // and asking their consent needs users, which Mailroom does not have yet: say so plainly, with 501.
    static IResult Authorize() => Results.Content("""
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><title>Not available yet</title></head>
        <body><h1>Sign-in is not available yet</h1>
        <p>This Mailroom server cannot yet sign you in to authorize an app. Ask its operator for a token
        (<code>mailroom apps token</code>), or use an API key.</p></body></html>
        """, "text/html; charset=utf-8", statusCode: StatusCodes.Status501NotImplemented);
}
