using Mailroom.Server.Tests.Infrastructure;

namespace Mailroom.Client.Tests.V4;

using Mailroom.Client.V4;

public sealed class WebhooksKitTests
{
    [Theory, Providers]
    public async Task Webhook_CreateListDelete_NamesTheEventWithoutItsDomain(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var (account, kit) = await app.KitForNewAccountAsync();
        var tag = await kit.CreateTagAsync("Customer");

        var created = await kit.CreateWebhookAsync("https://hooks.example.com/tags", new WebhookEvent("subscriber.tag_add") { TagId = tag.Id });

        Assert.Equal((account.Id, "tag_add", "https://hooks.example.com/tags"), (created.AccountId, created.Event.Name, created.TargetUrl));
        var listed = Assert.Single(await kit.ListAllWebhooksAsync().ToListAsync());
        Assert.Equal((created.Id, tag.Id), (listed.Id, listed.Event.TagId));

        await kit.DeleteWebhookAsync(created.Id);

        Assert.Empty((await kit.ListWebhooksAsync()).Items);
        await kit.DeleteWebhookAsync(created.Id).AssertKitErrorAsync(404, "Not Found");
    }

    [Theory, Providers]
    public async Task CreateWebhook_NoEventName_Throws422(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var (_, kit) = await app.KitForNewAccountAsync();

        await kit.CreateWebhookAsync("", new WebhookEvent("subscriber.subscriber_activate"))
            .AssertKitErrorAsync(422, "`event` and `target` parameters must be provided");
    }
}
