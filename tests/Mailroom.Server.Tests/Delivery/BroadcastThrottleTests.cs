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

        var sending = Task.Run(() => app.Services.GetRequiredService<BroadcastSender>().RunOnceAsync(CancellationToken.None));
        // The first message is due half a second (of the app's clock) after the run starts, which may be after an
        // advance or two here; from then on each half second brings exactly one more, delivered before the next waits.
        for (var step = 0; step < 3 && sink.Messages.IsEmpty; step++)
        {
            app.Clock.Advance(TimeSpan.FromMilliseconds(500));
            // Generous: advancing again while the first message is still on its way (a loaded machine) would make the next one due too.
            await WaitForAsync(() => !sink.Messages.IsEmpty, sending, tries: 200);
        }
        Assert.Single(sink.Messages);
        for (var delivered = 2; delivered <= 4; delivered++)
        {
            await Task.Delay(300);
            Assert.Equal(delivered - 1, sink.Messages.Count);
            app.Clock.Advance(TimeSpan.FromMilliseconds(500));
            await WaitForAsync(() => sink.Messages.Count >= delivered, sending);
            Assert.Equal(delivered, sink.Messages.Count);
        }

        Assert.Equal(4, await sending.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(4, sink.Messages.Select(m => m.To.Mailboxes.Single().Address).Distinct().Count());
        Assert.Equal(BroadcastStatuses.Completed, await app.DbAsync(db => db.Broadcasts.Where(b => b.Id == id).Select(b => b.Status).SingleAsync()));
    }

    static async Task WaitForAsync(Func<bool> condition, Task sending, int tries = 100)
    {
        for (var i = 0; i < tries && !condition(); i++)
        {
            if (sending.IsFaulted) await sending;
            await Task.Delay(50);
        }
    }
}
