using Mailroom.Data;
using Mailroom.Server.Delivery.Sequences;
using Mailroom.Server.Domain.Sequences;
using Mailroom.Server.Tests.Delivery;
using Mailroom.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static Mailroom.Server.Tests.Sequences.SequenceArrange;

namespace Mailroom.Server.Tests.Sequences;

/// <summary>
/// The scheduler and sender with more than a batch at a time: a send hour larger than one scheduler batch (taken
/// side by side on PostgreSQL), and the sender's membership check, which reads subscriptions by subscriber and looks
/// at their state itself.
/// </summary>
public sealed class SequenceBatchTests
{
    [Theory, Providers]
    public async Task MoreThanOneBatchDue_EverySubscriberGetsTheStepExactlyOnce(string provider)
    {
        await using var sink = new SmtpSink();
        await using var app = await MailroomApp.StartAsync(provider, DeliveryArrange.SmtpSettings(sink));
        var account = await app.CreateAccountAsync();
        var sequence = await app.SequenceAsync(account.Id, new SequenceSettings(), Email("Welcome", 0));
        var count = SequenceScheduler.BatchSize * 2 + 37;
        var now = app.Clock.GetUtcNow().UtcDateTime;
        now = new DateTime(now.Ticks - now.Ticks % TimeSpan.TicksPerSecond, DateTimeKind.Utc);
        // Loaded directly, as an import would: a send hour's worth of subscribers, all due now.
        await app.DbAsync(async db =>
        {
            var subscribers = Enumerable.Range(0, count).Select(i => new Subscriber
            {
                AccountId = account.Id, EmailAddress = $"reader{i}@example.com", NormalizedEmail = $"reader{i}@example.com",
                FirstName = $"Reader {i}", CreatedAt = now, UpdatedAt = now,
            }).ToList();
            db.Subscribers.AddRange(subscribers);
            await db.SaveChangesAsync();
            db.Subscriptions.AddRange(subscribers.Select(s => new Subscription
            {
                AccountId = account.Id, SubscriberId = s.Id, SubscribableType = SubscribableTypes.Course, SubscribableId = sequence,
                SequenceAnchorAt = now, NextSendAt = now, CreatedAt = now, UpdatedAt = now,
            }));
            await db.SaveChangesAsync();
        });

        var examined = await app.Services.GetRequiredService<SequenceScheduler>().RunOnceAsync(CancellationToken.None);
        await app.Services.GetRequiredService<SequenceSender>().RunOnceAsync(CancellationToken.None);

        Assert.Equal(count, examined);
        var steps = await app.DbAsync(db => db.SequenceDeliveries.Where(d => d.SequenceId == sequence)
            .Select(d => new { d.SubscriberId, d.SentAt }).ToListAsync());
        Assert.Equal(count, steps.Count);
        Assert.Equal(count, steps.Select(s => s.SubscriberId).Distinct().Count());
        Assert.All(steps, s => Assert.NotNull(s.SentAt));
        Assert.Equal(count, sink.Messages.Count);
        Assert.Equal(count, sink.Messages.SelectMany(m => m.To.Mailboxes).Select(m => m.Address).Distinct().Count());
        Assert.Equal(0, await app.DbAsync(db => db.Subscriptions.CountAsync(s => s.NextSendAt != null && s.NextSendAt <= now)));
    }

    [Theory, Providers]
    public async Task StepWritten_ThenTheSubscriptionCancelled_IsNotSent_WhileAnotherSequenceOfTheSubscriberStaysActive(string provider)
    {
        await using var sink = new SmtpSink();
        await using var app = await MailroomApp.StartAsync(provider, DeliveryArrange.SmtpSettings(sink));
        var account = await app.CreateAccountAsync();
        var first = await app.SequenceAsync(account.Id, new SequenceSettings(Name: "First"), Email("First welcome", 0));
        var second = await app.SequenceAsync(account.Id, new SequenceSettings(Name: "Second"), Email("Second welcome", 0));
        await app.SubscribeAsync(account, first, "leaver@example.com");
        await app.SubscribeAsync(account, second, "leaver@example.com");
        await app.SubscribeAsync(account, first, "stayer@example.com");
        await app.Services.GetRequiredService<SequenceScheduler>().RunOnceAsync(CancellationToken.None);

        // Between the step being written and sent, the leaver's subscription to the first sequence is cancelled; their
        // subscription to the second stays active and must not count as membership of the first.
        await app.DbAsync(async db =>
        {
            var leaver = await db.Subscribers.SingleAsync(s => s.EmailAddress == "leaver@example.com");
            var subscription = await db.Subscriptions.SingleAsync(s => s.SubscriberId == leaver.Id
                && s.SubscribableType == SubscribableTypes.Course && s.SubscribableId == first);
            subscription.State = SubscriptionStates.Cancelled;
            await db.SaveChangesAsync();
        });
        await app.Services.GetRequiredService<SequenceSender>().RunOnceAsync(CancellationToken.None);

        Assert.Equal(["Second welcome"], sink.Subjects("leaver@example.com"));
        Assert.Equal(["First welcome"], sink.Subjects("stayer@example.com"));
    }
}
