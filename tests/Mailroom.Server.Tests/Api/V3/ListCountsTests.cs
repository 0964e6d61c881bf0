using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Mailroom.Data;
using Mailroom.Server.Delivery;
using Mailroom.Server.Tests.Cli;
using Mailroom.Server.Tests.Delivery;
using Mailroom.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.DependencyInjection;
using Mailroom.Server.Delivery.Broadcasts;
using Mailroom.Server.Delivery.Mail;

namespace Mailroom.Server.Tests.Api.V3;

/// <summary>
/// total_subscribers / total_subscriptions come from subscriber_counts and subscription_counts, kept by database
/// triggers (migration ListCounts). Every test compares the counts with the rows themselves after each write,
/// whichever path wrote: API, confirmation link, bounce, CLI, raw SQL, cascades, the migration's backfill.
/// </summary>
public sealed partial class ListCountsTests
{
    [Theory, Providers]
    public async Task Totals_SubscribeConfirmUnsubscribeResubscribeUntag_StayExact(string provider)
    {
        await using var sink = new SmtpSink();
        await using var app = await MailroomApp.StartAsync(provider, DeliveryArrange.SmtpSettings(sink));
        var account = await app.CreateAccountAsync();
        var form = await app.AddFormAsync(account.Id, doubleOptIn: true);
        var tag = await app.AddTagAsync(account.Id);
        await app.AddSubscriberAsync(account.Id, "bystander@example.com");
        var lists = new Lists(app, account, form.Id, tag.Id);

        await (await app.Http.PostAsync($"/v3/forms/{form.Id}/subscribe", HttpAssert.Json(new { api_key = account.ApiKey, email = "jon@example.com" })))
            .AssertStatusAsync(200);
        await lists.AssertAsync(active: 1, inactive: 1, cancelledAt: 0, formActive: 0, tagActive: 0, tagCancelled: 0);

        await app.Services.GetRequiredService<ConfirmationMailer>().RunOnceAsync(CancellationToken.None);
        var link = new Uri(ConfirmLink().Match(sink.Messages.Single().HtmlBody!).Value);
        Assert.Equal(HttpStatusCode.OK, (await app.Http.PostAsync(link.PathAndQuery, new StringContent(""))).StatusCode);
        await lists.AssertAsync(active: 2, inactive: 0, cancelledAt: 0, formActive: 1, tagActive: 0, tagCancelled: 0);

        await (await app.Http.PostAsync($"/v3/tags/{tag.Id}/subscribe", HttpAssert.Json(new { api_key = account.ApiKey, email = "jon@example.com" })))
            .AssertStatusAsync(200);
        await (await app.Http.PutAsync("/v3/unsubscribe", HttpAssert.Json(new { api_secret = account.ApiSecret, email = "jon@example.com" })))
            .AssertStatusAsync(200);
        await lists.AssertAsync(active: 1, inactive: 0, cancelledAt: 1, formActive: 0, tagActive: 0, tagCancelled: 1);

        // Re-subscribing the cancelled address reactivates it and its tag subscription.
        await (await app.Http.PostAsync($"/v3/tags/{tag.Id}/subscribe", HttpAssert.Json(new { api_key = account.ApiKey, email = "jon@example.com" })))
            .AssertStatusAsync(200);
        await lists.AssertAsync(active: 2, inactive: 0, cancelledAt: 0, formActive: 0, tagActive: 1, tagCancelled: 0);

        var jon = (await app.SubscribersAsync()).Single(s => s.EmailAddress == "jon@example.com");
        await (await app.Http.DeleteAsync($"/v3/subscribers/{jon.Id}/tags/{tag.Id}?api_secret={account.ApiSecret}")).AssertStatusAsync(200);
        await lists.AssertAsync(active: 2, inactive: 0, cancelledAt: 0, formActive: 0, tagActive: 0, tagCancelled: 0);
    }

    [Theory, Providers]
    public async Task Totals_BounceAndComplaint_MoveSubscribersBetweenStates(string provider)
    {
        await using var sink = new SmtpSink();
        await using var app = await MailroomApp.StartAsync(provider, DeliveryArrange.SmtpSettings(sink));
        var account = await app.CreateAccountAsync();
        await app.SubscriberAsync(account.Id, "jon@example.com");
        await app.SubscriberAsync(account.Id, "dead@example.com");
        await app.SubscriberAsync(account.Id, "gone@example.com", state: SubscriberStates.Cancelled);
        sink.RejectedRecipients["dead@example.com"] = true;

        await app.DueBroadcastAsync(account.Id, "S", "<p>x</p>");
        await app.Services.GetRequiredService<BroadcastSender>().RunOnceAsync(CancellationToken.None);
        var complain = await CliRunner.RunAsync(app.Database, "subscribers", "complain", "gone@example.com", "--account", account.Id.ToString());
        Assert.Equal(0, complain.ExitCode);

        Assert.Equal(1, await TotalAsync(app, $"/v3/subscribers?api_secret={account.ApiSecret}"));
        Assert.Equal(1, await TotalAsync(app, $"/v3/subscribers?api_secret={account.ApiSecret}&status=bounced"));
        Assert.Equal(1, await TotalAsync(app, $"/v3/subscribers?api_secret={account.ApiSecret}&status=complained"));
        Assert.Equal(0, await TotalAsync(app, $"/v3/subscribers?api_secret={account.ApiSecret}&status=cancelled"));
        Assert.Equal(3, await TotalAsync(app, $"/v3/subscribers?api_secret={account.ApiSecret}&status=all"));
        // The complaint keeps the cancellation time, so the unsubscribes listing still shows the address: its
        // total counts rows with cancelled_at set, whatever their state, exactly as the page does.
        var unsubscribes = await GetAsync(app, $"/v3/subscribers?api_secret={account.ApiSecret}&sort_field=cancelled_at");
        Assert.Equal(1, unsubscribes["total_subscribers"]!.GetValue<long>());
        Assert.Equal("gone@example.com", unsubscribes["subscribers"]!.AsArray().Single()!["email_address"]!.GetValue<string>());
        await AssertCountsMatchRowsAsync(app);
    }

    [Theory, Providers]
    public async Task Totals_RawSqlWrites_AreCountedByTriggers(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var other = await app.CreateAccountAsync("Other", "other@acme.test");
        var tag = await app.AddTagAsync(account.Id);
        var now = SubscriptionArrange.Now;

        await app.DbAsync(async db =>
        {
            foreach (var (accountId, email) in new[] { (account.Id, "a@example.com"), (account.Id, "b@example.com"), (account.Id, "c@example.com"), (other.Id, "d@example.com") })
                await db.Database.ExecuteSqlAsync($"""
                    INSERT INTO subscribers (account_id, email_address, normalized_email, state, created_at, updated_at)
                    VALUES ({accountId}, {email}, {email}, 'active', {now}, {now})
                    """);
            await db.Database.ExecuteSqlAsync($"""
                INSERT INTO subscriptions (account_id, subscriber_id, subscribable_type, subscribable_id, state, created_at, updated_at)
                SELECT account_id, id, 'tag', {tag.Id}, 'active', created_at, updated_at FROM subscribers WHERE account_id = {account.Id}
                """);
        });
        Assert.Equal(3, await TotalAsync(app, $"/v3/subscribers?api_secret={account.ApiSecret}"));
        Assert.Equal(3, await TotalAsync(app, $"/v3/tags/{tag.Id}/subscriptions?api_secret={account.ApiSecret}"));
        await AssertCountsMatchRowsAsync(app);

        await app.DbAsync(async db =>
        {
            await db.Database.ExecuteSqlAsync($"UPDATE subscribers SET state = 'cancelled', cancelled_at = {now} WHERE normalized_email = 'a@example.com'");
            await db.Database.ExecuteSqlAsync($"UPDATE subscriptions SET state = 'cancelled' WHERE subscriber_id IN (SELECT id FROM subscribers WHERE normalized_email = 'a@example.com')");
            // A new creation time moves a row to another day's count.
            await db.Database.ExecuteSqlAsync($"UPDATE subscribers SET created_at = {now.AddDays(-3)} WHERE normalized_email = 'c@example.com'");
            await db.Database.ExecuteSqlAsync($"UPDATE subscriptions SET created_at = {now.AddDays(-3)} WHERE subscriber_id IN (SELECT id FROM subscribers WHERE normalized_email = 'c@example.com')");
            // The foreign key cascade deletes b's tag subscription: the delete trigger counts it too.
            await db.Database.ExecuteSqlAsync($"DELETE FROM subscribers WHERE normalized_email = 'b@example.com'");
        });
        Assert.Equal(1, await TotalAsync(app, $"/v3/subscribers?api_secret={account.ApiSecret}"));
        Assert.Equal(1, await TotalAsync(app, $"/v3/subscribers?api_secret={account.ApiSecret}&sort_field=cancelled_at"));
        Assert.Equal(1, await TotalAsync(app, $"/v3/tags/{tag.Id}/subscriptions?api_secret={account.ApiSecret}"));
        Assert.Equal(1, await TotalAsync(app, $"/v3/tags/{tag.Id}/subscriptions?api_secret={account.ApiSecret}&subscriber_state=cancelled"));
        Assert.Equal(1, await TotalAsync(app, $"/v3/subscribers?api_secret={other.ApiSecret}"));
        await AssertCountsMatchRowsAsync(app);
    }

    [Theory, Providers]
    public async Task Migration_ExistingRows_AreBackfilled(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var tag = await app.AddTagAsync(account.Id);
        await app.DbAsync(async db =>
        {
            var migrations = db.Database.GetMigrations().ToList();
            var before = migrations[migrations.FindIndex(m => m.EndsWith("_ListCounts", StringComparison.Ordinal)) - 1];
            var migrator = db.GetService<IMigrator>();
            await migrator.MigrateAsync(before);
            var now = SubscriptionArrange.Now;
            foreach (var (email, state, days) in new[] { ("a@example.com", "active", 0), ("b@example.com", "active", -2), ("c@example.com", "inactive", 0) })
                await db.Database.ExecuteSqlAsync($"""
                    INSERT INTO subscribers (account_id, email_address, normalized_email, state, created_at, updated_at)
                    VALUES ({account.Id}, {email}, {email}, {state}, {now.AddDays(days)}, {now})
                    """);
            await db.Database.ExecuteSqlAsync($"""
                INSERT INTO subscriptions (account_id, subscriber_id, subscribable_type, subscribable_id, state, created_at, updated_at)
                SELECT account_id, id, 'tag', {tag.Id}, state, created_at, updated_at FROM subscribers
                """);
            await migrator.MigrateAsync();
        });

        Assert.Equal(2, await TotalAsync(app, $"/v3/subscribers?api_secret={account.ApiSecret}"));
        Assert.Equal(2, await TotalAsync(app, $"/v3/tags/{tag.Id}/subscriptions?api_secret={account.ApiSecret}"));
        await AssertCountsMatchRowsAsync(app);
    }

    sealed record Lists(MailroomApp App, TestAccount Account, long FormId, long TagId)
    {
        public async Task AssertAsync(long active, long inactive, long cancelledAt, long formActive, long tagActive, long tagCancelled)
        {
            var secret = Account.ApiSecret;
            Assert.Equal(
                [active, inactive, cancelledAt, formActive, tagActive, tagCancelled],
                [
                    await TotalAsync(App, $"/v3/subscribers?api_secret={secret}"),
                    await TotalAsync(App, $"/v3/subscribers?api_secret={secret}&status=inactive"),
                    await TotalAsync(App, $"/v3/subscribers?api_secret={secret}&sort_field=cancelled_at"),
                    await TotalAsync(App, $"/v3/forms/{FormId}/subscriptions?api_secret={secret}"),
                    await TotalAsync(App, $"/v3/tags/{TagId}/subscriptions?api_secret={secret}"),
                    await TotalAsync(App, $"/v3/tags/{TagId}/subscriptions?api_secret={secret}&subscriber_state=cancelled"),
                ]);
            await AssertCountsMatchRowsAsync(App);
        }
    }

    static async Task<JsonNode> GetAsync(MailroomApp app, string url)
    {
        var response = await app.Http.GetAsync(url);
        await response.AssertStatusAsync(200);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
    }

    static async Task<long> TotalAsync(MailroomApp app, string url)
    {
        var body = await GetAsync(app, url);
        return (body["total_subscribers"] ?? body["total_subscriptions"])!.GetValue<long>();
    }

    /// <summary>Every count sums (over its slots) to what counting the rows per key and day of created_at gives; no slot is negative.</summary>
    static Task AssertCountsMatchRowsAsync(MailroomApp app) => app.DbAsync(async db =>
    {
        var subscribers = (await db.Subscribers.AsNoTracking()
                .Select(s => new { s.AccountId, s.State, Cancelled = s.CancelledAt != null, s.CreatedAt }).ToListAsync())
            .GroupBy(s => new { s.AccountId, s.State, s.Cancelled, Day = Day(s.CreatedAt) })
            .Select(g => $"{g.Key.AccountId}/{g.Key.State}/{g.Key.Cancelled}/{g.Key.Day}={g.LongCount()}").Order();
        var subscriberCounts = await db.SubscriberCounts.AsNoTracking().ToListAsync();
        Assert.All(subscriberCounts, c => Assert.True(c.Count >= 0, $"slot {c.Slot} of {c.State} is {c.Count}"));
        Assert.Equal(subscribers, subscriberCounts.GroupBy(c => new { c.AccountId, c.State, c.Cancelled, c.Day })
            .Where(g => g.Sum(c => c.Count) != 0)
            .Select(g => $"{g.Key.AccountId}/{g.Key.State}/{g.Key.Cancelled}/{g.Key.Day}={g.Sum(c => c.Count)}").Order());

        var subscriptions = (await db.Subscriptions.AsNoTracking()
                .Select(s => new { s.AccountId, s.SubscribableType, s.SubscribableId, s.State, s.CreatedAt }).ToListAsync())
            .GroupBy(s => new { s.AccountId, s.SubscribableType, s.SubscribableId, s.State, Day = Day(s.CreatedAt) })
            .Select(g => $"{g.Key.AccountId}/{g.Key.SubscribableType}/{g.Key.SubscribableId}/{g.Key.State}/{g.Key.Day}={g.LongCount()}").Order();
        var subscriptionCounts = await db.SubscriptionCounts.AsNoTracking().ToListAsync();
        Assert.All(subscriptionCounts, c => Assert.True(c.Count >= 0, $"slot {c.Slot} of {c.SubscribableType} {c.SubscribableId} {c.State} is {c.Count}"));
        Assert.Equal(subscriptions, subscriptionCounts.GroupBy(c => new { c.AccountId, c.SubscribableType, c.SubscribableId, c.State, c.Day })
            .Where(g => g.Sum(c => c.Count) != 0)
            .Select(g => $"{g.Key.AccountId}/{g.Key.SubscribableType}/{g.Key.SubscribableId}/{g.Key.State}/{g.Key.Day}={g.Sum(c => c.Count)}").Order());
    });

    static long Day(DateTime createdAt) => (long)Math.Floor((createdAt - DateTime.UnixEpoch).TotalDays);

    [GeneratedRegex(@"http://mailroom\.test/confirm/[A-Za-z0-9]+")]
    private static partial Regex ConfirmLink();
}
