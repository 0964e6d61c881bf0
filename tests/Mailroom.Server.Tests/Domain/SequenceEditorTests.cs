using Mailroom.Data;
using Mailroom.Server.Domain.Sequences;
using Mailroom.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Mailroom.Server.Tests.Domain;

/// <summary>
/// SequenceEditor's effect on subscribers already in a sequence: which edits make the scheduler look at them again
/// (next_send_at = now), and what deleting leaves behind. The rule messages are covered through the CLI.
/// </summary>
public sealed class SequenceEditorTests
{
    static async Task<T> EditAsync<T>(MailroomApp app, Func<SequenceEditor, Task<T>> work)
    {
        await using var scope = app.Services.CreateAsyncScope();
        return await work(scope.ServiceProvider.GetRequiredService<SequenceEditor>());
    }

    /// <summary>A sequence with a published first email and one subscriber waiting for the second, due in a week.</summary>
    static async Task<(long Account, long Sequence, long Subscription, DateTime Due)> ArrangeAsync(MailroomApp app)
    {
        var account = await app.CreateAccountAsync();
        var sequence = await EditAsync(app, e => e.CreateAsync(account.Id, new SequenceSettings(Name: "Course"), CancellationToken.None));
        await EditAsync(app, e => e.AddEmailAsync(account.Id, sequence.Id,
            new EmailSettings(Subject: "One", DelayValue: 0, DelayUnit: DelayUnits.Days, Published: true), CancellationToken.None));
        var now = app.Clock.GetUtcNow().UtcDateTime;
        var due = now.AddDays(7);
        var subscription = await app.DbAsync(async db =>
        {
            var subscriber = new Subscriber { AccountId = account.Id, EmailAddress = "a@x.test", NormalizedEmail = "a@x.test", CreatedAt = now, UpdatedAt = now };
            db.Subscribers.Add(subscriber);
            await db.SaveChangesAsync();
            var row = new Subscription
            {
                AccountId = account.Id, SubscriberId = subscriber.Id, SubscribableType = SubscribableTypes.Course, SubscribableId = sequence.Id,
                SequencePosition = 0, SequenceAnchorAt = now, NextSendAt = due, CreatedAt = now, UpdatedAt = now,
            };
            db.Subscriptions.Add(row);
            await db.SaveChangesAsync();
            return row.Id;
        });
        return (account.Id, sequence.Id, subscription, due);
    }

    static Task<DateTime?> NextSendAtAsync(MailroomApp app, long subscription) =>
        app.DbAsync(db => db.Subscriptions.Where(s => s.Id == subscription).Select(s => s.NextSendAt).SingleAsync());

    [Theory, Providers]
    public async Task AddingADraft_LeavesWaitingSubscribersAlone_PublishingItRearmsThem(string provider)
    {
        await using var app = MailroomApp.StartOn(await TestDatabase.CreateAsync(provider));
        var (account, sequence, subscription, due) = await ArrangeAsync(app);
        app.Clock.Advance(TimeSpan.FromHours(1));
        var now = app.Clock.GetUtcNow().UtcDateTime;

        var draft = await EditAsync(app, e => e.AddEmailAsync(account, sequence,
            new EmailSettings(Subject: "Two", DelayValue: 1, DelayUnit: DelayUnits.Days), CancellationToken.None));
        var afterDraft = await NextSendAtAsync(app, subscription);
        await EditAsync(app, e => e.UpdateEmailAsync(account, sequence, draft.Id, new EmailSettings(Published: true), CancellationToken.None));
        var afterPublish = await NextSendAtAsync(app, subscription);

        Assert.Equal(due, afterDraft);
        Assert.Equal(now, afterPublish);
    }

    [Theory, Providers]
    public async Task ChangingTheSchedule_Rearms_RenamingDoesNot(string provider)
    {
        await using var app = MailroomApp.StartOn(await TestDatabase.CreateAsync(provider));
        var (account, sequence, subscription, due) = await ArrangeAsync(app);
        app.Clock.Advance(TimeSpan.FromMinutes(5));

        await EditAsync(app, e => e.UpdateAsync(account, sequence, new SequenceSettings(Name: "Renamed"), CancellationToken.None));
        var afterRename = await NextSendAtAsync(app, subscription);
        await EditAsync(app, e => e.UpdateAsync(account, sequence, new SequenceSettings(SendHour: 9), CancellationToken.None));
        var afterSameHour = await NextSendAtAsync(app, subscription);
        await EditAsync(app, e => e.UpdateAsync(account, sequence, new SequenceSettings(TimeZone: new("Asia/Tokyo")), CancellationToken.None));

        Assert.Equal(due, afterRename);
        Assert.Equal(due, afterSameHour);
        Assert.Equal(app.Clock.GetUtcNow().UtcDateTime, await NextSendAtAsync(app, subscription));
        Assert.Equal("Asia/Tokyo", await app.DbAsync(db => db.Sequences.Select(s => s.TimeZone).SingleAsync()));
    }

    [Theory, Providers]
    public async Task DeletingAnEmail_KeepsItsDeliveries_WithoutTheEmail(string provider)
    {
        await using var app = MailroomApp.StartOn(await TestDatabase.CreateAsync(provider));
        var (account, sequence, subscription, _) = await ArrangeAsync(app);
        var now = app.Clock.GetUtcNow().UtcDateTime;
        await app.DbAsync(async db =>
        {
            var subscriberId = await db.Subscriptions.Where(s => s.Id == subscription).Select(s => s.SubscriberId).SingleAsync();
            db.SequenceDeliveries.Add(new SequenceDelivery
            { AccountId = account, SequenceId = sequence, SequenceEmailId = 1, SubscriberId = subscriberId, Token = "t1", DueAt = now, SentAt = now, OpenedAt = now });
            await db.SaveChangesAsync();
        });

        await EditAsync(app, async e => { await e.DeleteEmailAsync(account, sequence, 1, CancellationToken.None); return 0; });

        var delivery = await app.DbAsync(db => db.SequenceDeliveries.AsNoTracking().SingleAsync());
        Assert.Equal(((long?)null, "t1"), (delivery.SequenceEmailId, delivery.Token));
        Assert.Empty(await app.DbAsync(db => SequenceEmailStats.ForSequenceAsync(db, sequence, CancellationToken.None)));
        Assert.Equal(0, await app.DbAsync(db => db.SequenceEmails.CountAsync()));
    }

    [Theory, Providers]
    public async Task AnotherAccountsSequence_DoesNotExistForEveryEdit(string provider)
    {
        await using var app = MailroomApp.StartOn(await TestDatabase.CreateAsync(provider));
        var (_, sequence, subscription, due) = await ArrangeAsync(app);
        var other = await app.CreateAccountAsync("Other", "o@other.test");
        var expected = SequenceRules.NotFound("sequence", sequence);
        Func<SequenceEditor, Task>[] edits =
        [
            e => e.UpdateAsync(other.Id, sequence, new SequenceSettings(Hold: true), CancellationToken.None),
            e => e.DeleteAsync(other.Id, sequence, CancellationToken.None),
            e => e.EmailsAsync(other.Id, sequence, CancellationToken.None),
            e => e.AddEmailAsync(other.Id, sequence, new EmailSettings(Subject: "X", DelayValue: 1, DelayUnit: DelayUnits.Days), CancellationToken.None),
            e => e.UpdateEmailAsync(other.Id, sequence, 1, new EmailSettings(Published: false), CancellationToken.None),
            e => e.DeleteEmailAsync(other.Id, sequence, 1, CancellationToken.None),
        ];

        foreach (var edit in edits)
        {
            var refused = await Assert.ThrowsAsync<SequenceRuleException>(() => EditAsync(app, async e => { await edit(e); return 0; }));
            Assert.Equal(expected, refused.Message);
        }

        Assert.Equal(due, await NextSendAtAsync(app, subscription));
        var s = await app.DbAsync(db => db.Sequences.AsNoTracking().SingleAsync());
        Assert.Equal((false, (DateTime?)null), (s.Hold, s.DeletedAt));
        Assert.Equal((1, true), await app.DbAsync(async db => (await db.SequenceEmails.CountAsync(), await db.SequenceEmails.Select(e => e.Published).SingleAsync())));
    }
}
