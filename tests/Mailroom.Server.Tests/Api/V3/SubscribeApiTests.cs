using Mailroom.Data;
using Mailroom.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Mailroom.Server.Tests.Api.V3;

/// <summary>The subscribe upsert shared by forms, sequences and tags (spec §3.1, §4.1, §4.3).</summary>
public sealed class SubscribeApiTests
{
    const string Created = "2024-05-01T10:00:00.000Z";

    [Theory, Providers]
    public async Task SubscribeToForm_WithKey_ReturnsSubscriberIdOnly(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var form = await app.AddFormAsync(account.Id);

        var response = await app.Http.PostAsync($"/v3/forms/{form.Id}/subscribe",
            HttpAssert.Json(new { api_key = account.ApiKey, email = "Jon@Example.com", first_name = "Jon" }));

        var subscriber = (await app.SubscribersAsync()).Single();
        var subscription = (await app.SubscriptionsAsync()).Single();
        await response.AssertJsonAsync(200, $$"""
            {"subscription":{"id":{{subscription.Id}},"state":"active","created_at":"{{Created}}","source":null,"referrer":null,
             "subscribable_id":{{form.Id}},"subscribable_type":"form","subscriber":{"id":{{subscriber.Id}} } } }
            """);
        Assert.Equal(("Jon@Example.com", "jon@example.com", "Jon", SubscriberStates.Active),
            (subscriber.EmailAddress, subscriber.NormalizedEmail, subscriber.FirstName, subscriber.State));
        Assert.Null(subscription.ConfirmationRequestedAt);
        Assert.Equal([("subscriber_activate", subscriber.Id, null), ("form_subscribe", subscriber.Id, form.Id.ToString())],
            await app.OutboxAsync());
    }

    [Theory, Providers]
    public async Task SubscribeToForm_WithSecret_ReturnsFullSubscriber(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var form = await app.AddFormAsync(account.Id);
        await app.AddFieldAsync(account.Id, "last_name");
        await app.AddFieldAsync(account.Id, "city");

        var response = await app.Http.PostAsync($"/v3/forms/{form.Id}/subscribe", HttpAssert.Json(new
        {
            api_secret = account.ApiSecret, email = "jon@example.com", name = "Jon",
            fields = new Dictionary<string, object?> { ["last_name"] = "Snow", ["unknown_key"] = "ignored" },
        }));

        var subscriber = (await app.SubscribersAsync()).Single();
        var subscription = (await app.SubscriptionsAsync()).Single();
        await response.AssertJsonAsync(200, $$"""
            {"subscription":{"id":{{subscription.Id}},"state":"active","created_at":"{{Created}}","source":null,"referrer":null,
             "subscribable_id":{{form.Id}},"subscribable_type":"form",
             "subscriber":{"id":{{subscriber.Id}},"first_name":"Jon","email_address":"jon@example.com","state":"active",
               "created_at":"{{Created}}","fields":{"last_name":"Snow","city":null} } } }
            """);
    }

    [Theory, Providers]
    public async Task SubscribeToForm_DoubleOptIn_LeavesSubscriberAndSubscriptionInactiveWithToken(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var form = await app.AddFormAsync(account.Id, doubleOptIn: true);
        var tag = await app.AddTagAsync(account.Id);

        var response = await app.Http.PostAsync($"/v3/forms/{form.Id}/subscribe",
            HttpAssert.Json(new { api_secret = account.ApiSecret, email = "jon@example.com", tags = new[] { tag.Id } }));

        var subscriber = (await app.SubscribersAsync()).Single();
        var subscriptions = await app.SubscriptionsAsync();
        var formSubscription = subscriptions.Single(s => s.SubscribableType == "form");
        await response.AssertJsonAsync(200, $$"""
            {"subscription":{"id":{{formSubscription.Id}},"state":"inactive","created_at":"{{Created}}","source":null,"referrer":null,
             "subscribable_id":{{form.Id}},"subscribable_type":"form",
             "subscriber":{"id":{{subscriber.Id}},"first_name":null,"email_address":"jon@example.com","state":"inactive",
               "created_at":"{{Created}}","fields":{} } } }
            """);
        Assert.Equal(MailroomApp.Start.UtcDateTime, formSubscription.ConfirmationRequestedAt);
        Assert.Null(formSubscription.ConfirmationSentAt);
        // Tags passed along are applied at once (spec §3.1) but do not confirm the address.
        Assert.Equal(SubscriptionStates.Active, subscriptions.Single(s => s.SubscribableType == "tag").State);
        Assert.Equal([("tag_add", subscriber.Id, tag.Id.ToString())], await app.OutboxAsync());
    }

    [Theory, Providers]
    public async Task SubscribeToForm_DoubleOptInTwice_RequestsConfirmationAgain(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var form = await app.AddFormAsync(account.Id, doubleOptIn: true);
        var body = new { api_key = account.ApiKey, email = "jon@example.com" };

        var first = await (await app.Http.PostAsync($"/v3/forms/{form.Id}/subscribe", HttpAssert.Json(body))).AssertStatusAsync(200);
        app.Clock.Advance(TimeSpan.FromMinutes(1));
        var second = await (await app.Http.PostAsync($"/v3/forms/{form.Id}/subscribe", HttpAssert.Json(body))).AssertStatusAsync(200);

        var subscription = (await app.SubscriptionsAsync()).Single();
        Assert.Equal(first["subscription"]!["id"]!.GetValue<long>(), second["subscription"]!["id"]!.GetValue<long>());
        Assert.Equal("inactive", second["subscription"]!["state"]!.GetValue<string>());
        Assert.Equal(MailroomApp.Start.UtcDateTime.AddMinutes(1), subscription.ConfirmationRequestedAt);
        Assert.Empty(await app.OutboxAsync());
    }

    [Theory, Providers]
    public async Task SubscribeToForm_DoubleOptInForActiveSubscriber_IsActiveAtOnce(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var form = await app.AddFormAsync(account.Id, doubleOptIn: true);
        var subscriber = await app.AddSubscriberAsync(account.Id, "jon@example.com");

        var response = await app.Http.PostAsync($"/v3/forms/{form.Id}/subscribe",
            HttpAssert.Json(new { api_key = account.ApiKey, email = "JON@example.com" }));

        var subscription = (await app.SubscriptionsAsync()).Single();
        await response.AssertJsonAsync(200, $$"""
            {"subscription":{"id":{{subscription.Id}},"state":"active","created_at":"{{Created}}","source":null,"referrer":null,
             "subscribable_id":{{form.Id}},"subscribable_type":"form","subscriber":{"id":{{subscriber.Id}} } } }
            """);
        Assert.Null(subscription.ConfirmationRequestedAt);
        Assert.Equal([("form_subscribe", subscriber.Id, form.Id.ToString())], await app.OutboxAsync());
    }

    [Theory, Providers]
    public async Task Subscribe_SameTargetTwice_ReturnsExistingSubscriptionWithoutNewEvents(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var tag = await app.AddTagAsync(account.Id);
        var body = new { api_key = account.ApiKey, email = "jon@example.com" };

        await (await app.Http.PostAsync($"/v3/tags/{tag.Id}/subscribe", HttpAssert.Json(body))).AssertStatusAsync(200);
        app.Clock.Advance(TimeSpan.FromMinutes(5));
        var response = await app.Http.PostAsync($"/v3/tags/{tag.Id}/subscribe", HttpAssert.Json(body));

        var subscription = (await app.SubscriptionsAsync()).Single();
        await response.AssertJsonAsync(200, $$"""
            {"subscription":{"id":{{subscription.Id}},"state":"active","created_at":"{{Created}}","source":null,"referrer":null,
             "subscribable_id":{{tag.Id}},"subscribable_type":"tag","subscriber":{"id":{{subscription.SubscriberId}} } } }
            """);
        Assert.Equal(["subscriber_activate", "tag_add"], (await app.OutboxAsync()).Select(e => e.Event));
    }

    [Theory, Providers]
    public async Task Subscribe_CancelledSubscriberViaTag_ReactivatesSubscriberAndSubscription(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var tag = await app.AddTagAsync(account.Id);
        await (await app.Http.PostAsync($"/v3/tags/{tag.Id}/subscribe",
            HttpAssert.Json(new { api_key = account.ApiKey, email = "jon@example.com" }))).AssertStatusAsync(200);
        await app.DbAsync(async db =>
        {
            await db.Subscribers.ExecuteUpdateAsync(s => s.SetProperty(x => x.State, "cancelled").SetProperty(x => x.CancelledAt, SubscriptionArrange.Now));
            await db.Subscriptions.ExecuteUpdateAsync(s => s.SetProperty(x => x.State, "cancelled"));
            await db.OutboxEvents.ExecuteDeleteAsync();
        });
        app.Clock.Advance(TimeSpan.FromHours(1));

        var response = await app.Http.PostAsync($"/v3/tags/{tag.Id}/subscribe",
            HttpAssert.Json(new { api_secret = account.ApiSecret, email = "jon@example.com" }));

        var subscriber = (await app.SubscribersAsync()).Single();
        var subscription = (await app.SubscriptionsAsync()).Single();
        await response.AssertJsonAsync(200, $$"""
            {"subscription":{"id":{{subscription.Id}},"state":"active","created_at":"{{Created}}","source":null,"referrer":null,
             "subscribable_id":{{tag.Id}},"subscribable_type":"tag",
             "subscriber":{"id":{{subscriber.Id}},"first_name":null,"email_address":"jon@example.com","state":"active",
               "created_at":"{{Created}}","fields":{} } } }
            """);
        Assert.Null(subscriber.CancelledAt);
        Assert.Equal(new DateTime(2024, 5, 1, 11, 0, 0, DateTimeKind.Utc), subscriber.UpdatedAt);
        Assert.Equal([("subscriber_activate", subscriber.Id, null), ("tag_add", subscriber.Id, tag.Id.ToString())], await app.OutboxAsync());
    }

    [Theory, Providers]
    public async Task Subscribe_CancelledSubscriberViaDoubleOptInForm_IsPendingAgain(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var form = await app.AddFormAsync(account.Id, doubleOptIn: true);
        var subscriber = await app.AddSubscriberAsync(account.Id, "jon@example.com", SubscriberStates.Cancelled);
        await app.AddSubscriptionAsync(subscriber, "form", form.Id, SubscriptionStates.Cancelled);

        var response = await app.Http.PostAsync($"/v3/forms/{form.Id}/subscribe",
            HttpAssert.Json(new { api_key = account.ApiKey, email = "jon@example.com" }));

        var json = await response.AssertStatusAsync(200);
        Assert.Equal("inactive", json["subscription"]!["state"]!.GetValue<string>());
        Assert.Equal(SubscriberStates.Inactive, (await app.SubscribersAsync()).Single().State);
        Assert.NotNull((await app.SubscriptionsAsync()).Single().ConfirmationRequestedAt);
        Assert.Empty(await app.OutboxAsync());
    }

    [Theory, Providers]
    public async Task Subscribe_BouncedSubscriber_KeepsStateAndRecordsSubscription(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var sequence = await app.AddSequenceAsync(account.Id);
        var subscriber = await app.AddSubscriberAsync(account.Id, "jon@example.com", SubscriberStates.Bounced);

        var response = await app.Http.PostAsync($"/v3/sequences/{sequence.Id}/subscribe",
            HttpAssert.Json(new { api_secret = account.ApiSecret, email = "jon@example.com" }));

        var subscription = (await app.SubscriptionsAsync()).Single();
        await response.AssertJsonAsync(200, $$"""
            {"subscription":{"id":{{subscription.Id}},"state":"active","created_at":"{{Created}}","source":null,"referrer":null,
             "subscribable_id":{{sequence.Id}},"subscribable_type":"course",
             "subscriber":{"id":{{subscriber.Id}},"first_name":null,"email_address":"jon@example.com","state":"bounced",
               "created_at":"{{Created}}","fields":{} } } }
            """);
        Assert.Equal([("course_subscribe", subscriber.Id, sequence.Id.ToString())], await app.OutboxAsync());
    }

    [Theory, Providers]
    public async Task Subscribe_ExistingSubscriber_UpdatesFirstNameAndMergesFields(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var tag = await app.AddTagAsync(account.Id);
        await app.AddFieldAsync(account.Id, "last_name");
        await app.AddFieldAsync(account.Id, "city");
        await (await app.Http.PostAsync($"/v3/tags/{tag.Id}/subscribe", HttpAssert.Json(new
        {
            api_key = account.ApiKey, email = "jon@example.com", first_name = "Jon",
            fields = new { last_name = "Snow", city = "Winterfell" },
        }))).AssertStatusAsync(200);

        // Blank first_name keeps the stored one; only the fields given change.
        var response = await app.Http.PostAsync($"/v3/tags/{tag.Id}/subscribe", HttpAssert.Json(new
        {
            api_secret = account.ApiSecret, email = "jon@example.com", first_name = "  ", fields = new { city = "The Wall" },
        }));

        var subscriber = (await app.SubscribersAsync()).Single();
        var subscription = (await app.SubscriptionsAsync()).Single();
        await response.AssertJsonAsync(200, $$"""
            {"subscription":{"id":{{subscription.Id}},"state":"active","created_at":"{{Created}}","source":null,"referrer":null,
             "subscribable_id":{{tag.Id}},"subscribable_type":"tag",
             "subscriber":{"id":{{subscriber.Id}},"first_name":"Jon","email_address":"jon@example.com","state":"active",
               "created_at":"{{Created}}","fields":{"last_name":"Snow","city":"The Wall"} } } }
            """);
    }

    [Theory, Providers]
    public async Task Subscribe_MissingEmail_Returns400MissingParameter(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var form = await app.AddFormAsync(account.Id);

        var response = await app.Http.PostAsync($"/v3/forms/{form.Id}/subscribe", HttpAssert.Json(new { api_key = account.ApiKey, email = " " }));

        await response.AssertJsonAsync(400, """{"error":"Missing parameter","message":"Subscriber email is required"}""");
        Assert.Empty(await app.SubscribersAsync());
    }

    [Theory, Providers]
    public async Task Subscribe_InvalidEmail_Returns422(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var tag = await app.AddTagAsync(account.Id);

        foreach (var email in new[] { "invalid-email", "jon@example", "jon doe@example.com", "a@b.c", "jon@@example.com" })
        {
            var response = await app.Http.PostAsync($"/v3/tags/{tag.Id}/subscribe", HttpAssert.Json(new { api_key = account.ApiKey, email }));
            await response.AssertJsonAsync(422, """{"error":"Error updating subscriber","message":"Email address is invalid"}""");
        }
        Assert.Empty(await app.SubscribersAsync());
    }

    [Theory, Providers]
    public async Task Subscribe_OverlongEmail_Returns422(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var tag = await app.AddTagAsync(account.Id);

        var local = await app.Http.PostAsync($"/v3/tags/{tag.Id}/subscribe",
            HttpAssert.Json(new { api_key = account.ApiKey, email = new string('a', 65) + "@example.com" }));
        var total = await app.Http.PostAsync($"/v3/tags/{tag.Id}/subscribe",
            HttpAssert.Json(new { api_key = account.ApiKey, email = "a@" + string.Join('.', Enumerable.Repeat(new string('b', 60), 5)) + ".com" }));

        await local.AssertJsonAsync(422, """{"error":"Error updating subscriber","message":"Email address is invalid"}""");
        await total.AssertJsonAsync(422, """{"error":"Error updating subscriber","message":"Email address is invalid"}""");
    }

    [Theory, Providers]
    public async Task Subscribe_OverlongFirstNameOrFieldValue_Returns422AndWritesNothing(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var tag = await app.AddTagAsync(account.Id);
        await app.AddFieldAsync(account.Id, "bio");

        var name = await app.Http.PostAsync($"/v3/tags/{tag.Id}/subscribe",
            HttpAssert.Json(new { api_key = account.ApiKey, email = "jon@example.com", first_name = new string('x', 256) }));
        var field = await app.Http.PostAsync($"/v3/tags/{tag.Id}/subscribe",
            HttpAssert.Json(new { api_key = account.ApiKey, email = "jon@example.com", fields = new { bio = new string('x', 2001) } }));

        await name.AssertJsonAsync(422, """{"error":"Error updating subscriber","message":"First name is too long (maximum is 255 characters)"}""");
        await field.AssertJsonAsync(422, """{"error":"Error updating subscriber","message":"Fields bio is too long (maximum is 2000 characters)"}""");
        Assert.Empty(await app.SubscribersAsync());
    }

    [Theory, Providers]
    public async Task Subscribe_WrongParameterTypes_Returns400(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var tag = await app.AddTagAsync(account.Id);

        var fields = await app.Http.PostAsync($"/v3/tags/{tag.Id}/subscribe",
            HttpAssert.Json(new { api_key = account.ApiKey, email = "jon@example.com", fields = "last_name" }));
        var tags = await app.Http.PostAsync($"/v3/tags/{tag.Id}/subscribe",
            HttpAssert.Json(new { api_key = account.ApiKey, email = "jon@example.com", tags = new[] { "abc" } }));
        var malformed = await app.Http.PostAsync($"/v3/tags/{tag.Id}/subscribe?api_key={account.ApiKey}",
            HttpAssert.Raw("""{"email": "jon@example.com",""", "application/json"));

        await fields.AssertJsonAsync(400, """{"error":"Bad Request","message":"fields must be an object"}""");
        await tags.AssertJsonAsync(400, """{"error":"Bad Request","message":"tags must be an integer"}""");
        Assert.Equal("Bad Request", (await malformed.AssertStatusAsync(400))["error"]!.GetValue<string>());
        Assert.Empty(await app.SubscribersAsync());
    }

    [Theory, Providers]
    public async Task Subscribe_UnknownOrOtherAccountsTarget_Returns404PerType(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var other = await app.CreateAccountAsync("Other", "other@acme.test");
        var form = await app.AddFormAsync(other.Id);
        var sequence = await app.AddSequenceAsync(other.Id);
        var tag = await app.AddTagAsync(other.Id);
        var body = new { api_key = account.ApiKey, email = "jon@example.com" };

        foreach (var id in new[] { form.Id, 999_999 })
            await (await app.Http.PostAsync($"/v3/forms/{id}/subscribe", HttpAssert.Json(body)))
                .AssertJsonAsync(404, """{"error":"Not Found","message":"The entity you were trying to find doesn't exist"}""");
        foreach (var id in new[] { sequence.Id, 999_999 })
            await (await app.Http.PostAsync($"/v3/sequences/{id}/subscribe", HttpAssert.Json(body)))
                .AssertJsonAsync(404, """{"error":"Course not found","message":""}""");
        foreach (var id in new[] { tag.Id, 999_999 })
            await (await app.Http.PostAsync($"/v3/tags/{id}/subscribe", HttpAssert.Json(body)))
                .AssertJsonAsync(404, """{"error":"Tag not found","message":""}""");
        Assert.Empty(await app.SubscribersAsync());
    }

    [Theory, Providers]
    public async Task Subscribe_WithoutCredentials_Returns401(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var tag = await app.AddTagAsync(account.Id);

        var response = await app.Http.PostAsync($"/v3/tags/{tag.Id}/subscribe", HttpAssert.Json(new { email = "jon@example.com" }));

        await response.AssertJsonAsync(401, """{"error":"Authorization Failed","message":"API Key not present"}""");
    }
}
