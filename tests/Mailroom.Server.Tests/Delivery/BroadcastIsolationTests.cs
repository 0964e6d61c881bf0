using Mailroom.Data;
using Mailroom.Server.Delivery.Broadcasts;
using Mailroom.Server.Delivery.Composing;
using Mailroom.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;

namespace Mailroom.Server.Tests.Delivery;

/// <summary>
/// One broadcast's trouble stays its own (issue 16): an address in the database no relay can take fails its recipient
/// alone, a template that breaks a render limit fails its broadcast alone, and one account's long broadcast never holds
/// up another's.
/// </summary>
public sealed class BroadcastIsolationTests
{
    /// <summary>
    /// What sign-up validation may let through or what got into the database by other means: a control character
    /// (a command injection in RCPT TO), a right-to-left override, angle brackets, white space, no @.
    /// </summary>
    static readonly string[] BadAddresses =
        ["ctrl\u0001@example.com", "evil\u202E@example.com", "a>b@example.com", "two words@example.com", "no-at-sign.example.com"];

    sealed record RecipientRow(string Email, DateTime? SentAt, DateTime? FailedAt, DateTime? NextAttemptAt, int Attempts, bool Bounced, string? LastError);

    static Task<Dictionary<string, RecipientRow>> RecipientsAsync(MailroomApp app, long broadcastId) =>
        app.DbAsync(db => db.BroadcastRecipients.AsNoTracking().Where(r => r.BroadcastId == broadcastId)
            .Join(db.Subscribers, r => r.SubscriberId, s => s.Id, (r, s) => new RecipientRow(s.EmailAddress, r.SentAt, r.FailedAt, r.NextAttemptAt, r.Attempts, r.Bounced, r.LastError))
            .ToDictionaryAsync(r => r.Email));

    static Task<Broadcast> BroadcastAsync(MailroomApp app, long id) =>
        app.DbAsync(db => db.Broadcasts.AsNoTracking().SingleAsync(b => b.Id == id));

    /// <summary>Account A's broadcast goes to good and bad addresses; account B's, due at the same moment, to good ones only.</summary>
    static async Task<(long A, long B, string[] Good)> ArrangeTwoAccountsAsync(MailroomApp app)
    {
        var a = await app.CreateAccountAsync("Acme Corp.", "news@acme.test");
        var b = await app.CreateAccountAsync("Other", "news@other.test");
        string[] good = ["jon@example.com", "arya@example.com", "sansa@example.com"];
        foreach (var address in good.Take(2)) await app.SubscriberAsync(a.Id, address, "Good");
        foreach (var address in BadAddresses) await app.SubscriberAsync(a.Id, address, "Bad");
        await app.SubscriberAsync(b.Id, good[2], "Good");
        return (await app.DueBroadcastAsync(a.Id, "A", "<p>Hi {{ subscriber.first_name }}</p>"),
            await app.DueBroadcastAsync(b.Id, "B", "<p>Hi {{ subscriber.first_name }}</p>"), good);
    }

    static async Task AssertBadFailedGoodSentAsync(MailroomApp app, long a, long b, IEnumerable<string> delivered, string[] good)
    {
        Assert.Equal(good.Order(), delivered.Order());
        var rows = await RecipientsAsync(app, a);
        foreach (var address in BadAddresses)
        {
            var row = rows[address];
            Assert.True(row.FailedAt is not null, $"{address} was not failed");
            Assert.Equal((null, 1, false), (row.SentAt, row.Attempts, row.Bounced));
            Assert.StartsWith("the message could not be ", row.LastError);
        }
        var broadcastA = await BroadcastAsync(app, a);
        Assert.Equal((BroadcastStatuses.Completed, 2, BadAddresses.Length), (broadcastA.Status, broadcastA.SentCount, broadcastA.FailedCount));
        var broadcastB = await BroadcastAsync(app, b);
        Assert.Equal((BroadcastStatuses.Completed, 1, 0), (broadcastB.Status, broadcastB.SentCount, broadcastB.FailedCount));
        // The failures are the broadcast's, visible where v3 clients look: progress counts them as done.
        var stats = await app.DbAsync(db => Mailroom.Server.Domain.Broadcasts.BroadcastStats.LoadAsync(db, broadcastA.AccountId, a, CancellationToken.None));
        Assert.Equal(100, stats!.Progress);
    }

    [Theory, Providers]
    public async Task SendBroadcast_BadAddressesInTheDatabase_OverMailKit_FailOnlyThoseRecipients(string provider)
    {
        await using var sink = new SmtpSink();
        var settings = DeliveryArrange.SmtpSettings(sink);
        // One connection: no pipelined session (one connection always stays with MailKit), every message through MailKit.
        settings["Smtp:MaxConnections"] = "1";
        await using var app = await MailroomApp.StartAsync(provider, settings);
        var (a, b, good) = await ArrangeTwoAccountsAsync(app);

        Assert.Equal(3, await app.Services.GetRequiredService<BroadcastSender>().RunOnceAsync(CancellationToken.None));

        await AssertBadFailedGoodSentAsync(app, a, b, sink.Messages.Select(m => m.To.Mailboxes.Single().Address), good);
    }

    [Theory, Providers]
    public async Task SendBroadcast_BadAddressesInTheDatabase_OverPipelinedSessions_FailOnlyThoseRecipients(string provider)
    {
        await using var relay = new ScriptedSmtpServer();
        await using var app = await MailroomApp.StartAsync(provider, new()
        {
            ["Smtp:Host"] = "127.0.0.1", ["Smtp:Port"] = relay.Port.ToString(), ["Smtp:MaxConnections"] = "4",
        });
        var (a, b, good) = await ArrangeTwoAccountsAsync(app);

        Assert.Equal(3, await app.Services.GetRequiredService<BroadcastSender>().RunOnceAsync(CancellationToken.None));

        await AssertBadFailedGoodSentAsync(app, a, b, relay.Messages.Select(m => m.To), good);
    }

    [Theory, Providers]
    public async Task SendBroadcast_BadAddressesInTheDatabase_IntoThePickupFolder_FailOnlyThoseRecipients(string provider)
    {
        var folder = Directory.CreateTempSubdirectory("mailroom-pickup-").FullName;
        try
        {
            await using var app = await MailroomApp.StartAsync(provider, new() { ["Outbox:Directory"] = folder });
            var (a, b, good) = await ArrangeTwoAccountsAsync(app);

            Assert.Equal(3, await app.Services.GetRequiredService<BroadcastSender>().RunOnceAsync(CancellationToken.None));

            var written = Directory.GetFiles(folder, "*.eml").Select(f => MimeMessage.Load(f)).ToList();
            try { await AssertBadFailedGoodSentAsync(app, a, b, written.Select(m => m.To.Mailboxes.Single().Address), good); }
            finally { written.ForEach(m => m.Dispose()); }
        }
        finally { Directory.Delete(folder, recursive: true); }
    }

    [Theory, Providers]
    public async Task SendBroadcast_TemplateBreaksARenderLimit_FailsTheBroadcastOnceWithItsReasonAndNeverAgain(string provider)
    {
        await using var sink = new SmtpSink();
        var settings = DeliveryArrange.SmtpSettings(sink);
        settings["Smtp:MaxConnections"] = "2";
        await using var app = await MailroomApp.StartAsync(provider, settings);
        var a = await app.CreateAccountAsync("Acme Corp.", "news@acme.test");
        var b = await app.CreateAccountAsync("Other", "news@other.test");
        for (var i = 0; i < 40; i++) await app.SubscriberAsync(a.Id, $"s{i}@example.com", $"S{i}");
        await app.SubscriberAsync(b.Id, "other@example.com", "Other");
        // Written straight to the database, as a broadcast saved before the limits existed would be: saving refuses it now.
        const string broken = "<p>{% for i in (1..2000000000) %}{{ i }}{% endfor %}</p>";
        var failing = await app.DueBroadcastAsync(a.Id, "A", broken);
        var fine = await app.DueBroadcastAsync(b.Id, "B", "<p>Hello</p>");
        var sender = app.Services.GetRequiredService<BroadcastSender>();

        Assert.Equal(1, await sender.RunOnceAsync(CancellationToken.None));

        var broadcast = await BroadcastAsync(app, failing);
        Assert.Equal((BroadcastStatuses.Failed, RenderLimits.Default.ItemsExceeded(2_000_000_000), null),
            (broadcast.Status, broadcast.FailureReason, broadcast.LockedBy));
        // Failed once for the broadcast, not recipient by recipient: no recipient was failed, sent or even attempted.
        var rows = await RecipientsAsync(app, failing);
        Assert.All(rows.Values, r => Assert.Equal((null, null, 0), (r.SentAt, r.FailedAt, r.Attempts)));
        Assert.Equal("other@example.com", Assert.Single(sink.Messages).To.Mailboxes.Single().Address);
        Assert.Equal(BroadcastStatuses.Completed, (await BroadcastAsync(app, fine)).Status);

        // Never picked up again, even once its lease would have run out.
        app.Clock.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal(0, await sender.RunOnceAsync(CancellationToken.None));
        Assert.All((await RecipientsAsync(app, failing)).Values, r => Assert.Equal((null, null, 0), (r.SentAt, r.FailedAt, r.Attempts)));
        Assert.Equal(BroadcastStatuses.Failed, (await BroadcastAsync(app, failing)).Status);
    }

    [Theory, Providers]
    public async Task SendBroadcast_ComposingOneRecipientThrows_FailsOnlyThatRecipient(string provider)
    {
        await using var sink = new SmtpSink();
        await using var app = await MailroomApp.StartAsync(provider, DeliveryArrange.SmtpSettings(sink));
        var account = await app.CreateAccountAsync("Acme Corp.", "news@acme.test");
        await app.SubscriberAsync(account.Id, "jon@example.com", "Jon");
        // An address with an unterminated quoted local part, which MimeKit won't take.
        await app.SubscriberAsync(account.Id, "\"unterminated@example.com", "Bad");
        var id = await app.DueBroadcastAsync(account.Id, "S", "<p>x</p>");

        Assert.Equal(1, await app.Services.GetRequiredService<BroadcastSender>().RunOnceAsync(CancellationToken.None));

        Assert.Equal("jon@example.com", Assert.Single(sink.Messages).To.Mailboxes.Single().Address);
        var bad = (await RecipientsAsync(app, id))["\"unterminated@example.com"];
        Assert.NotNull(bad.FailedAt);
        Assert.StartsWith("the message could not be", bad.LastError);
        Assert.Equal(BroadcastStatuses.Completed, (await BroadcastAsync(app, id)).Status);
    }

    [Theory, Providers]
    public async Task SendBroadcast_LongBroadcastOfOneAccount_DoesNotHoldUpAnotherAccountsBroadcast(string provider)
    {
        await using var relay = new ScriptedSmtpServer();
        // The relay holds the long broadcast's first message until the other account's message has arrived. Run one
        // after the other, that message would come only after this one, so the hold would last until its (last-guard) timeout.
        var otherArrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var heldThenReleased = false;
        var holding = 0;
        relay.BeforeAccepting = async to =>
        {
            if (to == "other@example.com") { otherArrived.TrySetResult(); return; }
            if (Interlocked.Exchange(ref holding, 1) != 0) return;
            try
            {
                await otherArrived.Task.WaitAsync(TimeSpan.FromSeconds(30));
                heldThenReleased = true;
            }
            catch (TimeoutException) { }
        };
        await using var app = await MailroomApp.StartAsync(provider, new()
        {
            ["Smtp:Host"] = "127.0.0.1", ["Smtp:Port"] = relay.Port.ToString(), ["Smtp:MaxConnections"] = "2",
        });
        var a = await app.CreateAccountAsync("Acme Corp.", "news@acme.test");
        var b = await app.CreateAccountAsync("Other", "news@other.test");
        for (var i = 0; i < 20; i++) await app.SubscriberAsync(a.Id, $"s{i}@example.com", $"S{i}");
        await app.SubscriberAsync(b.Id, "other@example.com", "Other");
        var longOne = await app.DueBroadcastAsync(a.Id, "A", "<p>Long</p>");
        var shortOne = await app.DueBroadcastAsync(b.Id, "B", "<p>Short</p>");

        Assert.Equal(21, await app.Services.GetRequiredService<BroadcastSender>().RunOnceAsync(CancellationToken.None));

        Assert.True(heldThenReleased, "the other account's message only arrived after the long broadcast's first was answered");
        Assert.Equal(BroadcastStatuses.Completed, (await BroadcastAsync(app, longOne)).Status);
        Assert.Equal(BroadcastStatuses.Completed, (await BroadcastAsync(app, shortOne)).Status);
        Assert.Equal(21, relay.Messages.Select(m => m.To).Distinct().Count());
    }

    [Theory, Providers]
    public async Task SendBroadcast_RelayRefusesTheSender_LeavesRecipientsUnsentForTheirRetries(string provider)
    {
        foreach (var pipelining in new[] { true, false })
        {
            await using var relay = new ScriptedSmtpServer { Pipelining = pipelining };
            relay.RejectSenders["news@acme.test"] = true;
            await using var app = await MailroomApp.StartAsync(provider, new()
            {
                ["Smtp:Host"] = "127.0.0.1", ["Smtp:Port"] = relay.Port.ToString(), ["Smtp:MaxConnections"] = "2",
                ["Delivery:RetryDelay"] = "00:00:30",
            });
            var account = await app.CreateAccountAsync("Acme Corp.", "news@acme.test");
            for (var i = 0; i < 6; i++) await app.SubscriberAsync(account.Id, $"s{i}@example.com", $"S{i}");
            var id = await app.DueBroadcastAsync(account.Id, "S", "<p>x</p>");

            Assert.Equal(0, await app.Services.GetRequiredService<BroadcastSender>().RunOnceAsync(CancellationToken.None));

            Assert.Empty(relay.Messages);
            var rows = await RecipientsAsync(app, id);
            Assert.Equal(6, rows.Count);
            Assert.All(rows.Values, r =>
            {
                Assert.Equal((null, null, false, 1), (r.SentAt, r.FailedAt, r.Bounced, r.Attempts));
                Assert.NotNull(r.NextAttemptAt);
                Assert.StartsWith("550", r.LastError);
            });
            Assert.Equal(0, await app.DbAsync(db => db.Subscribers.CountAsync(s => s.State != SubscriberStates.Active)));
            var broadcast = await BroadcastAsync(app, id);
            Assert.Equal((BroadcastStatuses.Sending, 0), (broadcast.Status, broadcast.FailedCount));
        }
    }

    [Theory, Providers]
    public async Task SendBroadcast_RelayRefusesOneMessageAfterItsFinalDot_FailsThatRecipientOnly(string provider)
    {
        foreach (var pipelining in new[] { true, false })
        {
            await using var relay = new ScriptedSmtpServer { Pipelining = pipelining };
            relay.RejectAfterData["s2@example.com"] = true;
            await using var app = await MailroomApp.StartAsync(provider, new()
            {
                ["Smtp:Host"] = "127.0.0.1", ["Smtp:Port"] = relay.Port.ToString(), ["Smtp:MaxConnections"] = "2",
            });
            var account = await app.CreateAccountAsync("Acme Corp.", "news@acme.test");
            for (var i = 0; i < 6; i++) await app.SubscriberAsync(account.Id, $"s{i}@example.com", $"S{i}");
            var id = await app.DueBroadcastAsync(account.Id, "S", "<p>x</p>");

            Assert.Equal(5, await app.Services.GetRequiredService<BroadcastSender>().RunOnceAsync(CancellationToken.None));

            var rows = await RecipientsAsync(app, id);
            var refused = rows["s2@example.com"];
            Assert.NotNull(refused.FailedAt);
            Assert.StartsWith("554", refused.LastError);
            Assert.All(rows.Values.Where(r => r.Email != "s2@example.com"), r => Assert.NotNull(r.SentAt));
            var broadcast = await BroadcastAsync(app, id);
            Assert.Equal((BroadcastStatuses.Completed, 5, 1), (broadcast.Status, broadcast.SentCount, broadcast.FailedCount));
        }
    }
}
