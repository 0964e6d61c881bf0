using Mailroom.Server.Tests.Infrastructure;

namespace Mailroom.Server.Tests.Api.Pipeline;

/// <summary>The auth matrix of spec §1.2 on the secret-only GET /v3/account and on key routes.</summary>
public sealed class CredentialTests
{
    const string Account = """{"name":"Acme Corp.","plan_type":"creator","primary_email_address":"owner@acme.test"}""";
    const string NotPresent = """{"error":"Authorization Failed","message":"API Key not present"}""";
    const string NotValid = """{"error":"Authorization Failed","message":"API Key not valid"}""";
    const string Insufficient = """{"error":"Authorization Failed","message":"You do not have sufficient permissions to access this resource"}""";

    [Theory, Providers]
    public async Task GetAccount_NoCredentials_Returns401NotPresent(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        await app.CreateAccountAsync();

        await (await app.Http.GetAsync("/v3/account")).AssertJsonAsync(401, NotPresent);
        // Kit's Ruby gem sends empty flags; a blank or whitespace credential is no credential.
        await (await app.Http.GetAsync("/v3/account?api_secret=&api_key")).AssertJsonAsync(401, NotPresent);
        await (await app.Http.GetAsync("/v3/account?api_secret=%20%20")).AssertJsonAsync(401, NotPresent);
    }

    [Theory, Providers]
    public async Task GetAccount_UnknownCredential_Returns401NotValid(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        await app.CreateAccountAsync();

        await (await app.Http.GetAsync("/v3/account?api_secret=not-a-secret")).AssertJsonAsync(401, NotValid);
        await (await app.Http.GetAsync("/v3/account?api_key=not-a-key")).AssertJsonAsync(401, NotValid);
        await (await app.Http.GetAsync("/v3/account?api_key=not-a-key&api_secret=not-a-secret")).AssertJsonAsync(401, NotValid);
    }

    [Theory, Providers]
    public async Task GetAccount_KeyOnly_Returns401InsufficientPermissions(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();

        await (await app.Http.GetAsync($"/v3/account?api_key={account.ApiKey}")).AssertJsonAsync(401, Insufficient);
        // The key pasted into the api_secret slot identifies the account but still only has the key's scope.
        await (await app.Http.GetAsync($"/v3/account?api_secret={account.ApiKey}")).AssertJsonAsync(401, Insufficient);
    }

    [Theory, Providers]
    public async Task GetAccount_ValidKeyWithUnknownSecret_Returns401NotValid(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();

        var response = await app.Http.GetAsync($"/v3/account?api_key={account.ApiKey}&api_secret=not-a-secret");

        await response.AssertJsonAsync(401, NotValid);
    }

    [Theory, Providers]
    public async Task GetAccount_SecretInEveryPlace_ReturnsAccount(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var secret = account.ApiSecret;

        await (await app.Http.GetAsync($"/v3/account?api_secret={secret}")).AssertJsonAsync(200, Account);
        await (await app.Http.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/v3/account")
            { Content = HttpAssert.Json(new { api_secret = secret }) })).AssertJsonAsync(200, Account);
        await (await app.Http.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/v3/account")
            { Content = HttpAssert.Form(("api_secret", secret)) })).AssertJsonAsync(200, Account);
        // The Ruby gem: empty body, vnd.api+json content type, everything in the query string.
        await (await app.Http.SendAsync(new HttpRequestMessage(HttpMethod.Get, $"/v3/account?api_secret={secret}")
            { Content = Bodies.Raw("", "application/vnd.api+json") })).AssertJsonAsync(200, Account);
        await (await app.Http.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/v3/account")
            { Content = HttpAssert.Json(new { api_secret = secret }, "application/vnd.api+json") })).AssertJsonAsync(200, Account);
        await (await app.Http.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/v3/account")
            { Content = Bodies.Raw($$"""{"api_secret":"{{secret}}"}""", "application/json; charset=utf-8") })).AssertJsonAsync(200, Account);
    }

    [Theory, Providers]
    public async Task GetAccount_KeyAndSecretBothSent_ReturnsAccount(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();

        await (await app.Http.GetAsync($"/v3/account?api_key={account.ApiKey}&api_secret={account.ApiSecret}")).AssertJsonAsync(200, Account);
        // Split across places: key in the query, secret in the body.
        await (await app.Http.SendAsync(new HttpRequestMessage(HttpMethod.Get, $"/v3/account?api_key={account.ApiKey}")
            { Content = HttpAssert.Json(new { api_secret = account.ApiSecret }) })).AssertJsonAsync(200, Account);
    }

    [Theory, Providers]
    public async Task GetAccount_OtherAccountsSecret_ReturnsOnlyThatAccount(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var acme = await app.CreateAccountAsync();
        var other = await app.CreateAccountAsync("Other Ltd.", "boss@other.test");

        await (await app.Http.GetAsync($"/v3/account?api_secret={other.ApiSecret}"))
            .AssertJsonAsync(200, """{"name":"Other Ltd.","plan_type":"creator","primary_email_address":"boss@other.test"}""");
        await (await app.Http.GetAsync($"/v3/account?api_secret={acme.ApiSecret}")).AssertJsonAsync(200, Account);
    }

    [Theory, Providers]
    public async Task KeyRoute_KeyOrSecret_IdentifiesCaller(string provider)
    {
        await using var app = await PipelineApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var other = await app.CreateAccountAsync("Other Ltd.", "boss@other.test");

        await (await app.Http.GetAsync($"/v3/_caller?api_key={account.ApiKey}"))
            .AssertJsonAsync(200, $$"""{"account_id":{{account.Id}},"used_secret":false}""");
        await (await app.Http.GetAsync($"/v3/_caller?api_secret={account.ApiSecret}"))
            .AssertJsonAsync(200, $$"""{"account_id":{{account.Id}},"used_secret":true}""");
        await (await app.Http.GetAsync($"/v3/_caller?api_key={account.ApiKey}&api_secret={account.ApiSecret}"))
            .AssertJsonAsync(200, $$"""{"account_id":{{account.Id}},"used_secret":true}""");
        await (await app.Http.GetAsync($"/v3/_caller?api_secret={account.ApiKey}"))
            .AssertJsonAsync(200, $$"""{"account_id":{{account.Id}},"used_secret":false}""");
        await (await app.Http.GetAsync($"/v3/_caller?api_key={other.ApiKey}"))
            .AssertJsonAsync(200, $$"""{"account_id":{{other.Id}},"used_secret":false}""");
        await (await app.Http.GetAsync("/v3/_caller")).AssertJsonAsync(401, NotPresent);
        await (await app.Http.GetAsync("/v3/_caller?api_key=nope")).AssertJsonAsync(401, NotValid);
        // One good credential is enough on a key route: the Ruby gem always sends both.
        await (await app.Http.GetAsync($"/v3/_caller?api_key={account.ApiKey}&api_secret=nope"))
            .AssertJsonAsync(200, $$"""{"account_id":{{account.Id}},"used_secret":false}""");
    }

    [Theory, Providers]
    public async Task KeyRoute_CredentialsInBodies_OnEveryMethod(string provider)
    {
        await using var app = await PipelineApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();

        foreach (var method in new[] { HttpMethod.Post, HttpMethod.Put, HttpMethod.Delete })
        {
            // The PHP SDK and the WordPress libraries send a JSON body even on DELETE.
            await (await app.Http.SendAsync(new HttpRequestMessage(method, "/v3/_echo")
                { Content = HttpAssert.Json(new { api_secret = account.ApiSecret, tag_id = 4 }) }))
                .AssertJsonAsync(200, """{"tag_id":4}""");
            await (await app.Http.SendAsync(new HttpRequestMessage(method, "/v3/_echo")
                { Content = HttpAssert.Form(("api_key", account.ApiKey), ("tag_id", "4")) }))
                .AssertJsonAsync(200, """{"tag_id":"4"}""");
            await (await app.Http.SendAsync(new HttpRequestMessage(method, $"/v3/_echo?api_secret={account.ApiSecret}&tag_id=4")
                { Content = Bodies.Raw("", "application/vnd.api+json") }))
                .AssertJsonAsync(200, """{"tag_id":"4"}""");
            await (await app.Http.SendAsync(new HttpRequestMessage(method, "/v3/_echo")
                { Content = HttpAssert.Json(new { tag_id = 4 }) }))
                .AssertJsonAsync(401, NotPresent);
        }
    }

    [Theory, Providers]
    public async Task SecretRoute_SecretInDeleteBody_Passes(string provider)
    {
        await using var app = await PipelineApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();

        await (await app.Http.SendAsync(new HttpRequestMessage(HttpMethod.Delete, "/v3/_secret_only")
            { Content = HttpAssert.Json(new { api_secret = account.ApiSecret }) }))
            .AssertJsonAsync(200, $$"""{"account_id":{{account.Id}}}""");
        await (await app.Http.SendAsync(new HttpRequestMessage(HttpMethod.Delete, "/v3/_secret_only")
            { Content = HttpAssert.Json(new { api_key = account.ApiKey }) }))
            .AssertJsonAsync(401, Insufficient);
    }
}
