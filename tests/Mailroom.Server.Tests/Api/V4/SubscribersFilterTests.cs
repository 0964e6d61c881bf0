using System.Text.Json.Nodes;
using Mailroom.Data;
using Mailroom.Server.Tests.Api.V3;
using Mailroom.Server.Tests.Infrastructure;
using static Mailroom.Server.Tests.Api.V3.SubscribersTestData;
using static Mailroom.Server.Tests.Webhooks.WebhookArrange;

namespace Mailroom.Server.Tests.Api.V4;

/// <summary>POST /v4/subscribers/filter over real engagement rows (broadcast_recipients and sequence_deliveries).</summary>
public sealed class SubscribersFilterTests
{
    static List<string> Ids(JsonNode page) => [.. page["subscribers"]!.AsArray().Select(s => s!["id"]!.GetValue<string>())];

    static readonly DateTime T0 = MailroomApp.Start.UtcDateTime;

    sealed record World(V4Client Client, Subscriber Opener, Subscriber Clicker, Subscriber Quiet, Subscriber Bounced, long BroadcastId);

    /// <summary>
    /// Opener: opened two broadcasts and a sequence email in April. Clicker: one broadcast, clicked it 3 times. Quiet: sent
    /// one broadcast, did nothing. Bounced: one bounced broadcast. Another account has an opener too.
    /// </summary>
    static async Task<World> ArrangeAsync(MailroomApp app)
    {
        var (account, client) = await V4Client.ForNewAccountAsync(app);
        var (other, _) = await V4Client.ForNewAccountAsync(app, "Other", "other@acme.test");
        var opener = await app.AddSubscriberAsync(account.Id, "opener@example.com", firstName: "Olive", createdAt: T0.AddDays(-60));
        var clicker = await app.AddSubscriberAsync(account.Id, "clicker@example.com", createdAt: T0.AddDays(-30));
        var quiet = await app.AddSubscriberAsync(account.Id, "quiet@example.com", SubscriberStates.Cancelled, createdAt: T0.AddDays(-10));
        var bounced = await app.AddSubscriberAsync(account.Id, "bounced@example.com", SubscriberStates.Bounced, createdAt: T0.AddDays(-1));
        var theirs = await app.AddSubscriberAsync(other.Id, "them@example.com");

        var first = (await Engagement.AddBroadcastMessageAsync(app, opener, T0.AddDays(-20), openedAt: T0.AddDays(-20))).BroadcastId;
        await Engagement.AddBroadcastMessageAsync(app, opener, T0.AddDays(-15), openedAt: T0.AddDays(-14));
        await Engagement.AddSequenceMessageAsync(app, opener, T0.AddDays(-12), openedAt: T0.AddDays(-12));
        await Engagement.AddBroadcastMessageAsync(app, clicker, T0.AddDays(-20), openedAt: T0.AddDays(-20), clickedAt: T0.AddDays(-20), clicks: 3, broadcastId: first);
        await Engagement.AddBroadcastMessageAsync(app, quiet, T0.AddDays(-20), broadcastId: first);
        await Engagement.AddBroadcastMessageAsync(app, bounced, T0.AddDays(-1), bounced: true);
        await Engagement.AddBroadcastMessageAsync(app, theirs, T0.AddDays(-20), openedAt: T0.AddDays(-20));
        return new World(client, opener, clicker, quiet, bounced, first);
    }

    static Task<JsonNode> FilterAsync(World w, object body) => w.Client.PostAsync("/v4/subscribers/filter", body, 200);

    [Theory, Providers]
    public async Task Opens_CountsAcrossBroadcastsAndSequences_WithThresholdsAndDates(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var w = await ArrangeAsync(app);

        var any = await FilterAsync(w, new { all = new object[] { new { type = "opens" } } });
        var many = await FilterAsync(w, new { all = new object[] { new { type = "opens", count_greater_than = 2 } } });
        var few = await FilterAsync(w, new { all = new object[] { new { type = "opens", count_less_than_or_equal = 1, count_greater_than_or_equal = 1 } } });
        var recent = await FilterAsync(w, new { all = new object[] { new { type = "opens", after = "2024-04-16", before = "2024-04-30" } } });
        var byBroadcast = await FilterAsync(w, new { all = new object[] { new { type = "opens", any = new object[] { new { type = "broadcasts", ids = new[] { w.BroadcastId } } } } } });

        AssertJson($$$"""
            {"subscribers":[{"id":"{{{w.Opener.Id}}}","first_name":"Olive","email_address":"opener@example.com","created_at":"2024-03-02T10:00:00Z","tag_names":[],"tag_ids":[]},
                            {"id":"{{{w.Clicker.Id}}}","first_name":null,"email_address":"clicker@example.com","created_at":"2024-04-01T10:00:00Z","tag_names":[],"tag_ids":[]}],
             "pagination":{"has_previous_page":false,"has_next_page":false,"start_cursor":"{{{CustomFieldsTests.Cursor(w.Opener.Id)}}}",
              "end_cursor":"{{{CustomFieldsTests.Cursor(w.Clicker.Id)}}}","per_page":500,"total_count":2}}
            """, any.ToJsonString());
        Assert.Equal([w.Opener.Id.ToString()], Ids(many));
        Assert.Equal([w.Clicker.Id.ToString()], Ids(few));
        Assert.Equal([w.Opener.Id.ToString()], Ids(recent)); // opened on the 17th and the 19th
        Assert.Equal([w.Opener.Id.ToString(), w.Clicker.Id.ToString()], Ids(byBroadcast));
    }

    [Theory, Providers]
    public async Task Clicks_RawCountsEveryClick_UniqueEmailOnePerMessage(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var w = await ArrangeAsync(app);

        var raw = await FilterAsync(w, new { all = new object[] { new { type = "clicks", count_greater_than = 2 } } });
        var unique = await FilterAsync(w, new { counting_mode = "unique_email", all = new object[] { new { type = "clicks", count_greater_than = 2 } } });

        Assert.Equal([w.Clicker.Id.ToString()], Ids(raw));
        Assert.Empty(Ids(unique));
        await w.Client.AssertErrorAsync(HttpMethod.Post, "/v4/subscribers/filter", 422,
            new { all = new object[] { new { type = "clicks", any = new object[] { new { type = "urls", urls = new[] { "kit.com" } } } } } },
            "Filtering clicks by url is not supported");
    }

    [Theory, Providers]
    public async Task SentDeliveredStateSubscribedTagsAttribution_AllMustHold(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var w = await ArrangeAsync(app);
        var tag = await app.AddTagAsync(w.Opener.AccountId, "engaged");
        await app.AddSubscriptionAsync(w.Clicker, SubscribableTypes.Tag, tag.Id);
        var form = await app.AddFormAsync(w.Opener.AccountId);
        await app.AddSubscriptionAsync(w.Quiet, SubscribableTypes.Form, form.Id, createdAt: T0.AddDays(-10));

        var sent = await FilterAsync(w, new { all = new object[] { new { type = "sent" } } });
        var delivered = await FilterAsync(w, new { all = new object[] { new { type = "delivered" } } });
        var states = await FilterAsync(w, new { all = new object[] { new { type = "subscriber_state", states = new[] { "cancelled", "bounced" } } } });
        var subscribed = await FilterAsync(w, new { all = new object[] { new { type = "subscribed", after = "2024-03-15" }, new { type = "sent", count_less_than = 2 } } });
        var tagged = await FilterAsync(w, new { all = new object[] { new { type = "tags", any = new object[] { new { type = "ids", matching = new[] { tag.Id } } } } } });
        var attributed = await FilterAsync(w, new { all = new object[] { new { type = "attribution", any = new object[] { new { type = "forms", ids = new[] { form.Id } } } } } });

        Assert.Equal(new[] { w.Opener, w.Clicker, w.Quiet, w.Bounced }.Select(s => s.Id.ToString()), Ids(sent));
        Assert.Equal(new[] { w.Opener, w.Clicker, w.Quiet }.Select(s => s.Id.ToString()), Ids(delivered));
        Assert.Equal(new[] { w.Quiet, w.Bounced }.Select(s => s.Id.ToString()), Ids(states));
        Assert.Equal(new[] { w.Clicker, w.Quiet, w.Bounced }.Select(s => s.Id.ToString()), Ids(subscribed));
        AssertJson($$$"""[{"id":"{{{w.Clicker.Id}}}","first_name":null,"email_address":"clicker@example.com","created_at":"2024-04-01T10:00:00Z","tag_names":["engaged"],"tag_ids":["{{{tag.Id}}}"]}]""",
            tagged["subscribers"]!.ToJsonString());
        Assert.Equal([w.Quiet.Id.ToString()], Ids(attributed));
    }

    [Theory, Providers]
    public async Task Pages_ByIdWithTotal_AndBadConditions422(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var w = await ArrangeAsync(app);

        var first = await FilterAsync(w, new { all = new object[] { new { type = "sent" } }, per_page = 3 });
        var second = await w.Client.PostAsync($"/v4/subscribers/filter?after={first["pagination"]!["end_cursor"]}", new { all = new object[] { new { type = "sent" } }, per_page = 3 }, 200);

        Assert.Equal(3, Ids(first).Count);
        Assert.Equal(4, first["pagination"]!["total_count"]!.GetValue<int>());
        Assert.Equal([w.Bounced.Id.ToString()], Ids(second));
        await w.Client.AssertErrorAsync(HttpMethod.Post, "/v4/subscribers/filter", 422, new { }, "all must be a list of filter conditions");
        await w.Client.AssertErrorAsync(HttpMethod.Post, "/v4/subscribers/filter", 422, new { all = new object[] { new { type = "moods" } } },
            "Filter type `moods` is not supported. Use one of: opens, clicks, sent, delivered, subscribed, subscriber_state, tags, attribution");
        await w.Client.AssertErrorAsync(HttpMethod.Post, "/v4/subscribers/filter", 422, new { all = new object[] { new { type = "subscriber_state" } } },
            "states must list at least one of: active, inactive, bounced, cancelled, complained");
        await w.Client.AssertErrorAsync(HttpMethod.Post, "/v4/subscribers/filter", 422, new { counting_mode = "odd", all = new object[] { new { type = "sent" } } },
            "counting_mode must be one of: raw, unique_email");
        await w.Client.AssertErrorAsync(HttpMethod.Post, "/v4/subscribers/filter", 422, new { all = new object[] { new { type = "sent", after = "last week" } } },
            "after is not a valid date. Use YYYY-MM-DD.");
    }
}
