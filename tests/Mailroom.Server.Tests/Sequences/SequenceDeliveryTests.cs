using Mailroom.Data;
using Mailroom.Server.Delivery.Sequences;
using Mailroom.Server.Domain.Sequences;
using Mailroom.Server.Tests.Delivery;
using Mailroom.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static Mailroom.Server.Tests.Sequences.SequenceArrange;

namespace Mailroom.Server.Tests.Sequences;

/// <summary>What a sequence email carries and how its sending survives crashes and a second process.</summary>
public sealed class SequenceDeliveryTests
{
    [Theory, Providers]
    public async Task SequenceEmail_IsPersonalisedTrackedAndUnsubscribable_LikeABroadcast(string provider)
    {
        await using var sink = new SmtpSink();
        await using var app = await MailroomApp.StartAsync(provider, DeliveryArrange.SmtpSettings(sink));
        var account = await app.CreateAccountAsync("Acme Corp.", "owner@acme.test");
        var layout = await app.DbAsync(async db =>
        {
            var l = new EmailLayout { AccountId = account.Id, Name = "Branded", Html = "<html><body><div class=\"brand\">{{ content }}</div></body></html>", CreatedAt = DateTime.UtcNow };
            db.EmailLayouts.Add(l);
            await db.SaveChangesAsync();
            return l.Id;
        });
        var sequence = await app.SequenceAsync(account.Id,
            new SequenceSettings(EmailAddress: new Change<string?>("course@acme.test"), EmailTemplateId: new Change<long?>(layout)),
            Email("Welcome {{ subscriber.first_name }}", 0, content: "<p>Hi {{ subscriber.first_name }}</p><p><a href=\"https://example.com/lesson-1\">Lesson 1</a></p>")
                with { PreviewText = new Change<string?>("Your first lesson <inside>") });
        await app.SubscribeAsync(account, sequence, "ann@example.com", firstName: "Ann");
        await app.StepAsync();

        var message = Assert.Single(sink.To("ann@example.com"));
        Assert.Equal("Welcome Ann", message.Subject);
        Assert.Equal("course@acme.test", message.From.Mailboxes.Single().Address);
        Assert.Contains("<div class=\"brand\"><p>Hi Ann</p>", message.HtmlBody);
        Assert.Contains("Your first lesson &lt;inside&gt;</div>", message.HtmlBody);
        var step = await app.DbAsync(db => db.SequenceDeliveries.AsNoTracking().SingleAsync());
        Assert.StartsWith("s", step.Token);
        Assert.NotNull(step.SentAt);
        Assert.Equal(step.SequenceEmailId.ToString(), message.Headers["X-Mailroom-Sequence-Email"]);
        Assert.Equal($"<http://mailroom.test/u/{step.Token}>", message.Headers["List-Unsubscribe"]);
        Assert.Equal("List-Unsubscribe=One-Click", message.Headers["List-Unsubscribe-Post"]);
        Assert.Contains($"<img src=\"http://mailroom.test/o/{step.Token}\"", message.HtmlBody);
        Assert.DoesNotContain("https://example.com/lesson-1", message.HtmlBody);

        await app.Http.GetAsync($"/o/{step.Token}");
        var click = await app.Http.GetAsync($"/c/{step.Token}-0");
        Assert.Equal(System.Net.HttpStatusCode.Redirect, click.StatusCode);
        Assert.Equal("https://example.com/lesson-1", click.Headers.Location!.ToString());
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await app.Http.GetAsync($"/c/{step.Token}-7")).StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await app.Http.GetAsync($"/c/s{new string('0', 32)}-0")).StatusCode);
        var unsubscribe = await app.Http.PostAsync($"/u/{step.Token}", new FormUrlEncodedContent([new("List-Unsubscribe", "One-Click")]));
        Assert.Equal(System.Net.HttpStatusCode.OK, unsubscribe.StatusCode);

        step = await app.DbAsync(db => db.SequenceDeliveries.AsNoTracking().SingleAsync());
        Assert.NotNull(step.OpenedAt);
        Assert.NotNull(step.ClickedAt);
        Assert.Equal(1, step.Clicks);
        Assert.NotNull(step.UnsubscribedAt);
        Assert.Equal(SubscriberStates.Cancelled, await app.DbAsync(db => db.Subscribers.Select(s => s.State).SingleAsync()));
    }

    [Theory, Providers]
    public async Task StepLeasedByAProcessThatDied_IsSentOnceTheLeaseRunsOut_NeverTwice(string provider)
    {
        await using var sink = new SmtpSink();
        await using var app = await MailroomApp.StartAsync(provider, DeliveryArrange.SmtpSettings(sink));
        var account = await app.CreateAccountAsync();
        var sequence = await app.SequenceAsync(account.Id, new SequenceSettings(), Email("E0", 0));
        await app.SubscribeAsync(account, sequence, "ann@example.com");
        await app.SubscribeAsync(account, sequence, "bob@example.com");
        // The scheduler wrote both steps; then a sender claimed Ann's and was killed before sending it.
        await app.Services.GetRequiredService<SequenceScheduler>().RunOnceAsync(CancellationToken.None);
        var until = app.Clock.GetUtcNow().UtcDateTime.AddMinutes(2);
        await app.DbAsync(db => db.SequenceDeliveries.Where(d => d.SubscriberId == db.Subscribers.Single(s => s.EmailAddress == "ann@example.com").Id)
            .ExecuteUpdateAsync(s => s.SetProperty(d => d.LockedBy, "4242-dead").SetProperty(d => d.LockedUntil, until)));

        await app.StepAsync();
        Assert.Empty(sink.To("ann@example.com"));
        Assert.Single(sink.To("bob@example.com"));

        app.Clock.Advance(TimeSpan.FromMinutes(2) + TimeSpan.FromSeconds(1));
        await app.StepAsync();
        await app.StepAsync();
        Assert.Single(sink.To("ann@example.com"));
        Assert.Single(sink.To("bob@example.com"));
    }

    [Theory, Providers]
    public async Task Restart_AfterTheSchedulerWroteStepsAndBeforeTheyWereSent_SendsEachOnce(string provider)
    {
        await using var sink = new SmtpSink();
        var first = await MailroomApp.StartAsync(provider, DeliveryArrange.SmtpSettings(sink));
        var account = await first.CreateAccountAsync();
        var sequence = await first.SequenceAsync(account.Id, new SequenceSettings(), Email("E0", 0), Email("E1", 1, Mailroom.Data.DelayUnits.Hours));
        for (var i = 0; i < 20; i++) await first.SubscribeAsync(account, sequence, $"s{i}@example.com");
        await first.Services.GetRequiredService<SequenceScheduler>().RunOnceAsync(CancellationToken.None);
        var database = await first.StopKeepingDatabaseAsync();

        await using var second = MailroomApp.StartOn(database, DeliveryArrange.SmtpSettings(sink));
        second.Clock.SetUtcNow(first.Clock.GetUtcNow());
        await second.StepAsync();
        second.Clock.Advance(TimeSpan.FromHours(1));
        await second.StepAsync();
        for (var i = 0; i < 20; i++) Assert.Equal(["E0", "E1"], sink.Subjects($"s{i}@example.com"));
    }

    [Theory, Providers]
    public async Task TwoProcesses_OnOneDatabase_SendEveryStepExactlyOnce(string provider)
    {
        await using var sink = new SmtpSink();
        await using var app = await MailroomApp.StartAsync(provider, DeliveryArrange.SmtpSettings(sink));
        var account = await app.CreateAccountAsync();
        var sequence = await app.SequenceAsync(account.Id, new SequenceSettings(), Email("E0", 0), Email("E1", 1, Mailroom.Data.DelayUnits.Hours));
        const int count = 150;
        for (var i = 0; i < count; i++) await app.SubscribeAsync(account, sequence, $"s{i}@example.com");

        // Two schedulers and two senders with leases of their own, as two processes would have, all at once.
        var workers = Enumerable.Range(0, 2).Select(_ => (
            Scheduler: ActivatorUtilities.CreateInstance<SequenceScheduler>(app.Services),
            Sender: ActivatorUtilities.CreateInstance<SequenceSender>(app.Services))).ToList();
        async Task RaceAsync()
        {
            await Task.WhenAll(workers.SelectMany(w => new[]
            {
                Task.Run(() => w.Scheduler.RunOnceAsync(CancellationToken.None)),
                Task.Run(() => w.Sender.RunOnceAsync(CancellationToken.None)),
            }));
            // Whatever one pass left behind (a step written after a sender's last look) goes in the next.
            await Task.WhenAll(workers.Select(w => Task.Run(() => w.Sender.RunOnceAsync(CancellationToken.None))));
        }
        await RaceAsync();
        app.Clock.Advance(TimeSpan.FromHours(1));
        await RaceAsync();

        Assert.Equal(2 * count, sink.Messages.Count);
        for (var i = 0; i < count; i++) Assert.Equal(["E0", "E1"], sink.Subjects($"s{i}@example.com"));
        Assert.Equal(2 * count, await app.DbAsync(db => db.SequenceDeliveries.CountAsync(d => d.SentAt != null)));
    }
}
