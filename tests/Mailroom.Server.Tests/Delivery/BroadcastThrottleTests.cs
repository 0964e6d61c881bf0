using Mailroom.Data;
using Mailroom.Server.Delivery;
using Mailroom.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Mailroom.Server.Delivery.Broadcasts;

namespace Mailroom.Server.Tests.Delivery;

/// <summary>
/// Delivery:MessagesPerSecond paces a broadcast on the app's clock. A pipelined session holds a message's body until
/// the next message; under a throttle it must finish each message before waiting, not leave it with the relay.
/// </summary>
public sealed class BroadcastThrottleTests
{
    [Theory, Providers]
    public async Task SendBroadcast_Throttled_DeliversOneMessagePerIntervalAndEachBeforeWaiting(string provider)
    {
        await using var sink = new SmtpSink();
        var settings = DeliveryArrange.SmtpSettings(sink);
        settings["Smtp:MaxConnections"] = "2";
        settings["Delivery:MessagesPerSecond"] = "2";
        await using var app = await MailroomApp.StartAsync(provider, settings);
        var account = await app.CreateAccountAsync();
        for (var i = 0; i < 4; i++) await app.SubscriberAsync(account.Id, $"s{i}@example.com", $"S{i}");
        var id = await app.DueBroadcastAsync(account.Id, "S", "<p>x</p>");

        var timers = app.Clock.TimersCreated;
        var sending = Task.Run(() => app.Services.GetRequiredService<BroadcastSender>().RunOnceAsync(CancellationToken.None));
        // Message n is due n half-seconds of the app's clock after the run starts; each advance of half a second makes
        // exactly one more due, and it must reach the relay before the next one is due. The clock moves only once the
        // throttle waits on it for every message it has taken: an advance made before a wait begins would be lost on
        // a loaded machine. Each of the two connections takes one message at the start; a connection that has sent
        // its message takes the next one and starts waiting for it right after the relay accepted the one it sent.
        for (var delivered = 1; delivered <= 4; delivered++)
        {
            var waits = Math.Min(delivered + 1, 4);
            await Eventually.UntilAsync(() => app.Clock.TimersCreated - timers >= waits, $"the throttle's wait {waits}", sending);
            Assert.Equal(delivered - 1, sink.Messages.Count);
            app.Clock.Advance(TimeSpan.FromMilliseconds(500));
            await Eventually.UntilAsync(() => sink.Messages.Count >= delivered, $"message {delivered}", sending);
            Assert.Equal(delivered, sink.Messages.Count);
        }

        Assert.Equal(4, await sending.WaitAsync(Eventually.Guard));
        Assert.Equal(4, sink.Messages.Select(m => m.To.Mailboxes.Single().Address).Distinct().Count());
        Assert.Equal(BroadcastStatuses.Completed, await app.DbAsync(db => db.Broadcasts.Where(b => b.Id == id).Select(b => b.Status).SingleAsync()));
    }
}
