using Mailroom.Data;
using Mailroom.Server.Tests.Api.V3;
using Mailroom.Server.Tests.Infrastructure;
using Npgsql;

namespace Mailroom.Server.Tests.Api;

/// <summary>
/// Many subscribe, untag and unsubscribe calls at once. Every one of them writes the per-target counts (triggers,
/// migration ListCounts) in its own transaction; on PostgreSQL those counts are spread over slot rows by row id, and
/// a call writes its primary target before the extra ones, so two calls naming the same targets from different paths
/// lock count rows (and, for one address, the (subscriber, target) index) in opposite orders: a deadlock, which must
/// not surface as a 500. Afterwards every total the API reports must equal the rows its pages hold.
/// </summary>
public sealed class ConcurrentSubscribeTests
{
    const string Created = "2024-05-01T10:00:00.000Z";

    sealed record Call(string Email, string Type, long TargetId, string Url, object Body);

    [Theory, Providers]
    public async Task Subscribe_ManyConcurrentCallsAcrossFormTagAndSequence_AllReturnTheSubscriptionAndCountEachOnce(string provider)
    {
        await using var app = await StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var form = await app.AddFormAsync(account.Id);
        var tag = await app.AddTagAsync(account.Id);
        var sequence = await app.AddSequenceAsync(account.Id);
        var key = account.ApiKey;

        // Each address comes in through all three paths, each naming the other two targets as extras, so the calls
        // write the same three counts with a different one first. Every address is sent to the form twice and one hot
        // address 40 times in all, so first subscribes of one address also race each other.
        var emails = Enumerable.Range(0, 60).Select(i => $"user{i}@example.com").Append("hot@example.com").ToList();
        var calls = new List<Call>();
        foreach (var email in emails)
        {
            var copies = email.StartsWith("hot", StringComparison.Ordinal) ? 10 : 1;
            for (var i = 0; i < copies; i++)
            {
                calls.Add(new Call(email, "form", form.Id, $"/v3/forms/{form.Id}/subscribe",
                    new { api_key = key, email, tags = new[] { tag.Id }, courses = new[] { sequence.Id } }));
                calls.Add(new Call(email, "form", form.Id, $"/v3/forms/{form.Id}/subscribe", new { api_key = key, email }));
                calls.Add(new Call(email, "tag", tag.Id, $"/v3/tags/{tag.Id}/subscribe",
                    new { api_key = key, email, forms = new[] { form.Id }, courses = new[] { sequence.Id } }));
                calls.Add(new Call(email, "course", sequence.Id, $"/v3/sequences/{sequence.Id}/subscribe",
                    new { api_key = key, email, tags = new[] { tag.Id }, forms = new[] { form.Id } }));
            }
        }
        // An address's calls stay next to each other, so they run at the same time rather than one after another.
        var random = new Random(1);
        calls = [.. calls.GroupBy(c => c.Email).OrderBy(_ => random.Next()).SelectMany(g => g.OrderBy(_ => random.Next()))];

        var responses = await Task.WhenAll(calls.Select(c => app.Http.PostAsync(c.Url, HttpAssert.Json(c.Body))));

        await AssertAllOkAsync(responses);
        var subscriberIds = (await app.SubscribersAsync()).ToDictionary(s => s.EmailAddress, s => s.Id);
        var subscriptionIds = (await app.SubscriptionsAsync()).ToDictionary(s => (s.SubscriberId, s.SubscribableType, s.SubscribableId), s => s.Id);
        foreach (var (call, response) in calls.Zip(responses))
        {
            var subscriberId = subscriberIds[call.Email];
            await response.AssertJsonAsync(200, $$"""
                {"subscription":{"id":{{subscriptionIds[(subscriberId, call.Type, call.TargetId)]}},"state":"active","created_at":"{{Created}}",
                 "source":null,"referrer":null,"subscribable_id":{{call.TargetId}},"subscribable_type":"{{call.Type}}",
                 "subscriber":{"id":{{subscriberId}} } } }
                """);
        }

        var everyone = subscriberIds.Values.Order().ToList();
        Assert.Equal(emails.Count, everyone.Count);
        var secret = account.ApiSecret;
        Assert.Equal(everyone, await ListAsync(app, $"/v3/subscribers?api_secret={secret}"));
        Assert.Equal(everyone, await ListAsync(app, $"/v3/forms/{form.Id}/subscriptions?api_secret={secret}"));
        Assert.Equal(everyone, await ListAsync(app, $"/v3/tags/{tag.Id}/subscriptions?api_secret={secret}"));
        Assert.Equal(everyone, await ListAsync(app, $"/v3/sequences/{sequence.Id}/subscriptions?api_secret={secret}"));
        // One event per change that happened, however many calls asked for it.
        Assert.Equal(
            [("course_subscribe", everyone.Count), ("form_subscribe", everyone.Count), ("subscriber_activate", everyone.Count), ("tag_add", everyone.Count)],
            (await app.OutboxAsync()).GroupBy(e => e.Event).Select(g => (g.Key, g.Count())).Order());
    }

    [Theory, Providers]
    public async Task SubscribeUntagAndUnsubscribe_Concurrently_AllSucceedAndTotalsMatchTheLists(string provider)
    {
        await using var app = await StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var form = await app.AddFormAsync(account.Id);
        var tag = await app.AddTagAsync(account.Id);
        const int Group = 20;
        var untag = await ArrangeAsync(app, account.Id, "untag", Group, form.Id, tag.Id, SubscriberStates.Active);
        var unsubscribe = await ArrangeAsync(app, account.Id, "unsubscribe", Group, form.Id, tag.Id, SubscriberStates.Active);
        var comeBack = await ArrangeAsync(app, account.Id, "back", Group, form.Id, tag.Id, SubscriberStates.Cancelled);
        var newcomers = Enumerable.Range(0, Group).Select(i => $"new{i}@example.com").ToList();
        var (key, secret) = (account.ApiKey, account.ApiSecret);

        var requests = new List<(string Kind, string Email, Func<Task<HttpResponseMessage>> Send)>();
        foreach (var s in untag)
            requests.Add(("untag", s.EmailAddress, () => app.Http.DeleteAsync($"/v3/subscribers/{s.Id}/tags/{tag.Id}?api_secret={secret}")));
        foreach (var s in unsubscribe)
            requests.Add(("unsubscribe", s.EmailAddress, () => app.Http.PutAsync("/v3/unsubscribe", HttpAssert.Json(new { api_secret = secret, email = s.EmailAddress }))));
        // Reactivation flips both of the address's cancelled subscriptions back (update triggers, two count rows each).
        foreach (var s in comeBack)
            requests.Add(("tag", s.EmailAddress, () => app.Http.PostAsync($"/v3/tags/{tag.Id}/subscribe",
                HttpAssert.Json(new { api_key = key, email = s.EmailAddress, forms = new[] { form.Id } }))));
        foreach (var email in newcomers.Concat(newcomers))
            requests.Add(("form", email, () => app.Http.PostAsync($"/v3/forms/{form.Id}/subscribe",
                HttpAssert.Json(new { api_key = key, email, tags = new[] { tag.Id } }))));
        var random = new Random(1);
        requests = [.. requests.OrderBy(_ => random.Next())];

        var responses = await Task.WhenAll(requests.Select(r => r.Send()));

        await AssertAllOkAsync(responses);
        var subscribers = (await app.SubscribersAsync()).ToDictionary(s => s.EmailAddress);
        var subscriptionIds = (await app.SubscriptionsAsync()).ToDictionary(s => (s.SubscriberId, s.SubscribableType, s.SubscribableId), s => s.Id);
        foreach (var ((kind, email, _), response) in requests.Zip(responses))
        {
            var id = subscribers[email].Id;
            var expected = kind switch
            {
                "untag" => $$"""{"id":{{tag.Id}},"name":"Customer","created_at":"{{Created}}"}""",
                "unsubscribe" => $$"""{"subscriber":{{SubscribersTestData.Json(subscribers[email])}} }""",
                _ => $$"""
                    {"subscription":{"id":{{subscriptionIds[(id, kind, kind == "tag" ? tag.Id : form.Id)]}},"state":"active",
                     "created_at":"{{Created}}","source":null,"referrer":null,"subscribable_id":{{(kind == "tag" ? tag.Id : form.Id)}},
                     "subscribable_type":"{{kind}}","subscriber":{"id":{{id}} } } }
                    """,
            };
            await response.AssertJsonAsync(200, expected);
        }

        List<long> Ids(IEnumerable<string> emails) => [.. emails.Select(e => subscribers[e].Id).Order()];
        var stayed = Ids(untag.Select(s => s.EmailAddress));
        var left = Ids(unsubscribe.Select(s => s.EmailAddress));
        var back = Ids(comeBack.Select(s => s.EmailAddress));
        var joined = Ids(newcomers);
        Assert.Equal([.. stayed.Concat(back).Concat(joined).Order()], await ListAsync(app, $"/v3/subscribers?api_secret={secret}"));
        Assert.Equal(left, await ListAsync(app, $"/v3/subscribers?api_secret={secret}&status=cancelled"));
        Assert.Equal([.. stayed.Concat(back).Concat(joined).Order()], await ListAsync(app, $"/v3/forms/{form.Id}/subscriptions?api_secret={secret}"));
        Assert.Equal(left, await ListAsync(app, $"/v3/forms/{form.Id}/subscriptions?api_secret={secret}&subscriber_state=cancelled"));
        Assert.Equal([.. back.Concat(joined).Order()], await ListAsync(app, $"/v3/tags/{tag.Id}/subscriptions?api_secret={secret}"));
        Assert.Equal(left, await ListAsync(app, $"/v3/tags/{tag.Id}/subscriptions?api_secret={secret}&subscriber_state=cancelled"));
    }

    static async Task<MailroomApp> StartAsync(string provider)
    {
        var database = await TestDatabase.CreateAsync(provider);
        if (database.Provider != DatabaseOptions.Postgres) return MailroomApp.StartOn(database);
        // Plenty of transactions at once to collide, yet the test server's 100 connections are shared with the
        // tests running beside this one, and a refused connection is a 500 this test is not about.
        var pooled = new NpgsqlConnectionStringBuilder(database.ConnectionString) { MaxPoolSize = 40 }.ConnectionString;
        return MailroomApp.StartOn(database, new() { ["Database:ConnectionString"] = pooled });
    }

    /// <summary>
    /// Subscribers holding a form and a tag subscription in <paramref name="state"/>; every other one got the tag
    /// first, so reactivating them updates the two subscriptions' counts in both orders.
    /// </summary>
    static Task<List<Subscriber>> ArrangeAsync(MailroomApp app, long accountId, string prefix, int count, long formId, long tagId, string state) =>
        app.DbAsync(async db =>
        {
            var now = SubscriptionArrange.Now;
            var cancelled = state == SubscriberStates.Cancelled;
            var subscribers = Enumerable.Range(0, count).Select(i => new Subscriber
            {
                AccountId = accountId, EmailAddress = $"{prefix}{i}@example.com", NormalizedEmail = $"{prefix}{i}@example.com",
                State = state, CreatedAt = now, UpdatedAt = now, CancelledAt = cancelled ? now : null,
            }).ToList();
            db.Subscribers.AddRange(subscribers);
            await db.SaveChangesAsync();
            foreach (var (subscriber, i) in subscribers.Select((s, i) => (s, i)))
            {
                var targets = i % 2 == 0 ? new[] { ("form", formId), ("tag", tagId) } : [("tag", tagId), ("form", formId)];
                foreach (var (type, id) in targets)
                {
                    db.Subscriptions.Add(new Subscription
                    {
                        AccountId = accountId, SubscriberId = subscriber.Id, SubscribableType = type, SubscribableId = id,
                        State = cancelled ? SubscriptionStates.Cancelled : SubscriptionStates.Active, CreatedAt = now, UpdatedAt = now,
                    });
                    await db.SaveChangesAsync();
                }
            }
            return subscribers;
        });

    /// <summary>All failures at once, with their bodies: a deadlock shows as a 500 among the 200s.</summary>
    static async Task AssertAllOkAsync(HttpResponseMessage[] responses)
    {
        var failures = new List<string>();
        foreach (var response in responses.Where(r => (int)r.StatusCode != 200))
            failures.Add($"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        Assert.True(failures.Count == 0, $"{failures.Count} of {responses.Length} calls failed:\n{string.Join("\n", failures.Distinct())}");
    }

    /// <summary>
    /// Every page of a list, as the sorted subscriber ids; asserts the reported total (which comes from the counts)
    /// is the number of rows the pages hold.
    /// </summary>
    static async Task<List<long>> ListAsync(MailroomApp app, string url)
    {
        var ids = new List<long>();
        for (var page = 1; ; page++)
        {
            var body = await (await app.Http.GetAsync($"{url}&page={page}")).AssertStatusAsync(200);
            var items = (body["subscriptions"] ?? body["subscribers"])!.AsArray();
            ids.AddRange(items.Select(item => (item!["subscriber"] ?? item)["id"]!.GetValue<long>()));
            if (page >= body["total_pages"]!.GetValue<int>())
            {
                var total = (body["total_subscriptions"] ?? body["total_subscribers"])!.GetValue<long>();
                Assert.True(total == ids.Count, $"{url}: total {total}, but the pages hold {ids.Count}");
                return [.. ids.Order()];
            }
        }
    }
}
