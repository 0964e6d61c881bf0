namespace Mailroom.Server.Api.V4;

/// <summary>Resolves an OAuth access token (<c>Authorization: Bearer</c>) to its account and scopes.</summary>
static class V4Bearer
{
    // The OAuth server (OpenIddict) validates tokens here once it is configured; until then no token is valid.
    public static Task<V4Caller?> AuthenticateAsync(HttpContext context) => Task.FromResult<V4Caller?>(null);
}
