using System.Text.Json.Nodes;
using Mailroom.Data;
using Mailroom.Server.Tests.Infrastructure;
using static Mailroom.Server.Tests.Api.V3.SubscribersTestData;

namespace Mailroom.Server.Tests.Api.V3;

/// <summary>GET /v3/subscribers, GET /v3/subscribers/{id} and GET /v3/subscribers/{id}/tags.</summary>
public sealed class SubscribersApiTests
{
    const string NotFound = """{"error":"Not Found","message":"The entity you were trying to find doesn't exist"}""";

    static List<long> Ids(JsonNode? page) => [.. page!["subscribers"]!.AsArray().Select(s => (long)s!["id"]!)];

    [Theory, Providers]
    public async Task ListSubscribers_Default_ReturnsActiveOnlyWithEveryFieldKey(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var lastName = await app.AddCustomFieldAsync(account.Id, "Last Name");
        await app.AddCustomFieldAsync(account.Id, "Company");
        var ada = await app.AddSubscriberAsync(account.Id, "ada@example.com", firstName: "Ada");
        await app.SetFieldAsync(ada.Id, lastName.Id, "Lovelace");
        await app.AddSubscriberAsync(account.Id, "gone@example.com", SubscriberStates.Cancelled, createdAt: At(1));
        await app.AddSubscriberAsync(account.Id, "pending@example.com", SubscriberStates.Inactive, createdAt: At(2));
        await app.AddSubscriberAsync(account.Id, "bounced@example.com", SubscriberStates.Bounced, createdAt: At(3));
        var bob = await app.AddSubscriberAsync(account.Id, "bob@example.com", createdAt: At(4));

        var response = await app.Http.GetAsync($"/v3/subscribers?api_secret={account.ApiSecret}");

        await response.AssertJsonAsync(200, $$"""
            {"total_subscribers":2,"page":1,"total_pages":1,"subscribers":[
              {"id":{{ada.Id}},"first_name":"Ada","email_address":"ada@example.com","state":"active","created_at":"2024-05-01T10:00:00.000Z","fields":{"last_name":"Lovelace","company":null} },
              {"id":{{bob.Id}},"first_name":null,"email_address":"bob@example.com","state":"active","created_at":"2024-05-01T10:00:04.000Z","fields":{"last_name":null,"company":null} }]}
            """);
    }

    [Theory, Providers]
    public async Task ListSubscribers_Empty_ReturnsZeroTotals(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();

        var response = await app.Http.GetAsync($"/v3/subscribers?api_secret={account.ApiSecret}");

        await response.AssertJsonAsync(200, """{"total_subscribers":0,"page":1,"total_pages":0,"subscribers":[]}""");
    }

    [Theory, Providers]
    public async Task ListSubscribers_120WithTies_PagesInCreatedAtThenIdOrder(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        // Later rows get earlier timestamps, in groups of three sharing a second, so order differs from insertion.
        var all = await app.AddSubscribersAsync(account.Id, 120, i => At((119 - i) / 3));
        var asc = all.OrderBy(s => s.CreatedAt).ThenBy(s => s.Id).ToList();
        var desc = all.OrderByDescending(s => s.CreatedAt).ThenByDescending(s => s.Id).ToList();
        string Url(string query) => $"/v3/subscribers?api_secret={account.ApiSecret}&{query}";

        await (await app.Http.GetAsync(Url("page=1"))).AssertJsonAsync(200, PageJson(120, 1, 3, asc.Take(50)));
        await (await app.Http.GetAsync(Url("page=2"))).AssertJsonAsync(200, PageJson(120, 2, 3, asc.Skip(50).Take(50)));
        await (await app.Http.GetAsync(Url("page=3"))).AssertJsonAsync(200, PageJson(120, 3, 3, asc.Skip(100)));
        await (await app.Http.GetAsync(Url("page=4"))).AssertJsonAsync(200, PageJson(120, 4, 3, []));
        await (await app.Http.GetAsync(Url("page=0"))).AssertJsonAsync(200, PageJson(120, 1, 3, asc.Take(50)));
        await (await app.Http.GetAsync(Url("sort_order=desc&page=1"))).AssertJsonAsync(200, PageJson(120, 1, 3, desc.Take(50)));
        await (await app.Http.GetAsync(Url("sort_order=desc&page=2"))).AssertJsonAsync(200, PageJson(120, 2, 3, desc.Skip(50).Take(50)));
        await (await app.Http.GetAsync(Url("sort_order=DESC&page=3"))).AssertJsonAsync(200, PageJson(120, 3, 3, desc.Skip(100)));
    }

    [Theory, Providers]
    public async Task ListSubscribers_50And51_SplitIntoPagesAtTheBoundary(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var all = await app.AddSubscribersAsync(account.Id, 50, i => At(i));
        string Url(int page) => $"/v3/subscribers?api_secret={account.ApiSecret}&page={page}";

        await (await app.Http.GetAsync(Url(1))).AssertJsonAsync(200, PageJson(50, 1, 1, all));
        await (await app.Http.GetAsync(Url(2))).AssertJsonAsync(200, PageJson(50, 2, 1, []));

        var last = await app.AddSubscriberAsync(account.Id, "fifty-one@example.com", createdAt: At(100));
        await (await app.Http.GetAsync(Url(1))).AssertJsonAsync(200, PageJson(51, 1, 2, all));
        await (await app.Http.GetAsync(Url(2))).AssertJsonAsync(200, PageJson(51, 2, 2, [last]));
    }

    [Theory, Providers]
    public async Task ListSubscribers_FromTo_FilterCreatedAtByWholeDaysOrTimestamps(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var day = new DateTime(2024, 5, 1, 0, 0, 0, DateTimeKind.Utc);
        var before = await app.AddSubscriberAsync(account.Id, "before@example.com", createdAt: day.AddSeconds(-1));
        var first = await app.AddSubscriberAsync(account.Id, "first@example.com", createdAt: day);
        var noon = await app.AddSubscriberAsync(account.Id, "noon@example.com", createdAt: day.AddHours(12));
        var last = await app.AddSubscriberAsync(account.Id, "last@example.com", createdAt: day.AddDays(1).AddSeconds(-1));
        var after = await app.AddSubscriberAsync(account.Id, "after@example.com", createdAt: day.AddDays(1));
        async Task<List<long>> List(string query) =>
            Ids(await (await app.Http.GetAsync($"/v3/subscribers?api_secret={account.ApiSecret}&{query}")).AssertStatusAsync(200));

        await (await app.Http.GetAsync($"/v3/subscribers?api_secret={account.ApiSecret}&from=2024-05-01&to=2024-05-01"))
            .AssertJsonAsync(200, PageJson(3, 1, 1, [first, noon, last]));
        Assert.Equal([first.Id, noon.Id, last.Id, after.Id], await List("from=2024-05-01"));
        Assert.Equal([before.Id, first.Id, noon.Id, last.Id], await List("to=2024-05-01"));
        Assert.Equal([noon.Id, last.Id], await List("from=2024-05-01T12:00:00Z&to=2024-05-01T23:59:59Z"));
        Assert.Equal([before.Id, first.Id, noon.Id], await List("to=2024-05-01T14:00:00%2B02:00"));
        Assert.Equal([noon.Id, last.Id, after.Id], await List("from=2024-05-01 12:00:00"));
        Assert.Equal([after.Id], await List("from=2024-05-02T00:00:00.000Z"));
        Assert.Empty(await List("from=2024-05-02&to=2024-05-01"));
    }

    [Theory, Providers]
    public async Task ListSubscribers_UpdatedFromTo_FilterUpdatedAt(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var day = new DateTime(2024, 5, 1, 0, 0, 0, DateTimeKind.Utc);
        var old = await app.AddSubscriberAsync(account.Id, "old@example.com", createdAt: At(0), updatedAt: day.AddDays(-2));
        var recent = await app.AddSubscriberAsync(account.Id, "recent@example.com", createdAt: At(1), updatedAt: day.AddHours(21).AddMinutes(45).AddSeconds(16));
        var later = await app.AddSubscriberAsync(account.Id, "later@example.com", createdAt: At(2), updatedAt: day.AddDays(3));
        async Task<List<long>> List(string query) =>
            Ids(await (await app.Http.GetAsync($"/v3/subscribers?api_secret={account.ApiSecret}&{query}")).AssertStatusAsync(200));

        await (await app.Http.GetAsync($"/v3/subscribers?api_secret={account.ApiSecret}&updated_from=2024-05-01&updated_to=2024-05-01"))
            .AssertJsonAsync(200, PageJson(1, 1, 1, [recent]));
        // webhookdb sends full timestamps (spec §3.5); both ends are inclusive.
        Assert.Equal([recent.Id, later.Id], await List("updated_from=2024-05-01T21:45:16Z"));
        Assert.Equal([later.Id], await List("updated_from=2024-05-01T21:45:17Z"));
        Assert.Equal([old.Id, recent.Id], await List("updated_to=2024-05-01T21:45:16Z"));
        Assert.Equal([old.Id], await List("updated_to=2024-04-30"));
    }

    [Theory, Providers]
    public async Task ListSubscribers_BadDates_Return422(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        string Url(string query) => $"/v3/subscribers?api_secret={account.ApiSecret}&{query}";

        await (await app.Http.GetAsync(Url("from=yesterday")))
            .AssertJsonAsync(422, """{"error":"Unprocessable Entity","message":"From is not a valid date"}""");
        await (await app.Http.GetAsync(Url("to=2024-13-01")))
            .AssertJsonAsync(422, """{"error":"Unprocessable Entity","message":"To is not a valid date"}""");
        await (await app.Http.GetAsync(Url("updated_from=5/1/2024")))
            .AssertJsonAsync(422, """{"error":"Unprocessable Entity","message":"Updated from is not a valid date"}""");
        await (await app.Http.GetAsync(Url("from=2024-02-30&updated_to=2024-05-01T25:00:00Z")))
            .AssertJsonAsync(422, """{"error":"Unprocessable Entity","message":"From is not a valid date, Updated to is not a valid date"}""");
    }

    [Theory, Providers]
    public async Task ListSubscribers_BadSortOrderFieldOrStatus_Return422(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        string Url(string query) => $"/v3/subscribers?api_secret={account.ApiSecret}&{query}";

        await (await app.Http.GetAsync(Url("sort_order=sideways")))
            .AssertJsonAsync(422, """{"error":"Unprocessable Entity","message":"Sort order must be asc or desc"}""");
        await (await app.Http.GetAsync(Url("sort_field=email_address")))
            .AssertJsonAsync(422, """{"error":"Unprocessable Entity","message":"Sort field must be created_at or cancelled_at"}""");
        await (await app.Http.GetAsync(Url("status=deleted")))
            .AssertJsonAsync(422, """{"error":"Unprocessable Entity","message":"Status must be active, inactive, cancelled, bounced, complained or all"}""");
        await (await app.Http.GetAsync(Url("page=two")))
            .AssertJsonAsync(400, """{"error":"Bad Request","message":"page must be an integer"}""");
    }

    [Theory, Providers]
    public async Task ListSubscribers_SortFieldCancelledAt_ListsCancelledByCancellationTime(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var a = await app.AddSubscriberAsync(account.Id, "a@example.com", SubscriberStates.Cancelled, createdAt: At(0), cancelledAt: At(30));
        var b = await app.AddSubscriberAsync(account.Id, "b@example.com", SubscriberStates.Cancelled, createdAt: At(1), cancelledAt: At(10));
        var c = await app.AddSubscriberAsync(account.Id, "c@example.com", SubscriberStates.Cancelled, createdAt: At(2), cancelledAt: At(10));
        await app.AddSubscriberAsync(account.Id, "active@example.com", createdAt: At(3));
        string Url(string query) => $"/v3/subscribers?api_secret={account.ApiSecret}&sort_field=cancelled_at&{query}";

        await (await app.Http.GetAsync(Url(""))).AssertJsonAsync(200, PageJson(3, 1, 1, [b, c, a]));
        await (await app.Http.GetAsync(Url("sort_order=desc"))).AssertJsonAsync(200, PageJson(3, 1, 1, [a, c, b]));
        await (await app.Http.GetAsync(Url("status=active"))).AssertJsonAsync(200, PageJson(3, 1, 1, [b, c, a]));
        await (await app.Http.GetAsync($"/v3/subscribers?api_secret={account.ApiSecret}&sort_field=created_at&sort_order=desc"))
            .AssertStatusAsync(200);
    }

    [Theory, Providers]
    public async Task ListSubscribers_Status_SelectsStates(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var active = await app.AddSubscriberAsync(account.Id, "active@example.com", createdAt: At(0));
        var cancelled = await app.AddSubscriberAsync(account.Id, "cancelled@example.com", SubscriberStates.Cancelled, createdAt: At(1));
        var inactive = await app.AddSubscriberAsync(account.Id, "inactive@example.com", SubscriberStates.Inactive, createdAt: At(2));
        var complained = await app.AddSubscriberAsync(account.Id, "complained@example.com", SubscriberStates.Complained, createdAt: At(3));
        string Url(string query) => $"/v3/subscribers?api_secret={account.ApiSecret}&{query}";

        await (await app.Http.GetAsync(Url("status=cancelled"))).AssertJsonAsync(200, PageJson(1, 1, 1, [cancelled]));
        await (await app.Http.GetAsync(Url("status=all"))).AssertJsonAsync(200, PageJson(4, 1, 1, [active, cancelled, inactive, complained]));
        await (await app.Http.GetAsync(Url("status=Inactive"))).AssertJsonAsync(200, PageJson(1, 1, 1, [inactive]));
        await (await app.Http.GetAsync(Url("status=active"))).AssertJsonAsync(200, PageJson(1, 1, 1, [active]));
    }

    [Theory, Providers]
    public async Task ListSubscribers_EmailAddress_MatchesCaseInsensitivelyInAnyState(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var ada = await app.AddSubscriberAsync(account.Id, "Ada@Example.com", SubscriberStates.Cancelled);
        var pending = await app.AddSubscriberAsync(account.Id, "pending@example.com", SubscriberStates.Inactive);
        await app.AddSubscriberAsync(account.Id, "bob@example.com");
        string Url(string query) => $"/v3/subscribers?api_secret={account.ApiSecret}&{query}";

        await (await app.Http.GetAsync(Url("email_address=ADA@EXAMPLE.COM"))).AssertJsonAsync(200, PageJson(1, 1, 1, [ada]));
        await (await app.Http.GetAsync(Url("email_address=pending@example.com"))).AssertJsonAsync(200, PageJson(1, 1, 1, [pending]));
        await (await app.Http.GetAsync(Url("email_address=ada@example.com&status=active"))).AssertJsonAsync(200, PageJson(0, 1, 0, []));
        await (await app.Http.GetAsync(Url("email_address=nobody@example.com"))).AssertJsonAsync(200, PageJson(0, 1, 0, []));
        await (await app.Http.GetAsync(Url("email_address=not-an-email"))).AssertJsonAsync(200, PageJson(0, 1, 0, []));
    }

    [Theory, Providers]
    public async Task ListSubscribers_OtherAccountsSubscribers_AreNotListed(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var other = await app.CreateAccountAsync("Other", "other@acme.test");
        var mine = await app.AddSubscriberAsync(account.Id, "mine@example.com");
        await app.AddSubscriberAsync(other.Id, "theirs@example.com");
        await app.AddSubscriberAsync(other.Id, "mine2@example.com");

        await (await app.Http.GetAsync($"/v3/subscribers?api_secret={account.ApiSecret}")).AssertJsonAsync(200, PageJson(1, 1, 1, [mine]));
        await (await app.Http.GetAsync($"/v3/subscribers?api_secret={account.ApiSecret}&email_address=theirs@example.com"))
            .AssertJsonAsync(200, PageJson(0, 1, 0, []));
    }

    [Theory, Providers]
    public async Task ListSubscribers_WithKeyOnly_Returns401(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();

        var response = await app.Http.GetAsync($"/v3/subscribers?api_key={account.ApiKey}");

        await response.AssertJsonAsync(401, """{"error":"Authorization Failed","message":"You do not have sufficient permissions to access this resource"}""");
    }

    [Theory, Providers]
    public async Task GetSubscriber_InactiveSubscriber_ReturnsIt(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var field = await app.AddCustomFieldAsync(account.Id, "Café Owner");
        var subscriber = await app.AddSubscriberAsync(account.Id, "pending@example.com", SubscriberStates.Inactive, "Pat", At(5));
        await app.SetFieldAsync(subscriber.Id, field.Id, "yes");

        var response = await app.Http.GetAsync($"/v3/subscribers/{subscriber.Id}?api_secret={account.ApiSecret}");

        await response.AssertJsonAsync(200, $$"""
            {"subscriber":{"id":{{subscriber.Id}},"first_name":"Pat","email_address":"pending@example.com","state":"inactive","created_at":"2024-05-01T10:00:05.000Z","fields":{"cafe_owner":"yes"} } }
            """);
    }

    [Theory, Providers]
    public async Task GetSubscriber_UnknownOrOtherAccountsId_Returns404(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var other = await app.CreateAccountAsync("Other", "other@acme.test");
        var theirs = await app.AddSubscriberAsync(other.Id, "theirs@example.com");

        await (await app.Http.GetAsync($"/v3/subscribers/{theirs.Id}?api_secret={account.ApiSecret}")).AssertJsonAsync(404, NotFound);
        await (await app.Http.GetAsync($"/v3/subscribers/{theirs.Id + 1000}?api_secret={account.ApiSecret}")).AssertJsonAsync(404, NotFound);
        await (await app.Http.GetAsync($"/v3/subscribers/abc?api_secret={account.ApiSecret}")).AssertJsonAsync(404, NotFound);
        await (await app.Http.GetAsync($"/v3/subscribers/{theirs.Id}?api_key={account.ApiKey}"))
            .AssertJsonAsync(401, """{"error":"Authorization Failed","message":"You do not have sufficient permissions to access this resource"}""");
    }

    [Theory, Providers]
    public async Task ListSubscriberTags_WithKey_ListsActiveAndPendingTagsInTaggingOrder(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var subscriber = await app.AddSubscriberAsync(account.Id, "ada@example.com");
        var vip = await app.AddTagAsync(account.Id, "VIP", At(1));
        var lead = await app.AddTagAsync(account.Id, "Lead", At(2));
        var gone = await app.AddTagAsync(account.Id, "Gone", At(3));
        await app.AddTagAsync(account.Id, "Unused", At(4));
        var form = await app.AddFormAsync(account.Id, "Newsletter");
        await app.AddSubscriptionAsync(subscriber, SubscribableTypes.Tag, lead.Id, createdAt: At(10));
        await app.AddSubscriptionAsync(subscriber, SubscribableTypes.Tag, vip.Id, SubscriptionStates.Inactive, At(20));
        await app.AddSubscriptionAsync(subscriber, SubscribableTypes.Tag, gone.Id, SubscriptionStates.Cancelled, At(5));
        await app.AddSubscriptionAsync(subscriber, SubscribableTypes.Form, form.Id, createdAt: At(1));

        var response = await app.Http.GetAsync($"/v3/subscribers/{subscriber.Id}/tags?api_key={account.ApiKey}");

        await response.AssertJsonAsync(200, $$"""
            {"tags":[{"id":{{lead.Id}},"name":"Lead","created_at":"2024-05-01T10:00:02.000Z"},
                     {"id":{{vip.Id}},"name":"VIP","created_at":"2024-05-01T10:00:01.000Z"}]}
            """);
    }

    [Theory, Providers]
    public async Task ListSubscriberTags_NoTags_ReturnsEmptyArray(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var subscriber = await app.AddSubscriberAsync(account.Id, "ada@example.com", SubscriberStates.Cancelled);

        var response = await app.Http.GetAsync($"/v3/subscribers/{subscriber.Id}/tags?api_secret={account.ApiSecret}");

        await response.AssertJsonAsync(200, """{"tags":[]}""");
    }

    [Theory, Providers]
    public async Task ListSubscriberTags_UnknownOrOtherAccountsSubscriber_Returns404(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var other = await app.CreateAccountAsync("Other", "other@acme.test");
        var theirs = await app.AddSubscriberAsync(other.Id, "theirs@example.com");
        var tag = await app.AddTagAsync(other.Id, "Theirs");
        await app.AddSubscriptionAsync(theirs, SubscribableTypes.Tag, tag.Id);

        await (await app.Http.GetAsync($"/v3/subscribers/{theirs.Id}/tags?api_key={account.ApiKey}")).AssertJsonAsync(404, NotFound);
        await (await app.Http.GetAsync($"/v3/subscribers/{theirs.Id + 1000}/tags?api_key={account.ApiKey}")).AssertJsonAsync(404, NotFound);
    }
}
