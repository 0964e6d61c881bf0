using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Mailroom.Data;
using Mailroom.Server.Tests.Cli;
using Mailroom.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Mailroom.Server.Tests.Api.V4;

/// <summary>OAuth 2.0 over real HTTP: tokens from the CLI, bearer access to /v4, refresh, revocation, expiry, restarts.</summary>
public sealed class OAuthTests
{
    const string Invalid = "The access token is invalid";

    [Theory, Providers]
    public async Task MintedToken_OpensV4_AndSeesOnlyItsOwnAccount(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var acme = await app.CreateAccountAsync("Acme", "owner@acme.test");
        var globex = await app.CreateAccountAsync("Globex", "owner@globex.test");
        await AddSegmentAsync(app, acme.Id, "Acme VIPs");
        await AddSegmentAsync(app, globex.Id, "Globex VIPs");
        var registered = await V4OAuth.CreateAppAsync(app);

        var acmeClient = new V4Client(app, bearer: (await V4OAuth.MintAsync(app, registered.ClientId, acme.Id)).AccessToken);
        var globexClient = new V4Client(app, bearer: (await V4OAuth.MintAsync(app, registered.ClientId, globex.Id, "read")).AccessToken);

        Assert.Equal("""["Acme VIPs"]""", Names(await acmeClient.GetAsync("/v4/segments")));
        Assert.Equal("""["Globex VIPs"]""", Names(await globexClient.GetAsync("/v4/segments")));
    }

    [Theory, Providers]
    public async Task ReadOnlyToken_Reads_ButGets403OnAWrite_WhileAReadWriteTokenWrites(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var reader = await V4OAuth.ClientAsync(app, account.Id, "read");
        var writer = await V4OAuth.ClientAsync(app, account.Id, "read write");
        var layout = await app.AddLayoutAsync(account.Id);

        await reader.GetAsync("/v4/sequences");
        await reader.AssertErrorAsync(HttpMethod.Post, "/v4/sequences", 403, new { name = "Welcome" },
            "You do not have sufficient permissions to access this resource. Please contact support.");
        var created = await writer.PostAsync("/v4/sequences", new { name = "Welcome", email_template_id = layout.Id }, 201);

        Assert.Equal("Welcome", created["sequence"]!["name"]!.GetValue<string>());
        Assert.Equal(1, await app.DbAsync(db => db.Sequences.CountAsync()));
    }

    [Theory, Providers]
    public async Task AppsToken_PrintsKitsTokenShape_OnceAsJson(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var registered = await V4OAuth.CreateAppAsync(app);

        var minted = await CliRunner.RunAsync(app.Database, "apps", "token", "--client-id", registered.ClientId, "--account", account.Id.ToString(), "--scope", "read");

        minted.AssertSuccess();
        var json = JsonNode.Parse(minted.Output)!.AsObject();
        Assert.Equal(["access_token", "refresh_token", "token_type", "expires_in", "created_at", "scope"], json.Select(p => p.Key));
        Assert.Equal(("Bearer", 7200, "read"), (json["token_type"]!.GetValue<string>(), json["expires_in"]!.GetValue<int>(), json["scope"]!.GetValue<string>()));
        Assert.NotEqual(json["access_token"]!.GetValue<string>(), json["refresh_token"]!.GetValue<string>());
        // Tokens are never stored in the clear.
        var tokens = await app.DbAsync(db => db.Set<OpenIddict.EntityFrameworkCore.Models.OpenIddictEntityFrameworkCoreToken<long>>().Select(t => t.Payload).ToListAsync());
        Assert.DoesNotContain(json["access_token"]!.GetValue<string>(), tokens);
    }

    [Theory, Providers]
    public async Task Refresh_AtOAuthToken_GivesANewPair_AndTheOldRefreshTokenIsInvalidGrant(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var registered = await V4OAuth.CreateAppAsync(app);
        var first = await V4OAuth.MintAsync(app, registered.ClientId, account.Id);

        var (status, refreshed) = await TokenAsync(app, "/oauth/token", RefreshForm(registered, first.RefreshToken));
        var (replayStatus, replay) = await TokenAsync(app, "/oauth/token", RefreshForm(registered, first.RefreshToken));

        Assert.Equal(200, status);
        Assert.Equal(("Bearer", 7200, "read write", MailroomApp.Start.ToUnixTimeSeconds()), (refreshed["token_type"]!.GetValue<string>(),
            refreshed["expires_in"]!.GetValue<int>(), refreshed["scope"]!.GetValue<string>(), refreshed["created_at"]!.GetValue<long>()));
        Assert.NotEqual(first.RefreshToken, refreshed["refresh_token"]!.GetValue<string>());
        Assert.Equal(400, replayStatus);
        Assert.Equal("invalid_grant", replay["error"]!.GetValue<string>());
    }

    [Theory, Providers]
    public async Task Refresh_AtV4OAuthToken_AsJsonLikeKitsPhpSdk_Works(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        await AddSegmentAsync(app, account.Id, "VIPs");
        var registered = await V4OAuth.CreateAppAsync(app);
        var first = await V4OAuth.MintAsync(app, registered.ClientId, account.Id);

        // Kit's PHP SDK 2.x: a JSON body with client_id, client_secret, grant_type, refresh_token and redirect_uri.
        using var response = await app.Http.PostAsJsonAsync("/v4/oauth/token", RefreshForm(registered, first.RefreshToken));
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.True(200 == (int)response.StatusCode, body.ToJsonString());
        var client = new V4Client(app, bearer: body["access_token"]!.GetValue<string>());
        Assert.Equal("""["VIPs"]""", Names(await client.GetAsync("/v4/segments")));
    }

    [Theory, Providers]
    public async Task Revoke_EndsTheWholeGrant_WhicheverTokenIsRevoked(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var registered = await V4OAuth.CreateAppAsync(app);
        var byAccess = await V4OAuth.MintAsync(app, registered.ClientId, account.Id);
        var byRefresh = await V4OAuth.MintAsync(app, registered.ClientId, account.Id);
        var untouched = await V4OAuth.MintAsync(app, registered.ClientId, account.Id);
        await new V4Client(app, bearer: byAccess.AccessToken).GetAsync("/v4/segments");

        var revokedAccess = await PostFormAsync(app, "/oauth/revoke", new() { ["client_id"] = registered.ClientId, ["client_secret"] = registered.ClientSecret, ["token"] = byAccess.AccessToken });
        var revokedRefresh = await PostFormAsync(app, "/v4/oauth/revoke", new() { ["client_id"] = registered.ClientId, ["client_secret"] = registered.ClientSecret, ["token"] = byRefresh.RefreshToken });

        Assert.Equal(200, revokedAccess);
        Assert.Equal(200, revokedRefresh);
        await new V4Client(app, bearer: byAccess.AccessToken).AssertErrorAsync(HttpMethod.Get, "/v4/segments", 401, null, Invalid);
        await new V4Client(app, bearer: byRefresh.AccessToken).AssertErrorAsync(HttpMethod.Get, "/v4/segments", 401, null, Invalid);
        var (status, body) = await TokenAsync(app, "/oauth/token", RefreshForm(registered, byAccess.RefreshToken));
        Assert.Equal((400, "invalid_grant"), (status, body["error"]!.GetValue<string>()));
        await new V4Client(app, bearer: untouched.AccessToken).GetAsync("/v4/segments");
    }

    [Theory, Providers]
    public async Task GarbageAndExpiredTokens_Are401(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var registered = await V4OAuth.CreateAppAsync(app);
        var minted = await V4OAuth.MintAsync(app, registered.ClientId, account.Id);
        // A token issued by the server itself carries the server's (fake) clock, which the test can move.
        var (_, refreshed) = await TokenAsync(app, "/oauth/token", RefreshForm(registered, minted.RefreshToken));
        var client = new V4Client(app, bearer: refreshed["access_token"]!.GetValue<string>());
        var tampered = refreshed["access_token"]!.GetValue<string>()[..^4] + "AAAA";

        await client.GetAsync("/v4/segments");
        app.Clock.Advance(TimeSpan.FromHours(2) - TimeSpan.FromSeconds(5));
        await client.GetAsync("/v4/segments");
        app.Clock.Advance(TimeSpan.FromSeconds(10));

        await client.AssertErrorAsync(HttpMethod.Get, "/v4/segments", 401, null, Invalid);
        foreach (var garbage in new[] { "garbage", tampered, minted.RefreshToken, new string('a', 5000) })
            await new V4Client(app, bearer: garbage).AssertErrorAsync(HttpMethod.Get, "/v4/segments", 401, null, Invalid);
    }

    [Theory, Providers]
    public async Task Tokens_SurviveARestart(string provider)
    {
        var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var registered = await V4OAuth.CreateAppAsync(app);
        var minted = await V4OAuth.MintAsync(app, registered.ClientId, account.Id);
        await new V4Client(app, bearer: minted.AccessToken).GetAsync("/v4/segments");
        var database = await app.StopKeepingDatabaseAsync();

        await using var restarted = MailroomApp.StartOn(database);
        await new V4Client(restarted, bearer: minted.AccessToken).GetAsync("/v4/segments");
        var (status, _) = await TokenAsync(restarted, "/oauth/token", RefreshForm(registered, minted.RefreshToken));
        Assert.Equal(200, status);
    }

    [Theory, Providers]
    public async Task TwoApps_EachRefreshesOnlyItsOwnTokens_AndDeletingOneEndsOnlyItsTokens(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var first = await V4OAuth.CreateAppAsync(app, "First");
        var second = await V4OAuth.CreateAppAsync(app, "Second");
        var firstTokens = await V4OAuth.MintAsync(app, first.ClientId, account.Id);
        var secondTokens = await V4OAuth.MintAsync(app, second.ClientId, account.Id);

        var (crossStatus, cross) = await TokenAsync(app, "/oauth/token", RefreshForm(second, firstTokens.RefreshToken));
        var (wrongSecretStatus, wrongSecret) = await TokenAsync(app, "/oauth/token", RefreshForm(first with { ClientSecret = second.ClientSecret }, firstTokens.RefreshToken));
        var deleted = await CliRunner.RunAsync(app.Database, "apps", "delete", first.ClientId);

        Assert.Equal((400, "invalid_grant"), (crossStatus, cross["error"]!.GetValue<string>()));
        Assert.Equal((401, "invalid_client"), (wrongSecretStatus, wrongSecret["error"]!.GetValue<string>()));
        deleted.AssertSuccess();
        await new V4Client(app, bearer: firstTokens.AccessToken).AssertErrorAsync(HttpMethod.Get, "/v4/segments", 401, null, Invalid);
        await new V4Client(app, bearer: secondTokens.AccessToken).GetAsync("/v4/segments");
    }

    [Theory, Providers]
    public async Task RateLimit_IsPerGrant_AndSurvivesRefresh(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider, new() { ["RateLimit:OAuthPermitsPerMinute"] = "2" });
        var account = await app.CreateAccountAsync();
        var registered = await V4OAuth.CreateAppAsync(app);
        var grant = await V4OAuth.MintAsync(app, registered.ClientId, account.Id);
        var otherGrant = await V4OAuth.MintAsync(app, registered.ClientId, account.Id);
        var client = new V4Client(app, bearer: grant.AccessToken);

        await client.GetAsync("/v4/segments");
        await client.GetAsync("/v4/segments");
        var (_, refreshed) = await TokenAsync(app, "/oauth/token", RefreshForm(registered, grant.RefreshToken));
        using var limited = await new V4Client(app, bearer: refreshed["access_token"]!.GetValue<string>()).SendAsync(HttpMethod.Get, "/v4/segments");
        await new V4Client(app, bearer: otherGrant.AccessToken).GetAsync("/v4/segments");

        Assert.Equal(429, (int)limited.StatusCode);
    }

    [Theory, Providers]
    public async Task PublicApp_RefreshesWithoutASecret_ConfidentialAppNeedsItsSecret(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var created = await CliRunner.RunAsync(app.Database, "apps", "create", "--name", "Mobile", "--redirect-uri", "com.example.app:/callback", "--public", "--json");
        created.AssertSuccess();
        var publicId = JsonNode.Parse(created.Output)!["client_id"]!.GetValue<string>();
        Assert.Null(JsonNode.Parse(created.Output)!["client_secret"]);
        var confidential = await V4OAuth.CreateAppAsync(app);
        var publicTokens = await V4OAuth.MintAsync(app, publicId, account.Id);
        var confidentialTokens = await V4OAuth.MintAsync(app, confidential.ClientId, account.Id);

        var (publicStatus, _) = await TokenAsync(app, "/oauth/token", new() { ["grant_type"] = "refresh_token", ["client_id"] = publicId, ["refresh_token"] = publicTokens.RefreshToken });
        var (noSecretStatus, noSecret) = await TokenAsync(app, "/oauth/token", new() { ["grant_type"] = "refresh_token", ["client_id"] = confidential.ClientId, ["refresh_token"] = confidentialTokens.RefreshToken });

        Assert.Equal(200, publicStatus);
        Assert.Equal((401, "invalid_client"), (noSecretStatus, noSecret["error"]!.GetValue<string>()));
    }

    [Theory, Providers]
    public async Task Authorize_ChecksTheRequest_ThenSaysSignInIsNotAvailableYet(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var created = await CliRunner.RunAsync(app.Database, "apps", "create", "--name", "Mobile", "--redirect-uri", "http://127.0.0.1:9/cb", "--public", "--json");
        var publicId = JsonNode.Parse(created.Output)!["client_id"]!.GetValue<string>();
        var challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"; // RFC 7636 appendix B
        var query = $"client_id={publicId}&response_type=code&redirect_uri=http%3A%2F%2F127.0.0.1%3A9%2Fcb&state=xyz";

        using var page = await app.Http.GetAsync($"/oauth/authorize?{query}&code_challenge={challenge}&code_challenge_method=S256");
        using var v4Page = await app.Http.GetAsync($"/v4/oauth/authorize?{query}&code_challenge={challenge}&code_challenge_method=S256");
        using var withoutPkce = await app.Http.GetAsync($"/oauth/authorize?{query}");
        using var plainPkce = await app.Http.GetAsync($"/oauth/authorize?{query}&code_challenge={challenge}&code_challenge_method=plain");

        Assert.Equal(501, (int)page.StatusCode);
        Assert.Contains("Sign-in is not available yet", await page.Content.ReadAsStringAsync());
        Assert.Equal(501, (int)v4Page.StatusCode);
        // No PKCE, or PKCE without S256, from a public app: refused before anything else (OpenIddict answers such
        // errors itself, in plain text, rather than redirecting).
        foreach (var refused in new[] { withoutPkce, plainPkce })
        {
            Assert.Equal(400, (int)refused.StatusCode);
            Assert.StartsWith("error:invalid_request", await refused.Content.ReadAsStringAsync());
        }
    }

    static Dictionary<string, string> RefreshForm(V4OAuth.App registered, string refreshToken) => new()
    {
        ["grant_type"] = "refresh_token",
        ["client_id"] = registered.ClientId,
        ["client_secret"] = registered.ClientSecret,
        ["refresh_token"] = refreshToken,
        ["redirect_uri"] = "http://127.0.0.1:9/callback",
    };

    static async Task<(int Status, JsonNode Body)> TokenAsync(MailroomApp app, string path, Dictionary<string, string> form)
    {
        using var response = await app.Http.PostAsync(path, new FormUrlEncodedContent(form));
        return ((int)response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync())!);
    }

    static async Task<int> PostFormAsync(MailroomApp app, string path, Dictionary<string, string> form)
    {
        using var response = await app.Http.PostAsync(path, new FormUrlEncodedContent(form));
        return (int)response.StatusCode;
    }

    static Task AddSegmentAsync(MailroomApp app, long accountId, string name) => app.DbAsync(async db =>
    {
        db.Segments.Add(new Segment { AccountId = accountId, Name = name, CreatedAt = MailroomApp.Start.UtcDateTime, UpdatedAt = MailroomApp.Start.UtcDateTime });
        await db.SaveChangesAsync();
    });

    static string Names(JsonNode body) => new JsonArray([.. body["segments"]!.AsArray().Select(s => (JsonNode?)JsonValue.Create(s!["name"]!.GetValue<string>()))]).ToJsonString();
}
