using Mailroom.Server.Tests.Infrastructure;

namespace Mailroom.Client.Tests.V4;

using Mailroom.Client.V4;

/// <summary>The OAuth-only operations (purchases, bulk) through a client holding an OAuth session, and refused to an API key.</summary>
public sealed class OAuthOnlyKitTests
{
    static async Task<(TestAccount Account, KitClient Kit)> OAuthClientAsync(MailroomApp app)
    {
        var account = await app.CreateAccountAsync();
        var (clientId, secret) = await app.CreateOAuthAppAsync();
        var tokens = await app.MintTokensAsync(clientId, account.Id);
        return (account, app.KitWithOAuth(new KitOAuthSession(clientId, secret, tokens)));
    }

    [Theory, Providers]
    public async Task Purchase_CreateGetList_WithOAuth(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var (_, kit) = await OAuthClientAsync(app);

        var created = await kit.CreatePurchaseAsync(new PurchaseRequest("ada@example.com", "tx-1", "USD", MailroomApp.Start,
            [new PurchaseProduct(2, "7001", 5.5m, "SKU-1", "<b>Mug</b>", "9001")]) { Subtotal = 11m, Total = 11m });

        Assert.Equal(("tx-1", "ada@example.com", 11m), (created.TransactionId, created.EmailAddress, created.Total));
        Assert.Equal("<b>Mug</b>", Assert.Single(created.Products).Name);
        Assert.Equal(created.Id, (await kit.GetPurchaseAsync(created.Id)).Id);
        Assert.Equal([created.Id], (await kit.ListAllPurchasesAsync().ToListAsync()).Select(p => p.Id));
    }

    [Theory, Providers]
    public async Task OAuthOnlyOperations_ApiKey_Throw401(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var (_, kit) = await app.KitForNewAccountAsync();

        await kit.ListPurchasesAsync().AssertKitErrorAsync(401, KitArrange.AccessTokenInvalid);
        await kit.BulkCreateTagsAsync(["A"]).AssertKitErrorAsync(401, KitArrange.AccessTokenInvalid);
    }

    [Theory, Providers]
    public async Task BulkTags_CreateTagAndUntag_ReportFailuresPerItem(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var (_, kit) = await OAuthClientAsync(app);
        var ada = (await kit.CreateSubscriberAsync(new SubscriberRequest("ada@example.com"))).Subscriber;

        var tags = await kit.BulkCreateTagsAsync(["Customer", "Lead"]);
        var customer = tags.Items[0];
        var tagged = await kit.BulkTagSubscribersAsync([new Tagging(customer.Id, ada.Id), new Tagging(customer.Id, 999_999)]);
        var untagged = await kit.BulkUntagSubscribersAsync([new Tagging(customer.Id, ada.Id)]);

        Assert.False(tags.Queued);
        Assert.Equal(["Customer", "Lead"], tags.Items.Select(t => t.Name));
        Assert.Equal([ada.Id], tagged.Items.Select(s => s.Id));
        var failure = Assert.Single(tagged.Failures);
        Assert.Equal(["Subscriber does not exist"], failure.Errors);
        Assert.Empty(untagged.Failures);
        Assert.Empty((await kit.ListSubscriberTagsAsync(ada.Id)).Items);
    }

    [Theory, Providers]
    public async Task BulkSubscribers_OneInvalidAddress_CreatesTheOthers(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var (_, kit) = await OAuthClientAsync(app);

        var result = await kit.BulkCreateSubscribersAsync([new BulkSubscriber("ada@example.com", "Ada"), new BulkSubscriber("not-an-address")]);

        Assert.Equal(["ada@example.com"], result.Items.Select(s => s.EmailAddress));
        Assert.Equal("Email address is invalid", Assert.Single(Assert.Single(result.Failures).Errors));
    }
}
