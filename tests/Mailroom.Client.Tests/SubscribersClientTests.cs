using Mailroom.Client.Tests.Infrastructure;
using Mailroom.Server.Tests.Infrastructure;

namespace Mailroom.Client.Tests;

public sealed class SubscribersClientTests
{
    [Theory, Providers]
    public async Task ListAllSubscribers_120Subscribers_WalksThreePagesInOrder(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        await app.AddSubscribersAsync(account.Id, 120);
        var recorder = new RecordingHandler { InnerHandler = app.Server.CreateHandler() };
        var kit = new ConvertKitClient(new HttpClient(recorder),
            new ConvertKitClientOptions { BaseAddress = ClientArrange.V3(app), ApiSecret = account.ApiSecret });

        var all = await kit.ListAllSubscribersAsync().ToListAsync();

        Assert.Equal(Enumerable.Range(0, 120).Select(i => $"s{i:D3}@example.com"), all.Select(s => s.EmailAddress));
        Assert.Equal(120, all.Select(s => s.Id).Distinct().Count());
        Assert.Equal(["1", "2", "3"], recorder.Requests.Select(r => System.Web.HttpUtility.ParseQueryString(r.Uri.Query)["page"]));
    }

    [Theory, Providers]
    public async Task ListSubscribers_LastPage_ReportsTotals(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        await app.AddSubscribersAsync(account.Id, 120);

        var page = await app.ClientFor(account).ListSubscribersAsync(page: 3);

        Assert.Equal((3, 3, 120L, 20), (page.Page, page.TotalPages, page.TotalCount, page.Items.Count));
        Assert.Equal("s100@example.com", page.Items[0].EmailAddress);
    }

    [Theory, Providers]
    public async Task ListSubscribers_Filters_AreSentAsKitNamesThem(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        await app.AddSubscribersAsync(account.Id, 3);
        var kit = app.ClientFor(account);
        app.Clock.Advance(TimeSpan.FromDays(1));
        await kit.UnsubscribeAsync("s001@example.com");

        var byEmail = await kit.ListSubscribersAsync(query: new SubscriberQuery { EmailAddress = "S001@example.com" });
        var cancelled = await kit.ListSubscribersAsync(query: new SubscriberQuery { SortField = SubscriberSortField.CancelledAt });
        var newestFirst = await kit.ListSubscribersAsync(query: new SubscriberQuery
        {
            Status = SubscriberStatus.All, SortOrder = SortOrder.Descending, From = DateOnly.FromDateTime(ClientArrange.Now),
            To = DateOnly.FromDateTime(ClientArrange.Now),
        });
        var updatedLater = await kit.ListSubscribersAsync(query: new SubscriberQuery
        {
            Status = SubscriberStatus.Cancelled, UpdatedFrom = MailroomApp.Start.AddHours(12), UpdatedTo = MailroomApp.Start.AddDays(2),
        });

        Assert.Equal(("s001@example.com", "cancelled"), (byEmail.Items.Single().EmailAddress, byEmail.Items.Single().State));
        Assert.Equal("s001@example.com", cancelled.Items.Single().EmailAddress);
        Assert.Equal(["s002@example.com", "s001@example.com", "s000@example.com"], newestFirst.Items.Select(s => s.EmailAddress));
        Assert.Equal("s001@example.com", updatedLater.Items.Single().EmailAddress);
    }

    [Theory, Providers]
    public async Task ListSubscribers_WrongCredentials_Throws401(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);

        await app.ClientWithWrongCredentials().ListSubscribersAsync().AssertKeyNotValidAsync();
    }

    [Theory, Providers]
    public async Task GetSubscriber_Known_ReturnsItWithEveryFieldKey(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var kit = app.ClientFor(account);
        await kit.CreateCustomFieldsAsync(["Last name", "Company"]);
        var tag = await kit.CreateTagAsync("Customer");
        var subscribed = await kit.TagSubscriberAsync(tag.Id, new SubscribeRequest("ada@example.com")
        {
            FirstName = "Ada", Fields = new Dictionary<string, string?> { ["company"] = "Analytical Engines" },
        });

        var subscriber = await kit.GetSubscriberAsync(subscribed.Subscriber.Id);

        Assert.Equal((subscribed.Subscriber.Id, "Ada", "ada@example.com", "active", MailroomApp.Start),
            (subscriber.Id, subscriber.FirstName, subscriber.EmailAddress, subscriber.State, subscriber.CreatedAt));
        Assert.Equal(new Dictionary<string, string?> { ["last_name"] = null, ["company"] = "Analytical Engines" }, subscriber.Fields);
    }

    [Theory, Providers]
    public async Task GetSubscriber_Unknown_Throws404(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();

        await app.ClientFor(account).GetSubscriberAsync(999).AssertNotFoundAsync();
    }

    [Theory, Providers]
    public async Task UpdateSubscriber_NameAddressAndField_ReturnsTheChangedSubscriber(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var kit = app.ClientFor(account);
        await kit.CreateCustomFieldAsync("Last name");
        await app.AddSubscribersAsync(account.Id, 1);
        var id = (await kit.ListSubscribersAsync()).Items.Single().Id;

        var updated = await kit.UpdateSubscriberAsync(id, new UpdateSubscriberRequest
        {
            FirstName = "Ada", EmailAddress = "ada@example.com", Fields = new Dictionary<string, string?> { ["last_name"] = "Lovelace" },
        });

        Assert.Equal(("Ada", "ada@example.com", "Lovelace"), (updated.FirstName, updated.EmailAddress, updated.Fields["last_name"]));
        Assert.Equal("Ada", (await kit.GetSubscriberAsync(id)).FirstName);
    }

    [Theory, Providers]
    public async Task UpdateSubscriber_ElevenFields_AcceptsThe202(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var kit = app.ClientFor(account);
        await app.AddSubscribersAsync(account.Id, 1);
        var id = (await kit.ListSubscribersAsync()).Items.Single().Id;
        var fields = Enumerable.Range(0, 11).ToDictionary(i => $"unknown_{i}", string? (i) => "x");

        var updated = await kit.UpdateSubscriberAsync(id, new UpdateSubscriberRequest { FirstName = "Ada", Fields = fields });

        Assert.Equal("Ada", updated.FirstName);
    }

    [Theory, Providers]
    public async Task UpdateSubscriber_InvalidEmail_Throws422(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var kit = app.ClientFor(account);
        await app.AddSubscribersAsync(account.Id, 1);
        var id = (await kit.ListSubscribersAsync()).Items.Single().Id;

        await kit.UpdateSubscriberAsync(id, new UpdateSubscriberRequest { EmailAddress = "nope" })
            .AssertFailsAsync(422, "Error updating subscriber", "Email address is invalid");
        await kit.UpdateSubscriberAsync(999, new UpdateSubscriberRequest()).AssertNotFoundAsync();
    }

    [Theory, Providers]
    public async Task Unsubscribe_KnownAddress_ReturnsTheCancelledSubscriber(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        await app.AddSubscribersAsync(account.Id, 1);

        var subscriber = await app.ClientFor(account).UnsubscribeAsync("s000@example.com");

        Assert.Equal(("s000@example.com", "cancelled"), (subscriber.EmailAddress, subscriber.State));
    }

    [Theory, Providers]
    public async Task Unsubscribe_UnknownAddress_Throws404(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();

        await app.ClientFor(account).UnsubscribeAsync("nobody@example.com").AssertNotFoundAsync();
    }

    [Theory, Providers]
    public async Task ListSubscriberTags_TwoTags_ListsThemInTaggingOrder(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var kit = app.KeyOnlyClientFor(account);
        var tags = await kit.CreateTagsAsync(["A", "B"]);
        var subscribed = await kit.TagSubscriberAsync(tags[1].Id, new SubscribeRequest("ada@example.com"));
        await kit.TagSubscriberAsync(tags[0].Id, new SubscribeRequest("ada@example.com"));

        var result = await kit.ListSubscriberTagsAsync(subscribed.Subscriber.Id);

        Assert.Equal([tags[1], tags[0]], result);
        await kit.ListSubscriberTagsAsync(999).AssertNotFoundAsync();
    }
}
