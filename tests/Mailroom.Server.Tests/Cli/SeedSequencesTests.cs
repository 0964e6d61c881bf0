using System.Text.Json.Nodes;
using Mailroom.Data;
using Mailroom.Server.Domain.Sequences;
using Mailroom.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Mailroom.Server.Tests.Cli;

/// <summary>Seed files with account settings, layouts, sequence settings and emails, and subscribers placed in sequences.</summary>
public sealed class SeedSequencesTests
{
    static DateTime Utc(string iso) => DateTime.Parse(iso, null, System.Globalization.DateTimeStyles.AdjustToUniversal | System.Globalization.DateTimeStyles.AssumeUniversal);

    static DateTime Seconds(DateTime t) => new(t.Ticks - t.Ticks % TimeSpan.TicksPerSecond, DateTimeKind.Utc);

    [Theory, Providers]
    public async Task Seed_SequenceSettingsEmailsAndPlacements_AreStored(string provider)
    {
        await using var app = MailroomApp.StartOn(await TestDatabase.CreateAsync(provider));
        var before = Seconds(DateTime.UtcNow);

        var run = await CliRunner.SeedAsync(app.Database, """
            {"accounts":[{"name":"Course Co","primary_email_address":"o@course.test","time_zone":"Europe/Paris","sending_email_address":"hello@course.test",
              "email_layouts":[{"name":"Plain","html":"<div>{{ content }}</div>"},{"name":"Fancy","html":"<main>{{content}}</main>"}],
              "tags":["Customer"],"forms":[{"name":"Signup"}],
              "sequences":[
                {"name":"Welcome","hold":true,"repeat":true,"active":false,"send_days":["monday","wed","Friday"],"send_hour":14,
                 "time_zone":"America/New_York","email_address":"w@course.test","email_template":"Fancy",
                 "exclude_subscriber_sources":[{"type":"tag","names":["Customer"]},{"type":"sequence","names":["Later"]},{"type":"segment","ids":[42,7]}],
                 "emails":[
                   {"subject":"Hi {{ subscriber.first_name }}","content":"<p>0</p>","published":true},
                   {"subject":"Day 1","preview_text":"p","delay_value":1,"delay_unit":"days","send_days":["saturday"],"published":true,"email_template":"Plain"},
                   {"subject":"Soon","delay_value":2,"delay_unit":"hours","position":10},
                   {"subject":"Between","delay_value":3,"position":5,"published":true}]},
                {"name":"Later"}],
              "subscribers":[
                {"email_address":"start@x.test","sequences":["Welcome"]},
                {"email_address":"mid@x.test","sequences":[{"name":"Welcome","position":5,"next_send_at":"2027-03-08T14:00:00Z"},{"name":"Later"}]},
                {"email_address":"now@x.test","sequences":[{"name":"Welcome","position":1}]},
                {"email_address":"pending@x.test","state":"inactive","sequences":["Welcome"]},
                {"email_address":"gone@x.test","state":"cancelled","sequences":["Welcome"]},
                {"email_address":"left@x.test","cancelled":{"sequences":["Welcome"]}}]}]}
            """);
        var after = Seconds(DateTime.UtcNow).AddSeconds(1);

        run.AssertSuccess();
        Assert.Equal("""{"Welcome":1,"Later":2}""", JsonNode.Parse(run.Output)!["accounts"]![0]!["sequences"]!.ToJsonString());
        await app.DbAsync(async db =>
        {
            var account = await db.Accounts.SingleAsync();
            Assert.Equal(("Europe/Paris", "hello@course.test"), (account.TimeZone, account.SendingEmailAddress));
            var layouts = await db.EmailLayouts.OrderBy(l => l.Id).Select(l => new { l.Id, l.Name, l.AccountId }).ToListAsync();
            Assert.Equal(["Plain", "Fancy"], layouts.Select(l => l.Name));
            var fancy = layouts[1].Id;
            var plain = layouts[0].Id;

            var welcome = await db.Sequences.SingleAsync(s => s.Name == "Welcome");
            var later = await db.Sequences.SingleAsync(s => s.Name == "Later");
            Assert.Equal((true, true, false, 0b10101, 14, "America/New_York", "w@course.test", (long?)fancy),
                (welcome.Hold, welcome.Repeat, welcome.Active, welcome.SendDays, welcome.SendHour, welcome.TimeZone, welcome.EmailAddress, welcome.EmailTemplateId));
            var tag = await db.Tags.Select(t => t.Id).SingleAsync();
            Assert.True(JsonNode.DeepEquals(JsonNode.Parse($$"""
                [{"type":"tag","ids":[{{tag}}]},{"type":"sequence","ids":[{{later.Id}}]},{"type":"segment","ids":[7,42]}]
                """), JsonNode.Parse(welcome.ExcludeSubscriberSources)), welcome.ExcludeSubscriberSources);
            // Kit's defaults for a sequence with no settings.
            Assert.Equal((false, false, true, SendDays.All, 9, (string?)null, (string?)null, (long?)null, "[]"),
                (later.Hold, later.Repeat, later.Active, later.SendDays, later.SendHour, later.TimeZone, later.EmailAddress, later.EmailTemplateId, later.ExcludeSubscriberSources));

            var emails = await db.SequenceEmails.Where(e => e.SequenceId == welcome.Id).OrderBy(e => e.Position).ToListAsync();
            Assert.Equal([
                (0, "Hi {{ subscriber.first_name }}", (string?)"<p>0</p>", (string?)null, 0, "days", (int?)null, true, (long?)null),
                (1, "Day 1", null, "p", 1, "days", 0b0100000, true, plain),
                (5, "Between", null, null, 3, "days", null, true, null),
                (10, "Soon", null, null, 2, "hours", null, false, null),
            ], emails.Select(e => (e.Position, e.Subject, e.Content, e.PreviewText, e.DelayValue, e.DelayUnit, e.SendDays, e.Published, e.EmailTemplateId)));
            Assert.All(emails, e => Assert.Equal(account.Id, e.AccountId));

            var rows = await db.Subscriptions.Where(s => s.SubscribableType == SubscribableTypes.Course)
                .Join(db.Subscribers, s => s.SubscriberId, x => x.Id, (s, x) => new { x.EmailAddress, s.SubscribableId, s.State, s.SequencePosition, s.SequenceAnchorAt, s.NextSendAt })
                .ToListAsync();
            var byEmail = rows.Where(r => r.SubscribableId == welcome.Id).ToDictionary(r => r.EmailAddress);
            // A plain name starts at the beginning, now: the scheduler works out the first email.
            var start = byEmail["start@x.test"];
            Assert.Null(start.SequencePosition);
            Assert.InRange(start.SequenceAnchorAt!.Value, before, after);
            Assert.Equal(start.SequenceAnchorAt, start.NextSendAt);
            // A placement: after the email at that position, looked at again at next_send_at (or now).
            var mid = byEmail["mid@x.test"];
            Assert.Equal((5, Utc("2027-03-08T14:00:00Z")), (mid.SequencePosition, mid.NextSendAt));
            Assert.Equal(start.SequenceAnchorAt, mid.SequenceAnchorAt);
            var now = byEmail["now@x.test"];
            Assert.Equal((1, start.SequenceAnchorAt), (now.SequencePosition, now.NextSendAt));
            var midLater = rows.Single(r => r.EmailAddress == "mid@x.test" && r.SubscribableId == later.Id);
            Assert.Equal(((int?)null, start.SequenceAnchorAt), (midLater.SequencePosition, midLater.NextSendAt));
            // Nobody else is moving through it: not confirmed yet, unsubscribed, or the subscription is cancelled.
            foreach (var email in new[] { "pending@x.test", "gone@x.test", "left@x.test" })
                Assert.Equal(((int?)null, (DateTime?)null, (DateTime?)null), (byEmail[email].SequencePosition, byEmail[email].SequenceAnchorAt, byEmail[email].NextSendAt));
            Assert.Equal(SubscriptionStates.Cancelled, byEmail["left@x.test"].State);
        });
    }

    [Theory, Providers]
    public async Task Seed_ExampleFile_HasAWelcomeSequenceThatSends(string provider)
    {
        await using var app = MailroomApp.StartOn(await TestDatabase.CreateAsync(provider));

        (await CliRunner.RunAsync(app.Database, "seed", CliRunner.ExampleSeedFile)).AssertSuccess();

        var show = await CliRunner.RunAsync(app.Database, "sequences", "emails", "list", "1", "--account", "1", "--json");
        show.AssertSuccess();
        Assert.Equal([true, true, false], JsonNode.Parse(show.Output)!.AsArray().Select(e => (bool)e!["published"]!));
        Assert.Equal(("America/New_York", "Branded"), await app.DbAsync(async db =>
            (await db.Accounts.Select(a => a.TimeZone).SingleAsync(), await db.EmailLayouts.Select(l => l.Name).SingleAsync())));
    }

    static string A(string sequence = """{"name":"S"}""", string extra = "") =>
        $$$"""{"accounts":[{"name":"Acme","primary_email_address":"o@acme.test","tags":["T"],"email_layouts":[{"name":"L","html":"{{ content }}"}],"sequences":[{{{sequence}}}]{{{extra}}}}]}""";

    static string Emails(params string[] emails) => A($$"""{"name":"S","emails":[{{string.Join(",", emails)}}]}""");

    static string Sub(string sequences, string state = "active") =>
        A("""{"name":"S","emails":[{"subject":"a","published":true},{"subject":"b","delay_value":1,"position":3}]}""",
            $$""","subscribers":[{"email_address":"jon@example.com","state":"{{state}}","sequences":{{sequences}}}]""");

    static readonly (string File, string Error)[] Cases =
    [
        (A(extra: ""","time_zone":"Mars/Base" """), $"accounts[0].time_zone: {SequenceRules.TimeZoneInvalid}"),
        (A(extra: ""","sending_email_address":"nope" """), "accounts[0].sending_email_address: \"nope\" is not a valid email address"),
        (A().Replace("""{"name":"L","html":"{{ content }}"}""", """{"name":"L","html":"<p>no placeholder</p>"}"""),
            "accounts[0].email_layouts[0].html: the layout must contain a {{ content }} placeholder"),
        (A().Replace("""{"name":"L","html":"{{ content }}"}""", """{"name":"L","html":"{{ content }}"},{"name":"l","html":"{{ content }}"}"""),
            "accounts[0].email_layouts[1].name: layout \"l\" is listed twice"),
        (A().Replace("""{"name":"L","html":"{{ content }}"}""", """{"name":"Text Only","html":"{{ content }}"}"""),
            "accounts[0].email_layouts[0].name: \"Text Only\" is the built-in layout; choose another name"),
        (A().Replace("""{"name":"L","html":"{{ content }}"}""", """{"name":"L"}"""), "accounts[0].email_layouts[0].html: is required"),
        (A("""{"name":"S","send_hour":24}"""), $"accounts[0].sequences[0].send_hour: {SequenceRules.SendHourRange}"),
        (A("""{"name":"S","send_days":["monday","someday"]}"""), $"accounts[0].sequences[0].send_days: {SequenceRules.SendDaysInvalid}"),
        (A("""{"name":"S","send_days":[]}"""), $"accounts[0].sequences[0].send_days: {SequenceRules.SendDaysInvalid}"),
        (A("""{"name":"S","time_zone":"Europe/Atlantis"}"""), $"accounts[0].sequences[0].time_zone: {SequenceRules.TimeZoneInvalid}"),
        (A("""{"name":"S","email_address":"x"}"""), "accounts[0].sequences[0].email_address: \"x\" is not a valid email address"),
        (A("""{"name":"S","email_template":"Missing"}"""), "accounts[0].sequences[0].email_template: unknown layout \"Missing\""),
        (A("""{"name":"S","exclude_subscriber_sources":[{"type":"list","ids":[1]}]}"""),
            $"accounts[0].sequences[0].exclude_subscriber_sources[0].type: {SequenceRules.ExcludeTypeInvalid}"),
        (A("""{"name":"S","exclude_subscriber_sources":[{"type":"tag","names":["Nope"]}]}"""),
            "accounts[0].sequences[0].exclude_subscriber_sources[0].names[0]: unknown tag \"Nope\""),
        (A("""{"name":"S","exclude_subscriber_sources":[{"type":"tag"}]}"""), "accounts[0].sequences[0].exclude_subscriber_sources[0]: needs names or ids"),
        (A("""{"name":"S","exclude_subscriber_sources":[{"type":"segment","names":["X"]}]}"""),
            "accounts[0].sequences[0].exclude_subscriber_sources[0].names: segments are given by ids"),
        (A("""{"name":"S","exclude_subscriber_sources":[{"type":"tag","ids":[0]}]}"""),
            "accounts[0].sequences[0].exclude_subscriber_sources[0].ids: must hold ids of 1 or more"),
        (Emails("""{"subject":" "}"""), $"accounts[0].sequences[0].emails[0].subject: {SequenceRules.SubjectBlank}"),
        (Emails("""{"content":"x"}"""), $"accounts[0].sequences[0].emails[0].subject: {SequenceRules.SubjectBlank}"),
        (Emails($$"""{"subject":"{{new string('s', 256)}}"}"""), $"accounts[0].sequences[0].emails[0].subject: {SequenceRules.SubjectTooLong}"),
        (Emails($$"""{"subject":"a","preview_text":"{{new string('p', 256)}}"}"""), $"accounts[0].sequences[0].emails[0].preview_text: {SequenceRules.PreviewTextTooLong}"),
        (Emails("""{"subject":"a","delay_value":1,"delay_unit":"weeks"}"""), $"accounts[0].sequences[0].emails[0].delay_unit: {SequenceRules.DelayUnitInvalid}"),
        (Emails("""{"subject":"a","delay_value":-1}"""), $"accounts[0].sequences[0].emails[0].delay_value: {SequenceRules.DelayValueRange}"),
        (Emails("""{"subject":"a"}""", """{"subject":"b"}"""), $"accounts[0].sequences[0].emails[1].delay_value: {SequenceRules.OnlyFirstImmediate}"),
        (Emails("""{"subject":"a","delay_value":1,"position":2}""", """{"subject":"b","delay_value":0,"position":4}"""),
            $"accounts[0].sequences[0].emails[1].delay_value: {SequenceRules.OnlyFirstImmediate}"),
        (Emails("""{"subject":"a","delay_value":2,"delay_unit":"hours","send_days":["monday"]}"""),
            $"accounts[0].sequences[0].emails[0].send_days: {SequenceRules.SendDaysOnHours}"),
        (Emails("""{"subject":"a","delay_value":2,"send_days":["nope"]}"""), $"accounts[0].sequences[0].emails[0].send_days: {SequenceRules.SendDaysInvalid}"),
        (Emails("""{"subject":"a"}""", """{"subject":"b","delay_value":1,"position":0}"""), $"accounts[0].sequences[0].emails[1].position: {SequenceRules.PositionTaken}"),
        (Emails("""{"subject":"a","position":-1}"""), $"accounts[0].sequences[0].emails[0].position: {SequenceRules.PositionNegative}"),
        (Emails("""{"subject":"a","email_template":"Nope"}"""), "accounts[0].sequences[0].emails[0].email_template: unknown layout \"Nope\""),
        (Emails("""{"subject":"a","content":"{% if %}"}"""), "accounts[0].sequences[0].emails[0].content: content is not a valid Liquid template: "),
        (Emails("""{"subject":"a","delay":1}"""), "accounts[0].sequences[0].emails[0].delay: unknown property (line 1, column 193)"),
        (Sub("""[{"name":"S","position":2}]"""), "accounts[0].subscribers[0].sequences[0].position: sequence \"S\" has no email at position 2"),
        (Sub("""[{"name":"S","position":3,"next_send_at":"soon"}]"""),
            "accounts[0].subscribers[0].sequences[0].next_send_at: \"soon\" is not a date (write it like 2016-02-28T08:07:00Z)"),
        (Sub("""[{"name":"S","position":3}]""", "inactive"), "accounts[0].subscribers[0].sequences[0]: a place in a sequence applies to active subscribers only"),
        (Sub("""[{"name":"Nope"}]"""), "accounts[0].subscribers[0].sequences[0]: unknown sequence \"Nope\""),
        (Sub("""[{"position":3}]"""), "accounts[0].subscribers[0].sequences[0].name: is required"),
        (Sub("""["S",{"name":"S"}]"""), "accounts[0].subscribers[0].sequences[1]: sequence \"S\" is listed twice"),
        (Sub("""[{"name":"S","step":3}]"""), "accounts[0].subscribers[0].sequences[0]: unknown property \"step\" (line 1, column 352)"),
        (Sub("""[{"name":"S","position":"2"}]"""), "accounts[0].subscribers[0].sequences[0]: position must be a whole number (line 1, column 358)"),
        (Sub("""[{"name":"S","name":"S"}]"""), "accounts[0].subscribers[0].sequences[0]: \"name\" appears twice (line 1, column 354)"),
        (Sub("""[5]"""), "accounts[0].subscribers[0].sequences[0]: must be a sequence name or an object with a name (line 1, column 332)"),
        (Sub("""[null]"""), "accounts[0].subscribers[0].sequences[0]: must be a sequence name or an object with a name"),
    ];

    [Theory, Providers]
    public async Task Seed_BadSequenceSettings_PrintWhereAndChangeNothing(string provider)
    {
        await using var app = MailroomApp.StartOn(await TestDatabase.CreateAsync(provider));
        await app.CreateAccountAsync();
        var before = await CliRunner.CountRowsAsync(app);
        var good = await CliRunner.SeedAsync(app.Database, Sub("""["S"]"""));
        good.AssertSuccess();
        var afterGood = await CliRunner.CountRowsAsync(app);

        var failures = new List<string>();
        foreach (var (file, error) in Cases)
        {
            var run = await CliRunner.SeedAsync(app.Database, file.Replace("Acme", "Acme2"));
            // A Liquid parser's own wording follows the prefix; the rest must match exactly.
            var matches = error.EndsWith(": ", StringComparison.Ordinal) ? run.Error.StartsWith($"error: {error}", StringComparison.Ordinal) && run.Error.Count(c => c == '\n') == 1
                : run.Error == $"error: {error}{Environment.NewLine}";
            if (run.ExitCode != 1 || !matches || run.Output != "")
                failures.Add($"{file}\n  expected: {error}\n  got {run.ExitCode}: {run.Error}  stdout: {run.Output}");
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.NotEqual(before, afterGood);
        Assert.Equal(afterGood, await CliRunner.CountRowsAsync(app));
        Assert.Equal((2, 1), await app.DbAsync(async db => (await db.SequenceEmails.CountAsync(), await db.EmailLayouts.CountAsync())));
    }
}
