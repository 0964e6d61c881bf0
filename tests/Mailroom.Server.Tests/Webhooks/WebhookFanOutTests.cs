using Mailroom.Data;
using Mailroom.Server.Domain.Outbox;
using Mailroom.Server.Tests.Api.V3;
using Mailroom.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static Mailroom.Server.Tests.Webhooks.WebhookArrange;

namespace Mailroom.Server.Tests.Webhooks;

/// <summary>
/// Fan-out marks the events no rule matches processed in one UPDATE, without leasing or reading them; the rule test in
/// that UPDATE must agree with the one applied in memory to the events that do match.
/// </summary>
public sealed class WebhookFanOutTests
{
    [Theory, Providers]
    public async Task FanOut_UnmatchedEvents_MarkedProcessedWithoutDeliveriesOrLease(string provider)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var hooked = await app.AddTagAsync(account.Id, "Hooked");
        var other = await app.AddTagAsync(account.Id, "Other");
        var late = await app.AddTagAsync(account.Id, "Late");
        var rule = await app.RuleAsync(account, $"{receiver.Url}/hook", new { name = "subscriber.tag_add", tag_id = hooked.Id });
        foreach (var (tag, email) in new[] { (hooked, "a@example.com"), (other, "b@example.com"), (late, "c@example.com") })
            await (await app.Http.PostAsync($"/v3/tags/{tag.Id}/subscribe", HttpAssert.Json(new { api_key = account.ApiKey, email })))
                .AssertStatusAsync(200);
        // A rule made after its event does not fire for it, so that event is unmatched too.
        app.Clock.Advance(TimeSpan.FromMinutes(1));
        await app.RuleAsync(account, $"{receiver.Url}/late", new { name = "subscriber.tag_add", tag_id = late.Id });
        // An unmatched event another process holds stays its to handle.
        var held = await app.DbAsync(db => db.OutboxEvents.Where(e => e.EventName == OutboxEvents.SubscriberActivate)
            .OrderBy(e => e.Id).Select(e => e.Id).FirstAsync());
        var until = app.Clock.GetUtcNow().UtcDateTime.AddMinutes(5);
        await app.DbAsync(db => db.OutboxEvents.Where(e => e.Id == held)
            .ExecuteUpdateAsync(s => s.SetProperty(e => e.LockedUntil, until).SetProperty(e => e.LockedBy, "other")));

        await app.DispatchAsync();

        var events = await app.DbAsync(db => db.OutboxEvents.AsNoTracking().OrderBy(e => e.Id).ToListAsync());
        Assert.Equal(6, events.Count);
        Assert.All(events.Where(e => e.Id != held), e => Assert.Equal((app.Clock.GetUtcNow().UtcDateTime, (string?)null, (DateTime?)null),
            (e.ProcessedAt!.Value, e.LockedBy, e.LockedUntil)));
        var kept = events.Single(e => e.Id == held);
        Assert.Equal(((DateTime?)null, "other"), (kept.ProcessedAt, kept.LockedBy));
        var deliveries = await app.DeliveriesAsync();
        var tagged = events.Single(e => e.EventName == OutboxEvents.TagAdd && e.MatchValue == hooked.Id.ToString());
        Assert.Equal([(rule, tagged.Id, WebhookDeliveryStatuses.Delivered)], deliveries.Select(d => (d.RuleId, d.OutboxEventId, d.Status)));
        Assert.Equal(["/hook"], receiver.Requests.Select(r => r.Path));
    }
}
