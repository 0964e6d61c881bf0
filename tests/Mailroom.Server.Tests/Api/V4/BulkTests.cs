using System.Text.Json.Nodes;
using Mailroom.Data;
using Mailroom.Server.Tests.Api.V3;
using Mailroom.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static Mailroom.Server.Tests.Api.V4.BulkArrange;

namespace Mailroom.Server.Tests.Api.V4;

/// <summary>The /v4/bulk operations over HTTP: OAuth only, 200 at up to 100 items, 202 and a queued job above, 413, 422s.</summary>
public sealed class BulkTests
{
    static readonly (HttpMethod Method, string Url, string Key)[] Operations =
    [
        (HttpMethod.Post, "/v4/bulk/subscribers", "subscribers"), (HttpMethod.Post, "/v4/bulk/tags", "tags"),
        (HttpMethod.Post, "/v4/bulk/tags/subscribers", "taggings"), (HttpMethod.Delete, "/v4/bulk/tags/subscribers", "taggings"),
        (HttpMethod.Post, "/v4/bulk/custom_fields", "custom_fields"), (HttpMethod.Post, "/v4/bulk/custom_fields/subscribers", "custom_field_values"),
        (HttpMethod.Post, "/v4/bulk/forms/subscribers", "additions"),
    ];

    [Theory, Providers]
    public async Task Bulk_ApiKey_Is401_OnEveryOperation_AndNothingIsQueued(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var (_, client) = await V4Client.ForNewAccountAsync(app);
        foreach (var (method, url, key) in Operations)
            await client.AssertErrorAsync(method, url, 401, new JsonObject { [key] = Items(101, i => new JsonObject { ["name"] = $"t{i}" }) }, "The access token is invalid");
        Assert.Equal(0, await app.DbAsync(db => db.BulkJobs.CountAsync()));
        Assert.Equal(0, await app.DbAsync(db => db.Tags.CountAsync()));
    }

    [Theory, Providers]
    public async Task Bulk_EmptyOrMissingList_Is422WithKitsMessage(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var client = await V4OAuth.ClientAsync(app, account.Id);
        string[] messages = ["No subscribers included for processing", "No tags included for processing", "No taggings included for processing",
            "No taggings included for processing", "No custom fields included for processing", "No custom field values included for processing",
            "No additions included for processing"];
        for (var i = 0; i < Operations.Length; i++)
        {
            var (method, url, key) = Operations[i];
            await client.AssertErrorAsync(method, url, 422, new JsonObject { [key] = new JsonArray() }, messages[i]);
            await client.AssertErrorAsync(method, url, 422, new JsonObject(), messages[i]);
        }
        await client.AssertErrorAsync(HttpMethod.Post, "/v4/bulk/tags", 400, new { tags = new object[] { "Newsletter" } }, "tags must be a list of objects");
        await client.AssertErrorAsync(HttpMethod.Post, "/v4/bulk/tags/subscribers", 400, new { taggings = new[] { new { tag_id = "x", subscriber_id = 1 } } }, "tag_id must be an integer");
    }

    [Theory, Providers]
    public async Task BulkCreateSubscribers_UpTo100_Is200WithFailures(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var client = await V4OAuth.ClientAsync(app, account.Id);
        var body = await client.PostAsync("/v4/bulk/subscribers", new
        {
            subscribers = new object[]
            {
                new { email_address = "alice@convertkit.dev", first_name = "Alice", state = "active" },
                new { email_address = (string?)null, first_name = "Benito", state = "active" },
                new { email_address = "brooke@convertkit.dev", first_name = (string?)null, state = "inactive" },
            },
        }, 200);
        AssertJson("""
            {"subscribers":[{"id":1,"first_name":"Alice","email_address":"alice@convertkit.dev","state":"active","created_at":"2024-05-01T10:00:00Z"},
                            {"id":2,"first_name":null,"email_address":"brooke@convertkit.dev","state":"inactive","created_at":"2024-05-01T10:00:00Z"}],
             "failures":[{"subscriber":{"first_name":"Benito","email_address":null,"state":"active","created_at":null},"errors":["Email address is invalid"]}]}
            """, body);
        Assert.Equal([("subscriber_activate", (long?)1, (string?)null)], await app.OutboxAsync());
        Assert.Equal(0, await app.DbAsync(db => db.BulkJobs.CountAsync()));
    }

    [Theory, Providers]
    public async Task BulkTagSubscribers_Sync_And_BulkUntag_ByDeleteWithABody(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var client = await V4OAuth.ClientAsync(app, account.Id);
        var tag = await app.AddTagAsync(account.Id);
        // Kit's schema types first_name here as a string, so this subscriber has one.
        var jon = await app.AddSubscriberAsync(account.Id, "jon@example.com", firstName: "Jon");
        var tagged = await client.PostAsync("/v4/bulk/tags/subscribers", new { taggings = new[] { new { tag_id = tag.Id, subscriber_id = jon.Id } } }, 200);
        Assert.Equal(jon.Id, tagged["subscribers"]![0]!["id"]!.GetValue<long>());
        AssertJson("""{"failures":[]}""", await client.DeleteAsync("/v4/bulk/tags/subscribers", 200, new { taggings = new[] { new { tag_id = tag.Id, subscriber_id = jon.Id } } }));
        Assert.Equal(0, await app.DbAsync(db => db.Subscriptions.CountAsync()));
    }

    [Theory, Providers]
    public async Task BulkOver100_Is202_QueuedAndAppliedOnceAcrossARestart_ResultPostedToTheCallback(string provider)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var first = await MailroomApp.StartAsync(provider);
        var account = await first.CreateAccountAsync();
        var client = await V4OAuth.ClientAsync(first, account.Id);
        var body = await client.PostAsync("/v4/bulk/tags", new JsonObject
        {
            ["tags"] = Items(101, i => new JsonObject { ["name"] = $"Tag {i}" }), ["callback_url"] = $"{receiver.Url}/bulk",
        }, 202);
        AssertJson("{}", body);
        Assert.Equal(0, await first.DbAsync(db => db.Tags.CountAsync()));
        var database = await first.StopKeepingDatabaseAsync();

        await using var second = MailroomApp.StartOn(database);
        await second.SettleBulkAsync();
        await second.SettleBulkAsync();
        Assert.Equal(101, await second.DbAsync(db => db.Tags.CountAsync()));
        var callback = JsonNode.Parse(Assert.Single(receiver.Requests).Text)!;
        Assert.Equal(101, callback["tags"]!.AsArray().Count);
        AssertJson("[]", callback["failures"]);
    }

    [Theory, Providers]
    public async Task BulkOver100_WakesTheRunningWorker_WithoutWaitingForItsPoll(string provider)
    {
        // The test clock never moves, so a worker waiting for its poll interval would wait for ever: the job can only
        // be applied because the request woke the worker.
        await using var app = await MailroomApp.StartAsync(provider, new() { ["Workers:Enabled"] = "true" });
        var account = await app.CreateAccountAsync();
        var client = await V4OAuth.ClientAsync(app, account.Id);
        await client.PostAsync("/v4/bulk/tags", new JsonObject { ["tags"] = Items(101, i => new JsonObject { ["name"] = $"Tag {i}" }) }, 202);
        using var guard = new CancellationTokenSource(Eventually.Guard);
        while (await app.DbAsync(db => db.BulkJobs.CountAsync(j => j.Status == BulkJobStatuses.Completed)) == 0)
            await Task.Delay(20, guard.Token);
        Assert.Equal(101, await app.DbAsync(db => db.Tags.CountAsync(t => t.AccountId == account.Id)));
    }

    [Theory, Providers]
    public async Task BulkOver100_QueuedBytesOverTheLimit_Is413WithKitsMessage(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider, new() { ["Bulk:MaxQueuedBytes"] = "3000" });
        var account = await app.CreateAccountAsync();
        var client = await V4OAuth.ClientAsync(app, account.Id);
        var tags = new JsonObject { ["tags"] = Items(101, i => new JsonObject { ["name"] = $"Tag {i}" }) };
        await client.PostAsync("/v4/bulk/tags", tags, 202);
        await client.AssertErrorAsync(HttpMethod.Post, "/v4/bulk/tags", 413, tags,
            "This request exceeds your queued bulk requests limit. Please wait while we process your existing requests and try again later.");
        // Once the queue drains, the account may queue again.
        await app.SettleBulkAsync();
        await client.PostAsync("/v4/bulk/tags", tags, 202);
        Assert.Equal(2, await app.DbAsync(db => db.BulkJobs.CountAsync()));
    }

    [Theory, Providers]
    public async Task BulkCallbackUrl_InOurOwnNetwork_IsRefusedAtCreation(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider, new() { ["Webhooks:AllowPrivateTargets"] = "false" });
        var account = await app.CreateAccountAsync();
        var client = await V4OAuth.ClientAsync(app, account.Id);
        await client.AssertErrorAsync(HttpMethod.Post, "/v4/bulk/tags", 422,
            new JsonObject { ["tags"] = Items(101, i => new JsonObject { ["name"] = $"Tag {i}" }), ["callback_url"] = "http://10.0.0.5/hook" },
            "Callback url is not allowed: 10.0.0.5 is a private address");
        await client.AssertErrorAsync(HttpMethod.Post, "/v4/bulk/tags", 422,
            new JsonObject { ["tags"] = Items(1, i => new JsonObject { ["name"] = "x" }), ["callback_url"] = "file:///etc/passwd" }, "Callback url is invalid");
        Assert.Equal(0, await app.DbAsync(db => db.BulkJobs.CountAsync()));
    }
}
