namespace Mailroom.Client.V4;

/// <summary>An access token, the refresh token that renews it, and when it expires (null when unknown).</summary>
/// <param name="AccessToken">Sent as <c>Authorization: Bearer</c>.</param>
/// <param name="RefreshToken">Exchanged for a new pair at the token endpoint. Single-use at Kit: keep the newest one.</param>
/// <param name="ExpiresAt">When the access token expires; null means "until the server answers 401".</param>
public sealed record KitOAuthTokens(string AccessToken, string RefreshToken, DateTimeOffset? ExpiresAt = null);

/// <summary>
/// The OAuth credential of a <see cref="KitClient"/>: the app's client id (and secret, for a confidential app) and the
/// current token pair. The client refreshes the pair with <c>grant_type=refresh_token</c> when the access token is about
/// to expire or an answer is 401; Kit rotates refresh tokens (each is single-use), so every refresh hands the new pair to
/// <see cref="TokensRefreshed"/> for the app to persist.
/// </summary>
/// <remarks>
/// One refresh runs at a time: concurrent calls that meet an expired token wait for the same refresh and then use its
/// result, so a single-use refresh token is never sent twice. Share one session between all clients of one account.
/// </remarks>
public sealed class KitOAuthSession
{
    readonly SemaphoreSlim _refresh = new(1, 1);
    KitOAuthTokens _tokens;

    /// <summary>Creates a session from an app's identity and the tokens it holds.</summary>
    /// <param name="clientId">The app's <c>client_id</c>.</param>
    /// <param name="clientSecret">The app's <c>client_secret</c>; null for a public app (PKCE).</param>
    /// <param name="tokens">The current token pair.</param>
    public KitOAuthSession(string clientId, string? clientSecret, KitOAuthTokens tokens)
    {
        ArgumentException.ThrowIfNullOrEmpty(clientId);
        ArgumentNullException.ThrowIfNull(tokens);
        ClientId = clientId;
        ClientSecret = clientSecret;
        _tokens = tokens;
    }

    /// <summary>The app's <c>client_id</c>.</summary>
    public string ClientId { get; }

    /// <summary>The app's <c>client_secret</c>, or null for a public app.</summary>
    public string? ClientSecret { get; }

    /// <summary>The current token pair (after any refresh).</summary>
    public KitOAuthTokens Tokens => Volatile.Read(ref _tokens);

    /// <summary>
    /// Called after every refresh with the new pair, before any call uses it; persist it here (the old refresh token no
    /// longer works). Runs inside the refresh, so pairs are reported in the order they were issued. An exception thrown
    /// here fails the call that triggered the refresh; the session keeps the new pair.
    /// </summary>
    public Func<KitOAuthTokens, CancellationToken, Task>? TokensRefreshed { get; init; }

    /// <summary>
    /// The token endpoint. Null means <c>oauth/token</c> under the client's base address
    /// (<c>https://api.kit.com/v4/oauth/token</c>, the <c>tokenUrl</c> of Kit's document).
    /// </summary>
    public Uri? TokenEndpoint { get; init; }

    /// <summary>How long before <see cref="KitOAuthTokens.ExpiresAt"/> the token is refreshed ahead of use. Default 1 minute.</summary>
    public TimeSpan ExpiryMargin { get; init; } = TimeSpan.FromMinutes(1);

    internal bool IsExpiring(KitOAuthTokens tokens, TimeProvider time) =>
        tokens.ExpiresAt is { } expires && time.GetUtcNow() >= expires - ExpiryMargin;

    /// <summary>
    /// Replaces the pair whose access token was <paramref name="stale"/> using <paramref name="exchange"/>, unless another
    /// caller already did while this one waited: then its result is returned and nothing is sent.
    /// </summary>
    internal async Task<KitOAuthTokens> RefreshAsync(string stale,
        Func<KitOAuthTokens, CancellationToken, Task<KitOAuthTokens>> exchange, CancellationToken ct)
    {
        await _refresh.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            var current = Tokens;
            if (current.AccessToken != stale) return current;
            var fresh = await exchange(current, ct).ConfigureAwait(false);
            Volatile.Write(ref _tokens, fresh);
            if (TokensRefreshed is { } persist) await persist(fresh, ct).ConfigureAwait(false);
            return fresh;
        }
        finally
        {
            _refresh.Release();
        }
    }
}
