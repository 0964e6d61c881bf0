using Mailroom.Data;
using System.Net;
using System.Text.Json.Nodes;
using Mailroom.Server.Tests.Cli;
using Mailroom.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Mailroom.Server.Tests.Api.V4;

/// <summary>What every /v4 call goes through: the API key, its errors, isolation, the rate limit and the error body.</summary>
public sealed class V4PipelineTests
{
    [Theory, Providers]
    public async Task ApiKey_FromTheCli_OpensV4_AndListsOnlyItsOwnAccount(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var acme = await app.CreateAccountAsync("Acme", "owner@acme.test");
        var globex = await app.CreateAccountAsync("Globex", "owner@globex.test");
        await app.DbAsync(async db =>
        {
            db.Segments.Add(new Segment { AccountId = acme.Id, Name = "Acme VIPs", CreatedAt = MailroomApp.Start.UtcDateTime, UpdatedAt = MailroomApp.Start.UtcDateTime });
            db.Segments.Add(new Segment { AccountId = globex.Id, Name = "Globex VIPs", CreatedAt = MailroomApp.Start.UtcDateTime, UpdatedAt = MailroomApp.Start.UtcDateTime });
            await db.SaveChangesAsync();
        });

        var created = await CliRunner.RunAsync(app.Database, "keys", "create", "--account", acme.Id.ToString(), "--name", "Zapier", "--json");
        created.AssertSuccess();
        var key = JsonNode.Parse(created.Output)!["api_key"]!.GetValue<string>();
        Assert.StartsWith("kit_", key);

        var body = await new V4Client(app, key).GetAsync("/v4/segments");
        Assert.Equal("""[{"id":1,"name":"Acme VIPs","created_at":"2024-05-01T10:00:00Z"}]""", body["segments"]!.ToJsonString());
        // The key is stored hashed: nothing in the table is the key.
        Assert.False(await app.DbAsync(db => db.ApiKeys.AnyAsync(k => k.KeyHash == key || k.Hint == key)));
    }

    [Theory, Providers]
    public async Task MissingWrongRevokedAndV3Credentials_Are401WithKitsMessage(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var (account, client) = await V4Client.ForNewAccountAsync(app);
        var revoked = await V4Client.CreateKeyAsync(app, account.Id);
        var keyId = await app.DbAsync(db => db.ApiKeys.OrderBy(k => k.Id).Select(k => k.Id).LastAsync());
        var revoke = await CliRunner.RunAsync(app.Database, "keys", "revoke", keyId.ToString(), "--account", account.Id.ToString());
        revoke.AssertSuccess();

        foreach (var stranger in new[] { new V4Client(app), new V4Client(app, "kit_nope"), new V4Client(app, revoked),
                     new V4Client(app, account.ApiKey), new V4Client(app, account.ApiSecret), new V4Client(app, bearer: "not-a-token") })
            await stranger.AssertErrorAsync(HttpMethod.Get, "/v4/segments", 401, null, "The access token is invalid");
        await client.GetAsync("/v4/segments");
        // And the reverse: a v4 key is not a v3 key.
        var v4Key = await V4Client.CreateKeyAsync(app, account.Id);
        var v3 = await app.Http.GetAsync($"/v3/tags?api_key={v4Key}");
        Assert.Equal(HttpStatusCode.Unauthorized, v3.StatusCode);
    }

    [Theory, Providers]
    public async Task KeysCli_ListsWithoutTheKey_AndRefusesBadInput(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var created = await CliRunner.RunAsync(app.Database, "keys", "create", "--account", account.Id.ToString());
        var key = created.Output.Split('\n').Single(l => l.StartsWith("api_key: ", StringComparison.Ordinal))["api_key: ".Length..].Trim();

        var list = await CliRunner.RunAsync(app.Database, "keys", "list", "--account", account.Id.ToString(), "--json");
        var unknownAccount = await CliRunner.RunAsync(app.Database, "keys", "create", "--account", "99");
        var unknownKey = await CliRunner.RunAsync(app.Database, "keys", "revoke", "7", "--account", account.Id.ToString());
        var blankName = await CliRunner.RunAsync(app.Database, "keys", "create", "--account", account.Id.ToString(), "--name", " ");

        created.AssertSuccess();
        list.AssertSuccess();
        Assert.DoesNotContain(key, list.Output);
        var row = JsonNode.Parse(list.Output)!.AsArray().Single()!;
        Assert.Equal(("API key", "…" + key[^4..]), (row["name"]!.GetValue<string>(), row["hint"]!.GetValue<string>()));
        unknownAccount.AssertFailure(1, "error: account 99 does not exist");
        unknownKey.AssertFailure(1, $"error: account {account.Id} has no API key 7");
        blankName.AssertFailure(1, "error: --name must not be blank");
    }

    [Theory, Providers]
    public async Task RateLimit_IsPerKey_With429AndRetryAfter(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider, new() { ["RateLimit:ApiKeyPermitsPerMinute"] = "3" });
        var (account, first) = await V4Client.ForNewAccountAsync(app);
        var second = new V4Client(app, await V4Client.CreateKeyAsync(app, account.Id));

        for (var i = 0; i < 3; i++) await first.GetAsync("/v4/segments");
        using var limited = await first.SendAsync(HttpMethod.Get, "/v4/segments");
        var other = await second.GetAsync("/v4/segments");
        app.Clock.Advance(TimeSpan.FromSeconds(61));
        var later = await first.GetAsync("/v4/segments");

        Assert.Equal(429, (int)limited.StatusCode);
        Assert.Equal("60", limited.Headers.RetryAfter?.ToString());
        Assert.Equal("""{"errors":["Rate limit exceeded. Please wait and try again."]}""", await limited.Content.ReadAsStringAsync());
        Assert.NotNull(other["segments"]);
        Assert.NotNull(later["segments"]);
    }

    [Theory, Providers]
    public async Task UnknownRoutesWrongVerbsAndBadBodies_GetKitErrorBodies_Never500(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var (_, client) = await V4Client.ForNewAccountAsync(app);

        using var unknown = await client.SendAsync(HttpMethod.Get, "/v4/nothing/here");
        using var verb = await client.SendAsync(HttpMethod.Delete, "/v4/segments");
        using var malformed = await client.SendAsync(HttpMethod.Get, "/v4/segments", "{\"a\":");
        using var notObject = await client.SendAsync(HttpMethod.Get, "/v4/segments", "[1]");
        // Kit's PHP SDK sends json_encode([]), "[]", as the body of calls without arguments: no parameters, not an error.
        using var phpEmpty = await client.SendAsync(HttpMethod.Get, "/v4/segments", "[]");
        var huge = new string('x', 1024 * 1024 + 10);
        using var tooLarge = await client.SendAsync(HttpMethod.Get, "/v4/segments", $"{{\"a\":\"{huge}\"}}");

        Assert.Equal((404, """{"errors":["Not Found"]}"""), ((int)unknown.StatusCode, await unknown.Content.ReadAsStringAsync()));
        Assert.Equal((404, """{"errors":["Not Found"]}"""), ((int)verb.StatusCode, await verb.Content.ReadAsStringAsync()));
        Assert.Equal(400, (int)malformed.StatusCode);
        Assert.StartsWith("""{"errors":["Request body is not valid JSON""", await malformed.Content.ReadAsStringAsync());
        Assert.Equal((400, """{"errors":["Request body must be a JSON object"]}"""), ((int)notObject.StatusCode, await notObject.Content.ReadAsStringAsync()));
        Assert.Equal(200, (int)phpEmpty.StatusCode);
        Assert.Equal((413, """{"errors":["Request body must not exceed 1048576 bytes"]}"""), ((int)tooLarge.StatusCode, await tooLarge.Content.ReadAsStringAsync()));
    }
}
