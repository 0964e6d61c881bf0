using System.Text.Json.Nodes;
using Mailroom.Data;
using Mailroom.Server.Tests.Api.V3;
using Mailroom.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static Mailroom.Server.Tests.Api.V3.SubscribersTestData;
using static Mailroom.Server.Tests.Webhooks.WebhookArrange;

namespace Mailroom.Server.Tests.Api.V4;

/// <summary>/v4/subscribers: upsert, get, update, unsubscribe, the list with its sorts and cursors, tags and stats.</summary>
public sealed class SubscribersTests
{
    static List<long> Ids(JsonNode page) => [.. page["subscribers"]!.AsArray().Select(s => s!["id"]!.GetValue<long>())];

    // The custom fields the document's 202 examples require in `fields`.
    static readonly string[] CreateManyKeys = ["company", "coupon", "enrolled_in_coaching", "how_did_you_hear_about_us", "interests",
        "lead_score", "phone_number", "postal_code", "role", "social_media", "website"];
    static readonly string[] UpdateManyKeys = ["birthday", "company", "coupon", "how_did_you_hear_about_us", "interests", "last_name",
        "postal_code", "role", "social_media", "source", "website"];

    [Theory, Providers]
    public async Task Create_New201_SameAddress200UpdatesFirstNameNotState_TheSubscriberV3Lists(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var (account, client) = await V4Client.ForNewAccountAsync(app);

        var created = await client.PostAsync("/v4/subscribers", new { email_address = "Alice@Example.com", first_name = "Alice", state = "inactive" }, 201);
        var id = created["subscriber"]!["id"]!.GetValue<long>();
        var again = await client.PostAsync("/v4/subscribers", new { email_address = "alice@example.com", first_name = "Alicia", state = "active" }, 200);
        var v3 = await (await app.Http.GetAsync($"/v3/subscribers?api_secret={account.ApiSecret}&email_address=alice@example.com")).AssertStatusAsync(200);

        AssertJson($$$"""{"subscriber":{"id":{{{id}}},"first_name":"Alice","email_address":"Alice@Example.com","state":"inactive","created_at":"2024-05-01T10:00:00Z","fields":{} } }""",
            created.ToJsonString());
        AssertJson($$$"""{"subscriber":{"id":{{{id}}},"first_name":"Alicia","email_address":"Alice@Example.com","state":"inactive","created_at":"2024-05-01T10:00:00Z","fields":{} } }""",
            again.ToJsonString());
        Assert.Equal(id, v3["subscribers"]![0]!["id"]!.GetValue<long>());
        Assert.Equal("Alicia", v3["subscribers"]![0]!["first_name"]!.GetValue<string>());
        Assert.Empty(await app.OutboxAsync()); // created inactive: no activation
    }

    [Theory, Providers]
    public async Task Create_Active_RaisesActivateOnce_FieldsByKey_UnknownKeysWarned_ValueEventsWithBody(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var (account, client) = await V4Client.ForNewAccountAsync(app);
        var lastName = await app.AddCustomFieldAsync(account.Id, "Last name");

        var created = await client.PostAsync("/v4/subscribers",
            new { email_address = "alice@example.com", fields = new { last_name = "<b>Lamarr</b>", nope = "x" } }, 201);
        var id = created["subscriber"]!["id"]!.GetValue<long>();
        await client.PostAsync("/v4/subscribers", new { email_address = "alice@example.com", fields = new { last_name = "<b>Lamarr</b>" } }, 200);

        AssertJson($$$"""
            {"subscriber":{"id":{{{id}}},"first_name":null,"email_address":"alice@example.com","state":"active","created_at":"2024-05-01T10:00:00Z",
              "fields":{"last_name":"<b>Lamarr</b>"}},
             "warnings":["Custom field `nope` does not exist and was ignored"]}
            """, created.ToJsonString());
        var events = await CustomFieldsTests.EventsAsync(app);
        Assert.Equal(new (string, string?)[] { ("subscriber_activate", null), ("field_value_updated", lastName.Id.ToString()) },
            events.Select(e => (e.Event, e.Match)));
        AssertJson($$$"""
            {"subscriber":{"id":{{{id}}},"first_name":null,"email_address":"alice@example.com","state":"active","created_at":"2024-05-01T10:00:00Z",
              "fields":{"last_name":"<b>Lamarr</b>"}},
             "custom_field":{"id":{{{lastName.Id}}},"name":"{{{lastName.Name}}}","key":"last_name","label":"Last name"},"value":"<b>Lamarr</b>"}
            """, events[1].Payload!);
    }

    [Theory, Providers]
    public async Task Create_MoreThanTenFields_202WithValuesApplied(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var (account, client) = await V4Client.ForNewAccountAsync(app);
        foreach (var key in CreateManyKeys) await app.AddFieldAsync(account.Id, key);

        var accepted = await client.PostAsync("/v4/subscribers", new
        {
            email_address = "alice@example.com",
            fields = CreateManyKeys.ToDictionary(k => k, k => $"v-{k}"),
        }, 202);

        Assert.Equal("v-website", accepted["subscriber"]!["fields"]!["website"]!.GetValue<string>());
        Assert.Equal(11, await app.DbAsync(db => db.SubscriberFieldValues.CountAsync()));
    }

    [Theory, Providers]
    public async Task Create_BadInput_422_NothingWritten(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var (_, client) = await V4Client.ForNewAccountAsync(app);

        await client.AssertErrorAsync(HttpMethod.Post, "/v4/subscribers", 422, new { email_address = "not-an-address" }, "Email address is invalid");
        await client.AssertErrorAsync(HttpMethod.Post, "/v4/subscribers", 422, new { first_name = "Alice" }, "Email address is invalid");
        await client.AssertErrorAsync(HttpMethod.Post, "/v4/subscribers", 422, new { email_address = "a@example.com", state = "gone" },
            "state must be one of: active, cancelled, bounced, complained, inactive");
        await client.AssertErrorAsync(HttpMethod.Post, "/v4/subscribers", 422,
            new { email_address = "a@example.com", fields = Enumerable.Range(0, 141).ToDictionary(i => $"k{i}", i => "v") },
            "A maximum of 140 custom fields can be created or updated at a time");
        await client.CallAsync(HttpMethod.Post, "/v4/subscribers", 400, new { email_address = new { x = 1 } });
        Assert.Empty(await app.SubscribersAsync());
    }

    [Theory, Providers]
    public async Task Get_WithCanceledAt_OtherAccountsAndUnknownIds404(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var (account, client) = await V4Client.ForNewAccountAsync(app);
        var (other, _) = await V4Client.ForNewAccountAsync(app, "Other", "other@acme.test");
        var category = await app.AddCustomFieldAsync(account.Id, "Category");
        var alice = await app.AddSubscriberAsync(account.Id, "alice@example.com", firstName: "Alice");
        await app.SetFieldAsync(alice.Id, category.Id, "One");
        var theirs = await app.AddSubscriberAsync(other.Id, "them@example.com");

        var got = await client.GetAsync($"/v4/subscribers/{alice.Id}");

        AssertJson($$$"""
            {"subscriber":{"id":{{{alice.Id}}},"first_name":"Alice","email_address":"alice@example.com","state":"active",
              "created_at":"2024-05-01T10:00:00Z","fields":{"category":"One"},"canceled_at":null}}
            """, got.ToJsonString());
        await client.AssertErrorAsync(HttpMethod.Get, $"/v4/subscribers/{theirs.Id}", 404, null, "Not Found");
        await client.AssertErrorAsync(HttpMethod.Get, "/v4/subscribers/999999", 404, null, "Not Found");
    }

    [Theory, Providers]
    public async Task Update_EmailNameFields_TakenEmail422_OtherAccount404_ValueEventsOnlyForChanges(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var (account, client) = await V4Client.ForNewAccountAsync(app);
        var (other, _) = await V4Client.ForNewAccountAsync(app, "Other", "other@acme.test");
        var zip = await app.AddCustomFieldAsync(account.Id, "Zip");
        var alice = await app.AddSubscriberAsync(account.Id, "alice@example.com");
        await app.AddSubscriberAsync(account.Id, "bob@example.com");
        var theirs = await app.AddSubscriberAsync(other.Id, "them@example.com");

        var updated = await client.PutAsync($"/v4/subscribers/{alice.Id}",
            new { email_address = "alice@new.example", first_name = "Alice", fields = new { zip = "83702", nope = "1" } });
        await client.PutAsync($"/v4/subscribers/{alice.Id}", new { email_address = "alice@new.example", fields = new { zip = "83702" } });

        AssertJson($$$"""
            {"subscriber":{"id":{{{alice.Id}}},"first_name":"Alice","email_address":"alice@new.example","state":"active",
              "created_at":"2024-05-01T10:00:00Z","fields":{"zip":"83702"}},
             "warnings":["Custom field `nope` does not exist and was ignored"]}
            """, updated.ToJsonString());
        Assert.Equal(new (string, string?)[] { ("field_value_updated", zip.Id.ToString()) }, (await CustomFieldsTests.EventsAsync(app)).Select(e => (e.Event, e.Match)));
        await client.AssertErrorAsync(HttpMethod.Put, $"/v4/subscribers/{alice.Id}", 422, new { email_address = "BOB@example.com" },
            "Email address has already been taken");
        await client.AssertErrorAsync(HttpMethod.Put, $"/v4/subscribers/{alice.Id}", 422, new { email_address = "bad" }, "Email address is invalid");
        await client.AssertErrorAsync(HttpMethod.Put, $"/v4/subscribers/{theirs.Id}", 404, new { first_name = "X" }, "Not Found");
        Assert.Null((await app.ReloadAsync(theirs.Id)).FirstName);
    }

    [Theory, Providers]
    public async Task Update_MoreThanTenFields_202(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var (account, client) = await V4Client.ForNewAccountAsync(app);
        foreach (var key in UpdateManyKeys) await app.AddFieldAsync(account.Id, key);
        var alice = await app.AddSubscriberAsync(account.Id, "alice@example.com");

        var accepted = await client.PutAsync($"/v4/subscribers/{alice.Id}",
            new { email_address = "alice@example.com", fields = UpdateManyKeys.ToDictionary(k => k, k => k) }, 202);

        Assert.Equal("birthday", accepted["subscriber"]!["fields"]!["birthday"]!.GetValue<string>());
        Assert.Equal(11, (await CustomFieldsTests.EventsAsync(app)).Count(e => e.Event == "field_value_updated"));
    }

    [Theory, Providers]
    public async Task V3Update_RaisesFieldValueUpdated(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var zip = await app.AddCustomFieldAsync(account.Id, "Zip");
        var alice = await app.AddSubscriberAsync(account.Id, "alice@example.com");

        await (await app.Http.SendJsonAsync(HttpMethod.Put, $"/v3/subscribers/{alice.Id}",
            new { api_secret = account.ApiSecret, fields = new { zip = "1" } })).AssertStatusAsync(200);
        await (await app.Http.SendJsonAsync(HttpMethod.Put, $"/v3/subscribers/{alice.Id}",
            new { api_secret = account.ApiSecret, fields = new { zip = "1" } })).AssertStatusAsync(200);

        var e = Assert.Single(await CustomFieldsTests.EventsAsync(app));
        Assert.Equal(("field_value_updated", zip.Id.ToString()), (e.Event, e.Match));
        Assert.Equal("1", JsonNode.Parse(e.Payload!)!["value"]!.GetValue<string>());
    }

    [Theory, Providers]
    public async Task Unsubscribe_204_CancelsOnce_OtherAccount404(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var (account, client) = await V4Client.ForNewAccountAsync(app);
        var (other, _) = await V4Client.ForNewAccountAsync(app, "Other", "other@acme.test");
        var alice = await app.AddSubscriberAsync(account.Id, "alice@example.com");
        var theirs = await app.AddSubscriberAsync(other.Id, "them@example.com");

        await client.PostAsync($"/v4/subscribers/{alice.Id}/unsubscribe", new { }, 204);
        await client.PostAsync($"/v4/subscribers/{alice.Id}/unsubscribe", new { }, 204);

        Assert.Equal(SubscriberStates.Cancelled, (await app.ReloadAsync(alice.Id)).State);
        Assert.Equal(new (string, long?, string?)[] { ("subscriber_unsubscribe", alice.Id, null) }, await app.OutboxAsync());
        await client.AssertErrorAsync(HttpMethod.Post, $"/v4/subscribers/{theirs.Id}/unsubscribe", 404, new { }, "Not Found");
        Assert.Equal(SubscriberStates.Active, (await app.ReloadAsync(theirs.Id)).State);
    }

    [Theory, Providers]
    public async Task List_DefaultsActiveNewestIdFirst_FiltersAndIncludes(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var (account, client) = await V4Client.ForNewAccountAsync(app);
        var (other, _) = await V4Client.ForNewAccountAsync(app, "Other", "other@acme.test");
        var a = await app.AddSubscriberAsync(account.Id, "a@example.com", createdAt: At(0));
        var b = await app.AddSubscriberAsync(account.Id, "b@example.com", createdAt: At(10), updatedAt: At(100));
        var c = await app.AddSubscriberAsync(account.Id, "c@example.com", SubscriberStates.Cancelled, createdAt: At(20), cancelledAt: At(30));
        await app.AddSubscriberAsync(other.Id, "a@example.com");
        var tag = await app.AddTagAsync(account.Id, "VIP");
        await app.AddSubscriptionAsync(a, SubscribableTypes.Tag, tag.Id);
        var form = await app.AddFormAsync(account.Id, "Welcome Form");
        await app.DbAsync(async db =>
        {
            db.Subscriptions.Add(new Subscription { AccountId = account.Id, SubscriberId = b.Id, SubscribableType = SubscribableTypes.Form,
                SubscribableId = form.Id, Referrer = "https://t.co/x?utm_source=twitter&utm_medium=cpc", CreatedAt = At(10), UpdatedAt = At(10) });
            await db.SaveChangesAsync();
        });

        Assert.Equal([b.Id, a.Id], Ids(await client.GetAsync("/v4/subscribers")));
        Assert.Equal([c.Id, b.Id, a.Id], Ids(await client.GetAsync("/v4/subscribers?status=all")));
        Assert.Equal([a.Id, b.Id, c.Id], Ids(await client.GetAsync("/v4/subscribers?status=all&sort_field=created_at&sort_order=asc")));
        Assert.Equal([c.Id, a.Id], Ids(await client.GetAsync("/v4/subscribers?status=all&email_address=A@example.com,%20c@example.com")));
        Assert.Equal([c.Id, b.Id], Ids(await client.GetAsync("/v4/subscribers?status=all&created_after=2024-05-01T10:00:05Z")));
        Assert.Equal([b.Id], Ids(await client.GetAsync("/v4/subscribers?updated_after=2024-05-01T10:01:00Z")));
        Assert.Equal([a.Id], Ids(await client.GetAsync("/v4/subscribers?updated_before=2024-05-01T10:00:05Z")));
        var cancelled = await client.GetAsync("/v4/subscribers?status=cancelled&sort_field=cancelled_at&include=canceled_at");
        Assert.Equal("2024-05-01T10:00:30Z", cancelled["subscribers"]![0]!["canceled_at"]!.GetValue<string>());

        var included = await client.GetAsync("/v4/subscribers?include=tags,attribution,location&sort_order=asc");
        AssertJson($$$"""
            [{"id":{{{a.Id}}},"first_name":null,"email_address":"a@example.com","state":"active","created_at":"2024-05-01T10:00:00Z","fields":{},
              "attribution":{"referrer":null,"utm_source":null,"utm_medium":null,"utm_campaign":null,"utm_term":null,"utm_content":null,
                             "source_type":null,"source_name":null,"source_mechanism":null,"source_mechanism_id":null},
              "tags":[{"id":{{{tag.Id}}},"name":"VIP"}],"location":null},
             {"id":{{{b.Id}}},"first_name":null,"email_address":"b@example.com","state":"active","created_at":"2024-05-01T10:00:10Z","fields":{},
              "attribution":{"referrer":"https://t.co/x?utm_source=twitter&utm_medium=cpc","utm_source":"twitter","utm_medium":"cpc","utm_campaign":null,
                             "utm_term":null,"utm_content":null,"source_type":"form_subscription","source_name":"Welcome Form","source_mechanism":"form",
                             "source_mechanism_id":null},
              "tags":[],"location":null}]
            """, included["subscribers"]!.ToJsonString());

        await client.AssertErrorAsync(HttpMethod.Get, "/v4/subscribers?sort_field=cancelled_at", 422, null,
            "The status param must be `cancelled` if sort_field is `cancelled_at`");
        await client.AssertErrorAsync(HttpMethod.Get, "/v4/subscribers?include=canceled_at", 422, null,
            "The status param must be `cancelled` if include contains `canceled_at`");
        await client.AssertErrorAsync(HttpMethod.Get, "/v4/subscribers?sort_field=email", 422, null,
            "sort_field must be one of: id, created_at, updated_at, cancelled_at");
        await client.AssertErrorAsync(HttpMethod.Get, "/v4/subscribers?sort_order=up", 422, null, "sort_order must be one of: asc, desc");
        await client.AssertErrorAsync(HttpMethod.Get, "/v4/subscribers?created_after=soon", 422, null, "created_after is not a valid date. Use YYYY-MM-DD.");
    }

    [Theory, Providers]
    public async Task List_TimestampSort_PagesForwardsAndBackwards_WhileRowsAreInserted(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var (account, client) = await V4Client.ForNewAccountAsync(app);
        // Three rows share each second, so the id must break ties for no row to be skipped or repeated.
        var rows = await app.AddSubscribersAsync(account.Id, 7, i => At(i / 3));
        var expected = rows.OrderByDescending(s => s.CreatedAt).ThenByDescending(s => s.Id).Select(s => s.Id).ToList();

        var pages = new List<JsonNode> { await client.GetAsync("/v4/subscribers?sort_field=created_at&per_page=2") };
        Assert.Equal(TagsTests.Composite("2024-05-01T10:00:02.000Z", expected[0]), pages[0]["pagination"]!["start_cursor"]!.GetValue<string>());
        var n = 100;
        while (pages[^1]["pagination"]!["has_next_page"]!.GetValue<bool>())
        {
            // New rows are newer than the walk's start, or tie the page boundary's second with higher ids: before the cursor.
            await app.AddSubscriberAsync(account.Id, $"new{n++}@example.com", createdAt: At(50));
            await app.AddSubscriberAsync(account.Id, $"new{n++}@example.com", createdAt: At(1));
            pages.Add(await client.GetAsync($"/v4/subscribers?sort_field=created_at&per_page=2&after={pages[^1]["pagination"]!["end_cursor"]}"));
        }
        var forwards = pages.SelectMany(Ids).ToList();

        var backwards = new List<long>();
        var page = pages[^1];
        backwards.InsertRange(0, Ids(page));
        for (var i = 0; i < 20 && page["pagination"]!["has_previous_page"]!.GetValue<bool>(); i++)
        {
            page = await client.GetAsync($"/v4/subscribers?sort_field=created_at&per_page=2&before={page["pagination"]!["start_cursor"]}");
            backwards.InsertRange(0, Ids(page));
        }
        var now = await app.DbAsync(db => db.Subscribers.OrderByDescending(s => s.CreatedAt).ThenByDescending(s => s.Id).Select(s => s.Id).ToListAsync());

        Assert.Equal(expected, forwards);
        // Backwards from the last page to the start: the whole order as it is now, newcomers included, once each.
        Assert.Equal(now, backwards);
    }

    [Theory, Providers]
    public async Task List_UpdatedAtAscending_CompositeCursors(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var (account, client) = await V4Client.ForNewAccountAsync(app);
        var a = await app.AddSubscriberAsync(account.Id, "a@example.com", updatedAt: At(50));
        var b = await app.AddSubscriberAsync(account.Id, "b@example.com", updatedAt: At(5));
        var c = await app.AddSubscriberAsync(account.Id, "c@example.com", updatedAt: At(5));

        var first = await client.GetAsync("/v4/subscribers?sort_field=updated_at&sort_order=asc&per_page=2&include_total_count=true");
        var second = await client.GetAsync($"/v4/subscribers?sort_field=updated_at&sort_order=asc&per_page=2&after={first["pagination"]!["end_cursor"]}");

        Assert.Equal([b.Id, c.Id], Ids(first));
        AssertJson($$$"""
            {"has_previous_page":false,"has_next_page":true,"start_cursor":"{{{TagsTests.Composite("2024-05-01T10:00:05.000Z", b.Id)}}}",
             "end_cursor":"{{{TagsTests.Composite("2024-05-01T10:00:05.000Z", c.Id)}}}","per_page":2,"total_count":3}
            """, first["pagination"]!.ToJsonString());
        Assert.Equal([a.Id], Ids(second));
        await client.AssertErrorAsync(HttpMethod.Get, "/v4/subscribers?sort_field=updated_at&after=WzFd", 422, null, "`after` is not a valid cursor");
    }

    [Theory, Providers]
    public async Task ListTags_NewestTaggingFirst_Paged_OtherAccount404(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var (account, client) = await V4Client.ForNewAccountAsync(app);
        var (other, _) = await V4Client.ForNewAccountAsync(app, "Other", "other@acme.test");
        var alice = await app.AddSubscriberAsync(account.Id, "alice@example.com");
        var theirs = await app.AddSubscriberAsync(other.Id, "them@example.com");
        var a = await app.AddTagAsync(account.Id, "Tag A");
        var b = await app.AddTagAsync(account.Id, "Tag B");
        var first = await app.AddSubscriptionAsync(alice, SubscribableTypes.Tag, b.Id, createdAt: At(0));
        var second = await app.AddSubscriptionAsync(alice, SubscribableTypes.Tag, a.Id, createdAt: At(60));

        var tags = await client.GetAsync($"/v4/subscribers/{alice.Id}/tags");

        AssertJson($$$"""
            {"tags":[{"id":{{{a.Id}}},"name":"Tag A","tagged_at":"2024-05-01T10:01:00Z"},{"id":{{{b.Id}}},"name":"Tag B","tagged_at":"2024-05-01T10:00:00Z"}],
             "pagination":{"has_previous_page":false,"has_next_page":false,"start_cursor":"{{{CustomFieldsTests.Cursor(second.Id)}}}",
              "end_cursor":"{{{CustomFieldsTests.Cursor(first.Id)}}}","per_page":500}}
            """, tags.ToJsonString());
        await client.AssertErrorAsync(HttpMethod.Get, $"/v4/subscribers/{theirs.Id}/tags", 404, null, "Not Found");
    }

    [Theory, Providers]
    public async Task Stats_CountsBroadcastsAndSequences_InTheWindow(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var (account, client) = await V4Client.ForNewAccountAsync(app);
        var (other, _) = await V4Client.ForNewAccountAsync(app, "Other", "other@acme.test");
        var alice = await app.AddSubscriberAsync(account.Id, "alice@example.com");
        var theirs = await app.AddSubscriberAsync(other.Id, "them@example.com");
        var t0 = MailroomApp.Start.UtcDateTime;
        await Engagement.AddBroadcastMessageAsync(app, alice, sentAt: t0.AddDays(-10), openedAt: t0.AddDays(-9), clickedAt: t0.AddDays(-9));
        await Engagement.AddBroadcastMessageAsync(app, alice, sentAt: t0.AddDays(-5));
        await Engagement.AddSequenceMessageAsync(app, alice, sentAt: t0.AddDays(-1), bounced: true);

        var all = await client.GetAsync($"/v4/subscribers/{alice.Id}/stats");
        // Raw: with nothing opened in the window, last_opened is null, which the document's example-drawn schema types as a string.
        using var response = await client.SendAsync(HttpMethod.Get, $"/v4/subscribers/{alice.Id}/stats?email_sent_after=2024-04-25&email_sent_before=2024-04-30T00:00:00Z");
        var windowed = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        AssertJson($$$"""
            {"subscriber":{"id":{{{alice.Id}}},"stats":{"sent":3,"opened":1,"clicked":1,"bounced":1,"open_rate":0.3333,"click_rate":0.3333,
              "last_sent":"2024-04-30T10:00:00Z","last_opened":"2024-04-22T10:00:00Z","last_clicked":"2024-04-22T10:00:00Z",
              "sends_since_last_open":2,"sends_since_last_click":2} } }
            """, all.ToJsonString());
        AssertJson($$$"""
            {"subscriber":{"id":{{{alice.Id}}},"stats":{"sent":1,"opened":0,"clicked":0,"bounced":0,"open_rate":0,"click_rate":0,
              "last_sent":"2024-04-26T10:00:00Z","last_opened":null,"last_clicked":null,"sends_since_last_open":1,"sends_since_last_click":1} } }
            """, windowed.ToJsonString());
        await client.AssertErrorAsync(HttpMethod.Get, $"/v4/subscribers/{theirs.Id}/stats", 404, null, "Not Found");
        await client.AssertErrorAsync(HttpMethod.Get, $"/v4/subscribers/{alice.Id}/stats?email_sent_after=July", 422, null,
            "email_sent_after is not a valid date. Use YYYY-MM-DD.");
    }
}

/// <summary>Messages a subscriber received, written straight into broadcast_recipients and sequence_deliveries.</summary>
static class Engagement
{
    public static Task<BroadcastRecipient> AddBroadcastMessageAsync(MailroomApp app, Subscriber subscriber, DateTime sentAt,
        DateTime? openedAt = null, DateTime? clickedAt = null, int clicks = 0, bool bounced = false, long? broadcastId = null) =>
        app.DbAsync(async db =>
        {
            var id = broadcastId ?? await NewBroadcastAsync(db, subscriber.AccountId);
            var row = new BroadcastRecipient
            {
                AccountId = subscriber.AccountId, BroadcastId = id, SubscriberId = subscriber.Id, Token = Guid.NewGuid().ToString("N"),
                SentAt = sentAt, OpenedAt = openedAt, ClickedAt = clickedAt, Clicks = clickedAt is null ? 0 : Math.Max(1, clicks), Bounced = bounced,
            };
            db.BroadcastRecipients.Add(row);
            await db.SaveChangesAsync();
            return row;
        });

    public static async Task<long> NewBroadcastAsync(AppDbContext db, long accountId)
    {
        var broadcast = new Broadcast { AccountId = accountId, Subject = "Hi", Content = "<p>Hi</p>", Status = "completed" };
        db.Broadcasts.Add(broadcast);
        await db.SaveChangesAsync();
        return broadcast.Id;
    }

    public static Task<SequenceDelivery> AddSequenceMessageAsync(MailroomApp app, Subscriber subscriber, DateTime sentAt,
        DateTime? openedAt = null, DateTime? clickedAt = null, int clicks = 0, bool bounced = false) =>
        app.DbAsync(async db =>
        {
            var sequence = new Sequence { AccountId = subscriber.AccountId, Name = "Course", CreatedAt = sentAt };
            db.Sequences.Add(sequence);
            await db.SaveChangesAsync();
            var row = new SequenceDelivery
            {
                AccountId = subscriber.AccountId, SequenceId = sequence.Id, SubscriberId = subscriber.Id, Token = Guid.NewGuid().ToString("N"),
                DueAt = sentAt, SentAt = sentAt, OpenedAt = openedAt, ClickedAt = clickedAt, Clicks = clickedAt is null ? 0 : Math.Max(1, clicks), Bounced = bounced,
            };
            db.SequenceDeliveries.Add(row);
            await db.SaveChangesAsync();
            return row;
        });
}
