using Mailroom.Data;
using Mailroom.Server.Delivery.Webhooks;
using Mailroom.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static Mailroom.Server.Tests.Webhooks.WebhookArrange;

namespace Mailroom.Server.Tests.Webhooks;

/// <summary>One account's backlog to receivers that never answer does not hold back another account's deliveries.</summary>
public sealed class WebhookFairnessTests
{
    const int Backlog = 3000;
    const int DeadTargets = 20;

    // Four slots, one per target, and a lease long enough to claim two waves ahead: a pass holds at most eight.
    static readonly Dictionary<string, string?> Settings = new()
    {
        ["Webhooks:MaxConcurrency"] = "4", ["Webhooks:MaxConcurrencyPerTarget"] = "1",
        ["Webhooks:Timeout"] = "00:05:00", ["Webhooks:Lease"] = "00:20:00",
    };

    [Theory, Providers]
    public Task DeadTargetsBacklog_OfOneAccount_AnotherAccountsFreshDeliveryGoesOutFirst(string provider) =>
        BacklogHoldsBackNobodyAsync(provider, retries: false);

    [Theory, Providers]
    public Task DueRetriesBacklog_OfOneAccount_AnotherAccountsFreshDeliveryGoesOutFirst(string provider) =>
        BacklogHoldsBackNobodyAsync(provider, retries: true);

    static async Task BacklogHoldsBackNobodyAsync(string provider, bool retries)
    {
        // The dead receiver holds every request until released, like a target that accepts and never answers.
        await using var dead = await WebhookReceiver.StartAsync();
        await using var healthy = await WebhookReceiver.StartAsync();
        dead.Holding = true;
        await using var app = await MailroomApp.StartAsync(provider, Settings);
        var busy = await app.CreateAccountAsync("Busy", "busy@example.test");
        var quiet = await app.CreateAccountAsync("Quiet", "quiet@example.test");
        var busyRule = await app.RuleAsync(busy, $"{dead.Url}/hook", new { name = "subscriber.subscriber_activate" });
        var quietRule = await app.RuleAsync(quiet, $"{healthy.Url}/hook", new { name = "subscriber.subscriber_activate" });
        var now = app.Clock.GetUtcNow().UtcDateTime;
        // The backlog is older than the quiet account's delivery: fresh ones queued first, or retries long due.
        var due = retries ? now.AddHours(-1) : now.AddSeconds(-1);
        await app.DbAsync(async db =>
        {
            for (var i = 0; i < Backlog; i++)
                db.WebhookDeliveries.Add(Delivery(busy.Id, busyRule, $"{dead.Url}/t{i % DeadTargets}", due, retries ? 3 : 0));
            await db.SaveChangesAsync();
            db.WebhookDeliveries.Add(Delivery(quiet.Id, quietRule, $"{healthy.Url}/hook", now, 0));
            await db.SaveChangesAsync();
        });
        using var stop = new CancellationTokenSource();

        var run = app.Services.GetRequiredService<WebhookDispatcher>().RunOnceAsync(stop.Token);
        // Before the fix, every claim took the oldest due deliveries, all the busy account's, and this never came.
        await healthy.WaitForAttemptsAsync(1);

        // The quiet account's delivery arrived while the busy account's backlog had hardly started: at most one request
        // per slot is held by the dead receiver.
        Assert.InRange(dead.Attempts.Count, 0, 4);
        await stop.CancelAsync();
        dead.Release();
        try { await run; }
        catch (OperationCanceledException) { /* stopping mid-pass, as the host does */ }

        var deliveries = await app.DeliveriesAsync();
        // Delivered, or handed back unattempted when the stop came before the dispatcher had read the answer: both
        // leave nothing leased.
        var sent = Assert.Single(deliveries, d => d.AccountId == quiet.Id);
        Assert.Contains((sent.Status, sent.Attempts, sent.LockedBy),
            new[] { (WebhookDeliveryStatuses.Delivered, 1, (string?)null), (WebhookDeliveryStatuses.Pending, 0, (string?)null) });
        // The held requests were cut off by the stop: their deliveries stay pending, unattempted and unlocked.
        var backlog = deliveries.Where(d => d.AccountId == busy.Id).ToList();
        Assert.Equal(Backlog, backlog.Count);
        Assert.All(backlog, d => Assert.Equal((WebhookDeliveryStatuses.Pending, retries ? 3 : 0, (string?)null), (d.Status, d.Attempts, d.LockedBy)));
    }

    static WebhookDelivery Delivery(long accountId, long ruleId, string target, DateTime due, int attempts) => new()
    {
        AccountId = accountId, RuleId = ruleId, DeliveryId = Guid.NewGuid(), TargetUrl = target, Payload = """{"subscriber":{}}""",
        Status = WebhookDeliveryStatuses.Pending, Attempts = attempts, NextAttemptAt = due, CreatedAt = due.AddMinutes(-attempts),
    };
}
