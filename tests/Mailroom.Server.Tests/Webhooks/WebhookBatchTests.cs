using Mailroom.Data;
using Mailroom.Server.Delivery;
using Mailroom.Server.Tests.Api.V3;
using Mailroom.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static Mailroom.Server.Tests.Webhooks.WebhookArrange;
using Mailroom.Server.Delivery.Webhooks;

namespace Mailroom.Server.Tests.Webhooks;

/// <summary>
/// The dispatcher claims more than it has slots for and writes outcomes a batch at a time: each delivery still gets
/// its own outcome, work claimed ahead stays leased to this process, and stopping hands unstarted work back untouched.
/// </summary>
public sealed class WebhookBatchTests
{
    static async Task TagAsync(MailroomApp app, TestAccount account, long tagId, string email) =>
        await (await app.Http.PostAsync($"/v3/tags/{tagId}/subscribe", HttpAssert.Json(new { api_key = account.ApiKey, email }))).AssertStatusAsync(200);

    /// <summary>last_error with the socket-level detail (which varies by OS) left out.</summary>
    static string? Kind(string? error) => error is null || error.StartsWith("HTTP ", StringComparison.Ordinal) ? error : "no answer";

    [Theory, Providers]
    public async Task Record_MixedAnswersInOneBatch_EachDeliveryKeepsItsOwnOutcome(string provider)
    {
        await using var answering = await WebhookReceiver.StartAsync();
        await using var down = await WebhookReceiver.StartAsync();
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var tag = await app.AddTagAsync(account.Id);
        var answered = await app.RuleAsync(account, $"{answering.Url}/hook", new { name = "subscriber.tag_add", tag_id = tag.Id });
        var dropped = await app.RuleAsync(account, $"{down.Url}/hook", new { name = "subscriber.tag_add", tag_id = tag.Id });
        for (var i = 0; i < 4; i++) await TagAsync(app, account, tag.Id, $"user{i}@example.com");
        // All four requests to the answering receiver are held, then answered together: two 503s, two 200s.
        answering.Holding = true;
        answering.FailNext(2, status: 503);
        down.Down = true;

        var run = app.DispatchAsync();
        await answering.WaitForAttemptsAsync(4);
        await down.WaitForAttemptsAsync(4);
        answering.Release();
        await run;

        var deliveries = await app.DeliveriesAsync();
        var outcomes = deliveries.Select(d => (d.RuleId, d.Status, d.Attempts, d.LastStatusCode, Error: Kind(d.LastError), d.LockedBy))
            .OrderBy(o => o.RuleId).ThenBy(o => o.Status).ThenBy(o => o.LastStatusCode).ToList();
        Assert.Equal([
            (answered, WebhookDeliveryStatuses.Delivered, 1, 200, null, null),
            (answered, WebhookDeliveryStatuses.Delivered, 1, 200, null, null),
            (answered, WebhookDeliveryStatuses.Pending, 1, 503, "HTTP 503", null),
            (answered, WebhookDeliveryStatuses.Pending, 1, 503, "HTTP 503", null),
            (dropped, WebhookDeliveryStatuses.Pending, 1, null, "no answer", null),
            (dropped, WebhookDeliveryStatuses.Pending, 1, null, "no answer", null),
            (dropped, WebhookDeliveryStatuses.Pending, 1, null, "no answer", null),
            (dropped, WebhookDeliveryStatuses.Pending, 1, null, "no answer", null),
        ], outcomes.Select(o => (o.RuleId, o.Status, o.Attempts, o.LastStatusCode, o.Error, o.LockedBy)));
        Assert.All(deliveries.Where(d => d.Status == WebhookDeliveryStatuses.Pending),
            d => Assert.InRange(d.NextAttemptAt - MailroomApp.Start.UtcDateTime, TimeSpan.FromSeconds(48), TimeSpan.FromSeconds(72)));
        Assert.All(deliveries.Where(d => d.Status == WebhookDeliveryStatuses.Delivered),
            d => Assert.Equal(MailroomApp.Start.UtcDateTime, d.DeliveredAt));
    }

    [Theory, Providers]
    public async Task ClaimAhead_SlotsFull_QueuedDeliveriesStayLeasedSoAnotherDispatcherSkipsThem(string provider)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var app = await MailroomApp.StartAsync(provider, new() { ["Webhooks:MaxConcurrencyPerTarget"] = "1" });
        var account = await app.CreateAccountAsync();
        var tag = await app.AddTagAsync(account.Id);
        await app.RuleAsync(account, $"{receiver.Url}/hook", new { name = "subscriber.tag_add", tag_id = tag.Id });
        for (var i = 0; i < 3; i++) await TagAsync(app, account, tag.Id, $"user{i}@example.com");
        receiver.Holding = true;

        var run = app.DispatchAsync();
        await receiver.WaitForAttemptsAsync(1);
        var other = ActivatorUtilities.CreateInstance<WebhookDispatcher>(app.Services);
        Assert.Equal(0, await other.RunOnceAsync(CancellationToken.None));
        Assert.All(await app.DeliveriesAsync(), d => Assert.NotNull(d.LockedBy));
        receiver.Release();
        await run;

        Assert.Equal(3, receiver.Requests.Count);
        Assert.Equal(1, receiver.MaxInFlight);
        Assert.All(await app.DeliveriesAsync(), d => Assert.Equal((WebhookDeliveryStatuses.Delivered, 1, (string?)null), (d.Status, d.Attempts, d.LockedBy)));
    }

    [Theory, Providers]
    public async Task Stop_DeliveriesClaimedButNotStarted_AreHandedBackUnattempted(string provider)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var app = await MailroomApp.StartAsync(provider, new() { ["Webhooks:MaxConcurrencyPerTarget"] = "1" });
        var account = await app.CreateAccountAsync();
        var tag = await app.AddTagAsync(account.Id);
        await app.RuleAsync(account, $"{receiver.Url}/hook", new { name = "subscriber.tag_add", tag_id = tag.Id });
        for (var i = 0; i < 3; i++) await TagAsync(app, account, tag.Id, $"user{i}@example.com");
        receiver.Holding = true;
        using var stop = new CancellationTokenSource();

        var run = app.Services.GetRequiredService<WebhookDispatcher>().RunOnceAsync(stop.Token);
        await receiver.WaitForAttemptsAsync(1);
        await stop.CancelAsync();
        try { await run; }
        catch (OperationCanceledException) { /* the worker loop expects this when the host stops */ }

        Assert.All(await app.DeliveriesAsync(), d => Assert.Equal((WebhookDeliveryStatuses.Pending, 0, (string?)null), (d.Status, d.Attempts, d.LockedBy)));
        receiver.Release();
        await app.DispatchAsync();
        Assert.All(await app.DeliveriesAsync(), d => Assert.Equal((WebhookDeliveryStatuses.Delivered, 1), (d.Status, d.Attempts)));
        Assert.Equal(4, receiver.Attempts.Count);
    }
}
