using Mailroom.Data;
using Mailroom.Server.Delivery;
using Mailroom.Server.Domain.Outbox;
using Mailroom.Server.Domain.Sequences;
using Mailroom.Server.Tests.Delivery;
using Mailroom.Server.Tests.Infrastructure;
using Mailroom.Server.Tests.Webhooks;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static Mailroom.Server.Tests.Sequences.SequenceArrange;

namespace Mailroom.Server.Tests.Sequences;

/// <summary>When sequence emails go out, end to end: real HTTP to subscribe, the scheduler and sender, a real SMTP sink, a fake clock.</summary>
public sealed class SequenceScheduleTests
{
    [Theory, Providers]
    public async Task FiveEmails_MonWedFriNineNewYork_EachGoesOutAtItsExactInstantAcrossTheMarchDstChange(string provider)
    {
        await using var sink = new SmtpSink();
        await using var hooks = await WebhookReceiver.StartAsync();
        await using var app = await MailroomApp.StartAsync(provider, DeliveryArrange.SmtpSettings(sink));
        var account = await app.CreateAccountAsync("Acme Corp.", "news@acme.test");
        var sequence = await app.SequenceAsync(account.Id,
            new SequenceSettings(Name: "Course", SendDays: ["monday", "wednesday", "friday"], SendHour: 9, TimeZone: new Change<string?>("America/New_York")),
            Email("E0", 0), Email("E1", 1), Email("E2", 3), Email("E3", 2, DelayUnits.Hours), Email("E4", 7));
        await app.RuleAsync(account, hooks.Url, new { name = "subscriber.course_complete", sequence_id = sequence });

        // Wednesday 2027-03-03, 10:00 EST. New York moves to EDT on Sunday 2027-03-14.
        app.At(Utc(2027, 3, 3, 15));
        await app.SubscribeAsync(account, sequence, "ann@example.com");
        await app.StepAsync();
        Assert.Equal(["E0"], sink.Subjects("ann@example.com")); // immediate: as soon as the subscriber joins

        (string Subject, DateTime At)[] expected =
        [
            ("E1", Utc(2027, 3, 5, 14)),  // 1 day → Thu, not a send day → Fri 09:00 EST
            ("E2", Utc(2027, 3, 8, 14)),  // 3 days → Mon 09:00 EST
            ("E3", Utc(2027, 3, 8, 16)),  // 2 hours after E2, whatever the day
            ("E4", Utc(2027, 3, 15, 13)), // 7 days → Mon 15 March 09:00 EDT: the send hour doesn't move with the clock change
        ];
        var received = 1;
        foreach (var (subject, at) in expected)
        {
            var next = await app.DbAsync(db => db.Subscriptions.Where(s => s.SubscribableType == SubscribableTypes.Course).Select(s => s.NextSendAt).SingleAsync());
            Assert.Equal(at, next);
            app.At(at.AddSeconds(-1));
            await app.StepAsync();
            Assert.Equal(received, sink.To("ann@example.com").Count);
            app.At(at);
            await app.StepAsync();
            Assert.Equal(++received, sink.To("ann@example.com").Count);
            Assert.Equal(subject, sink.To("ann@example.com").Last().Subject);
        }

        // Completed once, and nothing more however long the workers go on.
        for (var day = 16; day < 31; day++)
        {
            app.At(Utc(2027, 3, day, 13));
            await app.StepAsync();
        }
        Assert.Equal(5, sink.To("ann@example.com").Count);
        var subscription = await app.DbAsync(db => db.Subscriptions.AsNoTracking().SingleAsync(s => s.SubscribableType == SubscribableTypes.Course));
        Assert.Equal(Utc(2027, 3, 15, 13), subscription.CompletedAt);
        Assert.Null(subscription.NextSendAt);
        Assert.Equal(1, await app.DbAsync(db => db.OutboxEvents.CountAsync(e => e.EventName == OutboxEvents.CourseComplete)));
        await app.DispatchUntilSettledAsync();
        var hook = Assert.Single(hooks.Requests);
        Assert.Contains("ann@example.com", hook.Text);
        Assert.Equal(["E0", "E1", "E2", "E3", "E4"], sink.Subjects("ann@example.com"));
    }

    [Theory, Providers]
    public async Task Drafts_AreSkippedWithoutBlocking_AndPublishingOneBehindTheSubscriberNeverSendsIt(string provider)
    {
        await using var sink = new SmtpSink();
        await using var app = await MailroomApp.StartAsync(provider, DeliveryArrange.SmtpSettings(sink));
        var account = await app.CreateAccountAsync();
        var sequence = await app.SequenceAsync(account.Id, new SequenceSettings(TimeZone: new Change<string?>("UTC")),
            Email("First", 0), Email("Draft", 1, published: false), Email("Third", 2));
        app.At(Utc(2027, 1, 4, 12));
        await app.SubscribeAsync(account, sequence, "ann@example.com");
        await app.StepAsync();

        // The draft's own delay doesn't count: the third email is due 2 days after the first, at 09:00.
        app.At(Utc(2027, 1, 6, 9));
        await app.StepAsync();
        Assert.Equal(["First", "Third"], sink.Subjects("ann@example.com"));

        // Published now, but the subscriber is past it: subscribers only move forward (Kit).
        var draft = await app.EmailIdAsync(sequence, "Draft");
        await app.EditAsync(e => e.UpdateEmailAsync(account.Id, sequence, draft, new EmailSettings(Published: true), CancellationToken.None));
        app.At(Utc(2027, 2, 1, 9));
        await app.StepAsync();
        Assert.Equal(["First", "Third"], sink.Subjects("ann@example.com"));
        Assert.Equal(1, await app.DbAsync(db => db.OutboxEvents.CountAsync(e => e.EventName == OutboxEvents.CourseComplete)));
    }

    [Theory, Providers]
    public async Task Hold_KeepsTheSubscriberActive_AndAnEmailPublishedLaterReachesThem(string provider)
    {
        await using var sink = new SmtpSink();
        await using var app = await MailroomApp.StartAsync(provider, DeliveryArrange.SmtpSettings(sink));
        var account = await app.CreateAccountAsync();
        var sequence = await app.SequenceAsync(account.Id, new SequenceSettings(Hold: true), Email("Welcome", 0));
        app.At(Utc(2027, 1, 4, 12));
        await app.SubscribeAsync(account, sequence, "ann@example.com");
        await app.StepAsync();
        app.At(Utc(2027, 1, 20, 12));
        await app.StepAsync();
        var held = await app.DbAsync(db => db.Subscriptions.AsNoTracking().SingleAsync(s => s.SubscribableType == SubscribableTypes.Course));
        Assert.Null(held.CompletedAt);
        Assert.Null(held.NextSendAt);

        await app.EditAsync(e => e.AddEmailAsync(account.Id, sequence, Email("Later", 1, DelayUnits.Hours), CancellationToken.None));
        await app.StepAsync();
        // Its hour has long passed (counted from the last email): it goes out at once.
        Assert.Equal(["Welcome", "Later"], sink.Subjects("ann@example.com"));
        Assert.Equal(0, await app.DbAsync(db => db.OutboxEvents.CountAsync(e => e.EventName == OutboxEvents.CourseComplete)));
    }

    [Theory, Providers]
    public async Task Repeat_RestartsACompletedSubscriber_WithoutRepeatAddingAgainChangesNothing(string provider)
    {
        await using var sink = new SmtpSink();
        await using var app = await MailroomApp.StartAsync(provider, DeliveryArrange.SmtpSettings(sink));
        var account = await app.CreateAccountAsync();
        var repeating = await app.SequenceAsync(account.Id, new SequenceSettings(Name: "Repeating", Repeat: true), Email("R0", 0), Email("R1", 1, DelayUnits.Hours));
        var once = await app.SequenceAsync(account.Id, new SequenceSettings(Name: "Once"), Email("O0", 0));
        app.At(Utc(2027, 1, 4, 12));
        await app.SubscribeAsync(account, repeating, "ann@example.com");
        await app.SubscribeAsync(account, once, "ann@example.com");
        await app.StepAsync();
        app.At(Utc(2027, 1, 4, 13));
        await app.StepAsync();
        Assert.Equal(["O0", "R0", "R1"], sink.Subjects("ann@example.com").Order().ToList());

        app.At(Utc(2027, 1, 10, 12));
        await app.SubscribeAsync(account, repeating, "ann@example.com");
        await app.SubscribeAsync(account, once, "ann@example.com");
        await app.StepAsync();
        app.At(Utc(2027, 1, 10, 13));
        await app.StepAsync();
        Assert.Equal(2, sink.Subjects("ann@example.com").Count(x => x == "R0"));
        Assert.Equal(2, sink.Subjects("ann@example.com").Count(x => x == "R1"));
        Assert.Equal(1, sink.Subjects("ann@example.com").Count(x => x == "O0"));
        // course_complete once per run through: twice for the repeating sequence, once for the other.
        var completes = await app.DbAsync(db => db.OutboxEvents.Where(e => e.EventName == OutboxEvents.CourseComplete).Select(e => e.MatchValue).ToListAsync());
        Assert.Equal(2, completes.Count(m => m == repeating.ToString()));
        Assert.Equal(1, completes.Count(m => m == once.ToString()));
    }

    [Theory, Providers]
    public async Task ExcludedTag_SkipsItsHolders_OthersReceive(string provider)
    {
        await using var sink = new SmtpSink();
        await using var app = await MailroomApp.StartAsync(provider, DeliveryArrange.SmtpSettings(sink));
        var account = await app.CreateAccountAsync();
        var tag = await app.DbAsync(async db =>
        {
            var t = new Tag { AccountId = account.Id, Name = "Customer", NormalizedName = "customer", CreatedAt = DateTime.UtcNow, UpdatedAt = DateTime.UtcNow };
            db.Tags.Add(t);
            await db.SaveChangesAsync();
            return t.Id;
        });
        var sequence = await app.SequenceAsync(account.Id,
            new SequenceSettings(ExcludeSubscriberSources: [new ExcludedSource("tag", [tag])]), Email("Pitch", 0));
        await app.SubscribeAsync(account, sequence, "customer@example.com", tags: [tag]);
        await app.SubscribeAsync(account, sequence, "prospect@example.com");
        await app.StepAsync();
        Assert.Empty(sink.To("customer@example.com"));
        Assert.Equal(["Pitch"], sink.Subjects("prospect@example.com"));
    }

    [Theory, Providers]
    public async Task UnsubscribeOrBounceMidSequence_StopsTheRemainingEmails(string provider)
    {
        await using var sink = new SmtpSink();
        await using var app = await MailroomApp.StartAsync(provider, DeliveryArrange.SmtpSettings(sink));
        var account = await app.CreateAccountAsync();
        var sequence = await app.SequenceAsync(account.Id, new SequenceSettings(), Email("E0", 0), Email("E1", 1, DelayUnits.Hours), Email("E2", 2, DelayUnits.Hours));
        app.At(Utc(2027, 1, 4, 12));
        await app.SubscribeAsync(account, sequence, "leaver@example.com");
        await app.SubscribeAsync(account, sequence, "bouncer@example.com");
        await app.SubscribeAsync(account, sequence, "stayer@example.com");
        await app.StepAsync();

        var response = await app.Http.PutAsync("/v3/unsubscribe", HttpAssert.Json(new { api_secret = account.ApiSecret, email = "leaver@example.com" }));
        await response.AssertStatusAsync(200);
        sink.RejectedRecipients["bouncer@example.com"] = true;
        app.At(Utc(2027, 1, 4, 13));
        await app.StepAsync();
        sink.RejectedRecipients.Clear();
        app.At(Utc(2027, 1, 4, 15));
        await app.StepAsync();

        Assert.Equal(["E0"], sink.Subjects("leaver@example.com"));
        Assert.Equal(["E0"], sink.Subjects("bouncer@example.com"));
        Assert.Equal(["E0", "E1", "E2"], sink.Subjects("stayer@example.com"));
        var bouncer = await app.DbAsync(db => db.Subscribers.SingleAsync(s => s.EmailAddress == "bouncer@example.com"));
        Assert.Equal(SubscriberStates.Bounced, bouncer.State);
        // Nothing is left waiting for either of them.
        var gone = await app.DbAsync(db => db.Subscribers.Where(s => s.EmailAddress != "stayer@example.com").Select(s => s.Id).ToListAsync());
        Assert.Equal(0, await app.DbAsync(db => db.Subscriptions.CountAsync(s => s.NextSendAt != null && gone.Contains(s.SubscriberId))));
    }

    [Theory, Providers]
    public async Task PausedSequence_HoldsItsSubscribersInPlace_AndReactivatingResumes(string provider)
    {
        await using var sink = new SmtpSink();
        await using var app = await MailroomApp.StartAsync(provider, DeliveryArrange.SmtpSettings(sink));
        var account = await app.CreateAccountAsync();
        var sequence = await app.SequenceAsync(account.Id, new SequenceSettings(), Email("E0", 0), Email("E1", 1, DelayUnits.Hours));
        app.At(Utc(2027, 1, 4, 12));
        await app.SubscribeAsync(account, sequence, "ann@example.com");
        await app.StepAsync();
        await app.EditAsync(e => e.UpdateAsync(account.Id, sequence, new SequenceSettings(Active: false), CancellationToken.None));
        app.At(Utc(2027, 1, 4, 14));
        await app.StepAsync();
        Assert.Equal(["E0"], sink.Subjects("ann@example.com"));

        await app.EditAsync(e => e.UpdateAsync(account.Id, sequence, new SequenceSettings(Active: true), CancellationToken.None));
        await app.StepAsync();
        Assert.Equal(["E0", "E1"], sink.Subjects("ann@example.com"));
    }

    [Theory, Providers]
    public async Task DeletingTheSequence_StopsEveryone_DeletingAnEmail_MovesWaitingSubscribersToTheNext(string provider)
    {
        await using var sink = new SmtpSink();
        await using var app = await MailroomApp.StartAsync(provider, DeliveryArrange.SmtpSettings(sink));
        var account = await app.CreateAccountAsync();
        var doomed = await app.SequenceAsync(account.Id, new SequenceSettings(Name: "Doomed"), Email("D0", 0), Email("D1", 1, DelayUnits.Hours));
        var edited = await app.SequenceAsync(account.Id, new SequenceSettings(Name: "Edited"), Email("A0", 0), Email("A1", 1, DelayUnits.Hours), Email("A2", 3, DelayUnits.Hours));
        app.At(Utc(2027, 1, 4, 12));
        await app.SubscribeAsync(account, doomed, "ann@example.com");
        await app.SubscribeAsync(account, edited, "ann@example.com");
        await app.StepAsync();

        await app.EditAsync(async e => { await e.DeleteAsync(account.Id, doomed, CancellationToken.None); return 0; });
        var a1 = await app.EmailIdAsync(edited, "A1");
        await app.EditAsync(async e => { await e.DeleteEmailAsync(account.Id, edited, a1, CancellationToken.None); return 0; });
        app.At(Utc(2027, 1, 4, 13));
        await app.StepAsync();
        Assert.Equal(["A0", "D0"], sink.Subjects("ann@example.com").Order().ToList());
        // A2's 3 hours count from A0, the last email sent.
        app.At(Utc(2027, 1, 4, 15));
        await app.StepAsync();
        Assert.Equal(["A0", "A2", "D0"], sink.Subjects("ann@example.com").Order().ToList());
        Assert.Empty(await app.DbAsync(db => db.Sequences.Where(s => s.Id == doomed).ToListAsync()));
        // Gone from the API as well: not listed, and nobody can be added to it.
        var list = await (await app.Http.GetAsync($"/v3/sequences?api_key={account.ApiKey}")).AssertStatusAsync(200);
        Assert.DoesNotContain(list["courses"]!.AsArray(), c => (long)c!["id"]! == doomed);
        var late = await app.Http.PostAsync($"/v3/sequences/{doomed}/subscribe", HttpAssert.Json(new { api_key = account.ApiKey, email = "late@example.com" }));
        await late.AssertStatusAsync(404);
    }

    [Theory, Providers]
    public async Task InactiveSubscriber_StartsTheSequenceWhenTheyConfirm_CountedFromConfirmation(string provider)
    {
        await using var sink = new SmtpSink();
        await using var app = await MailroomApp.StartAsync(provider, DeliveryArrange.SmtpSettings(sink));
        var account = await app.CreateAccountAsync();
        var sequence = await app.SequenceAsync(account.Id, new SequenceSettings(), Email("E0", 0), Email("E1", 2, DelayUnits.Hours));
        var form = await app.DbAsync(async db =>
        {
            var f = new Form { AccountId = account.Id, Name = "Signup", DoubleOptIn = true, Uid = "abc123", CreatedAt = DateTime.UtcNow };
            db.Forms.Add(f);
            await db.SaveChangesAsync();
            return f.Id;
        });
        app.At(Utc(2027, 1, 4, 12));
        var response = await app.Http.PostAsync($"/v3/forms/{form}/subscribe",
            HttpAssert.Json(new { api_key = account.ApiKey, email = "ann@example.com", courses = new[] { sequence } }));
        await response.AssertStatusAsync(200);
        await app.StepAsync();
        Assert.DoesNotContain("E0", sink.Subjects("ann@example.com"));

        // The confirmation email's link, followed a day later.
        await app.Services.GetRequiredService<Mailroom.Server.Delivery.Mail.ConfirmationMailer>().RunOnceAsync(CancellationToken.None);
        var confirmation = Assert.Single(sink.To("ann@example.com"));
        var link = System.Text.RegularExpressions.Regex.Match(confirmation.HtmlBody ?? "", "http://mailroom.test(/confirm/[^\"]+)").Groups[1].Value;
        app.At(Utc(2027, 1, 5, 12));
        var confirmed = await app.Http.PostAsync(link, new FormUrlEncodedContent([]));
        Assert.True((int)confirmed.StatusCode < 400, $"confirming answered {(int)confirmed.StatusCode}");
        await app.StepAsync();
        Assert.Equal(["E0"], sink.Subjects("ann@example.com").Where(x => x.StartsWith('E')).ToList());
        app.At(Utc(2027, 1, 5, 14));
        await app.StepAsync();
        Assert.Equal(["E0", "E1"], sink.Subjects("ann@example.com").Where(x => x.StartsWith('E')).ToList());
    }

    [Theory, Providers]
    public async Task MovingEmails_MidSequence_FollowsTheNewOrder_NeverResendsAndSkipsWhatMovedBehind(string provider)
    {
        await using var sink = new SmtpSink();
        await using var app = await MailroomApp.StartAsync(provider, DeliveryArrange.SmtpSettings(sink));
        var account = await app.CreateAccountAsync();
        // Positions 0, 10, 20, 30: room to move emails between them, as Kit's unique positions allow.
        var sequence = await app.SequenceAsync(account.Id, new SequenceSettings(),
            Email("A", 0) with { Position = 0 }, Email("B", 1, DelayUnits.Hours) with { Position = 10 },
            Email("C", 1, DelayUnits.Hours) with { Position = 20 }, Email("D", 1, DelayUnits.Hours) with { Position = 30 });
        app.At(Utc(2027, 1, 4, 12));
        await app.SubscribeAsync(account, sequence, "ann@example.com");
        await app.StepAsync();
        app.At(Utc(2027, 1, 4, 13));
        await app.StepAsync();
        Assert.Equal(["A", "B"], sink.Subjects("ann@example.com"));

        // B (received) moves ahead of her place, C moves behind it, and a new email lands behind it too.
        var b = await app.EmailIdAsync(sequence, "B");
        var c = await app.EmailIdAsync(sequence, "C");
        await app.EditAsync(e => e.UpdateEmailAsync(account.Id, sequence, b, new EmailSettings(Position: 40), CancellationToken.None));
        await app.EditAsync(e => e.UpdateEmailAsync(account.Id, sequence, c, new EmailSettings(Position: 5), CancellationToken.None));
        await app.EditAsync(e => e.AddEmailAsync(account.Id, sequence, Email("Behind", 1, DelayUnits.Hours) with { Position = 7 }, CancellationToken.None));
        for (var hour = 14; hour < 20; hour++)
        {
            app.At(Utc(2027, 1, 4, hour));
            await app.StepAsync();
        }
        Assert.Equal(["A", "B", "D"], sink.Subjects("ann@example.com"));
        // A newcomer gets the new order whole.
        await app.SubscribeAsync(account, sequence, "bob@example.com");
        for (var hour = 20; hour < 30; hour++)
        {
            app.At(Utc(2027, 1, 4, 0).AddHours(hour));
            await app.StepAsync();
        }
        Assert.Equal(["A", "C", "Behind", "D", "B"], sink.Subjects("bob@example.com"));
    }

    [Theory, Providers]
    public async Task StepsWithinTheLookahead_AreWrittenAhead_SentAtTheirTime_AndCompleteOnlyOnceSent(string provider)
    {
        await using var sink = new SmtpSink();
        await using var app = await MailroomApp.StartAsync(provider, DeliveryArrange.SmtpSettings(sink));
        var account = await app.CreateAccountAsync();
        var sequence = await app.SequenceAsync(account.Id, new SequenceSettings(), Email("E0", 0), Email("E1", 1, DelayUnits.Hours));
        app.At(Utc(2027, 1, 4, 12));
        await app.SubscribeAsync(account, sequence, "ann@example.com");
        await app.SubscribeAsync(account, sequence, "bob@example.com");
        await app.StepAsync();

        // Four minutes before E1 (Delivery:SequenceLookahead is five): written, not sent, nobody completed.
        app.At(Utc(2027, 1, 4, 12, 56));
        await app.StepAsync();
        var ahead = await app.DbAsync(db => db.SequenceDeliveries.AsNoTracking().Where(d => d.SentAt == null).ToListAsync());
        Assert.Equal(2, ahead.Count);
        Assert.All(ahead, d => Assert.Equal(Utc(2027, 1, 4, 13), d.DueAt));
        Assert.All(ahead, d => Assert.True(d.Completes));
        Assert.Equal(0, await app.DbAsync(db => db.OutboxEvents.CountAsync(e => e.EventName == OutboxEvents.CourseComplete)));

        var response = await app.Http.PutAsync("/v3/unsubscribe", HttpAssert.Json(new { api_secret = account.ApiSecret, email = "bob@example.com" }));
        await response.AssertStatusAsync(200);
        app.At(Utc(2027, 1, 4, 13).AddSeconds(-1));
        await app.StepAsync();
        Assert.Equal(2, sink.Messages.Count);

        app.At(Utc(2027, 1, 4, 13));
        await app.StepAsync();
        Assert.Equal(["E0", "E1"], sink.Subjects("ann@example.com"));
        Assert.Equal(["E0"], sink.Subjects("bob@example.com"));
        // Completed when the last email went out; Bob, whose last step was withdrawn, never completed.
        var completed = await app.DbAsync(db => db.Subscriptions.Where(s => s.CompletedAt != null).Select(s => new { s.SubscriberId, s.CompletedAt }).ToListAsync());
        Assert.Equal(Utc(2027, 1, 4, 13), Assert.Single(completed).CompletedAt);
        Assert.Equal(1, await app.DbAsync(db => db.OutboxEvents.CountAsync(e => e.EventName == OutboxEvents.CourseComplete)));
    }
}
