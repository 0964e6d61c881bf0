using System.Text.Json.Nodes;
using Mailroom.Data;
using Mailroom.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Mailroom.Server.Tests.Api.V3;

/// <summary>
/// The active-subscriber and subscription lists find the day a page starts on from the trigger-kept per-day counts
/// and walk OFFSET from there. Every page, in both orders, must still be exactly the forward order: ties within a
/// time, rows at midnight and in the last tick of a day, other states and other tags in between.
/// </summary>
public sealed class ListPagingTests
{
    const int Listed = 160;

    [Theory, Providers]
    public async Task SubscribersAndTagSubscriptions_EveryPageBothOrders_MatchTheForwardOrder(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var tag = await app.AddTagAsync(account.Id);
        var otherTag = await app.AddTagAsync(account.Id, "Other");
        await app.DbAsync(async db =>
        {
            var random = new Random(7);
            var midnight = SubscriptionArrange.Now.Date;
            for (var i = 0; i < Listed + 9; i++)
            {
                // Forty times three hours apart over five days (midnights included), four rows each on average,
                // in shuffled order so id order is not time order; every tenth row in the last tick of a day.
                var created = i % 10 == 0 ? midnight.AddDays(random.Next(1, 5)).AddTicks(-1) : midnight.AddHours(3 * random.Next(40));
                var listed = i < Listed;
                var subscriber = new Subscriber
                {
                    AccountId = account.Id, EmailAddress = $"s{i}@example.com", NormalizedEmail = $"s{i}@example.com",
                    State = listed ? SubscriberStates.Active : SubscriberStates.Inactive, CreatedAt = created, UpdatedAt = created,
                };
                db.Subscriptions.Add(new Subscription
                {
                    AccountId = account.Id, Subscriber = subscriber, SubscribableType = SubscribableTypes.Tag, SubscribableId = tag.Id,
                    State = listed ? SubscriptionStates.Active : SubscriptionStates.Cancelled, CreatedAt = created, UpdatedAt = created,
                });
                if (i % 3 == 0)
                    db.Subscriptions.Add(new Subscription
                    {
                        AccountId = account.Id, Subscriber = subscriber, SubscribableType = SubscribableTypes.Tag, SubscribableId = otherTag.Id,
                        State = SubscriptionStates.Active, CreatedAt = created, UpdatedAt = created,
                    });
            }
            await db.SaveChangesAsync();
        });
        var subscriptions = await app.DbAsync(db => db.Subscriptions.AsNoTracking()
            .Where(s => s.SubscribableId == tag.Id && s.State == SubscriptionStates.Active)
            .OrderBy(s => s.CreatedAt).ThenBy(s => s.Id).Select(s => s.Id).ToListAsync());
        var subscribers = await app.DbAsync(db => db.Subscribers.AsNoTracking()
            .Where(s => s.State == SubscriberStates.Active)
            .OrderBy(s => s.CreatedAt).ThenBy(s => s.Id).Select(s => s.Id).ToListAsync());
        Assert.Equal(Listed, subscriptions.Count);

        var tagUrl = $"/v3/tags/{tag.Id}/subscriptions?api_secret={account.ApiSecret}";
        Assert.Equal(subscriptions, await ReadAllPagesAsync(app, tagUrl, "subscriptions"));
        Assert.Equal(subscriptions.AsEnumerable().Reverse(), await ReadAllPagesAsync(app, $"{tagUrl}&sort_order=desc", "subscriptions"));
        var subscribersUrl = $"/v3/subscribers?api_secret={account.ApiSecret}";
        Assert.Equal(subscribers, await ReadAllPagesAsync(app, subscribersUrl, "subscribers"));
        Assert.Equal(subscribers.AsEnumerable().Reverse(), await ReadAllPagesAsync(app, $"{subscribersUrl}&sort_order=desc", "subscribers"));
    }

    /// <summary>Pages 1-4 (50, 50, 50, 10 items) and the empty page 5.</summary>
    static async Task<List<long>> ReadAllPagesAsync(MailroomApp app, string url, string list)
    {
        var ids = new List<long>();
        for (var page = 1; page <= 5; page++)
        {
            var response = await app.Http.GetAsync($"{url}&page={page}");
            await response.AssertStatusAsync(200);
            var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
            Assert.Equal(Listed, body[$"total_{list}"]!.GetValue<long>());
            Assert.Equal(4, body["total_pages"]!.GetValue<int>());
            var items = body[list]!.AsArray().Select(s => s!["id"]!.GetValue<long>()).ToList();
            Assert.Equal(page switch { 4 => 10, 5 => 0, _ => 50 }, items.Count);
            ids.AddRange(items);
        }
        return ids;
    }
}
