using Mailroom.Data;
using Mailroom.Server.Tests.Infrastructure;

namespace Mailroom.Server.Tests.Api.V3;

/// <summary>The <c>tags</c>, <c>forms</c> and <c>courses</c> lists of a subscribe call, in every shape clients send (spec §1.3, §6).</summary>
public sealed class SubscribeListsApiTests
{
    sealed record Arranged(TestAccount Account, Tag Primary, Tag First, Tag Second, Tag Foreign);

    static async Task<Arranged> ArrangeAsync(MailroomApp app)
    {
        var account = await app.CreateAccountAsync();
        var other = await app.CreateAccountAsync("Other", "other@acme.test");
        return new Arranged(account, await app.AddTagAsync(account.Id, "Primary"), await app.AddTagAsync(account.Id, "First"),
            await app.AddTagAsync(account.Id, "Second"), await app.AddTagAsync(other.Id, "Foreign"));
    }

    static async Task AssertTaggedAsync(MailroomApp app, Arranged a)
    {
        var tagIds = (await app.SubscriptionsAsync()).Where(s => s.SubscribableType == "tag").Select(s => s.SubscribableId).Order();
        Assert.Equal([a.Primary.Id, a.First.Id, a.Second.Id], tagIds);
        Assert.Equal([a.Primary.Id.ToString(), a.First.Id.ToString(), a.Second.Id.ToString()],
            (await app.OutboxAsync()).Where(e => e.Event == "tag_add").Select(e => e.Match!).Order());
    }

    [Theory, Providers]
    public async Task Subscribe_TagsAsJsonNumbers_AppliesKnownTagsAndIgnoresOthers(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var a = await ArrangeAsync(app);

        var response = await app.Http.PostAsync($"/v3/tags/{a.Primary.Id}/subscribe", HttpAssert.Json(new
        {
            api_key = a.Account.ApiKey, email = "jon@example.com",
            tags = new[] { a.First.Id, a.Second.Id, a.Foreign.Id, 999_999, a.Primary.Id, a.First.Id },
        }));

        await response.AssertStatusAsync(200);
        await AssertTaggedAsync(app, a);
    }

    [Theory, Providers]
    public async Task Subscribe_TagsAsNumericStrings_AppliesTags(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var a = await ArrangeAsync(app);

        var response = await app.Http.PostAsync($"/v3/tags/{a.Primary.Id}/subscribe", HttpAssert.Json(new
        {
            api_key = a.Account.ApiKey, email = "jon@example.com", tags = new[] { a.First.Id.ToString(), $" {a.Second.Id} " },
        }));

        await response.AssertStatusAsync(200);
        await AssertTaggedAsync(app, a);
    }

    [Theory, Providers]
    public async Task Subscribe_TagsAsCommaStringInQuery_AppliesTags(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var a = await ArrangeAsync(app);

        // ConvertkitSharp: every parameter in the query, lists comma-joined, capitalised path segment.
        var response = await app.Http.PostAsync(
            $"/v3/Tags/{a.Primary.Id}/subscribe?api_key={a.Account.ApiKey}&email=jon@example.com&tags={a.First.Id},{a.Second.Id},{a.Foreign.Id}", null);

        await response.AssertStatusAsync(200);
        await AssertTaggedAsync(app, a);
    }

    [Theory, Providers]
    public async Task Subscribe_RailsBracketListInQueryWithEmptyFlags_AppliesTags(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var a = await ArrangeAsync(app);

        // The Ruby gem: empty JSON:API body, params in the query, empty flags meaning "absent".
        var response = await app.Http.PostAsync(
            $"/v3/tags/{a.Primary.Id}/subscribe?api_key={a.Account.ApiKey}&api_secret={a.Account.ApiSecret}&email=jon@example.com"
            + $"&tags[]={a.First.Id}&tags[]={a.Second.Id}&fields&first_name&courses",
            HttpAssert.Raw("", "application/vnd.api+json"));

        await response.AssertStatusAsync(200);
        await AssertTaggedAsync(app, a);
        Assert.Null((await app.SubscribersAsync()).Single().FirstName);
    }

    [Theory, Providers]
    public async Task Subscribe_IndexedListInFormBody_AppliesTags(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var a = await ArrangeAsync(app);

        var response = await app.Http.PostAsync($"/v3/tags/{a.Primary.Id}/subscribe", HttpAssert.Form(
            ("api_key", a.Account.ApiKey), ("email", "jon@example.com"), ("tags[1]", a.Second.Id.ToString()), ("tags[0]", a.First.Id.ToString())));

        await response.AssertStatusAsync(200);
        await AssertTaggedAsync(app, a);
    }

    [Theory, Providers]
    public async Task Subscribe_DeprecatedFormsAndCourses_SubscribesToThem(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var other = await app.CreateAccountAsync("Other", "other@acme.test");
        var tag = await app.AddTagAsync(account.Id);
        var form = await app.AddFormAsync(account.Id, doubleOptIn: true, uid: "aaaaaaaaaa");
        var foreignForm = await app.AddFormAsync(other.Id, uid: "bbbbbbbbbb");
        var sequence = await app.AddSequenceAsync(account.Id);

        var response = await app.Http.PostAsync($"/v3/tags/{tag.Id}/subscribe", HttpAssert.Json(new
        {
            api_key = account.ApiKey, email = "jon@example.com", forms = $"{form.Id},{foreignForm.Id}", courses = new[] { sequence.Id },
        }));

        await response.AssertStatusAsync(200);
        var subscriberId = (await app.SubscribersAsync()).Single().Id;
        // The tag activates the address, so the double opt-in form needs no confirmation here.
        Assert.Equal([("tag", tag.Id, "active"), ("form", form.Id, "active"), ("course", sequence.Id, "active")],
            (await app.SubscriptionsAsync()).Select(s => (s.SubscribableType, s.SubscribableId, s.State)));
        Assert.Equal([("subscriber_activate", subscriberId, null), ("tag_add", subscriberId, tag.Id.ToString()),
            ("form_subscribe", subscriberId, form.Id.ToString()), ("course_subscribe", subscriberId, sequence.Id.ToString())],
            await app.OutboxAsync());
    }

    [Theory, Providers]
    public async Task Subscribe_DoubleOptInFormWithCourses_CoursesWaitForConfirmation(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var form = await app.AddFormAsync(account.Id, doubleOptIn: true);
        var sequence = await app.AddSequenceAsync(account.Id);

        var response = await app.Http.PostAsync($"/v3/forms/{form.Id}/subscribe",
            HttpAssert.Json(new { api_key = account.ApiKey, email = "jon@example.com", courses = new[] { sequence.Id } }));

        await response.AssertStatusAsync(200);
        var subscriptions = await app.SubscriptionsAsync();
        Assert.Equal([("form", "inactive", true), ("course", "inactive", false)],
            subscriptions.Select(s => (s.SubscribableType, s.State, s.ConfirmationRequestedAt is not null)));
        Assert.Empty(await app.OutboxAsync());
    }

    [Theory, Providers]
    public async Task Subscribe_TwoParallelCallsForOneNewEmail_BothSucceedWithOneSubscriber(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var tag = await app.AddTagAsync(account.Id);
        var sequence = await app.AddSequenceAsync(account.Id);

        for (var round = 0; round < 5; round++)
        {
            var email = $"racer{round}@example.com";
            var responses = await Task.WhenAll(
                app.Http.PostAsync($"/v3/tags/{tag.Id}/subscribe", HttpAssert.Json(new { api_key = account.ApiKey, email })),
                app.Http.PostAsync($"/v3/sequences/{sequence.Id}/subscribe", HttpAssert.Json(new { api_key = account.ApiKey, email = email.ToUpperInvariant() })),
                app.Http.PostAsync($"/v3/tags/{tag.Id}/subscribe", HttpAssert.Json(new { api_key = account.ApiKey, email })));
            var ids = new List<long>();
            foreach (var response in responses)
                ids.Add((await response.AssertStatusAsync(200))["subscription"]!["subscriber"]!["id"]!.GetValue<long>());
            Assert.Single(ids.Distinct());
        }

        Assert.Equal(5, (await app.SubscribersAsync()).Count);
        Assert.Equal(10, (await app.SubscriptionsAsync()).Count);
        var events = await app.OutboxAsync();
        Assert.Equal(5, events.Count(e => e.Event == "subscriber_activate"));
        Assert.Equal(5, events.Count(e => e.Event == "tag_add"));
        Assert.Equal(5, events.Count(e => e.Event == "course_subscribe"));
    }
}
