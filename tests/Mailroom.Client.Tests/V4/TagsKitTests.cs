using Mailroom.Server.Tests.Infrastructure;

namespace Mailroom.Client.Tests.V4;

using Mailroom.Client.V4;

public sealed class TagsKitTests
{
    [Theory, Providers]
    public async Task CreateTag_NewThenSameNameInOtherCase_CreatesOnceAndReturnsTheExisting(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var (_, kit) = await app.KitForNewAccountAsync();

        var created = await kit.CreateTagAsync("<b>Customer</b>");
        var again = await kit.CreateTagAsync("<B>CUSTOMER</B>");

        Assert.Equal(("<b>Customer</b>", MailroomApp.Start), (created.Name, created.CreatedAt));
        Assert.Equal(created.Id, again.Id);
        Assert.Equal([created.Id], (await kit.ListAllTagsAsync().ToListAsync()).Select(t => t.Id));
    }

    [Theory, Providers]
    public async Task CreateAndUpdateTag_BlankName_Throws422(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var (_, kit) = await app.KitForNewAccountAsync();
        var tag = await kit.CreateTagAsync("Customer");

        await kit.CreateTagAsync(" ").AssertKitErrorAsync(422, "Name can't be blank");
        await kit.UpdateTagAsync(tag.Id, "").AssertKitErrorAsync(422, "Name can't be blank");
        await kit.UpdateTagAsync(999_999, "New").AssertKitErrorAsync(404, "Not Found");
    }

    [Theory, Providers]
    public async Task UpdateTag_NewName_RenamesIt(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var (_, kit) = await app.KitForNewAccountAsync();
        var tag = await kit.CreateTagAsync("Customer");

        var renamed = await kit.UpdateTagAsync(tag.Id, "Buyer");

        Assert.Equal(tag with { Name = "Buyer" }, renamed with { SubscriberCount = null });
    }

    [Theory, Providers]
    public async Task TagSubscriber_ByEmailAndById_ListsThemBothWaysThenUntags(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var (_, kit) = await app.KitForNewAccountAsync();
        var tag = await kit.CreateTagAsync("Customer");
        var ada = (await kit.CreateSubscriberAsync(new SubscriberRequest("ada@example.com") { FirstName = "Ada" })).Subscriber;
        var bob = (await kit.CreateSubscriberAsync(new SubscriberRequest("bob@example.com"))).Subscriber;

        var byEmail = await kit.TagSubscriberByEmailAsync(tag.Id, "ada@example.com");
        var byId = await kit.TagSubscriberAsync(tag.Id, bob.Id);
        var again = await kit.TagSubscriberAsync(tag.Id, bob.Id);

        Assert.Equal((ada.Id, "Ada", MailroomApp.Start), (byEmail.Id, byEmail.FirstName, byEmail.TaggedAt));
        Assert.Equal((byId.Id, byId.TaggedAt), (again.Id, again.TaggedAt));
        Assert.Equal([bob.Id, ada.Id], (await kit.ListAllTagSubscribersAsync(tag.Id).ToListAsync()).Select(s => s.Id).Order().Reverse());
        Assert.Equal(["Customer"], (await kit.ListAllSubscriberTagsAsync(ada.Id).ToListAsync()).Select(t => t.Name));

        await kit.UntagSubscriberByEmailAsync(tag.Id, "ada@example.com");
        await kit.UntagSubscriberAsync(tag.Id, bob.Id);

        Assert.Empty((await kit.ListTagSubscribersAsync(tag.Id)).Items);
        Assert.Empty((await kit.ListSubscriberTagsAsync(ada.Id)).Items);
    }

    [Theory, Providers]
    public async Task TagSubscriber_UnknownOrOtherAccountsIds_Throws404(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var (_, kit) = await app.KitForNewAccountAsync();
        var (_, other) = await app.KitForNewAccountAsync("Other", "other@example.com");
        var theirTag = await other.CreateTagAsync("Theirs");
        var tag = await kit.CreateTagAsync("Mine");

        await kit.TagSubscriberByEmailAsync(theirTag.Id, "ada@example.com").AssertKitErrorAsync(404, "Not Found");
        await kit.TagSubscriberAsync(tag.Id, 999_999).AssertKitErrorAsync(404, "Not Found");
        await kit.ListTagSubscribersAsync(theirTag.Id).AssertKitErrorAsync(404, "Not Found");
    }
}
