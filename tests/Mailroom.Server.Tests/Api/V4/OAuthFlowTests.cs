using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Mailroom.Data;
using Mailroom.Server.Domain.Users;
using Mailroom.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Mailroom.Server.Tests.Api.V4;

/// <summary>The authorization code dance a Kit app does, as a browser with cookies and the app's server would.</summary>
public sealed class OAuthFlowTests
{
    const string Password = "correct horse battery";
    const string Redirect = "http://127.0.0.1:9/callback";
    const string Verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"; // RFC 7636 appendix B
    static readonly string Challenge = Convert.ToBase64String(SHA256.HashData(Encoding.ASCII.GetBytes(Verifier))).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    [Theory, Providers]
    public async Task AuthorizationCode_SignInConsentTokenRefreshRevoke(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        await ArrangeUserAsync(app, "ann@acme.test", (account.Id, AccountRoles.Editor));
        var client = await V4OAuth.CreateAppAsync(app, "Zapier");
        using var browser = new SignInBrowser(app);
        var authorize = AuthorizeUrl(client.ClientId, "read write");

        // Not signed in: to the sign-in page, then back.
        var first = await browser.GetAsync(authorize);
        Assert.Equal(HttpStatusCode.Redirect, first.StatusCode);
        var signIn = first.Headers.Location!.OriginalString;
        Assert.StartsWith("/signin?returnUrl=", signIn);
        var back = await browser.SignInAsync("ann@acme.test", Password, Uri.UnescapeDataString(signIn["/signin?returnUrl=".Length..]));
        Assert.Equal(HttpStatusCode.SeeOther, back.StatusCode);
        var consent = await browser.GetAsync(back.Headers.Location!.OriginalString);
        var page = await consent.Content.ReadAsStringAsync();
        Assert.True(consent.StatusCode == HttpStatusCode.OK, $"{consent.StatusCode} {consent.Headers.Location} {page}");
        Assert.Contains("""<span id="app">Zapier</span>""", page);

        var allowed = await browser.SubmitAsync(page, "/oauth/authorize", new() { ["decision"] = "allow" });
        Assert.Equal(HttpStatusCode.Redirect, allowed.StatusCode);
        var location = allowed.Headers.Location!.OriginalString;
        Assert.StartsWith(Redirect + "?", location);
        Assert.Contains("state=xyz", location);
        var code = Uri.UnescapeDataString(Regex.Match(location, "[?&]code=([^&]+)").Groups[1].Value);

        var tokens = await TokenAsync(app, new() { ["grant_type"] = "authorization_code", ["code"] = code, ["redirect_uri"] = Redirect,
            ["client_id"] = client.ClientId, ["client_secret"] = client.ClientSecret, ["code_verifier"] = Verifier });
        Assert.Equal("read write", (string)tokens["scope"]!);
        var api = new V4Client(app, bearer: (string)tokens["access_token"]!);
        await api.GetAsync("/v4/segments", status: 200);

        var refreshed = await TokenAsync(app, new() { ["grant_type"] = "refresh_token", ["refresh_token"] = (string)tokens["refresh_token"]!,
            ["client_id"] = client.ClientId, ["client_secret"] = client.ClientSecret });
        using var replay = await app.Http.PostAsync("/oauth/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "refresh_token", ["refresh_token"] = (string)tokens["refresh_token"]!,
            ["client_id"] = client.ClientId, ["client_secret"] = client.ClientSecret,
        }));
        Assert.Equal(HttpStatusCode.BadRequest, replay.StatusCode);
        Assert.Contains("invalid_grant", await replay.Content.ReadAsStringAsync());

        var fresh = (string)refreshed["access_token"]!;
        using var revoke = await app.Http.PostAsync("/oauth/revoke", new FormUrlEncodedContent(new Dictionary<string, string>
            { ["token"] = fresh, ["client_id"] = client.ClientId, ["client_secret"] = client.ClientSecret }));
        Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);
        await new V4Client(app, bearer: fresh).GetAsync("/v4/segments", status: 401);
    }

    [Theory, Providers]
    public async Task Authorize_Deny_AccessDeniedToTheRedirectUri(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        await ArrangeUserAsync(app, "ann@acme.test", (account.Id, AccountRoles.Owner));
        var client = await V4OAuth.CreateAppAsync(app);
        using var browser = new SignInBrowser(app);
        await browser.SignInAsync("ann@acme.test", Password);

        var page = await browser.GetPageAsync(AuthorizeUrl(client.ClientId, "read"));
        var denied = await browser.SubmitAsync(page, "/oauth/authorize", new() { ["decision"] = "deny" });

        Assert.Equal(HttpStatusCode.Redirect, denied.StatusCode);
        Assert.StartsWith(Redirect + "?", denied.Headers.Location!.OriginalString);
        Assert.Contains("error=access_denied", denied.Headers.Location!.OriginalString);
    }

    [Theory, Providers]
    public async Task Authorize_ConsentWithoutAntiforgeryOrForAnotherAccount_Refused(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var a = await app.CreateAccountAsync();
        var b = await app.CreateAccountAsync("Globex", "owner@globex.test");
        await ArrangeUserAsync(app, "ann@acme.test", (a.Id, AccountRoles.Owner));
        var client = await V4OAuth.CreateAppAsync(app);
        using var browser = new SignInBrowser(app);
        await browser.SignInAsync("ann@acme.test", Password);
        var page = await browser.GetPageAsync(AuthorizeUrl(client.ClientId, "read write"));

        var forged = await browser.SubmitAsync(page, "/oauth/authorize", new() { ["decision"] = "allow" }, withAntiforgery: false);
        var otherAccount = await browser.SubmitAsync(page, "/oauth/authorize", new() { ["decision"] = "allow", ["account_id"] = $"{b.Id}" });

        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, otherAccount.StatusCode);
        Assert.Contains("You cannot grant access to that account.", await otherAccount.Content.ReadAsStringAsync());
    }

    [Theory, Providers]
    public async Task Authorize_Viewer_GrantsReadOnly(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        await ArrangeUserAsync(app, "vic@acme.test", (account.Id, AccountRoles.Viewer));
        var client = await V4OAuth.CreateAppAsync(app);
        using var browser = new SignInBrowser(app);
        await browser.SignInAsync("vic@acme.test", Password);

        var write = await browser.GetAsync(AuthorizeUrl(client.ClientId, "read write"));
        var read = await browser.GetAsync(AuthorizeUrl(client.ClientId, "read"));

        Assert.Equal(HttpStatusCode.Forbidden, write.StatusCode);
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
    }

    static string AuthorizeUrl(string clientId, string scope) =>
        $"/oauth/authorize?client_id={clientId}&response_type=code&redirect_uri={Uri.EscapeDataString(Redirect)}&state=xyz" +
        $"&scope={Uri.EscapeDataString(scope)}&code_challenge={Challenge}&code_challenge_method=S256";

    static async Task<JsonNode> TokenAsync(MailroomApp app, Dictionary<string, string> form)
    {
        using var response = await app.Http.PostAsync("/oauth/token", new FormUrlEncodedContent(form));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        return JsonNode.Parse(body)!;
    }

    static async Task ArrangeUserAsync(MailroomApp app, string email, (long AccountId, string Role) membership)
    {
        await using var scope = app.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<UserService>().CreateAsync(email, Password, membership.AccountId, membership.Role, CancellationToken.None);
    }
}
