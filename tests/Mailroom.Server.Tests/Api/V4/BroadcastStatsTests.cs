using System.Text.Json.Nodes;
using Mailroom.Data;
using Mailroom.Server.Delivery.Broadcasts;
using Mailroom.Server.Tests.Delivery;
using Mailroom.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Mailroom.Server.Tests.Api.V4;

/// <summary>GET /v4/broadcasts/{id}/stats, GET /v4/broadcasts/stats and GET /v4/broadcasts/{id}/clicks.</summary>
public sealed class BroadcastStatsTests
{
    static async Task<long> CreateAsync(V4Client client, string subject) =>
        (await BroadcastsTests.WriteAsync(client, HttpMethod.Post, "/v4/broadcasts", new { subject }, 201))["broadcast"]!["id"]!.GetValue<long>();

    /// <summary>A completed broadcast with four recipients: two opened, one clicked three times, one unsubscribed.</summary>
    static async Task ArrangeSentAsync(MailroomApp app, long accountId, long broadcastId)
    {
        var now = MailroomApp.Start.UtcDateTime;
        var subscribers = new List<long>();
        for (var i = 0; i < 4; i++) subscribers.Add(await app.SubscriberAsync(accountId, $"r{i}@example.com"));
        await app.DbAsync(async db =>
        {
            for (var i = 0; i < 4; i++)
                db.BroadcastRecipients.Add(new BroadcastRecipient
                {
                    AccountId = accountId, BroadcastId = broadcastId, SubscriberId = subscribers[i], Token = $"t{broadcastId}x{i}", SentAt = now,
                    OpenedAt = i < 2 ? now : null, ClickedAt = i == 0 ? now : null, Clicks = i == 0 ? 3 : 0, UnsubscribedAt = i == 3 ? now : null,
                });
            await db.SaveChangesAsync();
            await db.Broadcasts.Where(b => b.Id == broadcastId).ExecuteUpdateAsync(s => s.SetProperty(b => b.Status, BroadcastStatuses.Completed)
                .SetProperty(b => b.RecipientCount, 4).SetProperty(b => b.StartedAt, now));
        });
    }

    [Theory, Providers]
    public async Task Stats_Draft_IsKitsZeroObject(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var (_, client) = await V4Client.ForNewAccountAsync(app);
        var id = await CreateAsync(client, "Draft");

        var stats = await client.GetAsync($"/v4/broadcasts/{id}/stats");

        BroadcastsTests.AssertJson("""
            {"broadcast":{"id":__ID__,"stats":{"recipients":0,"open_rate":0,"emails_opened":0,"click_rate":0,"unsubscribe_rate":0,"unsubscribes":0,"total_clicks":0,"show_total_clicks":false,"status":"draft","progress":0,"open_tracking_disabled":false,"click_tracking_disabled":false}}}
            """.Replace("__ID__", id.ToString()), stats);
    }

    [Theory, Providers]
    public async Task Stats_Sent_CountsOpensClicksAndUnsubscribes(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var (account, client) = await V4Client.ForNewAccountAsync(app);
        var id = await CreateAsync(client, "Sent");
        await ArrangeSentAsync(app, account.Id, id);

        var stats = await client.GetAsync($"/v4/broadcasts/{id}/stats");

        BroadcastsTests.AssertJson("""
            {"recipients":4,"open_rate":50,"emails_opened":2,"click_rate":25,"unsubscribe_rate":25,"unsubscribes":1,"total_clicks":3,"show_total_clicks":false,"status":"completed","progress":100,"open_tracking_disabled":false,"click_tracking_disabled":false}
            """, stats["broadcast"]!["stats"]!);
    }

    [Theory, Providers]
    public async Task Stats_UnknownOrOtherAccounts_Return404(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var (_, client) = await V4Client.ForNewAccountAsync(app);
        var (_, other) = await V4Client.ForNewAccountAsync(app, "Other", "other@other.test");
        var theirs = await CreateAsync(other, "Theirs");

        await client.AssertErrorAsync(HttpMethod.Get, $"/v4/broadcasts/{theirs}/stats", 404, null, "Not Found");
        await client.AssertErrorAsync(HttpMethod.Get, "/v4/broadcasts/424242/stats", 404, null, "Not Found");
        await client.AssertErrorAsync(HttpMethod.Get, $"/v4/broadcasts/{theirs}/clicks", 404, null, "Not Found");
        await client.AssertErrorAsync(HttpMethod.Get, "/v4/broadcasts/424242/clicks", 404, null, "Not Found");
    }

    [Theory, Providers]
    public async Task StatsList_PagesTheAccountsBroadcastsNewestFirst_WithFilters(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var (account, client) = await V4Client.ForNewAccountAsync(app);
        var (_, other) = await V4Client.ForNewAccountAsync(app, "Other", "other@other.test");
        var first = await CreateAsync(client, "First");
        var second = await CreateAsync(client, "Second");
        var third = await CreateAsync(client, "Third");
        await CreateAsync(other, "Theirs");
        await ArrangeSentAsync(app, account.Id, second);

        static List<long> Ids(JsonNode page) => [.. page["broadcasts"]!.AsArray().Select(b => b!["id"]!.GetValue<long>())];
        var page1 = await client.GetAsync("/v4/broadcasts/stats?per_page=2&include_total_count=true");
        Assert.Equal([third, second], Ids(page1));
        Assert.Equal(3, page1["pagination"]!["total_count"]!.GetValue<int>());
        Assert.Equal(4, page1["broadcasts"]![1]!["stats"]!["recipients"]!.GetValue<int>());
        Assert.Equal("Second", page1["broadcasts"]![1]!["subject"]!.GetValue<string>());
        var page2 = await client.GetAsync($"/v4/broadcasts/stats?per_page=2&after={page1["pagination"]!["end_cursor"]}");
        Assert.Equal([first], Ids(page2));
        Assert.Equal([second], Ids(await client.GetAsync("/v4/broadcasts/stats?status=completed")));
        Assert.Equal([second], Ids(await client.GetAsync("/v4/broadcasts/stats?sent_after=2024-04-30&sent_before=2024-05-02")));
        await client.AssertErrorAsync(HttpMethod.Get, "/v4/broadcasts/stats?status=finished", 422, null,
            "status must be one of: draft, scheduled, sending, completed, aborted");
    }

    [Theory, Providers]
    public async Task Clicks_CountsUniqueClickersPerUrl_FromTrackedClicks(string provider)
    {
        await using var sink = new SmtpSink();
        await using var app = await MailroomApp.StartAsync(provider, DeliveryArrange.SmtpSettings(sink));
        var (account, client) = await V4Client.ForNewAccountAsync(app);
        await app.SubscriberAsync(account.Id, "jon@example.com", "Jon");
        await app.SubscriberAsync(account.Id, "arya@example.com", "Arya");
        var id = (await BroadcastsTests.WriteAsync(client, HttpMethod.Post, "/v4/broadcasts", new
        {
            subject = "Links", send_at = "2024-05-01T10:00:00Z",
            content = "<a href=\"https://example.com/a\">A</a> <a href=\"https://example.com/b\">B</a>",
        }, 201))["broadcast"]!["id"]!.GetValue<long>();
        Assert.Empty((await client.GetAsync($"/v4/broadcasts/{id}/clicks"))["broadcast"]!["clicks"]!.AsArray());
        await app.Services.GetRequiredService<BroadcastSender>().RunOnceAsync(CancellationToken.None);
        var tokens = await app.DbAsync(db => db.BroadcastRecipients.Where(r => r.BroadcastId == id).OrderBy(r => r.Id).Select(r => r.Token).ToListAsync());
        foreach (var click in new[] { $"{tokens[0]}-0", $"{tokens[0]}-0", $"{tokens[0]}-1", $"{tokens[1]}-0" })
            Assert.Equal(302, (int)(await app.Http.GetAsync($"/c/{click}")).StatusCode);

        var clicks = await client.GetAsync($"/v4/broadcasts/{id}/clicks");

        BroadcastsTests.AssertJson("""
            {"broadcast":{"id":__ID__,"clicks":[{"url":"https://example.com/a","unique_clicks":2,"click_to_delivery_rate":1,"click_to_open_rate":1},{"url":"https://example.com/b","unique_clicks":1,"click_to_delivery_rate":0.5,"click_to_open_rate":0.5}]},"pagination":{"has_previous_page":false,"has_next_page":false,"start_cursor":"WzFd","end_cursor":"WzJd","per_page":500}}
            """.Replace("__ID__", id.ToString()), clicks);
        var paged = await client.GetAsync($"/v4/broadcasts/{id}/clicks?per_page=1&after=WzFd");
        Assert.Equal("https://example.com/b", Assert.Single(paged["broadcast"]!["clicks"]!.AsArray())!["url"]!.GetValue<string>());
        Assert.True(paged["pagination"]!["has_previous_page"]!.GetValue<bool>());
        Assert.False(paged["pagination"]!["has_next_page"]!.GetValue<bool>());
    }
}
