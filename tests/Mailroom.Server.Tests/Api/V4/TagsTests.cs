using System.Text.Json.Nodes;
using Mailroom.Data;
using Mailroom.Server.Tests.Api.V3;
using Mailroom.Server.Tests.Infrastructure;
using Mailroom.Server.Tests.Webhooks;
using Microsoft.EntityFrameworkCore;
using static Mailroom.Server.Tests.Webhooks.WebhookArrange;

namespace Mailroom.Server.Tests.Api.V4;

/// <summary>/v4/tags: the tag list, create and rename, and tag memberships (with their webhooks).</summary>
public sealed class TagsTests
{
    static string Cursor(long id) => CustomFieldsTests.Cursor(id);

    [Theory, Providers]
    public async Task List_NewestFirst_SubscriberCountOnlyWhenAsked(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var (account, client) = await V4Client.ForNewAccountAsync(app);
        var (other, _) = await V4Client.ForNewAccountAsync(app, "Other", "other@acme.test");
        var a = await app.AddTagAsync(account.Id, "Tag A");
        var b = await app.AddTagAsync(account.Id, "Tag B");
        await app.AddTagAsync(other.Id, "Theirs");
        await client.PostAsync($"/v4/tags/{a.Id}/subscribers/{(await app.AddSubscriberAsync(account.Id, "jon@example.com")).Id}", new { }, 201);

        var plain = await client.GetAsync("/v4/tags");
        var counted = await client.GetAsync("/v4/tags?include=subscriber_count");

        AssertJson($$$"""
            {"tags":[{"id":{{{b.Id}}},"name":"Tag B","created_at":"2024-05-01T10:00:00Z"},{"id":{{{a.Id}}},"name":"Tag A","created_at":"2024-05-01T10:00:00Z"}],
             "pagination":{"has_previous_page":false,"has_next_page":false,"start_cursor":"{{{Cursor(b.Id)}}}","end_cursor":"{{{Cursor(a.Id)}}}","per_page":500}}
            """, plain.ToJsonString());
        Assert.Equal([0L, 1L], counted["tags"]!.AsArray().Select(t => t!["subscriber_count"]!.GetValue<long>()));
    }

    [Theory, Providers]
    public async Task Create_New201_ExistingAnyCase200_BlankAndTooLong422(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var (_, client) = await V4Client.ForNewAccountAsync(app);

        var created = await client.PostAsync("/v4/tags", new { name = "Completed" }, 201);
        var again = await client.PostAsync("/v4/tags", new { name = "  completed " }, 200);

        var id = created["tag"]!["id"]!.GetValue<long>();
        AssertJson($$$"""{"tag":{"id":{{{id}}},"name":"Completed","created_at":"2024-05-01T10:00:00Z"}}""", created.ToJsonString());
        AssertJson(created.ToJsonString(), again.ToJsonString());
        await client.AssertErrorAsync(HttpMethod.Post, "/v4/tags", 422, new { }, "Name can't be blank");
        await client.AssertErrorAsync(HttpMethod.Post, "/v4/tags", 422, new { name = " " }, "Name can't be blank");
        await client.AssertErrorAsync(HttpMethod.Post, "/v4/tags", 422, new { name = new string('x', 256) }, "Name is too long (maximum is 255 characters)");
        await client.CallAsync(HttpMethod.Post, "/v4/tags", 400, new { name = new[] { "a" } });
        Assert.Equal(1, await app.DbAsync(db => db.Tags.CountAsync()));
    }

    [Theory, Providers]
    public async Task Create_HostileHtml_StoredVerbatim_ReturnedEscaped(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var (_, client) = await V4Client.ForNewAccountAsync(app);
        const string name = "<img src=x onerror=alert(1)>";

        using var response = await client.SendAsync(HttpMethod.Post, "/v4/tags", new { name });
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(201, (int)response.StatusCode);
        Assert.DoesNotContain("<img", text);
        Assert.Equal(name, JsonNode.Parse(text)!["tag"]!["name"]!.GetValue<string>());
        Assert.Equal(name, await app.DbAsync(db => db.Tags.Select(t => t.Name).SingleAsync()));
    }

    [Theory, Providers]
    public async Task Update_Renames_TakenName422_OwnNameInOtherCaseOk_OtherAccount404(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var (account, client) = await V4Client.ForNewAccountAsync(app);
        var (other, _) = await V4Client.ForNewAccountAsync(app, "Other", "other@acme.test");
        var tag = await app.AddTagAsync(account.Id, "Lead");
        await app.AddTagAsync(account.Id, "Customer");
        var theirs = await app.AddTagAsync(other.Id, "Theirs");

        var renamed = await client.PutAsync($"/v4/tags/{tag.Id}", new { name = "signed up" });
        await client.PutAsync($"/v4/tags/{tag.Id}", new { name = "Signed Up" });

        AssertJson($$$"""{"tag":{"id":{{{tag.Id}}},"name":"signed up","created_at":"2024-05-01T10:00:00Z"}}""", renamed.ToJsonString());
        Assert.Equal("Signed Up", await app.DbAsync(db => db.Tags.Where(t => t.Id == tag.Id).Select(t => t.Name).SingleAsync()));
        await client.AssertErrorAsync(HttpMethod.Put, $"/v4/tags/{tag.Id}", 422, new { name = "CUSTOMER" }, "Name has already been taken");
        await client.AssertErrorAsync(HttpMethod.Put, $"/v4/tags/{tag.Id}", 422, new { name = "" }, "Name can't be blank");
        await client.AssertErrorAsync(HttpMethod.Put, $"/v4/tags/{theirs.Id}", 404, new { name = "Mine" }, "Not Found");
        await client.AssertErrorAsync(HttpMethod.Put, "/v4/tags/999999", 404, new { name = "Mine" }, "Not Found");
    }

    [Theory, Providers]
    public async Task TagAndUntag_ByEmailAndById_201Then200_WebhooksFireOncePerChange(string provider)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var app = await MailroomApp.StartAsync(provider);
        var (account, client) = await V4Client.ForNewAccountAsync(app);
        var tag = await app.AddTagAsync(account.Id);
        var jon = await app.AddSubscriberAsync(account.Id, "jon@example.com", firstName: "Jon");
        await app.RuleAsync(account, $"{receiver.Url}/add", new { name = "subscriber.tag_add", tag_id = tag.Id });
        await app.RuleAsync(account, $"{receiver.Url}/remove", new { name = "subscriber.tag_remove", tag_id = tag.Id });

        var first = await client.PostAsync($"/v4/tags/{tag.Id}/subscribers", new { email_address = "JON@example.com" }, 201);
        await client.PostAsync($"/v4/tags/{tag.Id}/subscribers", new { email_address = "jon@example.com" }, 200);
        await client.PostAsync($"/v4/tags/{tag.Id}/subscribers/{jon.Id}", new { }, 200);
        await client.DeleteAsync($"/v4/tags/{tag.Id}/subscribers", body: new { email_address = "jon@example.com" });
        await client.DeleteAsync($"/v4/tags/{tag.Id}/subscribers", body: new { email_address = "jon@example.com" });
        await client.PostAsync($"/v4/tags/{tag.Id}/subscribers/{jon.Id}", new { }, 201);
        await client.DeleteAsync($"/v4/tags/{tag.Id}/subscribers/{jon.Id}");
        await client.AssertErrorAsync(HttpMethod.Delete, $"/v4/tags/{tag.Id}/subscribers/{jon.Id}", 404, null, "Not Found");
        await app.DispatchUntilSettledAsync();

        AssertJson($$$"""
            {"subscriber":{"id":{{{jon.Id}}},"first_name":"Jon","email_address":"jon@example.com","state":"active",
             "created_at":"2024-05-01T10:00:00Z","tagged_at":"2024-05-01T10:00:00Z","fields":{} } }
            """, first.ToJsonString());
        // One request per change; the dispatcher does not promise order across rules.
        Assert.Equal(["/add", "/add", "/remove", "/remove"], receiver.Requests.Select(r => r.Path).Order());
        Assert.Equal([("tag_add", jon.Id, tag.Id.ToString()), ("tag_remove", jon.Id, tag.Id.ToString()),
            ("tag_add", jon.Id, tag.Id.ToString()), ("tag_remove", jon.Id, tag.Id.ToString())], await app.OutboxAsync());
    }

    [Theory, Providers]
    public async Task Tag_CancelledOrUnconfirmedSubscriber_KeepsItsState_OnlyTagAddRaised(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var (account, client) = await V4Client.ForNewAccountAsync(app);
        var tag = await app.AddTagAsync(account.Id);
        var gone = await app.AddSubscriberAsync(account.Id, "gone@example.com", SubscriberStates.Cancelled);
        var pending = await app.AddSubscriberAsync(account.Id, "pending@example.com", SubscriberStates.Inactive);

        var tagged = await client.PostAsync($"/v4/tags/{tag.Id}/subscribers/{gone.Id}", new { }, 201);
        await client.PostAsync($"/v4/tags/{tag.Id}/subscribers", new { email_address = "pending@example.com" }, 201);

        Assert.Equal("cancelled", tagged["subscriber"]!["state"]!.GetValue<string>());
        Assert.Equal(SubscriberStates.Cancelled, (await app.ReloadAsync(gone.Id)).State);
        Assert.Equal(SubscriberStates.Inactive, (await app.ReloadAsync(pending.Id)).State);
        Assert.Equal([("tag_add", gone.Id, tag.Id.ToString()), ("tag_add", pending.Id, tag.Id.ToString())], await app.OutboxAsync());
    }

    [Theory, Providers]
    public async Task WithoutCredentials_401(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var anonymous = new V4Client(app);

        await anonymous.AssertErrorAsync(HttpMethod.Get, "/v4/tags", 401, null, "The access token is invalid");
        await anonymous.AssertErrorAsync(HttpMethod.Post, "/v4/tags/1/subscribers", 401, new { email_address = "a@example.com" }, "The access token is invalid");
        await anonymous.AssertErrorAsync(HttpMethod.Get, "/v4/subscribers", 401, null, "The access token is invalid");
        await anonymous.AssertErrorAsync(HttpMethod.Post, "/v4/custom_fields", 401, new { label = "X" }, "The access token is invalid");
    }

    [Theory, Providers]
    public async Task Memberships_MissingEmail422_UnknownOrOtherAccounts404(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var (account, client) = await V4Client.ForNewAccountAsync(app);
        var (other, _) = await V4Client.ForNewAccountAsync(app, "Other", "other@acme.test");
        var tag = await app.AddTagAsync(account.Id);
        var theirTag = await app.AddTagAsync(other.Id);
        var theirs = await app.AddSubscriberAsync(other.Id, "them@example.com");
        await app.AddSubscriberAsync(account.Id, "jon@example.com");

        await client.AssertErrorAsync(HttpMethod.Post, $"/v4/tags/{tag.Id}/subscribers", 422, new { },
            "Either subscriber id or email address is required to tag subscriber");
        await client.AssertErrorAsync(HttpMethod.Delete, $"/v4/tags/{tag.Id}/subscribers", 422, new { },
            "Either subscriber id or email address is required to remove tag from subscriber");
        await client.AssertErrorAsync(HttpMethod.Post, $"/v4/tags/{tag.Id}/subscribers", 404, new { email_address = "them@example.com" }, "Not Found");
        await client.AssertErrorAsync(HttpMethod.Post, $"/v4/tags/{theirTag.Id}/subscribers", 404, new { email_address = "jon@example.com" }, "Not Found");
        await client.AssertErrorAsync(HttpMethod.Post, $"/v4/tags/{tag.Id}/subscribers/{theirs.Id}", 404, new { }, "Not Found");
        await client.AssertErrorAsync(HttpMethod.Delete, $"/v4/tags/{tag.Id}/subscribers/{theirs.Id}", 404, null, "Not Found");
        await client.AssertErrorAsync(HttpMethod.Delete, $"/v4/tags/{theirTag.Id}/subscribers", 404, new { email_address = "jon@example.com" }, "Not Found");
        await client.AssertErrorAsync(HttpMethod.Get, $"/v4/tags/{theirTag.Id}/subscribers", 404, null, "Not Found");
        Assert.Empty(await app.SubscriptionsAsync());
    }

    [Theory, Providers]
    public async Task ListSubscribers_CompositeCursors_StatusAndTaggedFilters_FieldsPerSubscriber(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var (account, client) = await V4Client.ForNewAccountAsync(app);
        var category = await app.AddCustomFieldAsync(account.Id, "Category");
        var tag = await app.AddTagAsync(account.Id);
        var subscribers = new List<Subscriber>();
        for (var i = 0; i < 4; i++)
        {
            var s = await app.AddSubscriberAsync(account.Id, $"s{i}@example.com", state: i == 3 ? SubscriberStates.Cancelled : SubscriberStates.Active);
            await app.AddSubscriptionAsync(s, SubscribableTypes.Tag, tag.Id, createdAt: SubscribersTestData.At(i < 2 ? 0 : 60));
            subscribers.Add(s);
        }
        await app.SetFieldAsync(subscribers[0].Id, category.Id, "One");
        var taggings = (await app.SubscriptionsAsync()).Select(x => x.Id).ToList();

        var first = await client.GetAsync($"/v4/tags/{tag.Id}/subscribers?per_page=2");
        var second = await client.GetAsync($"/v4/tags/{tag.Id}/subscribers?per_page=2&after={first["pagination"]!["end_cursor"]}");
        var back = await client.GetAsync($"/v4/tags/{tag.Id}/subscribers?per_page=2&before={second["pagination"]!["start_cursor"]}");
        var all = await client.GetAsync($"/v4/tags/{tag.Id}/subscribers?status=all&tagged_after=2024-05-01T10:00:30Z");
        var early = await client.GetAsync($"/v4/tags/{tag.Id}/subscribers?tagged_before=2024-05-01T10:00:30Z");

        static List<long> Ids(JsonNode page) => [.. page["subscribers"]!.AsArray().Select(s => s!["id"]!.GetValue<long>())];
        Assert.Equal([subscribers[2].Id, subscribers[1].Id], Ids(first));
        Assert.Equal(Composite("2024-05-01T10:01:00.000Z", taggings[2]), first["pagination"]!["start_cursor"]!.GetValue<string>());
        Assert.Equal(Composite("2024-05-01T10:00:00.000Z", taggings[1]), first["pagination"]!["end_cursor"]!.GetValue<string>());
        Assert.Equal([subscribers[0].Id], Ids(second));
        Assert.Equal((true, false), (second["pagination"]!["has_previous_page"]!.GetValue<bool>(), second["pagination"]!["has_next_page"]!.GetValue<bool>()));
        Assert.Equal(Ids(first), Ids(back));
        Assert.Equal([subscribers[3].Id, subscribers[2].Id], Ids(all));
        Assert.Equal([subscribers[1].Id, subscribers[0].Id], Ids(early));
        AssertJson($$$"""
            {"id":{{{subscribers[0].Id}}},"first_name":null,"email_address":"s0@example.com","state":"active","created_at":"2024-05-01T10:00:00Z",
             "tagged_at":"2024-05-01T10:00:00Z","fields":{"category":"One"}}
            """, second["subscribers"]![0]!.ToJsonString());
        await client.AssertErrorAsync(HttpMethod.Get, $"/v4/tags/{tag.Id}/subscribers?status=gone", 422, null,
            "status must be one of: active, inactive, bounced, complained, cancelled, all");
        await client.AssertErrorAsync(HttpMethod.Get, $"/v4/tags/{tag.Id}/subscribers?tagged_after=yesterday", 422, null,
            "tagged_after is not a valid date. Use YYYY-MM-DD.");
        await client.AssertErrorAsync(HttpMethod.Get, $"/v4/tags/{tag.Id}/subscribers?after=WzFd", 422, null, "`after` is not a valid cursor");
    }

    internal static string Composite(string time, long id) =>
        Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"[\"{time}\",{id}]"));
}
