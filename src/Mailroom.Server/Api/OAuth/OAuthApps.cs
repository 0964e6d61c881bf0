using System.Globalization;
using System.Security.Claims;
using System.Security.Cryptography;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Mailroom.Server.Api.OAuth;

public sealed record OAuthAppInfo(string ClientId, string Name, bool IsPublic, IReadOnlyList<string> RedirectUris);

public sealed record OAuthTokenPair(string AccessToken, string RefreshToken, long ExpiresIn, long CreatedAt, string Scope);

/// <summary>A bad argument to an OAuth app operation (unknown app or account, bad redirect URI or scope).</summary>
public sealed class OAuthAppException(string message) : Exception(message);

/// <summary>
/// OAuth apps (Kit's "apps": a client id, a secret unless public, redirect URIs), and tokens minted for an account
/// without the browser flow, for operators and tests. Apps belong to no account: any account may authorize one.
/// </summary>
sealed class OAuthApps(IOpenIddictApplicationManager applications, IOpenIddictServerFactory factory,
    IOpenIddictServerDispatcher dispatcher, AppDbContext db)
{
    public static readonly string[] Scopes = [OAuthSetup.ReadScope, OAuthSetup.WriteScope];
    // An app made in the web app's settings is that account's to list and delete; CLI-made apps carry no account.
    // Kept in OpenIddict's own properties column: no schema change.
    const string AccountProperty = "mailroom_account_id";

    /// <summary>Creates an app; the secret (null for a public app) exists only in the answer, stored hashed.</summary>
    public async Task<(string ClientId, string? ClientSecret)> CreateAsync(string name, IReadOnlyList<string> redirectUris, bool isPublic,
        CancellationToken ct, long? accountId = null)
    {
        if (redirectUris.Count == 0) throw new OAuthAppException("an app needs at least one --redirect-uri");
        var clientId = Random(24);
        var secret = isPublic ? null : Random(32);
        var descriptor = new OpenIddictApplicationDescriptor
        {
            ClientId = clientId,
            ClientSecret = secret,
            ClientType = isPublic ? ClientTypes.Public : ClientTypes.Confidential,
            ConsentType = ConsentTypes.Explicit,
            DisplayName = name,
            Permissions =
            {
                Permissions.Endpoints.Authorization, Permissions.Endpoints.Token, Permissions.Endpoints.Revocation,
                Permissions.GrantTypes.AuthorizationCode, Permissions.GrantTypes.RefreshToken, Permissions.ResponseTypes.Code,
                Permissions.Prefixes.Scope + OAuthSetup.ReadScope, Permissions.Prefixes.Scope + OAuthSetup.WriteScope,
            },
        };
        if (accountId is { } owner) descriptor.Properties[AccountProperty] = System.Text.Json.JsonSerializer.SerializeToElement(owner);
        foreach (var uri in redirectUris)
        {
            // OAuth 2.0 (RFC 6749 §3.1.2): absolute, no fragment. Custom schemes stay allowed for native apps; file:
            // is not one, and on Linux .NET reads "/cb" as file:///cb.
            if (!Uri.TryCreate(uri, UriKind.Absolute, out var parsed) || parsed.IsFile || uri.Contains('#'))
                throw new OAuthAppException($"redirect URI {uri} is not an absolute URI without a fragment");
            descriptor.RedirectUris.Add(parsed);
        }
        // A public app cannot keep a secret, so it proves each code exchange with PKCE (S256, the only method enabled).
        if (isPublic) descriptor.Requirements.Add(Requirements.Features.ProofKeyForCodeExchange);
        try
        {
            await applications.CreateAsync(descriptor, ct);
        }
        catch (OpenIddictExceptions.ValidationException e)
        {
            // OpenIddict's own checks of the descriptor, should one of ours above miss a case.
            throw new OAuthAppException(string.Join("; ", e.Results.Select(r => r.ErrorMessage)));
        }
        return (clientId, secret);
    }

    /// <param name="accountId">Only the apps made for this account (the web app); null for every app (the CLI).</param>
    public async Task<List<OAuthAppInfo>> ListAsync(CancellationToken ct, long? accountId = null)
    {
        // Read to the end before looking into each app: PostgreSQL runs one command at a time per connection.
        var apps = new List<object>();
        await foreach (var app in applications.ListAsync(count: null, offset: null, ct)) apps.Add(app);
        var list = new List<OAuthAppInfo>();
        foreach (var app in apps)
            if (accountId is null || await AccountOfAsync(app, ct) == accountId) list.Add(await InfoAsync(app, ct));
        return list;
    }

    /// <summary>Deletes the app with its grants and tokens (they stop working at once); false when there is none (for that account).</summary>
    public async Task<bool> DeleteAsync(string clientId, CancellationToken ct, long? accountId = null)
    {
        if (await applications.FindByClientIdAsync(clientId, ct) is not { } app) return false;
        if (accountId is not null && await AccountOfAsync(app, ct) != accountId) return false;
        await applications.DeleteAsync(app, ct);
        return true;
    }

    /// <summary>
    /// Issues an access and refresh token pair for the account through OpenIddict's own sign-in pipeline, exactly as
    /// the token endpoint would after a code exchange (same grant record, same tokens, refreshable at /oauth/token).
    /// </summary>
    public async Task<OAuthTokenPair> MintAsync(string clientId, long accountId, IReadOnlyCollection<string> scopes, CancellationToken ct)
    {
        if (await applications.FindByClientIdAsync(clientId, ct) is null) throw new OAuthAppException($"no app has client id {clientId}");
        if (!await db.Accounts.AnyAsync(a => a.Id == accountId, ct)) throw new OAuthAppException($"account {accountId} does not exist");
        CheckScopes(scopes);

        var transaction = await factory.CreateTransactionAsync();
        transaction.CancellationToken = ct;
        transaction.EndpointType = OpenIddictServerEndpointType.Token;
        transaction.Properties[OAuthHandlers.MintedProperty] = true;
        transaction.Request = new OpenIddictRequest { ClientId = clientId, Scope = string.Join(' ', scopes) };
        var context = new OpenIddictServerEvents.ProcessSignInContext(transaction)
        {
            Principal = Principal(accountId, scopes),
            Response = new OpenIddictResponse(),
        };
        await dispatcher.DispatchAsync(context);
        if (context.IsRejected || context.AccessToken is null || context.RefreshToken is null)
            throw new InvalidOperationException($"The OAuth server did not issue tokens: {context.Error} {context.ErrorDescription}");
        return new OAuthTokenPair(context.AccessToken, context.RefreshToken, (long)OAuthSetup.AccessTokenLifetime.TotalSeconds,
            (long)context.Parameters["created_at"], (string)context.Parameters["scope"]!);
    }

    public static void CheckScopes(IReadOnlyCollection<string> scopes)
    {
        if (scopes.Count == 0) throw new OAuthAppException("scope must name read, write or both");
        if (scopes.FirstOrDefault(s => !Scopes.Contains(s)) is { } unknown)
            throw new OAuthAppException($"unknown scope {unknown}: the scopes are read and write");
    }

    /// <summary>
    /// The identity a grant is made to: the account (subject and <see cref="OAuthSetup.AccountClaim"/>) and the
    /// granted scopes, all in the access token. The authorize page uses the same when it signs a person in.
    /// </summary>
    public static ClaimsPrincipal Principal(long accountId, IEnumerable<string> scopes)
    {
        var id = accountId.ToString(CultureInfo.InvariantCulture);
        var identity = new ClaimsIdentity("mailroom", Claims.Name, Claims.Role);
        identity.SetClaim(Claims.Subject, id);
        identity.SetClaim(OAuthSetup.AccountClaim, id);
        identity.SetScopes(scopes);
        foreach (var claim in identity.Claims) claim.SetDestinations(Destinations.AccessToken);
        return new ClaimsPrincipal(identity);
    }

    async Task<long?> AccountOfAsync(object app, CancellationToken ct) =>
        (await applications.GetPropertiesAsync(app, ct)).TryGetValue(AccountProperty, out var value)
        && value.ValueKind == System.Text.Json.JsonValueKind.Number ? value.GetInt64() : null;

    async Task<OAuthAppInfo> InfoAsync(object app, CancellationToken ct) => new(
        (await applications.GetClientIdAsync(app, ct))!,
        await applications.GetDisplayNameAsync(app, ct) ?? "",
        await applications.HasClientTypeAsync(app, ClientTypes.Public, ct),
        [.. await applications.GetRedirectUrisAsync(app, ct)]);

    static string Random(int bytes) => Base64UrlEncode(RandomNumberGenerator.GetBytes(bytes));

    static string Base64UrlEncode(byte[] data) => Convert.ToBase64String(data).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
