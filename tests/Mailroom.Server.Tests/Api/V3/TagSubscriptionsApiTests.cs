using Mailroom.Data;
using Mailroom.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Mailroom.Server.Tests.Api.V3;

/// <summary>Removing tags by email and by subscriber id, and listing a tag's subscriptions (spec §3.4, §4.2).</summary>
public sealed class TagSubscriptionsApiTests
{
    const string Created = "2024-05-01T10:00:00.000Z";
    const string NotFound = """{"error":"Not Found","message":"The entity you were trying to find doesn't exist"}""";

    sealed record Arranged(TestAccount Account, Tag Tag, Subscriber Subscriber);

    static async Task<Arranged> ArrangeTaggedAsync(MailroomApp app)
    {
        var account = await app.CreateAccountAsync();
        var tag = await app.AddTagAsync(account.Id, "Customer");
        var subscriber = await app.AddSubscriberAsync(account.Id, "jon@example.com");
        await app.AddSubscriptionAsync(subscriber, "tag", tag.Id);
        return new Arranged(account, tag, subscriber);
    }

    [Theory, Providers]
    public async Task UntagByEmail_Tagged_ReturnsTagDeletesSubscriptionAndRaisesTagRemove(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var a = await ArrangeTaggedAsync(app);

        var response = await app.Http.PostAsync($"/v3/tags/{a.Tag.Id}/unsubscribe",
            HttpAssert.Json(new { api_secret = a.Account.ApiSecret, email = "JON@example.com" }));

        await response.AssertJsonAsync(200, $$"""{"id":{{a.Tag.Id}},"name":"Customer","created_at":"{{Created}}"}""");
        Assert.Empty(await app.SubscriptionsAsync());
        Assert.Equal([("tag_remove", a.Subscriber.Id, a.Tag.Id.ToString())], await app.OutboxAsync());
        Assert.Equal(SubscriberStates.Active, (await app.SubscribersAsync()).Single().State);
    }

    [Theory, Providers]
    public async Task UntagByEmail_SubscriberWithoutTag_ReturnsTagWithoutEvent(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var tag = await app.AddTagAsync(account.Id, "Customer");
        await app.AddSubscriberAsync(account.Id, "jon@example.com");

        var response = await app.Http.PostAsync($"/v3/tags/{tag.Id}/unsubscribe?api_secret={account.ApiSecret}&email=jon@example.com", null);

        await response.AssertJsonAsync(200, $$"""{"id":{{tag.Id}},"name":"Customer","created_at":"{{Created}}"}""");
        Assert.Empty(await app.OutboxAsync());
    }

    [Theory, Providers]
    public async Task UntagByEmail_Errors_ReturnKitBodies(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var a = await ArrangeTaggedAsync(app);
        var other = await app.CreateAccountAsync("Other", "other@acme.test");
        var foreignTag = await app.AddTagAsync(other.Id, "Foreign");
        var foreignSubscriber = await app.AddSubscriberAsync(other.Id, "arya@example.com");
        await app.AddSubscriptionAsync(foreignSubscriber, "tag", foreignTag.Id);
        var url = $"/v3/tags/{a.Tag.Id}/unsubscribe";

        await (await app.Http.PostAsync(url, HttpAssert.Json(new { api_secret = a.Account.ApiSecret })))
            .AssertJsonAsync(400, """{"error":"Missing parameter","message":"Subscriber email is required"}""");
        await (await app.Http.PostAsync(url, HttpAssert.Json(new { api_secret = a.Account.ApiSecret, email = "nobody@example.com" })))
            .AssertJsonAsync(404, NotFound);
        await (await app.Http.PostAsync(url, HttpAssert.Json(new { api_secret = a.Account.ApiSecret, email = "arya@example.com" })))
            .AssertJsonAsync(404, NotFound);
        await (await app.Http.PostAsync($"/v3/tags/{foreignTag.Id}/unsubscribe", HttpAssert.Json(new { api_secret = a.Account.ApiSecret, email = "jon@example.com" })))
            .AssertJsonAsync(404, NotFound);
        await (await app.Http.PostAsync("/v3/tags/999999/unsubscribe", HttpAssert.Json(new { api_secret = a.Account.ApiSecret, email = "jon@example.com" })))
            .AssertJsonAsync(404, NotFound);
        await (await app.Http.PostAsync(url, HttpAssert.Json(new { api_key = a.Account.ApiKey, email = "jon@example.com" })))
            .AssertJsonAsync(401, """{"error":"Authorization Failed","message":"You do not have sufficient permissions to access this resource"}""");
        Assert.Equal(2, (await app.SubscriptionsAsync()).Count);
        Assert.Empty(await app.OutboxAsync());
    }

    [Theory, Providers]
    public async Task UntagSubscriber_SecretInJsonBodyOfDelete_ReturnsRemovedTag(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var a = await ArrangeTaggedAsync(app);

        var response = await app.Http.SendJsonAsync(HttpMethod.Delete, $"/v3/subscribers/{a.Subscriber.Id}/tags/{a.Tag.Id}",
            new { api_secret = a.Account.ApiSecret });

        await response.AssertJsonAsync(200, $$"""{"id":{{a.Tag.Id}},"name":"Customer","created_at":"{{Created}}"}""");
        Assert.Empty(await app.SubscriptionsAsync());
        Assert.Equal([("tag_remove", a.Subscriber.Id, a.Tag.Id.ToString())], await app.OutboxAsync());
        // Removed means gone from the tag's listing, not cancelled (spec §4.2 rule 3).
        await (await app.Http.GetAsync($"/v3/tags/{a.Tag.Id}/subscriptions?api_secret={a.Account.ApiSecret}&subscriber_state=cancelled"))
            .AssertJsonAsync(200, """{"total_subscriptions":0,"page":1,"total_pages":0,"subscriptions":[]}""");
    }

    [Theory, Providers]
    public async Task UntagSubscriber_MissingTagOrUnknownIds_Returns404(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var a = await ArrangeTaggedAsync(app);
        var untagged = await app.AddTagAsync(a.Account.Id, "Lead");
        var other = await app.CreateAccountAsync("Other", "other@acme.test");
        var foreignTag = await app.AddTagAsync(other.Id, "Foreign");
        var foreignSubscriber = await app.AddSubscriberAsync(other.Id, "arya@example.com");
        await app.AddSubscriptionAsync(foreignSubscriber, "tag", foreignTag.Id);
        var secret = $"?api_secret={a.Account.ApiSecret}";

        foreach (var path in new[]
        {
            $"/v3/subscribers/{a.Subscriber.Id}/tags/{untagged.Id}", $"/v3/subscribers/{a.Subscriber.Id}/tags/999999",
            $"/v3/subscribers/999999/tags/{a.Tag.Id}", $"/v3/subscribers/{foreignSubscriber.Id}/tags/{foreignTag.Id}",
            $"/v3/subscribers/{a.Subscriber.Id}/tags/{foreignTag.Id}",
        })
            await (await app.Http.DeleteAsync(path + secret)).AssertJsonAsync(404, NotFound);
        await (await app.Http.DeleteAsync($"/v3/subscribers/{a.Subscriber.Id}/tags/{a.Tag.Id}?api_key={a.Account.ApiKey}"))
            .AssertJsonAsync(401, """{"error":"Authorization Failed","message":"You do not have sufficient permissions to access this resource"}""");
        Assert.Equal(2, (await app.SubscriptionsAsync()).Count);
        Assert.Empty(await app.OutboxAsync());
    }

    [Theory, Providers]
    public async Task UntagSubscriber_TwiceInParallel_OneRemovesOne404(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var a = await ArrangeTaggedAsync(app);
        var url = $"/v3/subscribers/{a.Subscriber.Id}/tags/{a.Tag.Id}?api_secret={a.Account.ApiSecret}";

        var responses = await Task.WhenAll(app.Http.DeleteAsync(url), app.Http.DeleteAsync(url));

        Assert.Equal([200, 404], responses.Select(r => (int)r.StatusCode).Order());
        Assert.Single(await app.OutboxAsync());
    }

    [Theory, Providers]
    public async Task ListTagSubscriptions_AfterSubscribeAndUntag_ListsActiveAndCancelled(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var tag = await app.AddTagAsync(account.Id, "Customer");
        var arya = await app.AddSubscriberAsync(account.Id, "arya@example.com", SubscriberStates.Cancelled);
        var cancelled = await app.AddSubscriptionAsync(arya, "tag", tag.Id, SubscriptionStates.Cancelled);
        await (await app.Http.PostAsync($"/v3/tags/{tag.Id}/subscribe",
            HttpAssert.Json(new { api_key = account.ApiKey, email = "jon@example.com", first_name = "Jon" }))).AssertStatusAsync(200);
        var jon = (await app.SubscribersAsync()).Single(s => s.EmailAddress == "jon@example.com");
        var active = (await app.SubscriptionsAsync()).Single(s => s.SubscriberId == jon.Id);

        await (await app.Http.GetAsync($"/v3/tags/{tag.Id}/subscriptions?api_secret={account.ApiSecret}")).AssertJsonAsync(200, $$"""
            {"total_subscriptions":1,"page":1,"total_pages":1,"subscriptions":[
              {"id":{{active.Id}},"state":"active","created_at":"{{Created}}","source":null,"referrer":null,"subscribable_id":{{tag.Id}},
               "subscribable_type":"tag","subscriber":{"id":{{jon.Id}},"first_name":"Jon","email_address":"jon@example.com",
               "state":"active","created_at":"{{Created}}","fields":{} } } ]}
            """);
        await (await app.Http.GetAsync($"/v3/tags/{tag.Id}/subscriptions?api_secret={account.ApiSecret}&subscriber_state=cancelled")).AssertJsonAsync(200, $$"""
            {"total_subscriptions":1,"page":1,"total_pages":1,"subscriptions":[
              {"id":{{cancelled.Id}},"state":"cancelled","created_at":"{{Created}}","source":null,"referrer":null,"subscribable_id":{{tag.Id}},
               "subscribable_type":"tag","subscriber":{"id":{{arya.Id}},"first_name":null,"email_address":"arya@example.com",
               "state":"cancelled","created_at":"{{Created}}","fields":{} } } ]}
            """);
    }

    [Theory, Providers]
    public async Task ListTagSubscriptions_UnknownOrOtherAccountsTagOrBadState_ReturnsError(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var tag = await app.AddTagAsync(account.Id);
        var other = await app.CreateAccountAsync("Other", "other@acme.test");
        var foreign = await app.AddTagAsync(other.Id);

        await (await app.Http.GetAsync($"/v3/tags/{foreign.Id}/subscriptions?api_secret={account.ApiSecret}")).AssertJsonAsync(404, NotFound);
        await (await app.Http.GetAsync($"/v3/tags/999999/subscriptions?api_secret={account.ApiSecret}")).AssertJsonAsync(404, NotFound);
        await (await app.Http.GetAsync($"/v3/tags/{tag.Id}/subscriptions?api_secret={account.ApiSecret}&subscriber_state=all"))
            .AssertJsonAsync(422, """{"error":"Unprocessable Entity","message":"Subscriber state must be active or cancelled"}""");
        Assert.Equal(0, await app.DbAsync(db => db.Subscriptions.CountAsync()));
    }
}
