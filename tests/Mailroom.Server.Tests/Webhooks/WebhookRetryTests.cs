using Mailroom.Data;
using Mailroom.Server.Tests.Api.V3;
using Mailroom.Server.Tests.Infrastructure;
using static Mailroom.Server.Tests.Webhooks.WebhookArrange;

namespace Mailroom.Server.Tests.Webhooks;

/// <summary>Retries, backoff and give-up on a fake clock, against a receiver that fails or is down.</summary>
public sealed class WebhookRetryTests
{
    static async Task TagAsync(MailroomApp app, TestAccount account, long tagId, string email) =>
        await (await app.Http.PostAsync($"/v3/tags/{tagId}/subscribe", HttpAssert.Json(new { api_key = account.ApiKey, email }))).AssertStatusAsync(200);

    [Theory, Providers]
    public async Task Retry_ReceiverFailsTwice_BacksOffThenDeliversWithTheSameDeliveryId(string provider)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var tag = await app.AddTagAsync(account.Id);
        await app.RuleAsync(account, $"{receiver.Url}/hook", new { name = "subscriber.tag_add", tag_id = tag.Id });
        await TagAsync(app, account, tag.Id, "jon@example.com");
        receiver.FailNext(2, status: 503);

        await app.DispatchAsync();
        var first = Assert.Single(await app.DeliveriesAsync());
        Assert.Equal((WebhookDeliveryStatuses.Pending, 1, 503, "HTTP 503"), (first.Status, first.Attempts, first.LastStatusCode, first.LastError));
        // About a minute, with up to 20% jitter either way.
        Assert.InRange(first.NextAttemptAt - MailroomApp.Start.UtcDateTime, TimeSpan.FromSeconds(48), TimeSpan.FromSeconds(72));

        Assert.Equal(0, await app.DispatchAsync()); // not due yet
        app.Clock.Advance(TimeSpan.FromSeconds(73));
        await app.DispatchAsync();
        var second = Assert.Single(await app.DeliveriesAsync());
        Assert.Equal((WebhookDeliveryStatuses.Pending, 2), (second.Status, second.Attempts));
        // Doubling: about two minutes after the second attempt.
        Assert.InRange(second.NextAttemptAt - app.Clock.GetUtcNow().UtcDateTime, TimeSpan.FromSeconds(96), TimeSpan.FromSeconds(144));

        app.Clock.Advance(TimeSpan.FromSeconds(145));
        await app.DispatchAsync();

        var done = Assert.Single(await app.DeliveriesAsync());
        Assert.Equal((WebhookDeliveryStatuses.Delivered, 3, 200, (string?)null), (done.Status, done.Attempts, done.LastStatusCode, done.LastError));
        Assert.Equal(3, receiver.Attempts.Count);
        Assert.All(receiver.Attempts, a => Assert.Equal(done.DeliveryId.ToString(), a.Header("X-Mailroom-Delivery")));
        Assert.All(receiver.Attempts, a => Assert.Equal(receiver.Attempts.First().Text, a.Text));
    }

    [Theory, Providers]
    public async Task GiveUp_ReceiverAlwaysFails_MarkedFailedAfterAboutThreeDays(string provider)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var tag = await app.AddTagAsync(account.Id);
        await app.RuleAsync(account, $"{receiver.Url}/hook", new { name = "subscriber.tag_add", tag_id = tag.Id });
        await TagAsync(app, account, tag.Id, "jon@example.com");
        receiver.FailNext(1000);

        await app.DispatchUntilSettledAsync();

        var delivery = Assert.Single(await app.DeliveriesAsync());
        Assert.Equal((WebhookDeliveryStatuses.Failed, 500, "HTTP 500"), (delivery.Status, delivery.LastStatusCode, delivery.LastError));
        // Retries after ~1, 2, 4 ... 2048 minutes: 12 or 13 attempts (jitter decides) fit in three days, the next would not.
        Assert.InRange(delivery.Attempts, 12, 13);
        Assert.Equal(delivery.Attempts, receiver.Attempts.Count);
        var lastAttempt = app.Clock.GetUtcNow().UtcDateTime - MailroomApp.Start.UtcDateTime;
        Assert.InRange(lastAttempt, TimeSpan.FromDays(1), TimeSpan.FromDays(3));
        Assert.Empty(receiver.Requests);
    }

    [Theory, Providers]
    public async Task GiveUp_MaxAttemptsSet_FailsAfterThatMany(string provider)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var app = await MailroomApp.StartAsync(provider, new() { ["Webhooks:MaxAttempts"] = "2" });
        var account = await app.CreateAccountAsync();
        var tag = await app.AddTagAsync(account.Id);
        await app.RuleAsync(account, $"{receiver.Url}/hook", new { name = "subscriber.tag_add", tag_id = tag.Id });
        await TagAsync(app, account, tag.Id, "jon@example.com");
        receiver.Down = true;

        await app.DispatchUntilSettledAsync();

        var delivery = Assert.Single(await app.DeliveriesAsync());
        Assert.Equal((WebhookDeliveryStatuses.Failed, 2, (int?)null), (delivery.Status, delivery.Attempts, delivery.LastStatusCode));
        Assert.NotNull(delivery.LastError);
        Assert.Equal(2, receiver.Attempts.Count);
    }

    [Theory, Providers]
    public async Task ReceiverDown_ForAnHour_ThenEverythingArrivesOnce(string provider)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var tag = await app.AddTagAsync(account.Id);
        await app.RuleAsync(account, $"{receiver.Url}/hook", new { name = "subscriber.tag_add", tag_id = tag.Id });
        receiver.Down = true;

        // Events keep coming while the receiver is down; the worker keeps passing every minute.
        for (var minute = 0; minute < 60; minute++)
        {
            if (minute % 12 == 0) await TagAsync(app, account, tag.Id, $"user{minute / 12}@example.com");
            await app.DispatchAsync();
            app.Clock.Advance(TimeSpan.FromMinutes(1));
        }
        Assert.All(await app.DeliveriesAsync(), d => Assert.Equal(WebhookDeliveryStatuses.Pending, d.Status));
        Assert.Empty(receiver.Requests);
        receiver.Down = false;

        await app.DispatchUntilSettledAsync();

        var deliveries = await app.DeliveriesAsync();
        Assert.Equal(5, deliveries.Count);
        Assert.All(deliveries, d => Assert.Equal(WebhookDeliveryStatuses.Delivered, d.Status));
        Assert.Equal(deliveries.Select(d => d.DeliveryId.ToString()).Order(), receiver.Requests.Select(r => r.Header("X-Mailroom-Delivery")!).Order());
        Assert.Equal(Enumerable.Range(0, 5).Select(i => $"user{i}@example.com"),
            receiver.Requests.Select(r => System.Text.Json.Nodes.JsonNode.Parse(r.Text)!["subscriber"]!["email_address"]!.GetValue<string>()).Order());
    }
}
