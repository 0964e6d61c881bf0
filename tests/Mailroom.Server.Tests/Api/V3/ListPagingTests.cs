using System.Text.Json.Nodes;
using Mailroom.Data;
using Mailroom.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Mailroom.Server.Tests.Api.V3;

/// <summary>
/// The active-subscriber and subscription lists find the day a page starts on from the trigger-kept per-day counts
/// and walk OFFSET from the nearer end of that day. Every page, in both orders, must still be exactly the forward order: ties within a
/// time, rows at midnight and in the last tick of a day, other states and other tags in between.
/// </summary>
public sealed class ListPagingTests
{
    const int Listed = 300;

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
            // 20 listed rows on the first day, 200 on the second, 80 on the third, each at one of eight times three
            // hours apart (midnight included) or in the day's last tick: pages start near either end of a day and
            // run past its end, in both orders. Shuffled, so id order is not time order.
            foreach (var i in Enumerable.Range(0, Listed + 9).OrderBy(_ => random.Next()))
            {
                var day = midnight.AddDays(i < 20 ? 0 : i < 220 ? 1 : i < Listed ? 2 : i - Listed);
                var created = i % 5 == 0 ? day.AddDays(1).AddTicks(-1) : day.AddHours(3 * random.Next(8));
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

    /// <summary>Pages 1-6 (50 items each) and the empty page 7.</summary>
    static async Task<List<long>> ReadAllPagesAsync(MailroomApp app, string url, string list)
    {
        var ids = new List<long>();
        for (var page = 1; page <= 7; page++)
        {
            var response = await app.Http.GetAsync($"{url}&page={page}");
            await response.AssertStatusAsync(200);
            var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
            Assert.Equal(Listed, body[$"total_{list}"]!.GetValue<long>());
            Assert.Equal(6, body["total_pages"]!.GetValue<int>());
            var items = body[list]!.AsArray().Select(s => s!["id"]!.GetValue<long>()).ToList();
            Assert.Equal(page == 7 ? 0 : 50, items.Count);
            ids.AddRange(items);
        }
        return ids;
    }
}
