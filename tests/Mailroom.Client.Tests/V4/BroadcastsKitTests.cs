using Mailroom.Server.Tests.Infrastructure;

namespace Mailroom.Client.Tests.V4;

using Mailroom.Client.V4;

public sealed class BroadcastsKitTests
{
    [Theory, Providers]
    public async Task Broadcast_CreateGetUpdateListDelete_RoundTripsADraft(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var (_, kit) = await app.KitForNewAccountAsync();

        var created = await kit.CreateBroadcastAsync(new BroadcastRequest
        {
            Subject = "Hello <friends>", Content = "<p>News</p>", Description = "May", PreviewText = "Read on", Public = false,
        });
        var updated = await kit.UpdateBroadcastAsync(created.Id, new BroadcastRequest { Subject = "Hello again" });

        Assert.Equal(("Hello <friends>", "<p>News</p>", (DateTimeOffset?)null), (created.Subject, created.Content, created.SendAt));
        Assert.Equal("all_subscribers", created.SubscriberFilter.Single().All!.Single().Type);
        Assert.Equal(("Hello again", "<p>News</p>"), (updated.Subject, updated.Content));
        Assert.Equal("Hello again", (await kit.GetBroadcastAsync(created.Id)).Subject);
        Assert.Equal([created.Id], (await kit.ListAllBroadcastsAsync().ToListAsync()).Select(b => b.Id));

        await kit.DeleteBroadcastAsync(created.Id);

        await kit.GetBroadcastAsync(created.Id).AssertKitErrorAsync(404, "Not Found");
    }

    [Theory, Providers]
    public async Task CreateBroadcast_TwoFilterGroups_Throws422(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var (_, kit) = await app.KitForNewAccountAsync();
        var tag = await kit.CreateTagAsync("Customer");

        await kit.CreateBroadcastAsync(new BroadcastRequest
        {
            Subject = "Hi", Content = "x",
            SubscriberFilter = [new SubscriberFilterGroup(All: [new FilterCondition("tag", [tag.Id])], Any: [new FilterCondition("tag", [tag.Id])])],
        }).AssertKitErrorAsync(422, "Only a single filter group is supported. Use one of `all`, `any`, or `none`.");
    }

    [Theory, Providers]
    public async Task BroadcastStats_Draft_ReadsStatsAndClicks(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var (_, kit) = await app.KitForNewAccountAsync();
        var broadcast = await kit.CreateBroadcastAsync(new BroadcastRequest { Subject = "Hi", Content = "<a href=\"https://example.com\">x</a>" });

        var stats = await kit.GetBroadcastStatsAsync(broadcast.Id);
        var all = await kit.ListAllBroadcastsStatsAsync().ToListAsync();
        var clicks = await kit.GetBroadcastClicksAsync(broadcast.Id);

        Assert.Equal((0L, 0L), (stats.Recipients, stats.TotalClicks));
        Assert.Equal([broadcast.Id], all.Select(s => s.Id));
        Assert.Empty(clicks.Items);
        await kit.GetBroadcastStatsAsync(999_999).AssertKitErrorAsync(404, "Not Found");
    }
}
