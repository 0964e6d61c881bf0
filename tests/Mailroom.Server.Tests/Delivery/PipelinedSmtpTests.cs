using Mailroom.Data;
using Mailroom.Server.Delivery;
using Mailroom.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Mailroom.Server.Delivery.Broadcasts;

namespace Mailroom.Server.Tests.Delivery;

/// <summary>
/// Broadcasts over pipelined connections (PipelinedSmtpSession) against a scripted SMTP server: one round trip per
/// message, refusals in the middle of a pipeline, a relay that goes down, relays without PIPELINING, AUTH.
/// </summary>
public sealed class PipelinedSmtpTests
{
    static Dictionary<string, string?> Settings(ScriptedSmtpServer relay, int connections = 2) => new()
    {
        ["Smtp:Host"] = "127.0.0.1",
        ["Smtp:Port"] = relay.Port.ToString(),
        ["Smtp:MaxConnections"] = connections.ToString(),
        ["Delivery:RetryDelay"] = "00:00:30",
    };

    static async Task<(MailroomApp App, long BroadcastId)> ArrangeAsync(string provider, Dictionary<string, string?> settings, int subscribers)
    {
        var app = await MailroomApp.StartAsync(provider, settings);
        var account = await app.CreateAccountAsync("Acme Corp.", "news@acme.test");
        for (var i = 0; i < subscribers; i++) await app.SubscriberAsync(account.Id, $"s{i}@example.com", $"S{i}");
        return (app, await app.DueBroadcastAsync(account.Id, "Hi {{ subscriber.first_name }}", "<p>Hello {{ subscriber.first_name }}</p>"));
    }

    static void AssertEachOnce(ScriptedSmtpServer relay, IEnumerable<string> addresses)
    {
        var received = relay.Messages.GroupBy(m => m.To).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(addresses.Order(), received.Keys.Order());
        Assert.All(received, r => Assert.Equal(1, r.Value));
    }

    static Task<Broadcast> BroadcastAsync(MailroomApp app, long id) =>
        app.DbAsync(db => db.Broadcasts.AsNoTracking().SingleAsync(b => b.Id == id));

    [Theory, Providers]
    public async Task SendBroadcast_RelayOffersPipelining_SendsTheNextEnvelopeWithEachBodyAndDeliversEveryoneOnce(string provider)
    {
        await using var relay = new ScriptedSmtpServer();
        var (app, id) = await ArrangeAsync(provider, Settings(relay), 30);
        await using var _ = app;

        Assert.Equal(30, await app.Services.GetRequiredService<BroadcastSender>().RunOnceAsync(CancellationToken.None));

        AssertEachOnce(relay, Enumerable.Range(0, 30).Select(i => $"s{i}@example.com"));
        var (from, to, data) = relay.Messages.Single(m => m.To == "s3@example.com");
        Assert.Equal("news@acme.test", from);
        Assert.Contains("Subject: Hi S3\r\n", data);
        Assert.Contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n", data);
        Assert.EndsWith("--\r\n", data);
        // Two connections: one pipelined, one left to MailKit (which waits for each reply). The pipelined one sends a
        // message's next envelope with its body, so it had arrived before the relay answered the body.
        Assert.True(relay.Pipelined >= 10, $"only {relay.Pipelined} of 30 messages were followed by a pipelined envelope");
        var broadcast = await BroadcastAsync(app, id);
        Assert.Equal((BroadcastStatuses.Completed, 30, 30), (broadcast.Status, broadcast.RecipientCount, broadcast.SentCount));
    }

    [Theory, Providers]
    public async Task SendBroadcast_RefusalsInThePipeline_BounceOrRetryOnlyTheirRecipients(string provider)
    {
        await using var relay = new ScriptedSmtpServer();
        relay.RejectRecipients["s5@example.com"] = true;
        relay.RejectRecipients["s12@example.com"] = true;
        relay.FailOnceAfterData["s7@example.com"] = true;
        var (app, id) = await ArrangeAsync(provider, Settings(relay), 20);
        await using var _ = app;
        var sender = app.Services.GetRequiredService<BroadcastSender>();

        Assert.Equal(17, await sender.RunOnceAsync(CancellationToken.None));

        var recipients = await app.DbAsync(db => db.BroadcastRecipients.AsNoTracking().Where(r => r.BroadcastId == id)
            .Join(db.Subscribers, r => r.SubscriberId, s => s.Id, (r, s) => new { s.EmailAddress, SubscriberState = s.State, r.Bounced, r.FailedAt, r.SentAt, r.Attempts, r.LastError })
            .ToDictionaryAsync(x => x.EmailAddress));
        foreach (var bounced in new[] { "s5@example.com", "s12@example.com" })
        {
            Assert.True(recipients[bounced].Bounced);
            Assert.NotNull(recipients[bounced].FailedAt);
            Assert.Equal(SubscriberStates.Bounced, recipients[bounced].SubscriberState);
            Assert.StartsWith("550 5.1.1", recipients[bounced].LastError);
        }
        var retried = recipients["s7@example.com"];
        Assert.Equal((1, (DateTime?)null, (DateTime?)null), (retried.Attempts, retried.SentAt, retried.FailedAt));
        Assert.Equal("451 4.3.0 Try again later", retried.LastError);
        // After a refused envelope the transaction is reset before the next one (or MailKit's connection had it).
        Assert.Contains("RSET", relay.Log);

        app.Clock.Advance(TimeSpan.FromSeconds(31));
        Assert.Equal(1, await sender.RunOnceAsync(CancellationToken.None));

        AssertEachOnce(relay, Enumerable.Range(0, 20).Where(i => i is not (5 or 12)).Select(i => $"s{i}@example.com"));
        var broadcast = await BroadcastAsync(app, id);
        Assert.Equal((BroadcastStatuses.Completed, 18, 2), (broadcast.Status, broadcast.SentCount, broadcast.FailedCount));
        Assert.Equal(2, await app.DbAsync(db => db.OutboxEvents.CountAsync(e => e.EventName == "subscriber_bounce")));
    }

    [Theory, Providers]
    public async Task SendBroadcast_RelayGoesDownMidStream_RetriesDeliverEveryRecipientExactlyOnce(string provider)
    {
        await using var relay = new ScriptedSmtpServer { DownAfter = 13 };
        var (app, id) = await ArrangeAsync(provider, Settings(relay, connections: 3), 40);
        await using var _ = app;
        var sender = app.Services.GetRequiredService<BroadcastSender>();

        var first = await sender.RunOnceAsync(CancellationToken.None);

        // Every message the relay accepted is committed as sent; the rest wait for their retry.
        Assert.Equal(relay.Messages.Count, first);
        Assert.InRange(first, 13, 15);
        var broadcast = await BroadcastAsync(app, id);
        Assert.Equal((BroadcastStatuses.Sending, first), (broadcast.Status, broadcast.SentCount));

        relay.Revive();
        app.Clock.Advance(TimeSpan.FromSeconds(31));
        Assert.Equal(40 - first, await sender.RunOnceAsync(CancellationToken.None));

        AssertEachOnce(relay, Enumerable.Range(0, 40).Select(i => $"s{i}@example.com"));
        broadcast = await BroadcastAsync(app, id);
        Assert.Equal((BroadcastStatuses.Completed, 40, 0), (broadcast.Status, broadcast.SentCount, broadcast.FailedCount));
    }

    [Theory, Providers]
    public async Task SendBroadcast_RelayWithoutPipelining_SendsThroughMailKitMessageByMessage(string provider)
    {
        await using var relay = new ScriptedSmtpServer { Pipelining = false };
        var (app, id) = await ArrangeAsync(provider, Settings(relay, connections: 4), 6);
        await using var _ = app;

        Assert.Equal(6, await app.Services.GetRequiredService<BroadcastSender>().RunOnceAsync(CancellationToken.None));

        AssertEachOnce(relay, Enumerable.Range(0, 6).Select(i => $"s{i}@example.com"));
        Assert.Equal(0, relay.Pipelined);
        Assert.Equal(BroadcastStatuses.Completed, (await BroadcastAsync(app, id)).Status);
    }

    [Theory, Providers]
    public async Task SendBroadcast_RelayRequiresAuth_PipelinedConnectionsAuthenticate(string provider)
    {
        await using var relay = new ScriptedSmtpServer { RequireAuth = ("mailer", "s3cret-pässword") };
        var settings = Settings(relay);
        settings["Smtp:Username"] = "mailer";
        settings["Smtp:Password"] = "s3cret-pässword";
        var (app, id) = await ArrangeAsync(provider, settings, 12);
        await using var _ = app;

        Assert.Equal(12, await app.Services.GetRequiredService<BroadcastSender>().RunOnceAsync(CancellationToken.None));

        AssertEachOnce(relay, Enumerable.Range(0, 12).Select(i => $"s{i}@example.com"));
        Assert.True(relay.Pipelined > 0);
        Assert.Equal(BroadcastStatuses.Completed, (await BroadcastAsync(app, id)).Status);
    }

    [Theory, Providers]
    public async Task SendBroadcast_RelayRefusesTheCredentials_RetriesLaterWithoutRevealingThePassword(string provider)
    {
        await using var relay = new ScriptedSmtpServer { RequireAuth = ("mailer", "right") };
        var settings = Settings(relay);
        settings["Smtp:Username"] = "mailer";
        settings["Smtp:Password"] = "wrong-secret";
        var (app, id) = await ArrangeAsync(provider, settings, 3);
        await using var _ = app;

        Assert.Equal(0, await app.Services.GetRequiredService<BroadcastSender>().RunOnceAsync(CancellationToken.None));

        Assert.Empty(relay.Messages);
        var recipients = await app.DbAsync(db => db.BroadcastRecipients.AsNoTracking().Where(r => r.BroadcastId == id).ToListAsync());
        Assert.All(recipients, r =>
        {
            Assert.Equal((1, (DateTime?)null), (r.Attempts, r.FailedAt));
            Assert.Contains("535", r.LastError);
            Assert.DoesNotContain("wrong-secret", r.LastError);
        });
        Assert.Equal(BroadcastStatuses.Sending, (await BroadcastAsync(app, id)).Status);
    }
}
