using Mailroom.Server.Tests.Infrastructure;

namespace Mailroom.Client.Tests.V4;

using Mailroom.Client.V4;

public sealed class SubscribersKitTests
{
    [Theory, Providers]
    public async Task CreateSubscriber_NewThenSameAddress_CreatesThenUpdatesTheFirstName(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var (_, kit) = await app.KitForNewAccountAsync();

        var created = await kit.CreateSubscriberAsync(new SubscriberRequest("ada@example.com") { FirstName = "<i>Ada</i>" });
        var upserted = await kit.CreateSubscriberAsync(new SubscriberRequest("ada@example.com") { FirstName = "Augusta" });

        Assert.Equal((true, false), (created.Created, created.FieldsPending));
        Assert.Equal(("<i>Ada</i>", "active", MailroomApp.Start), (created.Subscriber.FirstName, created.Subscriber.State, created.Subscriber.CreatedAt));
        Assert.Equal((false, created.Subscriber.Id, "Augusta"), (upserted.Created, upserted.Subscriber.Id, upserted.Subscriber.FirstName));
        Assert.Equal("Augusta", (await kit.GetSubscriberAsync(created.Subscriber.Id)).FirstName);
    }

    [Theory, Providers]
    public async Task CreateSubscriber_InvalidAddress_Throws422(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var (_, kit) = await app.KitForNewAccountAsync();

        await kit.CreateSubscriberAsync(new SubscriberRequest("not-an-address")).AssertKitErrorAsync(422, "Email address is invalid");
    }

    [Theory, Providers]
    public async Task UpdateSubscriber_TakenAddressAndUnknownId_Throw422And404(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var (_, kit) = await app.KitForNewAccountAsync();
        var ada = (await kit.CreateSubscriberAsync(new SubscriberRequest("ada@example.com"))).Subscriber;
        await kit.CreateSubscriberAsync(new SubscriberRequest("bob@example.com"));

        var renamed = await kit.UpdateSubscriberAsync(ada.Id, new SubscriberUpdate { FirstName = "Ada", EmailAddress = "ada@example.org" });

        Assert.Equal(("Ada", "ada@example.org", false), (renamed.Subscriber.FirstName, renamed.Subscriber.EmailAddress, renamed.Created));
        await kit.UpdateSubscriberAsync(ada.Id, new SubscriberUpdate { EmailAddress = "bob@example.com" })
            .AssertKitErrorAsync(422, "Email address has already been taken");
        await kit.GetSubscriberAsync(999_999).AssertKitErrorAsync(404, "Not Found");
    }

    [Theory, Providers]
    public async Task UnsubscribeSubscriber_Active_ListsItUnderCancelledOnly(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var (_, kit) = await app.KitForNewAccountAsync();
        var ada = (await kit.CreateSubscriberAsync(new SubscriberRequest("ada@example.com"))).Subscriber;
        var bob = (await kit.CreateSubscriberAsync(new SubscriberRequest("bob@example.com"))).Subscriber;

        await kit.UnsubscribeSubscriberAsync(ada.Id);

        Assert.Equal("cancelled", (await kit.GetSubscriberAsync(ada.Id)).State);
        Assert.Equal([bob.Id], (await kit.ListAllSubscribersAsync().ToListAsync()).Select(s => s.Id));
        Assert.Equal([ada.Id], (await kit.ListAllSubscribersAsync(new SubscriberQuery { Status = SubscriberStatus.Cancelled }).ToListAsync())
            .Select(s => s.Id));
        await kit.UnsubscribeSubscriberAsync(999_999).AssertKitErrorAsync(404, "Not Found");
    }

    [Theory, Providers]
    public async Task ListAllSubscribers_ThreePagesOfTwo_ReturnsEveryOneOnce(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var (_, kit) = await app.KitForNewAccountAsync();
        for (var i = 0; i < 5; i++) await kit.CreateSubscriberAsync(new SubscriberRequest($"s{i}@example.com"));

        var all = await kit.ListAllSubscribersAsync(perPage: 2).ToListAsync();
        var filtered = await kit.ListSubscribersAsync(new SubscriberQuery { EmailAddresses = ["s1@example.com", "s3@example.com"] });

        Assert.Equal(5, all.Select(s => s.EmailAddress).Distinct().Count());
        Assert.Equal(["s1@example.com", "s3@example.com"], filtered.Items.Select(s => s.EmailAddress).Order());
    }

    [Theory, Providers]
    public async Task FilterSubscribers_TaggedAndActive_ReturnsOnlyThose(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var (_, kit) = await app.KitForNewAccountAsync();
        var tag = await kit.CreateTagAsync("Customer");
        var ada = (await kit.CreateSubscriberAsync(new SubscriberRequest("ada@example.com"))).Subscriber;
        var bob = (await kit.CreateSubscriberAsync(new SubscriberRequest("bob@example.com"))).Subscriber;
        await kit.CreateSubscriberAsync(new SubscriberRequest("cy@example.com"));
        await kit.TagSubscriberAsync(tag.Id, ada.Id);
        await kit.TagSubscriberAsync(tag.Id, bob.Id);
        await kit.UnsubscribeSubscriberAsync(bob.Id);

        var found = await kit.FilterSubscribersAsync(new SubscriberFilter(
        [
            new EngagementCondition("tags") { Any = [EngagementTarget.IdSet(tag.Id)] },
            new EngagementCondition("subscriber_state") { States = ["active"] },
        ]));

        var only = Assert.Single(found.Items);
        Assert.Equal((ada.Id, "ada@example.com"), (only.Id, only.EmailAddress));
    }

    [Theory, Providers]
    public async Task GetSubscriberStats_NothingSent_ReturnsZerosAndNoDates(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var (_, kit) = await app.KitForNewAccountAsync();
        var ada = (await kit.CreateSubscriberAsync(new SubscriberRequest("ada@example.com"))).Subscriber;

        var stats = await kit.GetSubscriberStatsAsync(ada.Id, new DateOnly(2024, 1, 1), new DateOnly(2024, 12, 31));

        Assert.Equal(new SubscriberStats(0, 0, 0, 0, 0, 0, null, null, null, 0, 0), stats);
    }
}
