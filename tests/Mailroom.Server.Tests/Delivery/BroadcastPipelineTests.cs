using Mailroom.Data;
using Mailroom.Server.Delivery;
using Mailroom.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;
using Mailroom.Server.Delivery.Broadcasts;
using Mailroom.Server.Delivery.Mail;

namespace Mailroom.Server.Tests.Delivery;

/// <summary>
/// The sender reads ahead, sends over several connections at once and commits outcomes in groups later:
/// these pin down that every accepted recipient is committed exactly once and the checkpoint never passes
/// a recipient whose message wasn't accepted.
/// </summary>
public sealed class BroadcastPipelineTests
{
    [Theory, Providers]
    public async Task SendBroadcast_SomeRecipientsRefusedTransiently_CommitsEveryAcceptedOnceAndRetriesTheRest(string provider)
    {
        await using var sink = new SmtpSink();
        var settings = DeliveryArrange.SmtpSettings(sink);
        settings["Delivery:BatchSize"] = "3";
        await using var app = await MailroomApp.StartAsync(provider, settings);
        var account = await app.CreateAccountAsync();
        for (var i = 0; i < 50; i++) await app.SubscriberAsync(account.Id, $"s{i}@example.com", $"S{i}");
        var id = await app.DueBroadcastAsync(account.Id, "S", "<p>x</p>");
        var flaky = new RefusingOnceTransport(app.Services.GetRequiredService<IMailTransport>(), a => a.EndsWith("7@example.com", StringComparison.Ordinal));
        var sender = ActivatorUtilities.CreateInstance<BroadcastSender>(app.Services, (IMailTransport)flaky);

        Assert.Equal(45, await sender.RunOnceAsync(CancellationToken.None));
        var broadcast = await app.DbAsync(db => db.Broadcasts.AsNoTracking().SingleAsync(b => b.Id == id));
        Assert.Equal(BroadcastStatuses.Sending, broadcast.Status);
        Assert.Equal(45, broadcast.SentCount);
        var waiting = await app.DbAsync(db => db.BroadcastRecipients.AsNoTracking()
            .Where(r => r.BroadcastId == id && r.SentAt == null).Select(r => new { r.Attempts, r.NextAttemptAt }).ToListAsync());
        Assert.Equal(5, waiting.Count);
        Assert.All(waiting, w => Assert.Equal(1, w.Attempts));
        Assert.All(waiting, w => Assert.NotNull(w.NextAttemptAt));

        app.Clock.Advance(TimeSpan.FromSeconds(31));
        Assert.Equal(5, await sender.RunOnceAsync(CancellationToken.None));

        Assert.Equal(50, sink.Messages.Count);
        Assert.All(sink.Messages.GroupBy(m => m.To.Mailboxes.Single().Address), g => Assert.Single(g));
        broadcast = await app.DbAsync(db => db.Broadcasts.AsNoTracking().SingleAsync(b => b.Id == id));
        Assert.Equal(BroadcastStatuses.Completed, broadcast.Status);
        Assert.Equal(50, broadcast.SentCount);
        Assert.Equal(0, broadcast.FailedCount);
        var attempts = await app.DbAsync(db => db.BroadcastRecipients.AsNoTracking().Where(r => r.BroadcastId == id)
            .Select(r => r.Attempts).ToListAsync());
        Assert.Equal(45, attempts.Count(a => a == 1));
        Assert.Equal(5, attempts.Count(a => a == 2));
    }

    [Theory, Providers]
    public async Task SendBroadcast_TransportDiesMidStream_CheckpointNeverPassesAnUnsentRecipient(string provider)
    {
        await using var sink = new SmtpSink();
        var settings = DeliveryArrange.SmtpSettings(sink);
        settings["Delivery:BatchSize"] = "4";
        await using var app = await MailroomApp.StartAsync(provider, settings);
        var account = await app.CreateAccountAsync();
        for (var i = 0; i < 60; i++) await app.SubscriberAsync(account.Id, $"s{i}@example.com", $"S{i}");
        var id = await app.DueBroadcastAsync(account.Id, "S", "<p>x</p>");
        var dying = new DyingTransport(app.Services.GetRequiredService<IMailTransport>(), survive: 29);
        var first = ActivatorUtilities.CreateInstance<BroadcastSender>(app.Services, (IMailTransport)dying);

        await Assert.ThrowsAsync<BroadcastInterruptedException>(() => first.RunOnceAsync(CancellationToken.None));

        Assert.Equal(29, sink.Messages.Count);
        var broadcast = await app.DbAsync(db => db.Broadcasts.AsNoTracking().SingleAsync(b => b.Id == id));
        Assert.Equal(29, broadcast.SentCount);
        var rows = await app.DbAsync(db => db.BroadcastRecipients.AsNoTracking().Where(r => r.BroadcastId == id)
            .Select(r => new { r.Id, r.SentAt }).ToListAsync());
        Assert.Equal(29, rows.Count(r => r.SentAt != null));
        Assert.All(rows.Where(r => r.SentAt == null), r => Assert.True(r.Id > broadcast.LastRecipientId));

        app.Clock.Advance(TimeSpan.FromMinutes(3));
        Assert.Equal(31, await ActivatorUtilities.CreateInstance<BroadcastSender>(app.Services).RunOnceAsync(CancellationToken.None));
        Assert.Equal(60, sink.Messages.Select(m => m.To.Mailboxes.Single().Address).Distinct().Count());
        Assert.Equal(60, sink.Messages.Count);
    }

    [Theory, Providers]
    public async Task SendBroadcast_ComposedMessage_IsMultipartAlternativeWithOwnMessageIdAndDate(string provider)
    {
        await using var sink = new SmtpSink();
        await using var app = await MailroomApp.StartAsync(provider, DeliveryArrange.SmtpSettings(sink));
        var account = await app.CreateAccountAsync("Acme, \"Quoted\" Inc.", "news@acme.test");
        await app.SubscriberAsync(account.Id, "jon@example.com", "Jon, Jr.");
        await app.DueBroadcastAsync(account.Id, "Hi", "<p>Hello&nbsp;there</p>\n\n\n\n<p>  Second\t line  </p>");

        await app.Services.GetRequiredService<BroadcastSender>().RunOnceAsync(CancellationToken.None);

        var message = Assert.Single(sink.Messages);
        Assert.EndsWith("@mailroom.test", message.MessageId);
        Assert.Equal(app.Clock.GetUtcNow(), message.Date.ToUniversalTime());
        Assert.Equal("Acme, \"Quoted\" Inc.", message.From.Mailboxes.Single().Name);
        Assert.Equal("Jon, Jr.", message.To.Mailboxes.Single().Name);
        var body = Assert.IsType<MultipartAlternative>(message.Body);
        Assert.Equal(["text/plain", "text/html"], body.Select(p => p.ContentType.MimeType));
        Assert.StartsWith("Hello\u00A0there\n\nSecond line\nUnsubscribe (http://mailroom.test/u/", message.TextBody?.ReplaceLineEndings("\n"));
    }

    /// <summary>Refuses chosen recipients with a 4xx the first time, then lets them through.</summary>
    sealed class RefusingOnceTransport(IMailTransport inner, Func<string, bool> refuse) : IMailTransport
    {
        readonly HashSet<string> _refused = [];
        public async Task SendAsync(MimeMessage message, CancellationToken ct)
        {
            RefuseFirstTime(message);
            await inner.SendAsync(message, ct);
        }

        public void Send(MimeMessage message)
        {
            RefuseFirstTime(message);
            inner.Send(message);
        }

        void RefuseFirstTime(MimeMessage message)
        {
            var address = message.To.Mailboxes.Single().Address;
            lock (_refused)
                if (refuse(address) && _refused.Add(address))
                    throw new MailDeliveryException("451 try again later", permanent: false, bounce: false);
        }
    }

    sealed class DyingTransport(IMailTransport inner, int survive) : IMailTransport
    {
        int _sent;
        public async Task SendAsync(MimeMessage message, CancellationToken ct)
        {
            if (Interlocked.Increment(ref _sent) > survive) throw new InvalidOperationException("transport died");
            await inner.SendAsync(message, ct);
        }

        public void Send(MimeMessage message)
        {
            if (Interlocked.Increment(ref _sent) > survive) throw new InvalidOperationException("transport died");
            inner.Send(message);
        }
    }
}
