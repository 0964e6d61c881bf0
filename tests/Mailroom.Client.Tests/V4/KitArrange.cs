using System.Text.Json.Nodes;
using Mailroom.Server.Cli;
using Mailroom.Server.Domain.ApiKeys;
using Mailroom.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Mailroom.Client.Tests.V4;

using Mailroom.Client.V4;

/// <summary>v4 clients pointed at an in-process Mailroom, with an API key or OAuth tokens made the way an operator makes them.</summary>
static class KitArrange
{
    public const string AccessTokenInvalid = "The access token is invalid";

    public static Uri V4(MailroomApp app) => new(app.Http.BaseAddress!, "/v4/");

    /// <summary>A fresh account and a client holding a new v4 API key of it.</summary>
    public static async Task<(TestAccount Account, KitClient Kit)> KitForNewAccountAsync(this MailroomApp app, string name = "Acme Corp.",
        string email = "owner@acme.test")
    {
        var account = await app.CreateAccountAsync(name, email);
        return (account, app.KitWithKey(await app.CreateApiKeyAsync(account.Id)));
    }

    public static async Task<string> CreateApiKeyAsync(this MailroomApp app, long accountId)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var created = await scope.ServiceProvider.GetRequiredService<ApiKeyService>().CreateAsync(accountId, null, CancellationToken.None);
        return created!.Key;
    }

    public static KitClient KitWithKey(this MailroomApp app, string apiKey, HttpClient? http = null) =>
        new(http ?? app.Http, new KitClientOptions { BaseAddress = V4(app), ApiKey = apiKey });

    public static KitClient KitWithOAuth(this MailroomApp app, KitOAuthSession session, HttpClient? http = null, TimeProvider? time = null) =>
        new(http ?? app.Http, new KitClientOptions { BaseAddress = V4(app), OAuth = session }, time);

    /// <summary>An OAuth app registered with the CLI (<c>mailroom apps create</c>).</summary>
    public static async Task<(string ClientId, string ClientSecret)> CreateOAuthAppAsync(this MailroomApp app)
    {
        var json = JsonNode.Parse(await CliAsync(app, "apps", "create", "--name", "Client tests", "--redirect-uri",
            "http://127.0.0.1:9/callback", "--json"))!;
        return (json["client_id"]!.GetValue<string>(), json["client_secret"]!.GetValue<string>());
    }

    /// <summary>Tokens for the account minted with the CLI (<c>mailroom apps token</c>).</summary>
    public static async Task<KitOAuthTokens> MintTokensAsync(this MailroomApp app, string clientId, long accountId, string scope = "read write")
    {
        var json = JsonNode.Parse(await CliAsync(app, "apps", "token", "--client-id", clientId, "--account",
            accountId.ToString(System.Globalization.CultureInfo.InvariantCulture), "--scope", scope))!;
        return new KitOAuthTokens(json["access_token"]!.GetValue<string>(), json["refresh_token"]!.GetValue<string>());
    }

    static async Task<string> CliAsync(MailroomApp app, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        string[] all = [.. args, $"--Database:Provider={app.Database.Provider}", $"--Database:ConnectionString={app.Database.ConnectionString}"];
        var code = await CliApp.RunAsync(all, output, error);
        Assert.True(code == 0, $"mailroom {string.Join(' ', args)} exited {code}: {error}");
        return output.ToString();
    }

    /// <summary>Asserts the call fails with this status and exactly these v4 messages.</summary>
    public static async Task<ConvertKitApiException> AssertKitErrorAsync(this Task call, int status, params string[] errors)
    {
        var e = await Assert.ThrowsAsync<ConvertKitApiException>(() => call);
        Assert.Equal(status, (int)e.StatusCode);
        Assert.Equal(errors, e.Errors);
        Assert.Equal(string.Join("; ", errors), e.Message);
        return e;
    }

    /// <summary>The account's subscribers' ids by address, read from the database (for arranging before /v4/subscribers is used).</summary>
    public static Task<Dictionary<string, long>> SubscriberIdsAsync(this MailroomApp app, long accountId) =>
        app.DbAsync(db => db.Subscribers.Where(s => s.AccountId == accountId).ToDictionaryAsync(s => s.EmailAddress, s => s.Id));
}
