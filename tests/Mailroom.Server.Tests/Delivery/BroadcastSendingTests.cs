using System.Net;
using Mailroom.Data;
using Mailroom.Server.Delivery;
using Mailroom.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;
using Mailroom.Server.Delivery.Broadcasts;
using Mailroom.Server.Delivery.Mail;

namespace Mailroom.Server.Tests.Delivery;

public sealed class BroadcastSendingTests
{
    [Theory, Providers]
    public async Task SendBroadcast_DueBroadcast_DeliversPersonalizedTrackedMailToActiveSubscribersOnly(string provider)
    {
        await using var sink = new SmtpSink();
        await using var app = await MailroomApp.StartAsync(provider, DeliveryArrange.SmtpSettings(sink));
        var account = await app.CreateAccountAsync("Acme Corp.", "news@acme.test");
        var other = await app.CreateAccountAsync("Other", "other@other.test");
        var lastName = await app.FieldAsync(account.Id, "Last Name", "last_name");
        await app.SubscriberAsync(account.Id, "jon@example.com", "Jon", fields: new() { [lastName] = "Snow" });
        await app.SubscriberAsync(account.Id, "arya@example.com", "<b>Arya</b>");
        await app.SubscriberAsync(account.Id, "gone@example.com", "Gone", SubscriberStates.Cancelled);
        await app.SubscriberAsync(account.Id, "pending@example.com", "Pending", SubscriberStates.Inactive);
        await app.SubscriberAsync(other.Id, "stranger@example.com", "Stranger");
        var id = await app.DueBroadcastAsync(account.Id, "Hi {{ subscriber.first_name }}",
            "<p>Hello {{ subscriber.first_name }} {{ subscriber.last_name | default: 'friend' }}</p><p><a href=\"https://example.com/read?x=1&amp;y=2\">Read</a></p>");

        var sent = await app.Services.GetRequiredService<BroadcastSender>().RunOnceAsync(CancellationToken.None);

        Assert.Equal(2, sent);
        Assert.Equal(2, sink.Messages.Count);
        var jon = Assert.Single(sink.To("jon@example.com"));
        Assert.Equal("Hi Jon", jon.Subject);
        Assert.Equal("news@acme.test", jon.From.Mailboxes.Single().Address);
        Assert.Equal("Acme Corp.", jon.From.Mailboxes.Single().Name);
        Assert.Contains("Hello Jon Snow", jon.HtmlBody);
        Assert.Contains("Hello Jon Snow", jon.TextBody);
        Assert.DoesNotContain("https://example.com/read", jon.HtmlBody);
        var token = await app.DbAsync(db => db.BroadcastRecipients.Where(r => r.BroadcastId == id)
            .Join(db.Subscribers, r => r.SubscriberId, s => s.Id, (r, s) => new { r.Token, s.EmailAddress })
            .Where(x => x.EmailAddress == "jon@example.com").Select(x => x.Token).SingleAsync());
        Assert.Contains($"http://mailroom.test/c/{token}-0", jon.HtmlBody);
        Assert.Contains($"<img src=\"http://mailroom.test/o/{token}\"", jon.HtmlBody);
        Assert.Contains($"http://mailroom.test/u/{token}", jon.HtmlBody);
        Assert.Equal($"<http://mailroom.test/u/{token}>", jon.Headers["List-Unsubscribe"]);
        Assert.Equal("List-Unsubscribe=One-Click", jon.Headers["List-Unsubscribe-Post"]);

        var arya = Assert.Single(sink.To("arya@example.com"));
        Assert.Contains("Hello &lt;b&gt;Arya&lt;/b&gt; friend", arya.HtmlBody);
        Assert.Equal("Hi <b>Arya</b>", arya.Subject);

        var broadcast = await app.DbAsync(db => db.Broadcasts.AsNoTracking().SingleAsync(b => b.Id == id));
        Assert.Equal(BroadcastStatuses.Completed, broadcast.Status);
        Assert.Equal(2, broadcast.RecipientCount);
        Assert.Equal(2, broadcast.SentCount);
        Assert.Null(broadcast.LockedBy);
    }

    [Theory, Providers]
    public async Task SendBroadcast_NotYetDue_SendsNothing(string provider)
    {
        await using var sink = new SmtpSink();
        await using var app = await MailroomApp.StartAsync(provider, DeliveryArrange.SmtpSettings(sink));
        var account = await app.CreateAccountAsync();
        await app.SubscriberAsync(account.Id, "jon@example.com", "Jon");
        var id = await app.DueBroadcastAsync(account.Id, "Later", "<p>x</p>", sendAt: app.Clock.GetUtcNow().UtcDateTime.AddMinutes(5));
        var sender = app.Services.GetRequiredService<BroadcastSender>();

        Assert.Equal(0, await sender.RunOnceAsync(CancellationToken.None));
        app.Clock.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(1, await sender.RunOnceAsync(CancellationToken.None));
        Assert.Single(sink.Messages);
    }

    [Theory, Providers]
    public async Task OpenAndClick_TrackedLinks_RecordAndRedirectOnlyToTheMessagesOwnLinks(string provider)
    {
        await using var sink = new SmtpSink();
        await using var app = await MailroomApp.StartAsync(provider, DeliveryArrange.SmtpSettings(sink));
        var account = await app.CreateAccountAsync();
        var subscriberId = await app.SubscriberAsync(account.Id, "jon@example.com", "Jon");
        var id = await app.DueBroadcastAsync(account.Id, "S", "<a href=\"https://example.com/a\">A</a> <a href='https://example.com/b?u={{ subscriber.id }}'>B</a>");
        await app.Services.GetRequiredService<BroadcastSender>().RunOnceAsync(CancellationToken.None);
        var token = await app.DbAsync(db => db.BroadcastRecipients.Where(r => r.BroadcastId == id).Select(r => r.Token).SingleAsync());

        var pixel = await app.Http.GetAsync($"/o/{token}");
        Assert.Equal(HttpStatusCode.OK, pixel.StatusCode);
        Assert.Equal("image/gif", pixel.Content.Headers.ContentType?.MediaType);

        var click = await app.Http.GetAsync($"/c/{token}-1");
        Assert.Equal(HttpStatusCode.Redirect, click.StatusCode);
        Assert.Equal($"https://example.com/b?u={subscriberId}", click.Headers.Location?.ToString());
        await app.Http.GetAsync($"/c/{token}-1");

        Assert.Equal(HttpStatusCode.NotFound, (await app.Http.GetAsync($"/c/{token}-9")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await app.Http.GetAsync($"/c/nosuchtoken-0")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await app.Http.GetAsync($"/c/{token}")).StatusCode);

        var recipient = await app.DbAsync(db => db.BroadcastRecipients.AsNoTracking().SingleAsync(r => r.BroadcastId == id));
        Assert.NotNull(recipient.OpenedAt);
        Assert.NotNull(recipient.ClickedAt);
        Assert.Equal(2, recipient.Clicks);
        var events = await app.DbAsync(db => db.OutboxEvents.AsNoTracking().Where(e => e.EventName == "link_click").ToListAsync());
        Assert.Equal(2, events.Count);
        Assert.All(events, e => Assert.Equal($"https://example.com/b?u={subscriberId}", e.MatchValue));
        Assert.All(events, e => Assert.Equal(subscriberId, e.SubscriberId));
    }

    [Theory, Providers]
    public async Task SendBroadcast_RecipientRefusedWith550_MarksSubscriberBouncedAndRaisesEvent(string provider)
    {
        await using var sink = new SmtpSink();
        sink.RejectedRecipients["dead@example.com"] = true;
        await using var app = await MailroomApp.StartAsync(provider, DeliveryArrange.SmtpSettings(sink));
        var account = await app.CreateAccountAsync();
        await app.SubscriberAsync(account.Id, "jon@example.com", "Jon");
        var dead = await app.SubscriberAsync(account.Id, "dead@example.com", "Dead");
        var id = await app.DueBroadcastAsync(account.Id, "S", "<p>x</p>");

        await app.Services.GetRequiredService<BroadcastSender>().RunOnceAsync(CancellationToken.None);

        Assert.Single(sink.Messages);
        var state = await app.DbAsync(db => db.Subscribers.Where(s => s.Id == dead).Select(s => s.State).SingleAsync());
        Assert.Equal(SubscriberStates.Bounced, state);
        var recipient = await app.DbAsync(db => db.BroadcastRecipients.AsNoTracking().SingleAsync(r => r.SubscriberId == dead));
        Assert.True(recipient.Bounced);
        Assert.NotNull(recipient.FailedAt);
        Assert.Equal(1, await app.DbAsync(db => db.OutboxEvents.CountAsync(e => e.EventName == "subscriber_bounce" && e.SubscriberId == dead)));
        Assert.Equal(BroadcastStatuses.Completed, await app.DbAsync(db => db.Broadcasts.Where(b => b.Id == id).Select(b => b.Status).SingleAsync()));
    }

    [Theory, Providers]
    public async Task SendBroadcast_TransientFailure_RetriesAfterBackoffThenCompletes(string provider)
    {
        await using var sink = new SmtpSink();
        sink.FailNext(1);
        await using var app = await MailroomApp.StartAsync(provider, DeliveryArrange.SmtpSettings(sink));
        var account = await app.CreateAccountAsync();
        await app.SubscriberAsync(account.Id, "jon@example.com", "Jon");
        var id = await app.DueBroadcastAsync(account.Id, "S", "<p>x</p>");
        var sender = app.Services.GetRequiredService<BroadcastSender>();

        Assert.Equal(0, await sender.RunOnceAsync(CancellationToken.None));
        Assert.Equal(BroadcastStatuses.Sending, await app.DbAsync(db => db.Broadcasts.Where(b => b.Id == id).Select(b => b.Status).SingleAsync()));
        Assert.Equal(0, await sender.RunOnceAsync(CancellationToken.None)); // not yet time to retry
        app.Clock.Advance(TimeSpan.FromSeconds(31));
        Assert.Equal(1, await sender.RunOnceAsync(CancellationToken.None));

        Assert.Single(sink.Messages);
        var recipient = await app.DbAsync(db => db.BroadcastRecipients.AsNoTracking().SingleAsync(r => r.BroadcastId == id));
        Assert.Equal(2, recipient.Attempts);
        Assert.NotNull(recipient.SentAt);
        await sender.RunOnceAsync(CancellationToken.None);
        Assert.Equal(BroadcastStatuses.Completed, await app.DbAsync(db => db.Broadcasts.Where(b => b.Id == id).Select(b => b.Status).SingleAsync()));
    }

    [Theory, Providers]
    public async Task SendBroadcast_TransientFailuresUpToTheLimit_MarksRecipientFailedAndCompletes(string provider)
    {
        await using var sink = new SmtpSink();
        sink.FailNext(100);
        var settings = DeliveryArrange.SmtpSettings(sink);
        settings["Delivery:MaxAttempts"] = "3";
        await using var app = await MailroomApp.StartAsync(provider, settings);
        var account = await app.CreateAccountAsync();
        await app.SubscriberAsync(account.Id, "jon@example.com", "Jon");
        var id = await app.DueBroadcastAsync(account.Id, "S", "<p>x</p>");
        var sender = app.Services.GetRequiredService<BroadcastSender>();

        for (var i = 0; i < 5; i++)
        {
            await sender.RunOnceAsync(CancellationToken.None);
            app.Clock.Advance(TimeSpan.FromMinutes(5));
        }

        var recipient = await app.DbAsync(db => db.BroadcastRecipients.AsNoTracking().SingleAsync(r => r.BroadcastId == id));
        Assert.Equal(3, recipient.Attempts);
        Assert.NotNull(recipient.FailedAt);
        Assert.Null(recipient.SentAt);
        Assert.Equal(BroadcastStatuses.Completed, await app.DbAsync(db => db.Broadcasts.Where(b => b.Id == id).Select(b => b.Status).SingleAsync()));
    }

    [Theory, Providers]
    public async Task SendBroadcast_TransportDiesMidway_RestartDeliversEveryRecipientExactlyOnce(string provider)
    {
        await using var sink = new SmtpSink();
        var settings = DeliveryArrange.SmtpSettings(sink);
        settings["Delivery:BatchSize"] = "7";
        await using var app = await MailroomApp.StartAsync(provider, settings);
        var account = await app.CreateAccountAsync();
        for (var i = 0; i < 40; i++) await app.SubscriberAsync(account.Id, $"s{i}@example.com", $"S{i}");
        var id = await app.DueBroadcastAsync(account.Id, "S", "<p>x</p>");

        var dying = new DyingTransport(app.Services.GetRequiredService<IMailTransport>(), survive: 17);
        var first = ActivatorUtilities.CreateInstance<BroadcastSender>(app.Services, (IMailTransport)dying);
        await Assert.ThrowsAsync<BroadcastInterruptedException>(() => first.RunOnceAsync(CancellationToken.None));
        Assert.Equal(17, sink.Messages.Count);

        // A new process: it must wait for the dead one's lease to expire, then carry on.
        var second = ActivatorUtilities.CreateInstance<BroadcastSender>(app.Services);
        Assert.Equal(0, await second.RunOnceAsync(CancellationToken.None));
        app.Clock.Advance(TimeSpan.FromMinutes(3));
        Assert.Equal(23, await second.RunOnceAsync(CancellationToken.None));

        Assert.Equal(40, sink.Messages.Count);
        var perAddress = sink.Messages.GroupBy(m => m.To.Mailboxes.Single().Address).ToList();
        Assert.Equal(40, perAddress.Count);
        Assert.All(perAddress, g => Assert.Single(g));
        Assert.Equal(BroadcastStatuses.Completed, await app.DbAsync(db => db.Broadcasts.Where(b => b.Id == id).Select(b => b.Status).SingleAsync()));
    }

    [Theory, Providers]
    public async Task SendBroadcast_FreezesEachActiveSubscriberOnce_AndMarksThemSentOnPostgresWithoutMovingRows(string provider)
    {
        await using var sink = new SmtpSink();
        await using var app = await MailroomApp.StartAsync(provider, DeliveryArrange.SmtpSettings(sink));
        var account = await app.CreateAccountAsync();
        for (var i = 0; i < 12; i++) await app.SubscriberAsync(account.Id, $"s{i}@example.com", $"S{i}");
        var id = await app.DueBroadcastAsync(account.Id, "S", "<p>x</p>");

        Assert.Equal(12, await ActivatorUtilities.CreateInstance<BroadcastSender>(app.Services).RunOnceAsync(CancellationToken.None));

        var recipients = await app.DbAsync(db => db.BroadcastRecipients.AsNoTracking().Where(r => r.BroadcastId == id)
            .Select(r => new { r.SubscriberId, r.Token, r.SentAt, r.Attempts }).ToListAsync());
        Assert.Equal(12, recipients.Select(r => r.SubscriberId).Distinct().Count());
        Assert.Equal(12, recipients.Select(r => r.Token).Distinct().Count());
        Assert.All(recipients, r => Assert.NotNull(r.SentAt));
        Assert.All(recipients, r => Assert.Equal(1, r.Attempts));
        if (provider == DatabaseOptions.Postgres)
        {
            // Marking a recipient sent must be a HOT update (bench/findings.md): the table keeps half of each page free.
            var options = await app.DbAsync(db => db.Database.SqlQueryRaw<string>(
                "SELECT array_to_string(reloptions, ',') AS \"Value\" FROM pg_class WHERE relname = 'broadcast_recipients'").SingleAsync());
            Assert.Equal("fillfactor=50", options);
        }
    }

    [Theory, Providers]
    public async Task SendBroadcast_TwoProcessesAtOnce_NeverSendTheSameRecipientTwice(string provider)
    {
        await using var sink = new SmtpSink();
        var settings = DeliveryArrange.SmtpSettings(sink);
        settings["Delivery:BatchSize"] = "5";
        await using var app = await MailroomApp.StartAsync(provider, settings);
        var account = await app.CreateAccountAsync();
        for (var i = 0; i < 30; i++) await app.SubscriberAsync(account.Id, $"s{i}@example.com", $"S{i}");
        var id = await app.DueBroadcastAsync(account.Id, "S", "<p>x</p>");
        var one = ActivatorUtilities.CreateInstance<BroadcastSender>(app.Services);
        var two = ActivatorUtilities.CreateInstance<BroadcastSender>(app.Services);

        var sent = await Task.WhenAll(Task.Run(() => one.RunOnceAsync(CancellationToken.None)), Task.Run(() => two.RunOnceAsync(CancellationToken.None)));

        Assert.Equal(30, sent.Sum());
        Assert.Equal(30, sink.Messages.Count);
        Assert.Equal(30, sink.Messages.Select(m => m.To.Mailboxes.Single().Address).Distinct().Count());
        Assert.Equal(BroadcastStatuses.Completed, await app.DbAsync(db => db.Broadcasts.Where(b => b.Id == id).Select(b => b.Status).SingleAsync()));
    }

    /// <summary>Passes messages to the real transport, then fails like a crashed process would.</summary>
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
