using System.Security.Cryptography;
using System.Text;
using Mailroom.Data;
using Mailroom.Server.Delivery;
using Mailroom.Server.Tests.Api.V3;
using Mailroom.Server.Tests.Cli;
using Mailroom.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static Mailroom.Server.Tests.Webhooks.WebhookArrange;
using Mailroom.Server.Delivery.Webhooks;

namespace Mailroom.Server.Tests.Webhooks;

/// <summary>Restarts, leases, signatures, rule deletion and concurrency.</summary>
public sealed class WebhookDispatchTests
{
    static async Task TagAsync(MailroomApp app, TestAccount account, long tagId, string email) =>
        await (await app.Http.PostAsync($"/v3/tags/{tagId}/subscribe", HttpAssert.Json(new { api_key = account.ApiKey, email }))).AssertStatusAsync(200);

    [Theory, Providers]
    public async Task Restart_DeliveriesPending_ArriveFromTheNextProcess(string provider)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var first = await MailroomApp.StartAsync(provider);
        var account = await first.CreateAccountAsync();
        var tag = await first.AddTagAsync(account.Id);
        await first.RuleAsync(account, $"{receiver.Url}/hook", new { name = "subscriber.tag_add", tag_id = tag.Id });
        await TagAsync(first, account, tag.Id, "jon@example.com");
        await TagAsync(first, account, tag.Id, "ann@example.com");
        receiver.Down = true;
        await first.DispatchAsync();
        // A third event is still in the outbox, not yet fanned out, when the process stops.
        await TagAsync(first, account, tag.Id, "bob@example.com");
        var database = await first.StopKeepingDatabaseAsync();
        receiver.Down = false;

        await using var second = MailroomApp.StartOn(database);
        await second.DispatchAsync(); // the new event goes out at once; the two retries wait for their time
        Assert.Single(receiver.Requests);
        await second.DispatchUntilSettledAsync();

        var deliveries = await second.DeliveriesAsync();
        Assert.Equal(3, deliveries.Count);
        Assert.All(deliveries, d => Assert.Equal(WebhookDeliveryStatuses.Delivered, d.Status));
        Assert.Equal([1, 2, 2], deliveries.Select(d => d.Attempts).Order());
        Assert.Equal(3, receiver.Requests.Select(r => r.Header("X-Mailroom-Delivery")).Distinct().Count());
    }

    [Theory, Providers]
    public async Task Lease_ProcessDiedHoldingADelivery_AnotherSendsItOnceTheLeaseExpires(string provider)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var tag = await app.AddTagAsync(account.Id);
        await app.RuleAsync(account, $"{receiver.Url}/hook", new { name = "subscriber.tag_add", tag_id = tag.Id });
        await TagAsync(app, account, tag.Id, "jon@example.com");
        receiver.Down = true;
        await app.DispatchAsync();
        receiver.Down = false;
        var dead = MailroomApp.Start.UtcDateTime.AddMinutes(5);
        await app.DbAsync(db => db.WebhookDeliveries.ExecuteUpdateAsync(s => s.SetProperty(d => d.LockedBy, "dead-process")
            .SetProperty(d => d.LockedUntil, dead).SetProperty(d => d.NextAttemptAt, MailroomApp.Start.UtcDateTime)));

        app.Clock.Advance(TimeSpan.FromMinutes(4));
        Assert.Equal(0, await app.DispatchAsync());
        app.Clock.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(1, await app.DispatchAsync());

        Assert.Single(receiver.Requests);
        Assert.Equal(WebhookDeliveryStatuses.Delivered, Assert.Single(await app.DeliveriesAsync()).Status);
    }

    [Theory, Providers]
    public async Task TwoDispatchers_SameDatabase_EachEventIsDeliveredExactlyOnce(string provider)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        // Small batches, so the two interleave and compete for the same rows.
        await using var app = await MailroomApp.StartAsync(provider, new() { ["Webhooks:BatchSize"] = "3", ["Webhooks:MaxConcurrency"] = "4" });
        var account = await app.CreateAccountAsync();
        var tag = await app.AddTagAsync(account.Id);
        await app.RuleAsync(account, $"{receiver.Url}/hook", new { name = "subscriber.tag_add", tag_id = tag.Id });
        for (var i = 0; i < 40; i++) await TagAsync(app, account, tag.Id, $"user{i}@example.com");
        var one = ActivatorUtilities.CreateInstance<WebhookDispatcher>(app.Services);
        var two = ActivatorUtilities.CreateInstance<WebhookDispatcher>(app.Services);

        await Task.WhenAll(one.RunOnceAsync(CancellationToken.None), two.RunOnceAsync(CancellationToken.None),
            one.RunOnceAsync(CancellationToken.None), two.RunOnceAsync(CancellationToken.None));

        Assert.Equal(40, receiver.Attempts.Count);
        Assert.Equal(40, receiver.Attempts.Select(r => r.Header("X-Mailroom-Delivery")).Distinct().Count());
        Assert.Equal(40, (await app.DeliveriesAsync()).Count(d => d.Status == WebhookDeliveryStatuses.Delivered && d.Attempts == 1));
    }

    [Theory, Providers]
    public async Task Signature_AccountHasSecret_SignsTheExactBodyAndStopsWhenCleared(string provider)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var tag = await app.AddTagAsync(account.Id);
        await app.RuleAsync(account, $"{receiver.Url}/hook", new { name = "subscriber.tag_add", tag_id = tag.Id });
        var made = await CliRunner.RunAsync(app.Database, "webhooks", "secret", "--account", account.Id.ToString(), "--json");
        made.AssertSuccess();
        var secret = System.Text.Json.Nodes.JsonNode.Parse(made.Output)!["secret"]!.GetValue<string>();

        await TagAsync(app, account, tag.Id, "jon@example.com");
        await app.DispatchAsync();
        (await CliRunner.RunAsync(app.Database, "webhooks", "secret", "--account", account.Id.ToString(), "--clear")).AssertSuccess();
        await TagAsync(app, account, tag.Id, "ann@example.com");
        await app.DispatchAsync();

        var (signed, unsigned) = (receiver.Requests.First(), receiver.Requests.Last());
        var expected = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), signed.Body));
        Assert.Equal(expected, signed.Header("X-Mailroom-Signature"));
        Assert.Contains("jon@example.com", signed.Text);
        Assert.Null(unsigned.Header("X-Mailroom-Signature"));
    }

    [Theory, Providers]
    public async Task DeleteRule_DeliveriesPending_CancelsThemAndNothingIsSent(string provider)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var tag = await app.AddTagAsync(account.Id);
        var deleted = await app.RuleAsync(account, $"{receiver.Url}/deleted", new { name = "subscriber.tag_add", tag_id = tag.Id });
        var kept = await app.RuleAsync(account, $"{receiver.Url}/kept", new { name = "subscriber.tag_add", tag_id = tag.Id });
        await TagAsync(app, account, tag.Id, "jon@example.com");
        receiver.Down = true;
        await app.DispatchAsync();
        receiver.Down = false;

        await (await app.Http.DeleteAsync($"/v3/automations/hooks/{deleted}?api_secret={account.ApiSecret}")).AssertStatusAsync(200);
        await TagAsync(app, account, tag.Id, "ann@example.com");
        await app.DispatchUntilSettledAsync();

        var deliveries = await app.DeliveriesAsync();
        Assert.Equal([(deleted, WebhookDeliveryStatuses.Cancelled), (kept, WebhookDeliveryStatuses.Delivered), (kept, WebhookDeliveryStatuses.Delivered)],
            deliveries.Select(d => (d.RuleId, d.Status)).OrderBy(x => x.RuleId).ThenBy(x => x.Status));
        Assert.All(receiver.Requests, r => Assert.Equal("/kept", r.Path));
        Assert.Equal(2, receiver.Requests.Count);
    }

    [Theory, Providers]
    public async Task DeletedRule_DeliveryQueuedAfterTheDelete_IsCancelledNotSent(string provider)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var tag = await app.AddTagAsync(account.Id);
        var rule = await app.RuleAsync(account, $"{receiver.Url}/hook", new { name = "subscriber.tag_add", tag_id = tag.Id });
        await TagAsync(app, account, tag.Id, "jon@example.com");
        receiver.Down = true;
        await app.DispatchAsync();
        receiver.Down = false;
        // As if the fan-out committed just after DELETE had cancelled the rule's pending deliveries.
        await app.DbAsync(db => db.WebhookRules.ExecuteUpdateAsync(s => s.SetProperty(r => r.Status, "deleted")));

        await app.DispatchUntilSettledAsync();

        Assert.Equal(WebhookDeliveryStatuses.Cancelled, Assert.Single(await app.DeliveriesAsync()).Status);
        Assert.Empty(receiver.Requests);
        Assert.Equal(rule, Assert.Single(await app.DeliveriesAsync()).RuleId);
    }

    [Theory, Providers]
    public async Task SlowReceiver_HoldsOnlyItsOwnSlots_OthersAreDeliveredMeanwhile(string provider)
    {
        await using var slow = await WebhookReceiver.StartAsync();
        await using var fast = await WebhookReceiver.StartAsync();
        await using var app = await MailroomApp.StartAsync(provider, new() { ["Webhooks:MaxConcurrencyPerTarget"] = "2" });
        var account = await app.CreateAccountAsync();
        var slowTag = await app.AddTagAsync(account.Id, "Slow");
        var fastTag = await app.AddTagAsync(account.Id, "Fast");
        await app.RuleAsync(account, $"{slow.Url}/hook", new { name = "subscriber.tag_add", tag_id = slowTag.Id });
        await app.RuleAsync(account, $"{fast.Url}/hook", new { name = "subscriber.tag_add", tag_id = fastTag.Id });
        for (var i = 0; i < 5; i++) await TagAsync(app, account, slowTag.Id, $"slow{i}@example.com");
        for (var i = 0; i < 3; i++) await TagAsync(app, account, fastTag.Id, $"fast{i}@example.com");
        slow.Holding = true;

        var run = app.DispatchAsync();
        // Answered, not only arrived: a request is counted as an attempt a moment before it is answered.
        await fast.WaitForRequestsAsync(3);
        await slow.WaitForAttemptsAsync(2);

        // Every fast delivery arrived while the slow receiver still holds its first two requests (held on the app's
        // clock: they cannot time out while the test waits, however loaded the machine is).
        Assert.Equal(3, fast.Requests.Count);
        Assert.Empty(slow.Requests);
        Assert.False(run.IsCompleted);
        slow.Release();
        await run;

        Assert.Equal(5, slow.Requests.Count);
        Assert.Equal(2, slow.MaxInFlight);
        Assert.All(await app.DeliveriesAsync(), d => Assert.Equal(WebhookDeliveryStatuses.Delivered, d.Status));
    }

    [Theory, Providers]
    public async Task Stop_RequestInFlight_LeavesTheDeliveryPendingAndUnlockedForTheNextPass(string provider)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var tag = await app.AddTagAsync(account.Id);
        await app.RuleAsync(account, $"{receiver.Url}/hook", new { name = "subscriber.tag_add", tag_id = tag.Id });
        await TagAsync(app, account, tag.Id, "jon@example.com");
        receiver.Holding = true;
        using var stop = new CancellationTokenSource();

        var run = app.Services.GetRequiredService<WebhookDispatcher>().RunOnceAsync(stop.Token);
        await receiver.WaitForAttemptsAsync(1);
        await stop.CancelAsync();
        try { await run; }
        catch (OperationCanceledException) { /* the worker loop expects this when the host stops */ }

        var stopped = Assert.Single(await app.DeliveriesAsync());
        Assert.Equal((WebhookDeliveryStatuses.Pending, 0, (string?)null), (stopped.Status, stopped.Attempts, stopped.LockedBy));
        receiver.Release();
        await app.DispatchAsync();
        var sent = Assert.Single(await app.DeliveriesAsync());
        Assert.Equal((WebhookDeliveryStatuses.Delivered, 1), (sent.Status, sent.Attempts));
        Assert.All(receiver.Attempts, a => Assert.Equal(sent.DeliveryId.ToString(), a.Header("X-Mailroom-Delivery")));
    }

    [Theory, Providers]
    public async Task Timeout_HeldRequest_EndsWhenTheAppsClockPassesTheTimeout(string provider)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        // Ten minutes: on the machine's clock the pass below would outlast the test's guard.
        await using var app = await MailroomApp.StartAsync(provider, new() { ["Webhooks:Timeout"] = "00:10:00", ["Webhooks:Lease"] = "00:30:00" });
        var account = await app.CreateAccountAsync();
        var tag = await app.AddTagAsync(account.Id);
        await app.RuleAsync(account, $"{receiver.Url}/hook", new { name = "subscriber.tag_add", tag_id = tag.Id });
        await TagAsync(app, account, tag.Id, "jon@example.com");
        receiver.Holding = true;

        var run = app.DispatchAsync();
        await receiver.WaitForAttemptsAsync(1);
        app.Clock.Advance(TimeSpan.FromMinutes(10));
        // A last guard only: the pass ends as soon as the request is cut off.
        await run.WaitAsync(TimeSpan.FromSeconds(60));

        var delivery = Assert.Single(await app.DeliveriesAsync());
        Assert.Equal((WebhookDeliveryStatuses.Pending, 1, "no answer within 600 seconds", (string?)null),
            (delivery.Status, delivery.Attempts, delivery.LastError, delivery.LockedBy));
        Assert.Empty(receiver.Requests);
    }
}
