using Mailroom.Client.Tests.Infrastructure;
using Mailroom.Server.Tests.Infrastructure;

namespace Mailroom.Client.Tests.V4;

using Mailroom.Client.V4;

/// <summary>
/// The OAuth credential against the real token endpoint: bearer calls, refresh on 401 and ahead of expiry, rotation
/// (the new refresh token replaces the old, which is then refused), and one refresh under concurrency.
/// </summary>
public sealed class OAuthKitTests
{
    sealed class Persisted
    {
        readonly List<KitOAuthTokens> _pairs = [];
        public IReadOnlyList<KitOAuthTokens> Pairs { get { lock (_pairs) return [.. _pairs]; } }

        public Task SaveAsync(KitOAuthTokens tokens, CancellationToken ct)
        {
            lock (_pairs) _pairs.Add(tokens);
            return Task.CompletedTask;
        }
    }

    static async Task<(TestAccount Account, string ClientId, string ClientSecret, KitOAuthTokens Tokens)> ArrangeAsync(MailroomApp app)
    {
        var account = await app.CreateAccountAsync();
        var (clientId, clientSecret) = await app.CreateOAuthAppAsync();
        return (account, clientId, clientSecret, await app.MintTokensAsync(clientId, account.Id));
    }

    static (KitClient Kit, RecordingHandler Recorder) Client(MailroomApp app, KitOAuthSession session, TimeProvider? time = null)
    {
        var recorder = new RecordingHandler { InnerHandler = app.Server.CreateHandler() };
        return (app.KitWithOAuth(session, new HttpClient(recorder), time), recorder);
    }

    static int TokenRequests(RecordingHandler recorder) =>
        recorder.Requests.Count(r => r.Method == HttpMethod.Post && r.Uri.AbsolutePath == "/v4/oauth/token");

    [Theory, Providers]
    public async Task Call_ValidAccessToken_SendsItAsBearerWithoutRefreshing(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var (_, clientId, secret, tokens) = await ArrangeAsync(app);
        var persisted = new Persisted();
        var (kit, recorder) = Client(app, new KitOAuthSession(clientId, secret, tokens) { TokensRefreshed = persisted.SaveAsync });

        var page = await kit.ListSegmentsAsync();

        Assert.Empty(page.Items);
        Assert.Equal(0, TokenRequests(recorder));
        Assert.Empty(persisted.Pairs);
    }

    [Theory, Providers]
    public async Task Call_AccessTokenRefused_RefreshesRotatesPersistsAndRetriesOnce(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var (_, clientId, secret, tokens) = await ArrangeAsync(app);
        var persisted = new Persisted();
        // An access token the server no longer accepts, with a refresh token it does.
        var session = new KitOAuthSession(clientId, secret, tokens with { AccessToken = "expired-or-revoked" }) { TokensRefreshed = persisted.SaveAsync };
        var (kit, recorder) = Client(app, session);

        await kit.ListSegmentsAsync();

        var fresh = Assert.Single(persisted.Pairs);
        Assert.Equal(fresh, session.Tokens);
        Assert.NotEqual(tokens.RefreshToken, fresh.RefreshToken);
        Assert.NotEqual(tokens.AccessToken, fresh.AccessToken);
        Assert.Equal(["GET /v4/segments", "POST /v4/oauth/token", "GET /v4/segments"],
            recorder.Requests.Select(r => $"{r.Method} {r.Uri.AbsolutePath}"));
        Assert.Contains("grant_type=refresh_token", recorder.Requests[1].Body);
        // The new pair works from now on, without another refresh.
        await kit.ListSegmentsAsync();
        Assert.Equal(1, TokenRequests(recorder));
    }

    [Theory, Providers]
    public async Task Refresh_ReplayedRefreshToken_IsRefusedAsInvalidGrant(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var (_, clientId, secret, tokens) = await ArrangeAsync(app);
        var first = app.KitWithOAuth(new KitOAuthSession(clientId, secret, tokens with { AccessToken = "stale" }));
        await first.ListSegmentsAsync();

        // A second holder of the old pair (a copy the app failed to replace) cannot refresh with the used token.
        var replay = app.KitWithOAuth(new KitOAuthSession(clientId, secret, tokens with { AccessToken = "stale" }));
        var e = await Assert.ThrowsAsync<ConvertKitApiException>(() => replay.ListSegmentsAsync());

        Assert.Equal((400, "invalid_grant"), ((int)e.StatusCode, e.Error));
    }

    [Theory, Providers]
    public async Task Call_TokenPastItsExpiry_RefreshesBeforeSending(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var (_, clientId, secret, tokens) = await ArrangeAsync(app);
        var session = new KitOAuthSession(clientId, secret, tokens with { ExpiresAt = app.Clock.GetUtcNow().AddSeconds(30) });
        var (kit, recorder) = Client(app, session, app.Clock);

        await kit.ListSegmentsAsync();

        // 30 seconds left is inside the one-minute margin: the first request is the refresh, and no 401 is spent.
        Assert.Equal(["POST /v4/oauth/token", "GET /v4/segments"], recorder.Requests.Select(r => $"{r.Method} {r.Uri.AbsolutePath}"));
        Assert.True(session.Tokens.ExpiresAt > app.Clock.GetUtcNow().AddMinutes(1));
    }

    [Theory, Providers]
    public async Task ConcurrentCalls_TokenRefused_RefreshOnceAndAllSucceed(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var (_, clientId, secret, tokens) = await ArrangeAsync(app);
        var persisted = new Persisted();
        var session = new KitOAuthSession(clientId, secret, tokens with { AccessToken = "stale" }) { TokensRefreshed = persisted.SaveAsync };
        var (kit, recorder) = Client(app, session);

        var pages = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => kit.ListSegmentsAsync()));

        Assert.Equal(8, pages.Length);
        Assert.Equal(1, TokenRequests(recorder));
        Assert.Single(persisted.Pairs);
    }
}
