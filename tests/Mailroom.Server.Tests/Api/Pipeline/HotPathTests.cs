using System.Net;
using Mailroom.Data;
using Mailroom.Server.Tests.Api.V3;
using Mailroom.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Mailroom.Server.Tests.Api.Pipeline;

/// <summary>
/// What the bench-driven changes to the request path must not change: pooled contexts, one connection per /v3
/// request, compiled credential lookups, bodiless GETs and SQLite's own busy wait.
/// </summary>
public sealed class HotPathTests
{
    [Theory, Providers]
    public async Task ConcurrentSubscribes_EveryAnsweredSubscribeIsCommittedOnce(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var form = await app.AddFormAsync(account.Id);

        // More writers at once than the thread pool has threads: on SQLite they queue for the one write lock.
        var responses = await Task.WhenAll(Enumerable.Range(0, 24).Select(i => app.Http.PostAsync($"/v3/forms/{form.Id}/subscribe",
            HttpAssert.Json(new { api_key = account.ApiKey, email = $"reader{i}@example.com" }))));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        var emails = await app.DbAsync(db => db.Subscribers.Select(s => s.NormalizedEmail).OrderBy(e => e).ToListAsync());
        Assert.Equal(Enumerable.Range(0, 24).Select(i => $"reader{i}@example.com").Order(StringComparer.Ordinal), emails);
        Assert.Equal(24, await app.DbAsync(db => db.Subscriptions.CountAsync(s => s.State == SubscriptionStates.Active)));
    }

    [Theory, Providers]
    public async Task RequestsOneAfterAnother_EachSeesTheDatabaseNotThePreviousRequest(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var form = await app.AddFormAsync(account.Id);
        var subscribed = await app.Http.PostAsync($"/v3/forms/{form.Id}/subscribe",
            HttpAssert.Json(new { api_secret = account.ApiSecret, email = "jon@example.com", first_name = "Jon" }));
        await subscribed.AssertStatusAsync(200);
        var id = await app.DbAsync(db => db.Subscribers.Select(s => s.Id).SingleAsync());

        // Changed behind the API's back between two requests: a pooled context that kept the first request's
        // tracked subscriber would answer the old name.
        await app.DbAsync(db => db.Subscribers.ExecuteUpdateAsync(s => s.SetProperty(x => x.FirstName, "Jonathan")));

        await (await app.Http.GetAsync($"/v3/subscribers/{id}?api_secret={account.ApiSecret}")).AssertJsonAsync(200, $$"""
            {"subscriber":{"id":{{id}},"first_name":"Jonathan","email_address":"jon@example.com","state":"active",
             "created_at":"2024-05-01T10:00:00.000Z","fields":{} } }
            """);
    }

    [Theory, Providers]
    public async Task RotatedSecret_StopsWorkingOnTheNextRequest(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        await (await app.Http.GetAsync($"/v3/account?api_secret={account.ApiSecret}")).AssertStatusAsync(200);

        // The lookup is compiled, not cached: a replaced hash is seen at once.
        await app.DbAsync(db => db.Accounts.ExecuteUpdateAsync(s => s.SetProperty(a => a.ApiSecretHash, new string('0', 64))));

        await (await app.Http.GetAsync($"/v3/account?api_secret={account.ApiSecret}"))
            .AssertJsonAsync(401, """{"error":"Authorization Failed","message":"API Key not valid"}""");
    }

    [Theory, Providers]
    public async Task GetWithoutBody_AndPostWithBody_ReadTheirParameters(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();

        await (await app.Http.GetAsync($"/v3/account?api_secret={account.ApiSecret}")).AssertJsonAsync(200,
            """{"name":"Acme Corp.","plan_type":"creator","primary_email_address":"owner@acme.test"}""");
        // A body on a GET is still read: some clients put the secret there.
        var request = new HttpRequestMessage(HttpMethod.Get, "/v3/account") { Content = HttpAssert.Json(new { api_secret = account.ApiSecret }) };
        await (await app.Http.SendAsync(request)).AssertStatusAsync(200);
    }

    [Fact]
    public async Task SqliteConnections_WaitForTheWriteLockInsideSqlite()
    {
        await using var app = await MailroomApp.StartAsync(DatabaseOptions.Sqlite);

        var timeout = await app.DbAsync(async db =>
        {
            await db.Database.OpenConnectionAsync();
            await using var command = db.Database.GetDbConnection().CreateCommand();
            command.CommandText = "PRAGMA busy_timeout;";
            return Convert.ToInt64(await command.ExecuteScalarAsync());
        });

        Assert.Equal(30_000, timeout);
    }
}
