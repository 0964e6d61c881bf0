using Mailroom.Client.Tests.Infrastructure;
using Mailroom.Server.Tests.Infrastructure;

namespace Mailroom.Client.Tests;

public sealed class TagsClientTests
{
    [Theory, Providers]
    public async Task CreateTag_NewName_ReturnsTheTagAndListsIt(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var kit = app.KeyOnlyClientFor(account);

        var tag = await kit.CreateTagAsync("Customer");

        Assert.Equal(("Customer", MailroomApp.Start), (tag.Name, tag.CreatedAt));
        Assert.Equal([tag], await kit.ListTagsAsync());
    }

    [Theory, Providers]
    public async Task CreateTags_TwoNames_ReturnsBothInOrder(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();

        var tags = await app.KeyOnlyClientFor(account).CreateTagsAsync(["Zebra", "Apple"]);

        Assert.Equal(["Zebra", "Apple"], tags.Select(t => t.Name));
    }

    [Theory, Providers]
    public async Task CreateTags_OneName_ReturnsAListOfOne(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();

        var tags = await app.KeyOnlyClientFor(account).CreateTagsAsync(["Solo"]);

        Assert.Equal("Solo", Assert.Single(tags).Name);
    }

    [Theory, Providers]
    public async Task CreateTag_TakenName_Throws422(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var kit = app.KeyOnlyClientFor(account);
        await kit.CreateTagAsync("Customer");

        await kit.CreateTagAsync("customer").AssertUnprocessableAsync("Name has already been taken");
        await kit.CreateTagsAsync(["New", " "]).AssertUnprocessableAsync("Name can't be blank");
        Assert.Single(await kit.ListTagsAsync());
    }

    [Theory, Providers]
    public async Task ListTags_WrongCredentials_Throws401(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);

        await app.ClientWithWrongCredentials().ListTagsAsync().AssertKeyNotValidAsync();
    }

    [Theory, Providers]
    public async Task TagSubscriber_NewAddress_TagsIt(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var kit = app.KeyOnlyClientFor(account);
        var tag = await kit.CreateTagAsync("Customer");

        var result = await kit.TagSubscriberAsync(tag.Id, new SubscribeRequest("ada@example.com"));

        Assert.Equal(("active", tag.Id, "tag"), (result.State, result.SubscribableId, result.SubscribableType));
        Assert.Equal([tag], await kit.ListSubscriberTagsAsync(result.Subscriber.Id));
    }

    [Theory, Providers]
    public async Task TagSubscriber_UnknownTag_Throws404TagNotFound(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();

        await app.KeyOnlyClientFor(account).TagSubscriberAsync(999, new SubscribeRequest("ada@example.com"))
            .AssertFailsAsync(404, "Tag not found", "");
    }

    [Theory, Providers]
    public async Task UntagSubscriberByEmail_TaggedAddress_RemovesTheTag(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var kit = app.ClientFor(account);
        var tag = await kit.CreateTagAsync("Customer");
        var subscribed = await kit.TagSubscriberAsync(tag.Id, new SubscribeRequest("ada@example.com"));

        var removed = await kit.UntagSubscriberByEmailAsync(tag.Id, "ADA@example.com");

        Assert.Equal(tag, removed);
        Assert.Empty(await kit.ListSubscriberTagsAsync(subscribed.Subscriber.Id));
    }

    [Theory, Providers]
    public async Task UntagSubscriberByEmail_UnknownTagOrAddress_Throws404(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var kit = app.ClientFor(account);
        var tag = await kit.CreateTagAsync("Customer");

        await kit.UntagSubscriberByEmailAsync(999, "ada@example.com").AssertNotFoundAsync();
        await kit.UntagSubscriberByEmailAsync(tag.Id, "nobody@example.com").AssertNotFoundAsync();
    }

    [Theory, Providers]
    public async Task UntagSubscriber_Tagged_RemovesTheTagOnce(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var kit = app.ClientFor(account);
        var tag = await kit.CreateTagAsync("Customer");
        var subscribed = await kit.TagSubscriberAsync(tag.Id, new SubscribeRequest("ada@example.com"));

        var removed = await kit.UntagSubscriberAsync(subscribed.Subscriber.Id, tag.Id);

        Assert.Equal(tag, removed);
        await kit.UntagSubscriberAsync(subscribed.Subscriber.Id, tag.Id).AssertNotFoundAsync();
    }

    [Theory, Providers]
    public async Task ListTagSubscriptions_TaggedAndCancelled_ListsEachUnderItsState(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var kit = app.ClientFor(account);
        var tag = await kit.CreateTagAsync("Customer");
        await kit.TagSubscriberAsync(tag.Id, new SubscribeRequest("a@example.com"));
        await kit.TagSubscriberAsync(tag.Id, new SubscribeRequest("b@example.com"));
        await kit.UnsubscribeAsync("a@example.com");

        var active = await kit.ListTagSubscriptionsAsync(tag.Id);
        var cancelled = await kit.ListAllTagSubscriptionsAsync(tag.Id, new SubscriptionQuery { SubscriberState = SubscriptionState.Cancelled })
            .ToListAsync();

        Assert.Equal((1L, "b@example.com"), (active.TotalCount, active.Items.Single().Subscriber.EmailAddress));
        Assert.Equal("a@example.com", cancelled.Single().Subscriber.EmailAddress);
    }

    [Theory, Providers]
    public async Task ListTagSubscriptions_UnknownTag_Throws404(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();

        await app.ClientFor(account).ListTagSubscriptionsAsync(999).AssertNotFoundAsync();
    }
}
