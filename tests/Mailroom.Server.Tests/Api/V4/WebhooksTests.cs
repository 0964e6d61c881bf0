using System.Text.Json.Nodes;
using Mailroom.Data;
using Mailroom.Server.Domain.Outbox;
using Mailroom.Server.Tests.Api.V3;
using Mailroom.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static Mailroom.Server.Tests.Webhooks.WebhookArrange;

namespace Mailroom.Server.Tests.Api.V4;

/// <summary>GET/POST /v4/webhooks and DELETE /v4/webhooks/{id}: v3's rules, v3's dispatcher.</summary>
public sealed class WebhooksTests
{
    static void AssertNode(string expected, JsonNode? actual) =>
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), actual), $"Expected {expected}\nActual   {actual?.ToJsonString()}");

    [Theory, Providers]
    public async Task CreateWebhook_KitsExample_Is201_ListedByV4AndV3(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var (account, client) = await V4Client.ForNewAccountAsync(app);
        var tag = await app.AddTagAsync(account.Id);

        var created = await client.PostAsync("/v4/webhooks", new
        {
            target_url = "https://example.convertkit.dev/",
            @event = new { name = "subscriber.subscriber_activate", form_id = (int?)null, tag_id = (int?)null, sequence_id = (int?)null, product_id = (int?)null, initiator_value = (string?)null, custom_field_id = (int?)null },
        }, 201);
        AssertNode($$$"""{"webhook":{"id":1,"account_id":{{{account.Id}}},"event":{"name":"subscriber_activate","initiator_value":null},"target_url":"https://example.convertkit.dev/"}}""", created);
        // Ids as strings, as the PHP SDK sends them.
        var tagged = await client.PostAsync("/v4/webhooks", new { target_url = "http://example.convertkit.dev/tags", @event = new { name = "subscriber.tag_add", tag_id = tag.Id.ToString() } }, 201);
        AssertNode($$"""{"id":2,"account_id":{{account.Id}},"event":{"name":"tag_add","tag_id":{{tag.Id}},"initiator_value":null},"target_url":"http://example.convertkit.dev/tags"}""", tagged["webhook"]);

        var list = await client.GetAsync("/v4/webhooks");
        AssertNode($$"""
            {"webhooks":[{"id":2,"account_id":{{account.Id}},"event":{"name":"tag_add","tag_id":{{tag.Id}}},"target_url":"http://example.convertkit.dev/tags"},
                         {"id":1,"account_id":{{account.Id}},"event":{"name":"subscriber_activate"},"target_url":"https://example.convertkit.dev/"}],
             "pagination":{"has_previous_page":false,"has_next_page":false,"start_cursor":"WzJd","end_cursor":"WzFd","per_page":500} }
            """, list);
        var v3 = await (await app.Http.GetAsync($"/v3/automations/hooks?api_secret={account.ApiSecret}")).AssertStatusAsync(200);
        Assert.Equal([1L, 2L], v3.AsArray().Select(r => r!["rule"]!["id"]!.GetValue<long>()));
    }

    [Theory, Providers]
    public async Task ListWebhooks_PagesAndShowsOnlyTheAccountsLiveRules(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var (account, client) = await V4Client.ForNewAccountAsync(app);
        var (_, other) = await V4Client.ForNewAccountAsync(app, "Globex", "owner@globex.test");
        for (var i = 0; i < 3; i++)
            await client.PostAsync("/v4/webhooks", new { target_url = $"https://example.com/{i}", @event = new { name = "subscriber.subscriber_unsubscribe" } }, 201);
        await other.PostAsync("/v4/webhooks", new { target_url = "https://globex.example/", @event = new { name = "purchase.purchase_create" } }, 201);
        await client.DeleteAsync("/v4/webhooks/2");

        var first = await client.GetAsync("/v4/webhooks?per_page=1");
        Assert.Equal([3L], first["webhooks"]!.AsArray().Select(w => w!["id"]!.GetValue<long>()));
        Assert.True(first["pagination"]!["has_next_page"]!.GetValue<bool>());
        var second = await client.GetAsync($"/v4/webhooks?per_page=1&after={first["pagination"]!["end_cursor"]}");
        Assert.Equal([1L], second["webhooks"]!.AsArray().Select(w => w!["id"]!.GetValue<long>()));
        Assert.False(second["pagination"]!["has_next_page"]!.GetValue<bool>());
        Assert.Equal([4L], (await other.GetAsync("/v4/webhooks"))["webhooks"]!.AsArray().Select(w => w!["id"]!.GetValue<long>()));
    }

    [Theory, Providers]
    public async Task CreateWebhook_MissingEventOrTarget_Is422WithKitsMessage(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var (_, client) = await V4Client.ForNewAccountAsync(app);
        const string message = "`event` and `target` parameters must be provided";
        await client.AssertErrorAsync(HttpMethod.Post, "/v4/webhooks", 422, new { }, message);
        await client.AssertErrorAsync(HttpMethod.Post, "/v4/webhooks", 422, new { target_url = "https://example.com/" }, message);
        await client.AssertErrorAsync(HttpMethod.Post, "/v4/webhooks", 422, new { target_url = "https://example.com/", @event = new { name = " " } }, message);
        await client.AssertErrorAsync(HttpMethod.Post, "/v4/webhooks", 422, new { target_url = "https://example.com/", @event = "subscriber.tag_add" }, message);
        await client.AssertErrorAsync(HttpMethod.Post, "/v4/webhooks", 422, new { @event = new { name = "subscriber.subscriber_activate" } }, message);
        Assert.Equal(0, await app.DbAsync(db => db.WebhookRules.CountAsync()));
    }

    [Theory, Providers]
    public async Task CreateWebhook_BadEventOrTarget_Is422_AndOtherAccountsIdsDoNotExist(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var (_, client) = await V4Client.ForNewAccountAsync(app);
        var other = await app.CreateAccountAsync("Globex", "owner@globex.test");
        var theirTag = await app.AddTagAsync(other.Id);
        var theirField = await app.AddFieldAsync(other.Id, "last_name");

        await client.AssertErrorAsync(HttpMethod.Post, "/v4/webhooks", 422, new { target_url = "https://example.com/", @event = new { name = "subscriber.<b>nope</b>" } },
            "Event name 'subscriber.<b>nope</b>' is not supported");
        await client.AssertErrorAsync(HttpMethod.Post, "/v4/webhooks", 422, new { target_url = "https://example.com/", @event = new { name = "subscriber.tag_add", tag_id = theirTag.Id } },
            "Tag does not exist");
        await client.AssertErrorAsync(HttpMethod.Post, "/v4/webhooks", 422, new { target_url = "https://example.com/", @event = new { name = "subscriber.tag_add" } },
            "Event tag_id can't be blank");
        await client.AssertErrorAsync(HttpMethod.Post, "/v4/webhooks", 422, new { target_url = "https://example.com/", @event = new { name = "custom_field.field_value_updated", custom_field_id = theirField.Id } },
            "Custom field does not exist");
        await client.AssertErrorAsync(HttpMethod.Post, "/v4/webhooks", 422, new { target_url = "ftp://example.com/", @event = new { name = "subscriber.subscriber_activate" } },
            "Target url is invalid");
        await client.AssertErrorAsync(HttpMethod.Post, "/v4/webhooks", 400, new { target_url = "https://example.com/", @event = new { name = "subscriber.tag_add", tag_id = new { } } },
            "tag_id must be an integer");
        Assert.Equal(0, await app.DbAsync(db => db.WebhookRules.CountAsync()));
    }

    [Theory, Providers]
    public async Task CreateWebhook_TargetInOurOwnNetwork_IsRefusedAtCreation(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider, new() { ["Webhooks:AllowPrivateTargets"] = "false" });
        var (_, client) = await V4Client.ForNewAccountAsync(app);
        await client.AssertErrorAsync(HttpMethod.Post, "/v4/webhooks", 422, new { target_url = "http://127.0.0.1:9/hook", @event = new { name = "subscriber.subscriber_activate" } },
            "Target url is not allowed: 127.0.0.1 is a loopback address");
        await client.AssertErrorAsync(HttpMethod.Post, "/v4/webhooks", 422, new { target_url = "http://169.254.169.254/latest", @event = new { name = "subscriber.subscriber_activate" } },
            "Target url is not allowed: 169.254.169.254 is a link-local address");
        Assert.Equal(0, await app.DbAsync(db => db.WebhookRules.CountAsync()));
    }

    [Theory, Providers]
    public async Task DeleteWebhook_204ThenGone_UnknownAndOtherAccounts404(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var (_, client) = await V4Client.ForNewAccountAsync(app);
        var (_, other) = await V4Client.ForNewAccountAsync(app, "Globex", "owner@globex.test");
        var id = (await client.PostAsync("/v4/webhooks", new { target_url = "https://example.com/", @event = new { name = "subscriber.subscriber_activate" } }, 201))["webhook"]!["id"]!.GetValue<long>();

        await other.AssertErrorAsync(HttpMethod.Delete, $"/v4/webhooks/{id}", 404, null, "Not Found");
        await client.DeleteAsync($"/v4/webhooks/{id}");
        await client.AssertErrorAsync(HttpMethod.Delete, $"/v4/webhooks/{id}", 404, null, "Not Found");
        await client.AssertErrorAsync(HttpMethod.Delete, "/v4/webhooks/999", 404, null, "Not Found");
        await client.AssertErrorAsync(HttpMethod.Delete, "/v4/webhooks/abc", 404, null, "Not Found");
        Assert.Empty((await client.GetAsync("/v4/webhooks"))["webhooks"]!.AsArray());
    }

    [Theory, Providers]
    public async Task Webhooks_WrongCredential_Is401(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var stranger = new V4Client(app, "kit_nope");
        await stranger.AssertErrorAsync(HttpMethod.Get, "/v4/webhooks", 401, null, "The access token is invalid");
        await stranger.AssertErrorAsync(HttpMethod.Post, "/v4/webhooks", 401, new { }, "The access token is invalid");
        await stranger.AssertErrorAsync(HttpMethod.Delete, "/v4/webhooks/1", 401, null, "The access token is invalid");
    }

    [Theory, Providers]
    public async Task RuleMadeThroughV4_FiresThroughTheDispatcher(string provider)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var app = await MailroomApp.StartAsync(provider);
        var (account, client) = await V4Client.ForNewAccountAsync(app);
        var tag = await app.AddTagAsync(account.Id);
        await client.PostAsync("/v4/webhooks", new { target_url = $"{receiver.Url}/tags", @event = new { name = "subscriber.tag_add", tag_id = tag.Id } }, 201);

        await (await app.Http.PostAsync($"/v3/tags/{tag.Id}/subscribe", HttpAssert.Json(new { api_key = account.ApiKey, email = "jon@example.com" }))).AssertStatusAsync(200);
        await app.DispatchUntilSettledAsync();

        var request = Assert.Single(receiver.Requests);
        Assert.Equal("/tags", request.Path);
        Assert.Equal("jon@example.com", JsonNode.Parse(request.Text)!["subscriber"]!["email_address"]!.GetValue<string>());
    }

    [Theory, Providers]
    public async Task CustomFieldEvents_AreDeliveredWithThePayloadFixedWhenTheyHappened(string provider)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var app = await MailroomApp.StartAsync(provider);
        var (account, client) = await V4Client.ForNewAccountAsync(app);
        var field = await app.AddFieldAsync(account.Id, "last_name");
        var other = await app.AddFieldAsync(account.Id, "company");
        await client.PostAsync("/v4/webhooks", new { target_url = $"{receiver.Url}/value", @event = new { name = "custom_field.field_value_updated", custom_field_id = field.Id } }, 201);
        var created = await client.PostAsync("/v4/webhooks", new { target_url = $"{receiver.Url}/created", @event = new { name = "custom_field.field_created" } }, 201);
        AssertNode("""{"name":"field_created","initiator_value":null}""", created["webhook"]!["event"]);
        await client.PostAsync("/v4/webhooks", new { target_url = $"{receiver.Url}/deleted", @event = new { name = "custom_field.field_deleted" } }, 201);

        await app.DbAsync(async db =>
        {
            var time = app.Services.GetRequiredService<TimeProvider>();
            db.RaiseWithPayload(time, account.Id, OutboxEvents.CustomFieldValueUpdated, """{"custom_field_value":{"id":1,"value":"<b>Smith</b>"}}""", matchValue: field.Id.ToString());
            db.RaiseWithPayload(time, account.Id, OutboxEvents.CustomFieldValueUpdated, """{"custom_field_value":{"id":2}}""", matchValue: other.Id.ToString());
            db.RaiseWithPayload(time, account.Id, OutboxEvents.CustomFieldCreated, """{"custom_field":{"id":9,"key":"gone"}}""");
            db.RaiseWithPayload(time, account.Id, OutboxEvents.CustomFieldDeleted, """{"custom_field":{"id":9}}""");
            await db.SaveChangesAsync();
        });
        await app.DispatchUntilSettledAsync();

        var byPath = receiver.Requests.ToDictionary(r => r.Path, r => r.Text);
        Assert.Equal(3, byPath.Count);
        AssertJson("""{"custom_field_value":{"id":1,"value":"<b>Smith</b>"}}""", byPath["/value"]);
        AssertJson("""{"custom_field":{"id":9,"key":"gone"}}""", byPath["/created"]);
        AssertJson("""{"custom_field":{"id":9}}""", byPath["/deleted"]);
    }
}
