using System.Text.Json.Nodes;
using Mailroom.Data;
using Mailroom.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static Mailroom.Server.Tests.Api.V3.SubscribersTestData;

namespace Mailroom.Server.Tests.Api.V3;

/// <summary>PUT /v3/subscribers/{id} and PUT /v3/unsubscribe.</summary>
public sealed class SubscribersUpdateApiTests
{
    const string NotFound = """{"error":"Not Found","message":"The entity you were trying to find doesn't exist"}""";

    static Task<HttpResponseMessage> Put(MailroomApp app, string url, object body) => app.Http.SendJsonAsync(HttpMethod.Put, url, body);

    static JsonObject FieldValues(IEnumerable<(string Key, string? Value)> pairs)
    {
        var o = new JsonObject();
        foreach (var (key, value) in pairs) o[key] = value;
        return o;
    }

    [Theory, Providers]
    public async Task UpdateSubscriber_FirstNameEmailAndFields_Returns200AndTouchesUpdatedAt(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var lastName = await app.AddCustomFieldAsync(account.Id, "Last Name");
        await app.AddCustomFieldAsync(account.Id, "Company");
        var subscriber = await app.AddSubscriberAsync(account.Id, "ada@example.com", firstName: "Ada");
        await app.SetFieldAsync(subscriber.Id, lastName.Id, "Byron");
        app.Clock.Advance(TimeSpan.FromMinutes(5));

        var response = await Put(app, $"/v3/subscribers/{subscriber.Id}", new
        {
            api_secret = account.ApiSecret, first_name = "Augusta", email_address = "augusta@example.com",
            fields = new { last_name = "Lovelace", company = "Analytical", unknown_key = "ignored" },
        });

        await response.AssertJsonAsync(200, $$"""
            {"subscriber":{"id":{{subscriber.Id}},"first_name":"Augusta","email_address":"augusta@example.com","state":"active","created_at":"2024-05-01T10:00:00.000Z","fields":{"last_name":"Lovelace","company":"Analytical"} } }
            """);
        var stored = await app.ReloadAsync(subscriber.Id);
        Assert.Equal(At(300), stored.UpdatedAt);
        Assert.Equal("augusta@example.com", stored.NormalizedEmail);
    }

    [Theory, Providers]
    public async Task UpdateSubscriber_NoParams_Returns200Unchanged(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var subscriber = await app.AddSubscriberAsync(account.Id, "ada@example.com", firstName: "Ada");
        app.Clock.Advance(TimeSpan.FromMinutes(5));

        var response = await Put(app, $"/v3/subscribers/{subscriber.Id}", new { api_secret = account.ApiSecret });

        await response.AssertJsonAsync(200, $$"""{"subscriber":{{SubscribersTestData.Json(subscriber)}}}""");
        Assert.Equal(At(0), (await app.ReloadAsync(subscriber.Id)).UpdatedAt);
    }

    [Theory, Providers]
    public async Task UpdateSubscriber_OwnAddress_Returns200AndKeepsOrRecasesIt(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var subscriber = await app.AddSubscriberAsync(account.Id, "ada@example.com");

        await (await Put(app, $"/v3/subscribers/{subscriber.Id}", new { api_secret = account.ApiSecret, email_address = "ada@example.com" }))
            .AssertJsonAsync(200, $$"""{"subscriber":{{SubscribersTestData.Json(subscriber)}}}""");
        subscriber.EmailAddress = "Ada@Example.com";
        await (await Put(app, $"/v3/subscribers/{subscriber.Id}", new { api_secret = account.ApiSecret, email_address = "Ada@Example.com" }))
            .AssertJsonAsync(200, $$"""{"subscriber":{{SubscribersTestData.Json(subscriber)}}}""");
    }

    [Theory, Providers]
    public async Task UpdateSubscriber_AnotherSubscribersAddress_Returns422(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var subscriber = await app.AddSubscriberAsync(account.Id, "ada@example.com", firstName: "Ada");
        await app.AddSubscriberAsync(account.Id, "bob@example.com", SubscriberStates.Cancelled);
        var other = await app.CreateAccountAsync("Other", "other@acme.test");
        await app.AddSubscriberAsync(other.Id, "carol@example.com");

        await (await Put(app, $"/v3/subscribers/{subscriber.Id}", new { api_secret = account.ApiSecret, email_address = "BOB@example.com", first_name = "X" }))
            .AssertJsonAsync(422, """{"error":"Unprocessable Entity","message":"Email address has already been taken"}""");
        Assert.Equal("Ada", (await app.ReloadAsync(subscriber.Id)).FirstName);
        // Another account's subscriber does not own the address here.
        await (await Put(app, $"/v3/subscribers/{subscriber.Id}", new { api_secret = account.ApiSecret, email_address = "carol@example.com" }))
            .AssertStatusAsync(200);
    }

    [Theory, Providers]
    public async Task UpdateSubscriber_InvalidEmail_Returns422(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var subscriber = await app.AddSubscriberAsync(account.Id, "ada@example.com");
        const string invalid = """{"error":"Error updating subscriber","message":"Email address is invalid"}""";

        await (await Put(app, $"/v3/subscribers/{subscriber.Id}", new { api_secret = account.ApiSecret, email_address = "not-an-email" }))
            .AssertJsonAsync(422, invalid);
        await (await Put(app, $"/v3/subscribers/{subscriber.Id}", new { api_secret = account.ApiSecret, email_address = new string('a', 250) + "@example.com" }))
            .AssertJsonAsync(422, invalid);
        Assert.Equal("ada@example.com", (await app.ReloadAsync(subscriber.Id)).EmailAddress);
    }

    [Theory, Providers]
    public async Task UpdateSubscriber_TooLongValues_Return422(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        await app.AddCustomFieldAsync(account.Id, "Bio");
        var subscriber = await app.AddSubscriberAsync(account.Id, "ada@example.com");

        await (await Put(app, $"/v3/subscribers/{subscriber.Id}", new { api_secret = account.ApiSecret, first_name = new string('x', 256) }))
            .AssertJsonAsync(422, """{"error":"Error updating subscriber","message":"First name is too long (maximum is 255 characters)"}""");
        await (await Put(app, $"/v3/subscribers/{subscriber.Id}", new { api_secret = account.ApiSecret, fields = new { bio = new string('x', 2001) } }))
            .AssertJsonAsync(422, """{"error":"Error updating subscriber","message":"Fields bio is too long (maximum is 2000 characters)"}""");
        await (await Put(app, $"/v3/subscribers/{subscriber.Id}", new { api_secret = account.ApiSecret, fields = new { bio = new string('x', 2000) } }))
            .AssertStatusAsync(200);
    }

    [Theory, Providers]
    public async Task UpdateSubscriber_FieldsNotAnObject_Returns400(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var subscriber = await app.AddSubscriberAsync(account.Id, "ada@example.com");

        await (await Put(app, $"/v3/subscribers/{subscriber.Id}", new { api_secret = account.ApiSecret, fields = "last_name" }))
            .AssertJsonAsync(400, """{"error":"Bad Request","message":"fields must be an object"}""");
        await (await Put(app, $"/v3/subscribers/{subscriber.Id}", new { api_secret = account.ApiSecret, first_name = new[] { "A" } }))
            .AssertJsonAsync(400, """{"error":"Bad Request","message":"first_name must be a string"}""");
    }

    [Theory, Providers]
    public async Task UpdateSubscriber_RailsBracketsInQueryOrJsonNull_SetAndClearFields(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        await app.AddCustomFieldAsync(account.Id, "Last Name");
        var city = await app.AddCustomFieldAsync(account.Id, "City");
        var subscriber = await app.AddSubscriberAsync(account.Id, "ada@example.com");
        await app.SetFieldAsync(subscriber.Id, city.Id, "London");

        // The Ruby gem's shape: everything in the query string, an empty flag meaning "absent" (spec §1.3).
        await (await app.Http.PutAsync($"/v3/subscribers/{subscriber.Id}?api_secret={account.ApiSecret}&fields[last_name]=Snow&fields[city]=&first_name", null))
            .AssertJsonAsync(200, $$"""{"subscriber":{{SubscribersTestData.Json(subscriber, """{"last_name":"Snow","city":"London"}""")}}}""");
        await (await Put(app, $"/v3/subscribers/{subscriber.Id}", new JsonObject { ["api_secret"] = account.ApiSecret, ["fields"] = new JsonObject { ["city"] = null } }))
            .AssertJsonAsync(200, $$"""{"subscriber":{{SubscribersTestData.Json(subscriber, """{"last_name":"Snow","city":null}""")}}}""");
    }

    [Theory, Providers]
    public async Task UpdateSubscriber_FieldCounts_Answer200Then202Then400(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var fields = await app.AddCustomFieldsAsync(account.Id, 140);
        var subscriber = await app.AddSubscriberAsync(account.Id, "ada@example.com");
        Task<HttpResponseMessage> Send(int count, string value, string? extraKey = null)
        {
            var pairs = fields.Take(count).Select(f => (f.Key, (string?)value)).ToList();
            if (extraKey is not null) pairs.Add((extraKey, value));
            return Put(app, $"/v3/subscribers/{subscriber.Id}", new JsonObject
            {
                ["api_secret"] = account.ApiSecret, ["fields"] = FieldValues(pairs),
            });
        }
        string Expected(int count, string value) =>
            $$"""{"subscriber":{{SubscribersTestData.Json(subscriber, "{" + string.Join(",", fields.Select((f, i) => $"\"{f.Key}\":" + (i < count ? $"\"{value}\"" : "null"))) + "}")}}}""";

        await (await Send(10, "ten")).AssertJsonAsync(200, Expected(10, "ten"));
        // 202 is Kit's "processed in the background"; Mailroom applies the values before answering anyway.
        await (await Send(11, "eleven")).AssertJsonAsync(202, Expected(11, "eleven"));
        await (await Send(140, "all")).AssertJsonAsync(202, Expected(140, "all"));
        // The limit counts what the request carries, known keys or not, and nothing is applied past it.
        await (await Send(140, "too many", "not_a_field"))
            .AssertJsonAsync(400, """{"error":"Bad Request","message":"You can only have 140 custom fields"}""");
        await (await app.Http.GetAsync($"/v3/subscribers/{subscriber.Id}?api_secret={account.ApiSecret}")).AssertJsonAsync(200, Expected(140, "all"));
    }

    [Theory, Providers]
    public async Task UpdateSubscriber_UnknownOrOtherAccountsId_Returns404(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var other = await app.CreateAccountAsync("Other", "other@acme.test");
        var theirs = await app.AddSubscriberAsync(other.Id, "theirs@example.com", firstName: "Theirs");

        await (await Put(app, $"/v3/subscribers/{theirs.Id}", new { api_secret = account.ApiSecret, first_name = "Mine" })).AssertJsonAsync(404, NotFound);
        await (await Put(app, $"/v3/subscribers/{theirs.Id + 1000}", new { api_secret = account.ApiSecret })).AssertJsonAsync(404, NotFound);
        await (await Put(app, $"/v3/subscribers/{theirs.Id}", new { api_key = account.ApiKey }))
            .AssertJsonAsync(401, """{"error":"Authorization Failed","message":"You do not have sufficient permissions to access this resource"}""");
        Assert.Equal("Theirs", (await app.ReloadAsync(theirs.Id)).FirstName);
    }

    [Theory, Providers]
    public async Task Unsubscribe_ActiveSubscriber_CancelsItAndItsActiveSubscriptionsOnly(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var subscriber = await app.AddSubscriberAsync(account.Id, "ada@example.com", firstName: "Ada");
        var bystander = await app.AddSubscriberAsync(account.Id, "bob@example.com");
        var form = await app.AddFormAsync(account.Id, "Newsletter");
        var pendingForm = await app.AddFormAsync(account.Id, "Double opt-in");
        var sequence = await app.AddSequenceAsync(account.Id, "Course");
        var tag = await app.AddTagAsync(account.Id, "VIP");
        var formSub = await app.AddSubscriptionAsync(subscriber, SubscribableTypes.Form, form.Id);
        var pendingSub = await app.AddSubscriptionAsync(subscriber, SubscribableTypes.Form, pendingForm.Id, SubscriptionStates.Inactive);
        var courseSub = await app.AddSubscriptionAsync(subscriber, SubscribableTypes.Course, sequence.Id);
        var tagSub = await app.AddSubscriptionAsync(subscriber, SubscribableTypes.Tag, tag.Id);
        var bystanderSub = await app.AddSubscriptionAsync(bystander, SubscribableTypes.Tag, tag.Id);
        app.Clock.Advance(TimeSpan.FromMinutes(1));

        var response = await Put(app, "/v3/unsubscribe", new { api_secret = account.ApiSecret, email = "ADA@example.com" });

        await response.AssertJsonAsync(200, $$"""
            {"subscriber":{"id":{{subscriber.Id}},"first_name":"Ada","email_address":"ada@example.com","state":"cancelled","created_at":"2024-05-01T10:00:00.000Z","fields":{} } }
            """);
        var stored = await app.ReloadAsync(subscriber.Id);
        Assert.Equal((SubscriberStates.Cancelled, At(60), At(60)), (stored.State, stored.CancelledAt, stored.UpdatedAt));
        var states = await app.DbAsync(db => db.Subscriptions.AsNoTracking().ToDictionaryAsync(x => x.Id, x => x.State));
        Assert.Equal(SubscriptionStates.Cancelled, states[formSub.Id]);
        Assert.Equal(SubscriptionStates.Inactive, states[pendingSub.Id]);
        Assert.Equal(SubscriptionStates.Cancelled, states[courseSub.Id]);
        Assert.Equal(SubscriptionStates.Cancelled, states[tagSub.Id]);
        Assert.Equal(SubscriptionStates.Active, states[bystanderSub.Id]);
        Assert.Equal(SubscriberStates.Active, (await app.ReloadAsync(bystander.Id)).State);
        var outbox = Assert.Single(await app.DbAsync(db => db.OutboxEvents.AsNoTracking().ToListAsync()));
        Assert.Equal(("subscriber_unsubscribe", (long?)subscriber.Id, account.Id), (outbox.EventName, outbox.SubscriberId, outbox.AccountId));
    }

    [Theory, Providers]
    public async Task Unsubscribe_Twice_Returns200AndRaisesOneEvent(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var subscriber = await app.AddSubscriberAsync(account.Id, "ada@example.com");
        subscriber.State = SubscriberStates.Cancelled;

        await (await Put(app, "/v3/unsubscribe", new { api_secret = account.ApiSecret, email = "ada@example.com" }))
            .AssertJsonAsync(200, $$"""{"subscriber":{{SubscribersTestData.Json(subscriber)}}}""");
        app.Clock.Advance(TimeSpan.FromMinutes(1));
        await (await app.Http.PutAsync($"/v3/unsubscribe?api_secret={account.ApiSecret}&email=ada@example.com", null))
            .AssertJsonAsync(200, $$"""{"subscriber":{{SubscribersTestData.Json(subscriber)}}}""");

        Assert.Equal(1, await app.DbAsync(db => db.OutboxEvents.CountAsync()));
        Assert.Equal(At(0), (await app.ReloadAsync(subscriber.Id)).CancelledAt);
    }

    [Theory, Providers]
    public async Task Unsubscribe_PendingSubscriber_CancelsItButLeavesThePendingSubscription(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var subscriber = await app.AddSubscriberAsync(account.Id, "pending@example.com", SubscriberStates.Inactive);
        var form = await app.AddFormAsync(account.Id, "Double opt-in");
        var pending = await app.AddSubscriptionAsync(subscriber, SubscribableTypes.Form, form.Id, SubscriptionStates.Inactive);
        subscriber.State = SubscriberStates.Cancelled;

        await (await Put(app, "/v3/unsubscribe", new { api_secret = account.ApiSecret, email = "pending@example.com" }))
            .AssertJsonAsync(200, $$"""{"subscriber":{{SubscribersTestData.Json(subscriber)}}}""");

        Assert.Equal(SubscriptionStates.Inactive, await app.DbAsync(db => db.Subscriptions.Where(x => x.Id == pending.Id).Select(x => x.State).SingleAsync()));
    }

    [Theory, Providers]
    public async Task Unsubscribe_UnknownMalformedOrOtherAccountsAddress_Returns404(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var other = await app.CreateAccountAsync("Other", "other@acme.test");
        var theirs = await app.AddSubscriberAsync(other.Id, "theirs@example.com");

        await (await Put(app, "/v3/unsubscribe", new { api_secret = account.ApiSecret, email = "nobody@example.com" })).AssertJsonAsync(404, NotFound);
        await (await Put(app, "/v3/unsubscribe", new { api_secret = account.ApiSecret, email = "invalid-email-address" })).AssertJsonAsync(404, NotFound);
        await (await Put(app, "/v3/unsubscribe", new { api_secret = account.ApiSecret, email = "theirs@example.com" })).AssertJsonAsync(404, NotFound);
        Assert.Equal(SubscriberStates.Active, (await app.ReloadAsync(theirs.Id)).State);
        Assert.Equal(0, await app.DbAsync(db => db.OutboxEvents.CountAsync()));
    }

    [Theory, Providers]
    public async Task Unsubscribe_MissingEmailOrKeyOnly_ReturnsError(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();

        await (await Put(app, "/v3/unsubscribe", new { api_secret = account.ApiSecret }))
            .AssertJsonAsync(400, """{"error":"Missing parameter","message":"Subscriber email is required"}""");
        await (await Put(app, "/v3/unsubscribe", new { api_secret = account.ApiSecret, email = "  " }))
            .AssertJsonAsync(400, """{"error":"Missing parameter","message":"Subscriber email is required"}""");
        await (await Put(app, "/v3/unsubscribe", new { api_key = account.ApiKey, email = "ada@example.com" }))
            .AssertJsonAsync(401, """{"error":"Authorization Failed","message":"You do not have sufficient permissions to access this resource"}""");
    }
}
