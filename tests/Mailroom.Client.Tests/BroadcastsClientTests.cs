using Mailroom.Client.Tests.Infrastructure;
using Mailroom.Data;
using Mailroom.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Mailroom.Client.Tests;

public sealed class BroadcastsClientTests
{
    [Theory, Providers]
    public async Task CreateBroadcast_EveryField_EchoesThem(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var kit = app.ClientFor(account);
        var sendAt = new DateTimeOffset(2024, 5, 20, 10, 0, 0, TimeSpan.FromHours(2));

        var broadcast = await kit.CreateBroadcastAsync(new BroadcastRequest
        {
            Subject = "Hello {{ subscriber.first_name }}", Content = "<p>Hi</p>", Description = "May news", Public = true,
            PublishedAt = MailroomApp.Start, SendAt = sendAt, EmailAddress = "news@acme.test", ThumbnailAlt = "Alt",
            ThumbnailUrl = "https://example.com/t.png",
        });

        Assert.Equal(new Broadcast(broadcast.Id, MailroomApp.Start, "Hello {{ subscriber.first_name }}", "May news", "<p>Hi</p>", true,
            MailroomApp.Start, sendAt, "Alt", "https://example.com/t.png", "news@acme.test", "Text Only"), broadcast);
        Assert.Equal(broadcast, await kit.GetBroadcastAsync(broadcast.Id));
        Assert.Equal("scheduled", (await kit.GetBroadcastStatsAsync(broadcast.Id)).Status);
    }

    [Theory, Providers]
    public async Task CreateBroadcast_Empty_IsADraftFromTheAccountAddress(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync(email: "owner@acme.test");

        var broadcast = await app.ClientFor(account).CreateBroadcastAsync(new BroadcastRequest());

        Assert.Equal((null, null, null, false, "owner@acme.test"),
            (broadcast.Subject, broadcast.SendAt, broadcast.PublishedAt, broadcast.Public, broadcast.EmailAddress));
    }

    [Theory, Providers]
    public async Task CreateBroadcast_UnknownLayout_Throws422(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();

        await app.ClientFor(account).CreateBroadcastAsync(new BroadcastRequest { EmailLayoutTemplate = "Nope" })
            .AssertUnprocessableAsync("Email layout template 'Nope' does not exist");
    }

    [Theory, Providers]
    public async Task ListBroadcasts_WrongCredentials_Throws401(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);

        await app.ClientWithWrongCredentials().ListBroadcastsAsync().AssertKeyNotValidAsync();
    }

    [Theory, Providers]
    public async Task ListAllBroadcasts_51Broadcasts_WalksTwoPages(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var kit = app.ClientFor(account);
        for (var i = 0; i < 51; i++) await kit.CreateBroadcastAsync(new BroadcastRequest { Subject = $"B{i:D2}" });

        var all = await kit.ListAllBroadcastsAsync().ToListAsync();
        var newest = await kit.ListBroadcastsAsync(sortOrder: SortOrder.Descending);
        var second = await kit.ListBroadcastsAsync(page: 2);

        Assert.Equal(Enumerable.Range(0, 51).Select(i => $"B{i:D2}"), all.Select(b => b.Subject));
        Assert.Equal(("B50", 50), (newest[0].Subject, newest.Count));
        Assert.Equal(new BroadcastSummary(all[50].Id, MailroomApp.Start, "B50"), Assert.Single(second));
    }

    [Theory, Providers]
    public async Task UpdateBroadcast_Subject_KeepsTheRest(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var kit = app.ClientFor(account);
        var created = await kit.CreateBroadcastAsync(new BroadcastRequest { Subject = "Old", Content = "<p>Body</p>" });

        var updated = await kit.UpdateBroadcastAsync(created.Id, new BroadcastRequest { Subject = "New" });

        Assert.Equal(created with { Subject = "New" }, updated);
    }

    [Theory, Providers]
    public async Task UpdateAndDeleteBroadcast_AlreadySending_Throw422(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var kit = app.ClientFor(account);
        var created = await kit.CreateBroadcastAsync(new BroadcastRequest { Subject = "Out" });
        await app.DbAsync(db => db.Broadcasts.Where(b => b.Id == created.Id)
            .ExecuteUpdateAsync(s => s.SetProperty(b => b.Status, BroadcastStatuses.Sending)));

        const string locked = "Broadcast has already been sent and can't be changed";
        await kit.UpdateBroadcastAsync(created.Id, new BroadcastRequest { Subject = "Late" }).AssertUnprocessableAsync(locked);
        await kit.DeleteBroadcastAsync(created.Id).AssertUnprocessableAsync(locked);
    }

    [Theory, Providers]
    public async Task DeleteBroadcast_Draft_RemovesItThenIs404(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var kit = app.ClientFor(account);
        var created = await kit.CreateBroadcastAsync(new BroadcastRequest { Subject = "Draft" });

        await kit.DeleteBroadcastAsync(created.Id);

        await kit.GetBroadcastAsync(created.Id).AssertNotFoundAsync();
        await kit.DeleteBroadcastAsync(created.Id).AssertNotFoundAsync();
        await kit.UpdateBroadcastAsync(created.Id, new BroadcastRequest()).AssertNotFoundAsync();
    }

    [Theory, Providers]
    public async Task GetBroadcastStats_Draft_IsAllZeros(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var kit = app.ClientFor(account);
        var created = await kit.CreateBroadcastAsync(new BroadcastRequest { Subject = "Draft" });

        var stats = await kit.GetBroadcastStatsAsync(created.Id);

        Assert.Equal(new BroadcastStats(0, 0, 0, 0, 0, false, "draft", 0), stats);
        await kit.GetBroadcastStatsAsync(999).AssertNotFoundAsync();
    }
}
