using System.Text.Json.Nodes;
using Mailroom.Data;
using Mailroom.Server.Tests.Api.V3;
using Mailroom.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static Mailroom.Server.Tests.Api.V4.BulkArrange;

namespace Mailroom.Server.Tests.Api.V4;

/// <summary>
/// Queued bulk jobs as the worker sees them: applied once (also across a restart), each operation's result body, and the
/// callback with its retries. The jobs are the rows POST /v4/bulk/... stores (see BulkTests for the HTTP side).
/// </summary>
public sealed class BulkJobTests
{
    [Theory, Providers]
    public async Task QueuedSubscribers_SurviveARestart_AreAppliedOnce_AndTheResultIsPostedToTheCallback(string provider)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var first = await MailroomApp.StartAsync(provider);
        var account = await first.CreateAccountAsync();
        await first.AddSubscriberAsync(account.Id, "s3@example.com", firstName: "Old");
        var items = Items(150, i => new JsonObject { ["email_address"] = i == 7 ? "not-an-email" : $"S{i}@example.com", ["first_name"] = $"<b>{i}</b>" });
        var job = await first.QueueAsync(account.Id, "subscribers", "subscribers", items, $"{receiver.Url}/done?job=1");
        var database = await first.StopKeepingDatabaseAsync();

        await using var second = MailroomApp.StartOn(database);
        await second.SettleBulkAsync();
        await second.SettleBulkAsync();

        var subscribers = await second.SubscribersAsync();
        Assert.Equal(149, subscribers.Count);
        Assert.Equal("<b>3</b>", subscribers.Single(s => s.NormalizedEmail == "s3@example.com").FirstName);
        // subscriber_activate for each of the 148 new ones, once.
        Assert.Equal(148, (await second.OutboxAsync()).Count(e => e.Event == "subscriber_activate"));
        var stored = await second.JobAsync(job.Id);
        Assert.Equal((BulkJobStatuses.Completed, 1, 1), (stored.Status, stored.Attempts, stored.CallbackAttempts));
        var callback = Assert.Single(receiver.Requests);
        Assert.Equal(("POST", "/done?job=1"), (callback.Method, callback.Path));
        Assert.StartsWith("application/json", callback.Header("Content-Type"));
        var body = JsonNode.Parse(callback.Text)!;
        Assert.Equal(149, body["subscribers"]!.AsArray().Count);
        AssertJson("""[{"subscriber":{"first_name":"<b>7</b>","email_address":"not-an-email","state":"active","created_at":null},"errors":["Email address is invalid"]}]""", body["failures"]);
        AssertJson("""{"id":1,"first_name":"<b>3</b>","email_address":"s3@example.com","state":"active","created_at":"2024-05-01T10:00:00Z"}""", body["subscribers"]![3]);
        Assert.Equal(stored.Result, callback.Text);
        Assert.Contains("\\u003Cb\\u003E", callback.Text);
    }

    [Theory, Providers]
    public async Task QueuedSubscribers_DuplicatesKnownAndCancelled_OneRowEach_CountsAndEventsExact(string provider)
    {
        // 250 items: more than one statement's worth of rows on either provider's write path, and a remainder.
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var other = await app.CreateAccountAsync();
        await app.AddSubscriberAsync(account.Id, "known@example.com", firstName: "Old");
        await app.AddSubscriberAsync(other.Id, "dup@example.com", firstName: "Other account");
        var items = Items(250, i => i switch
        {
            0 => new JsonObject { ["email_address"] = "known@example.com", ["first_name"] = "New", ["state"] = "cancelled" },
            1 => new JsonObject { ["email_address"] = "dup@example.com", ["first_name"] = "A", ["state"] = "cancelled" },
            200 => new JsonObject { ["email_address"] = "DUP@example.com", ["first_name"] = "B", ["state"] = "active" },
            _ => new JsonObject { ["email_address"] = $"n{i}@example.com", ["state"] = i % 50 == 0 ? "inactive" : "active" },
        });
        var job = await app.QueueAsync(account.Id, "subscribers", "subscribers", items);
        await app.SettleBulkAsync();

        var all = (await app.SubscribersAsync()).Where(s => s.AccountId == account.Id).ToList();
        Assert.Equal(249, all.Count);
        var known = all.Single(s => s.NormalizedEmail == "known@example.com");
        // A known subscriber keeps its state and takes the name; the same address twice is one row, with the first
        // state and the last name given.
        Assert.Equal(("New", "active", (DateTime?)null), (known.FirstName, known.State, known.CancelledAt));
        var dup = all.Single(s => s.NormalizedEmail == "dup@example.com");
        Assert.Equal(("B", "cancelled", "dup@example.com"), (dup.FirstName, dup.State, dup.EmailAddress));
        Assert.NotNull(dup.CancelledAt);
        Assert.Equal("Other account", (await app.SubscribersAsync()).Single(s => s.AccountId == other.Id).FirstName);
        // The counts the lists read are kept by the database for every row written, bulk included.
        var counts = await app.DbAsync(db => db.SubscriberCounts.Where(c => c.AccountId == account.Id)
            .GroupBy(c => new { c.State, c.Cancelled }).Select(g => new { g.Key.State, g.Key.Cancelled, Count = g.Sum(c => c.Count) }).ToListAsync());
        Assert.Equal(all.Count(s => s.State == "active"), counts.Single(c => c.State == "active").Count);
        Assert.Equal(3, counts.Single(c => c.State == "inactive").Count);
        Assert.Equal(1, counts.Single(c => c is { State: "cancelled", Cancelled: true }).Count);
        // subscriber_activate once for each new active subscriber (not the known one, not the cancelled or inactive).
        Assert.Equal(244, (await app.OutboxAsync()).Count(e => e.Event == "subscriber_activate"));

        var result = JsonNode.Parse((await app.JobAsync(job.Id)).Result!)!;
        var answered = result["subscribers"]!.AsArray();
        Assert.Equal(250, answered.Count);
        Assert.Equal(answered[1]!["id"]!.GetValue<long>(), answered[200]!["id"]!.GetValue<long>());
        AssertJson($$"""{"id":{{known.Id}},"first_name":"New","email_address":"known@example.com","state":"active","created_at":"2024-05-01T10:00:00Z"}""", answered[0]);
        Assert.Empty(result["failures"]!.AsArray());
    }

    [Theory, Providers]
    public async Task QueuedSubscribers_StoredAsSent_AreReadLikeTheRequestReadsThem(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var items = Items(101, i => i switch
        {
            0 => new JsonObject { ["email_address"] = 12345, ["state"] = "active" },
            1 => new JsonObject { ["email_address"] = "  Padded@Example.com ", ["first_name"] = "  ", ["state"] = " CANCELLED " },
            _ => new JsonObject { ["email_address"] = $"s{i}@example.com" },
        });
        var job = await app.QueueAsync(account.Id, "subscribers", "subscribers", items);
        await app.SettleBulkAsync();

        var padded = (await app.SubscribersAsync()).Single(s => s.NormalizedEmail == "padded@example.com");
        Assert.Equal(("Padded@Example.com", (string?)null, "cancelled"), (padded.EmailAddress, padded.FirstName, padded.State));
        var result = JsonNode.Parse((await app.JobAsync(job.Id)).Result!)!;
        Assert.Equal(100, result["subscribers"]!.AsArray().Count);
        AssertJson("""[{"subscriber":{"first_name":null,"email_address":"12345","state":"active","created_at":null},"errors":["Email address is invalid"]}]""", result["failures"]);
    }

    [Theory, Providers]
    public async Task Callback_FailsTwice_IsRetriedWithBackoff_ThenDeliveredOnce(string provider)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var job = await app.QueueAsync(account.Id, "tags", "tags", Items(101, i => new JsonObject { ["name"] = $"Tag {i}" }), $"{receiver.Url}/cb");
        receiver.FailNext(2, 503);

        await app.RunBulkWorkerAsync();
        var afterFirst = await app.JobAsync(job.Id);
        Assert.Equal((1, "HTTP 503"), (afterFirst.CallbackAttempts, afterFirst.CallbackLastError));
        Assert.Equal(app.Clock.GetUtcNow().UtcDateTime.AddSeconds(30), afterFirst.NextCallbackAt!.Value, TimeSpan.FromSeconds(1));
        Assert.Equal(0, await app.RunBulkWorkerAsync()); // not due yet
        await app.SettleBulkAsync();

        var done = await app.JobAsync(job.Id);
        Assert.Equal(3, done.CallbackAttempts);
        Assert.NotNull(done.CallbackDeliveredAt);
        Assert.Equal(3, receiver.Attempts.Count);
        Assert.Single(receiver.Requests);
        Assert.Equal(101, await app.DbAsync(db => db.Tags.CountAsync()));
    }

    [Theory, Providers]
    public async Task Callback_ReceiverAlwaysDown_GivesUpAfterMaxAttempts_KeepingTheResult(string provider)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var app = await MailroomApp.StartAsync(provider, new() { ["Bulk:CallbackMaxAttempts"] = "3" });
        var account = await app.CreateAccountAsync();
        var job = await app.QueueAsync(account.Id, "tags", "tags", Items(101, i => new JsonObject { ["name"] = $"Tag {i}" }), $"{receiver.Url}/cb");
        receiver.Down = true;
        await app.SettleBulkAsync();
        var stored = await app.JobAsync(job.Id);
        Assert.Equal((3, (DateTime?)null, (DateTime?)null), (stored.CallbackAttempts, stored.NextCallbackAt, stored.CallbackDeliveredAt));
        Assert.NotNull(stored.Result);
        Assert.Equal(3, receiver.Attempts.Count);
    }

    [Theory, Providers]
    public async Task Callback_ToOurOwnNetwork_IsRefusedAtDelivery_TooWhenWebhooksAreStrict(string provider)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var app = await MailroomApp.StartAsync(provider, new() { ["Webhooks:AllowPrivateTargets"] = "false", ["Bulk:CallbackMaxAttempts"] = "1" });
        var account = await app.CreateAccountAsync();
        // A row stored before the rules tightened: the guarded client refuses it all the same.
        var job = await app.QueueAsync(account.Id, "tags", "tags", Items(101, i => new JsonObject { ["name"] = $"Tag {i}" }), $"{receiver.Url}/cb");
        await app.SettleBulkAsync();
        Assert.Empty(receiver.Attempts);
        var stored = await app.JobAsync(job.Id);
        Assert.Equal(BulkJobStatuses.Completed, stored.Status);
        Assert.Contains("loopback", stored.CallbackLastError);
    }

    [Theory, Providers]
    public async Task Taggings_TagNewAndExisting_FailForOtherAccountsIds_ThenUntag(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var other = await app.CreateAccountAsync("Globex", "owner@globex.test");
        var tag = await app.AddTagAsync(account.Id);
        var theirTag = await app.AddTagAsync(other.Id, "Theirs");
        var jon = await app.AddSubscriberAsync(account.Id, "jon@example.com", firstName: "Jon");
        var stranger = await app.AddSubscriberAsync(other.Id, "x@example.com");
        await app.AddSubscriptionAsync(jon, SubscribableTypes.Tag, tag.Id, createdAt: MailroomApp.Start.UtcDateTime.AddDays(-1));
        var ann = await app.AddSubscriberAsync(account.Id, "ann@example.com");
        var items = new JsonArray(
            new JsonObject { ["tag_id"] = tag.Id, ["subscriber_id"] = jon.Id },
            new JsonObject { ["tag_id"] = tag.Id, ["subscriber_id"] = ann.Id.ToString() },
            new JsonObject { ["tag_id"] = theirTag.Id, ["subscriber_id"] = ann.Id },
            new JsonObject { ["tag_id"] = tag.Id, ["subscriber_id"] = stranger.Id },
            new JsonObject { ["tag_id"] = null, ["subscriber_id"] = null });
        var job = await app.QueueAsync(account.Id, "tags/subscribers", "taggings", items);
        await app.SettleBulkAsync();

        AssertJson($$$"""
            {"subscribers":[
               {"id":{{{jon.Id}}},"first_name":"Jon","email_address":"jon@example.com","created_at":"2024-05-01T10:00:00Z","tagged_at":"2024-04-30T10:00:00Z"},
               {"id":{{{ann.Id}}},"first_name":null,"email_address":"ann@example.com","created_at":"2024-05-01T10:00:00Z","tagged_at":"2024-05-01T10:00:00Z"}],
             "failures":[
               {"errors":["Tag does not exist"],"tagging":{"tag_id":null,"subscriber_id":{{{ann.Id}}}}},
               {"errors":["Subscriber does not exist"],"tagging":{"tag_id":{{{tag.Id}}},"subscriber_id":null}},
               {"errors":["Subscriber does not exist","Tag does not exist"],"tagging":{"tag_id":null,"subscriber_id":null}}]}
            """, JsonNode.Parse((await app.JobAsync(job.Id)).Result!));
        Assert.Equal([("tag_add", (long?)ann.Id, tag.Id.ToString())], await app.OutboxAsync());

        var untag = await app.QueueAsync(account.Id, "tags/subscribers:delete", "taggings", new JsonArray(
            new JsonObject { ["tag_id"] = tag.Id, ["subscriber_id"] = jon.Id }, new JsonObject { ["tag_id"] = tag.Id, ["subscriber_id"] = stranger.Id }));
        await app.SettleBulkAsync();
        AssertJson($$$"""{"failures":[{"errors":["Subscriber does not exist"],"tagging":{"tag_id":{{{tag.Id}}},"subscriber_id":null}}]}""",
            JsonNode.Parse((await app.JobAsync(untag.Id)).Result!));
        Assert.Equal([ann.Id], await app.DbAsync(db => db.Subscriptions.Where(s => s.SubscribableType == "tag").Select(s => s.SubscriberId).ToListAsync()));
        Assert.Equal(("tag_remove", (long?)jon.Id), (await app.OutboxAsync()).Select(e => (e.Event, e.SubscriberId)).Last());
    }

    [Theory, Providers]
    public async Task Tags_CreateNewReturnExisting_CaseInsensitively(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var existing = await app.AddTagAsync(account.Id, "Existing Tag");
        var job = await app.QueueAsync(account.Id, "tags", "tags", new JsonArray(
            new JsonObject { ["name"] = "existing tag" }, new JsonObject { ["name"] = "<script>x</script>" }, new JsonObject { ["name"] = " " },
            new JsonObject { ["name"] = "Newsletter" }, new JsonObject { ["name"] = "NEWSLETTER" }));
        await app.SettleBulkAsync();
        var result = JsonNode.Parse((await app.JobAsync(job.Id)).Result!)!;
        Assert.Equal([existing.Id, existing.Id + 1, existing.Id + 2, existing.Id + 2], result["tags"]!.AsArray().Select(t => t!["id"]!.GetValue<long>()));
        Assert.Equal("<script>x</script>", result["tags"]![1]!["name"]!.GetValue<string>());
        AssertJson("""[{"tag":{"name":null},"errors":["Name can't be blank"]}]""", result["failures"]);
        Assert.Equal(3, await app.DbAsync(db => db.Tags.CountAsync()));
    }

    [Theory, Providers]
    public async Task CustomFieldsAndValues_CreateFields_ThenSetValues(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var other = await app.CreateAccountAsync("Globex", "owner@globex.test");
        var theirField = await app.AddFieldAsync(other.Id, "secret");
        var jon = await app.AddSubscriberAsync(account.Id, "jon@example.com");
        var fields = await app.QueueAsync(account.Id, "custom_fields", "custom_fields", new JsonArray(
            new JsonObject { ["label"] = "Last name" }, new JsonObject { ["label"] = "Interests" }, new JsonObject { ["label"] = "last_name" }, new JsonObject { ["label"] = "" }));
        await app.SettleBulkAsync();
        var created = JsonNode.Parse((await app.JobAsync(fields.Id)).Result!)!;
        var lastName = created["custom_fields"]![0]!["id"]!.GetValue<long>();
        AssertJson($$$"""{"id":{{{lastName}}},"key":"last_name","label":"Last name","name":"ck_field_{{{lastName}}}_last_name","created_at":"2024-05-01T10:00:00Z"}""", created["custom_fields"]![0]);
        Assert.Equal(lastName, created["custom_fields"]![2]!["id"]!.GetValue<long>());
        AssertJson("""[{"custom_field":{"label":null},"errors":["Label can't be blank"]}]""", created["failures"]);

        var values = await app.QueueAsync(account.Id, "custom_fields/subscribers", "custom_field_values", new JsonArray(
            new JsonObject { ["subscriber_id"] = jon.Id, ["subscriber_custom_field_id"] = lastName, ["value"] = "<b>Smith</b>" },
            new JsonObject { ["subscriber_id"] = null, ["subscriber_custom_field_id"] = lastName, ["value"] = "Jones" },
            new JsonObject { ["subscriber_id"] = jon.Id, ["subscriber_custom_field_id"] = theirField.Id, ["value"] = "Test" }));
        await app.SettleBulkAsync();
        AssertJson($$$"""
            {"custom_field_values":[{"subscriber_id":{{{jon.Id}}},"subscriber_custom_field_id":{{{lastName}}},"value":"<b>Smith</b>"}],
             "failures":[{"errors":["Subscriber does not exist"],"custom_field_value":{"subscriber_id":null,"subscriber_custom_field_id":{{{lastName}}},"value":"Jones"}},
                         {"errors":["Custom field does not exist"],"custom_field_value":{"subscriber_id":{{{jon.Id}}},"subscriber_custom_field_id":{{{theirField.Id}}},"value":"Test"}}]}
            """, JsonNode.Parse((await app.JobAsync(values.Id)).Result!));
        Assert.Equal("<b>Smith</b>", await app.DbAsync(db => db.SubscriberFieldValues.Where(v => v.SubscriberId == jon.Id).Select(v => v.Value).SingleAsync()));
    }

    [Theory, Providers]
    public async Task FormAdditions_AddWithReferrer_FormSubscribeOnce_OtherAccountsFormFails(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var other = await app.CreateAccountAsync("Globex", "owner@globex.test");
        var form = await app.AddFormAsync(account.Id);
        var theirForm = await app.AddFormAsync(other.Id, uid: "theirs1");
        var jon = await app.AddSubscriberAsync(account.Id, "jon@example.com", firstName: "Jon");
        const string referrer = "https://mywebsite.com/bfpromo/?utm_source=facebook&utm_medium=cpc&utm_campaign=black_friday&utm_term=car_owners&utm_content=get_10_off";
        var job = await app.QueueAsync(account.Id, "forms/subscribers", "additions", new JsonArray(
            new JsonObject { ["form_id"] = form.Id, ["subscriber_id"] = jon.Id, ["referrer"] = referrer },
            new JsonObject { ["form_id"] = form.Id, ["subscriber_id"] = jon.Id },
            new JsonObject { ["form_id"] = theirForm.Id, ["subscriber_id"] = jon.Id, ["referrer"] = referrer }));
        await app.SettleBulkAsync();
        AssertJson($$$"""
            {"subscribers":[
              {"id":{{{jon.Id}}},"first_name":"Jon","email_address":"jon@example.com","created_at":"2024-05-01T10:00:00Z","added_at":"2024-05-01T10:00:00Z","referrer":"{{{referrer}}}",
               "referrer_utm_parameters":{"source":"facebook","medium":"cpc","campaign":"black_friday","term":"car_owners","content":"get_10_off"}},
              {"id":{{{jon.Id}}},"first_name":"Jon","email_address":"jon@example.com","created_at":"2024-05-01T10:00:00Z","added_at":"2024-05-01T10:00:00Z","referrer":null,
               "referrer_utm_parameters":{"source":"","medium":"","campaign":"","term":"","content":""}}],
             "failures":[{"errors":["Form does not exist"],"subscription":{"form_id":null,"subscriber_id":{{{jon.Id}}},"referrer":"{{{referrer}}}"}}]}
            """, JsonNode.Parse((await app.JobAsync(job.Id)).Result!));
        Assert.Equal([("form_subscribe", (long?)jon.Id, form.Id.ToString())], await app.OutboxAsync());
        Assert.Equal(referrer, await app.DbAsync(db => db.Subscriptions.Where(s => s.SubscribableType == "form").Select(s => s.Referrer).SingleAsync()));
    }
}
