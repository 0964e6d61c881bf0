using Mailroom.Data;
using Mailroom.Server.Tests.Infrastructure;

namespace Mailroom.Server.Tests.Api.V3;

public sealed class SequencesApiTests
{
    const string Created = "2024-05-01T10:00:00.000Z";
    const string NotFound = """{"error":"Not Found","message":"The entity you were trying to find doesn't exist"}""";

    [Theory, Providers]
    public async Task ListSequences_SequencesAndCoursesPaths_ReturnCoursesKey(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var other = await app.CreateAccountAsync("Other", "other@acme.test");
        var welcome = await app.AddSequenceAsync(account.Id, "Welcome", hold: true);
        var course = await app.AddSequenceAsync(account.Id, "Email course", repeat: true);
        await app.AddSequenceAsync(other.Id, "Not mine");
        var expected = $$"""
            {"courses":[{"id":{{welcome.Id}},"name":"Welcome","hold":true,"repeat":false,"created_at":"{{Created}}"},
                        {"id":{{course.Id}},"name":"Email course","hold":false,"repeat":true,"created_at":"{{Created}}"}]}
            """;

        await (await app.Http.GetAsync($"/v3/sequences?api_key={account.ApiKey}")).AssertJsonAsync(200, expected);
        await (await app.Http.GetAsync($"/v3/courses?api_key={account.ApiKey}")).AssertJsonAsync(200, expected);
        await (await app.Http.GetAsync($"/v3/Courses/?api_secret={account.ApiSecret}")).AssertJsonAsync(200, expected);
    }

    [Theory, Providers]
    public async Task ListSequences_None_ReturnsEmptyArray(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();

        await (await app.Http.GetAsync($"/v3/sequences?api_key={account.ApiKey}")).AssertJsonAsync(200, """{"courses":[]}""");
    }

    [Theory, Providers]
    public async Task SubscribeToSequence_CoursesAliasCapitalised_ActivatesSubscriber(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var sequence = await app.AddSequenceAsync(account.Id);

        var response = await app.Http.PostAsync(
            $"/v3/Courses/{sequence.Id}/subscribe?api_key={account.ApiKey}&email=jon@example.com&first_name=Jon", null);

        var subscriber = (await app.SubscribersAsync()).Single();
        var subscription = (await app.SubscriptionsAsync()).Single();
        await response.AssertJsonAsync(200, $$"""
            {"subscription":{"id":{{subscription.Id}},"state":"active","created_at":"{{Created}}","source":null,"referrer":null,
             "subscribable_id":{{sequence.Id}},"subscribable_type":"course","subscriber":{"id":{{subscriber.Id}} } } }
            """);
        Assert.Equal(("Jon", SubscriberStates.Active), (subscriber.FirstName, subscriber.State));
        Assert.Equal([("subscriber_activate", subscriber.Id, null), ("course_subscribe", subscriber.Id, sequence.Id.ToString())],
            await app.OutboxAsync());
    }

    [Theory, Providers]
    public async Task SubscribeToSequence_JunkAfterId_ReachesSequence(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var sequence = await app.AddSequenceAsync(account.Id);

        var response = await app.Http.PostAsync($"/v3/sequences/{sequence.Id}%3E/subscribe",
            HttpAssert.Json(new { api_key = account.ApiKey, email = "jon@example.com" }));

        var json = await response.AssertStatusAsync(200);
        Assert.Equal(sequence.Id, json["subscription"]!["subscribable_id"]!.GetValue<long>());
    }

    [Theory, Providers]
    public async Task SubscribeToSequence_Unknown_Returns404CourseNotFound(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();

        var response = await app.Http.PostAsync("/v3/courses/424242/subscribe",
            HttpAssert.Json(new { api_key = account.ApiKey, email = "jon@example.com" }));

        await response.AssertJsonAsync(404, """{"error":"Course not found","message":""}""");
    }

    [Theory, Providers]
    public async Task ListSequenceSubscriptions_BothPaths_ListActiveThenCancelled(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var sequence = await app.AddSequenceAsync(account.Id);
        var jon = await app.AddSubscriberAsync(account.Id, "jon@example.com");
        var arya = await app.AddSubscriberAsync(account.Id, "arya@example.com", SubscriberStates.Cancelled);
        var active = await app.AddSubscriptionAsync(jon, "course", sequence.Id);
        var cancelled = await app.AddSubscriptionAsync(arya, "course", sequence.Id, SubscriptionStates.Cancelled);

        string Page(Subscription s, Subscriber x) => $$"""
            {"total_subscriptions":1,"page":1,"total_pages":1,"subscriptions":[
              {"id":{{s.Id}},"state":"{{s.State}}","created_at":"{{Created}}","source":null,"referrer":null,"subscribable_id":{{sequence.Id}},
               "subscribable_type":"course","subscriber":{"id":{{x.Id}},"first_name":null,"email_address":"{{x.EmailAddress}}",
               "state":"{{x.State}}","created_at":"{{Created}}","fields":{} } } ]}
            """;

        await (await app.Http.GetAsync($"/v3/sequences/{sequence.Id}/subscriptions?api_secret={account.ApiSecret}"))
            .AssertJsonAsync(200, Page(active, jon));
        await (await app.Http.GetAsync($"/v3/courses/{sequence.Id}/subscriptions?api_secret={account.ApiSecret}&subscriber_state=cancelled"))
            .AssertJsonAsync(200, Page(cancelled, arya));
    }

    [Theory, Providers]
    public async Task ListSequenceSubscriptions_InvalidSortOrderOrUnknownSequence_ReturnsError(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var other = await app.CreateAccountAsync("Other", "other@acme.test");
        var sequence = await app.AddSequenceAsync(account.Id);
        var foreign = await app.AddSequenceAsync(other.Id);

        await (await app.Http.GetAsync($"/v3/sequences/{sequence.Id}/subscriptions?api_secret={account.ApiSecret}&sort_order=invalid"))
            .AssertJsonAsync(422, """{"error":"Unprocessable Entity","message":"Sort order must be asc or desc"}""");
        await (await app.Http.GetAsync($"/v3/sequences/{foreign.Id}/subscriptions?api_secret={account.ApiSecret}")).AssertJsonAsync(404, NotFound);
        await (await app.Http.GetAsync($"/v3/courses/999999/subscriptions?api_secret={account.ApiSecret}")).AssertJsonAsync(404, NotFound);
        await (await app.Http.GetAsync($"/v3/courses/{sequence.Id}/subscriptions?api_key={account.ApiKey}"))
            .AssertJsonAsync(401, """{"error":"Authorization Failed","message":"You do not have sufficient permissions to access this resource"}""");
    }
}
