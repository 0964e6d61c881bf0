using System.Text;
using System.Text.Json.Nodes;
using Mailroom.Data;
using Mailroom.Server.Domain.Sequences;
using Mailroom.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Mailroom.Server.Tests.Cli;

public sealed class SequencesCommandsTests
{
    static Task<CliResult> Run(MailroomApp app, params string[] args) => CliRunner.RunAsync(app.Database, args);

    static async Task<string> TempFileAsync(byte[] bytes)
    {
        var path = Path.Combine(Path.GetTempPath(), $"mailroom-email-{Guid.NewGuid():N}.html");
        await File.WriteAllBytesAsync(path, bytes);
        return path;
    }

    [Theory, Providers]
    public async Task Create_WithSettings_StoresEveryOne(string provider)
    {
        await using var app = MailroomApp.StartOn(await TestDatabase.CreateAsync(provider));
        var account = await app.CreateAccountAsync();
        var layout = await TempFileAsync(Encoding.UTF8.GetBytes("<html>{{ content }}</html>"));
        (await Run(app, "layouts", "add", "--account", "1", "--name", "Fancy", "--file", layout)).AssertSuccess();

        var run = await Run(app, "sequences", "create", "--account", account.Id.ToString(), "--name", "Course", "--send-days", "mon,Wednesday,fri",
            "--send-hour", "7", "--time-zone", "America/New_York", "--hold", "--repeat", "--inactive", "--email-address", "course@acme.test",
            "--email-template", "fancy", "--exclude", "tag:2,1", "--exclude", "form:3", "--json");

        run.AssertSuccess();
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"id":1,"name":"Course"}"""), JsonNode.Parse(run.Output)), run.Output);
        var s = await app.DbAsync(db => db.Sequences.SingleAsync());
        Assert.Equal((0b10101, 7, "America/New_York", true, true, false, "course@acme.test", (long?)1),
            (s.SendDays, s.SendHour, s.TimeZone, s.Hold, s.Repeat, s.Active, s.EmailAddress, s.EmailTemplateId));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""[{"type":"tag","ids":[1,2]},{"type":"form","ids":[3]}]"""), JsonNode.Parse(s.ExcludeSubscriberSources)),
            s.ExcludeSubscriberSources);
    }

    [Theory, Providers]
    public async Task Create_WithoutSettings_TakesKitsDefaultsAndTheAccountsZone(string provider)
    {
        await using var app = MailroomApp.StartOn(await TestDatabase.CreateAsync(provider));
        await app.CreateAccountAsync();
        (await Run(app, "accounts", "update", "1", "--time-zone", "Europe/Paris")).AssertSuccess();

        (await Run(app, "sequences", "create", "--account", "1", "--name", "Plain")).AssertSuccess();
        var show = await Run(app, "sequences", "show", "1", "--account", "1", "--json");

        show.AssertSuccess();
        var printed = JsonNode.Parse(show.Output)!.AsObject();
        printed.Remove("created_at");
        printed.Remove("updated_at");
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""
            {"id":1,"name":"Plain","active":true,"hold":false,"repeat":false,"email_address":"owner@acme.test","email_template_id":null,
             "send_days":["monday","tuesday","wednesday","thursday","friday","saturday","sunday"],"send_hour":9,"time_zone":"Europe/Paris",
             "exclude_subscriber_sources":[],"emails":[]}
            """), printed), show.Output);
        Assert.Null(await app.DbAsync(db => db.Sequences.Select(s => s.TimeZone).SingleAsync()));
    }

    [Theory, Providers]
    public async Task List_ShowsOnlyTheAccountsSequencesWithScheduleAndEmailCounts(string provider)
    {
        await using var app = MailroomApp.StartOn(await TestDatabase.CreateAsync(provider));
        await app.CreateAccountAsync();
        await app.CreateAccountAsync("Other", "o@other.test");
        (await Run(app, "sequences", "create", "--account", "1", "--name", "Welcome", "--send-days", "mon,wed,fri", "--time-zone", "Asia/Tokyo")).AssertSuccess();
        (await Run(app, "sequences", "create", "--account", "2", "--name", "Theirs")).AssertSuccess();
        (await Run(app, "sequences", "create", "--account", "1", "--name", "Paused", "--inactive", "--send-hour", "17")).AssertSuccess();
        (await Run(app, "sequences", "emails", "add", "1", "--account", "1", "--subject", "Hi", "--publish")).AssertSuccess();
        (await Run(app, "sequences", "emails", "add", "1", "--account", "1", "--subject", "Later", "--delay", "2")).AssertSuccess();

        var text = await Run(app, "sequences", "list", "--account", "1");
        var json = await Run(app, "sequences", "list", "--account", "1", "--json");
        var empty = await Run(app, "accounts", "create", "--name", "New", "--email", "n@new.test");
        var none = await Run(app, "sequences", "list", "--account", "3");

        text.AssertSuccess();
        var lines = text.Output.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.Matches(@"^1\s+yes\s+1/2\s+mon,wed,fri at 09:00 Asia/Tokyo\s+Welcome$", lines[1]);
        Assert.Matches(@"^3\s+no\s+0/0\s+every day at 17:00 UTC\s+Paused$", lines[2]);
        json.AssertSuccess();
        var rows = JsonNode.Parse(json.Output)!.AsArray();
        Assert.Equal([1L, 3L], rows.Select(r => (long)r!["id"]!));
        Assert.Equal([2, 0], rows.Select(r => (int)r!["emails"]!));
        Assert.Equal([1, 0], rows.Select(r => (int)r!["published_emails"]!));
        empty.AssertSuccess();
        none.AssertSuccess();
        Assert.Equal("Account 3 has no sequences." + Environment.NewLine, none.Output);
    }

    [Theory, Providers]
    public async Task Update_ChangesOnlyTheOptionsGiven(string provider)
    {
        await using var app = MailroomApp.StartOn(await TestDatabase.CreateAsync(provider));
        await app.CreateAccountAsync();
        (await Run(app, "sequences", "create", "--account", "1", "--name", "Welcome", "--hold", "--repeat", "--send-days", "tue",
            "--time-zone", "Europe/Paris", "--email-address", "w@acme.test", "--exclude", "tag:1")).AssertSuccess();

        var first = await Run(app, "sequences", "update", "1", "--account", "1", "--send-days", "mon,wed,fri", "--send-hour", "0", "--no-hold");
        var afterFirst = await app.DbAsync(db => db.Sequences.AsNoTracking().SingleAsync());
        var second = await Run(app, "sequences", "update", "1", "--account", "1", "--name", " Renamed ", "--time-zone", "account",
            "--email-address", "account", "--exclude", "none", "--no-repeat", "--inactive", "--json");
        var afterSecond = await app.DbAsync(db => db.Sequences.AsNoTracking().SingleAsync());

        first.AssertSuccess();
        Assert.Equal("Updated sequence 1 (Welcome): mon,wed,fri at 00:00 Europe/Paris." + Environment.NewLine, first.Output);
        Assert.Equal(("Welcome", 0b10101, 0, "Europe/Paris", false, true, true, "w@acme.test", """[{"type":"tag","ids":[1]}]"""),
            (afterFirst.Name, afterFirst.SendDays, afterFirst.SendHour, afterFirst.TimeZone, afterFirst.Hold, afterFirst.Repeat, afterFirst.Active,
             afterFirst.EmailAddress, afterFirst.ExcludeSubscriberSources));
        second.AssertSuccess();
        Assert.Equal("UTC", (string)JsonNode.Parse(second.Output)!["time_zone"]!);
        Assert.Equal(("Renamed", 0b10101, 0, (string?)null, false, false, false, (string?)null, "[]"),
            (afterSecond.Name, afterSecond.SendDays, afterSecond.SendHour, afterSecond.TimeZone, afterSecond.Hold, afterSecond.Repeat, afterSecond.Active,
             afterSecond.EmailAddress, afterSecond.ExcludeSubscriberSources));
    }

    [Theory, Providers]
    public async Task Delete_HidesTheSequenceAndStopsItsSubscribers(string provider)
    {
        await using var app = MailroomApp.StartOn(await TestDatabase.CreateAsync(provider));
        await app.CreateAccountAsync();
        (await Run(app, "sequences", "create", "--account", "1", "--name", "Welcome")).AssertSuccess();
        await app.DbAsync(async db =>
        {
            var subscriber = new Subscriber { AccountId = 1, EmailAddress = "a@x.test", NormalizedEmail = "a@x.test", CreatedAt = DateTime.UtcNow, UpdatedAt = DateTime.UtcNow };
            db.Subscribers.Add(subscriber);
            await db.SaveChangesAsync();
            db.Subscriptions.Add(new Subscription
            {
                AccountId = 1, SubscriberId = subscriber.Id, SubscribableType = SubscribableTypes.Course, SubscribableId = 1,
                SequenceAnchorAt = DateTime.UtcNow, NextSendAt = DateTime.UtcNow.AddDays(1), CreatedAt = DateTime.UtcNow, UpdatedAt = DateTime.UtcNow,
            });
            await db.SaveChangesAsync();
        });

        var run = await Run(app, "sequences", "delete", "1", "--account", "1");
        var show = await Run(app, "sequences", "show", "1", "--account", "1");

        run.AssertSuccess();
        Assert.Equal("Deleted sequence 1." + Environment.NewLine, run.Output);
        show.AssertFailure(1, "error: sequence 1 does not exist");
        Assert.NotNull(await app.DbAsync(db => db.Sequences.IgnoreQueryFilters().Select(s => s.DeletedAt).SingleAsync()));
        Assert.Null(await app.DbAsync(db => db.Subscriptions.Select(s => s.NextSendAt).SingleAsync()));
    }

    [Theory, Providers]
    public async Task EmailsAdd_FromFileAndOptions_StoresTheEmail(string provider)
    {
        await using var app = MailroomApp.StartOn(await TestDatabase.CreateAsync(provider));
        await app.CreateAccountAsync();
        (await Run(app, "sequences", "create", "--account", "1", "--name", "Course")).AssertSuccess();
        var file = await TempFileAsync(Encoding.UTF8.GetBytes("<p>Bonjour {{ subscriber.first_name }} — café</p>"));

        var first = await Run(app, "sequences", "emails", "add", "1", "--account", "1", "--subject", "Welcome", "--file", file, "--publish", "--json");
        var second = await Run(app, "sequences", "emails", "add", "1", "--account", "1", "--subject", "Day two", "--content", "<p>2</p>",
            "--preview-text", "More", "--delay", "2", "--unit", "days", "--send-days", "sat,sun", "--position", "5");
        var third = await Run(app, "sequences", "emails", "add", "1", "--account", "1", "--subject", "Soon after", "--delay", "3", "--unit", "hours", "--position", "2");

        first.AssertSuccess();
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""
            {"id":1,"position":0,"subject":"Welcome","preview_text":null,"delay_value":0,"delay_unit":"days","send_days":null,"published":true,"email_template_id":null}
            """), JsonNode.Parse(first.Output)), first.Output);
        second.AssertSuccess();
        Assert.Equal("Added email 2 at position 5 of sequence 1 (2 days, draft)." + Environment.NewLine, second.Output);
        third.AssertSuccess();
        var rows = await app.DbAsync(db => db.SequenceEmails.OrderBy(e => e.Position)
            .Select(e => new { e.Position, e.Subject, e.Content, e.PreviewText, e.DelayValue, e.DelayUnit, e.SendDays, e.Published }).ToListAsync());
        Assert.Equal([
            new { Position = 0, Subject = "Welcome", Content = (string?)"<p>Bonjour {{ subscriber.first_name }} — café</p>", PreviewText = (string?)null, DelayValue = 0, DelayUnit = "days", SendDays = (int?)null, Published = true },
            new { Position = 2, Subject = "Soon after", Content = (string?)null, PreviewText = (string?)null, DelayValue = 3, DelayUnit = "hours", SendDays = (int?)null, Published = false },
            new { Position = 5, Subject = "Day two", Content = (string?)"<p>2</p>", PreviewText = (string?)"More", DelayValue = 2, DelayUnit = "days", SendDays = (int?)0b1100000, Published = false },
        ], rows);
    }

    [Theory, Providers]
    public async Task EmailsList_ShowsEachEmailsStats_FromItsDeliveries(string provider)
    {
        await using var app = MailroomApp.StartOn(await TestDatabase.CreateAsync(provider));
        await app.CreateAccountAsync();
        (await Run(app, "sequences", "create", "--account", "1", "--name", "Course")).AssertSuccess();
        (await Run(app, "sequences", "create", "--account", "1", "--name", "Other")).AssertSuccess();
        (await Run(app, "sequences", "emails", "add", "1", "--account", "1", "--subject", "One", "--publish")).AssertSuccess();
        (await Run(app, "sequences", "emails", "add", "1", "--account", "1", "--subject", "Two", "--delay", "4", "--unit", "hours", "--publish")).AssertSuccess();
        (await Run(app, "sequences", "emails", "add", "1", "--account", "1", "--subject", "Three", "--delay", "1", "--send-days", "mon")).AssertSuccess();
        (await Run(app, "sequences", "emails", "add", "2", "--account", "1", "--subject", "Elsewhere")).AssertSuccess();
        var t = DateTime.UtcNow;
        await app.DbAsync(async db =>
        {
            var subscribers = Enumerable.Range(0, 6).Select(i => new Subscriber
            { AccountId = 1, EmailAddress = $"s{i}@x.test", NormalizedEmail = $"s{i}@x.test", CreatedAt = t, UpdatedAt = t }).ToList();
            db.Subscribers.AddRange(subscribers);
            await db.SaveChangesAsync();
            SequenceDelivery D(long sequence, long? email, int subscriber, Action<SequenceDelivery>? outcome = null)
            {
                var row = new SequenceDelivery
                { AccountId = 1, SequenceId = sequence, SequenceEmailId = email, SubscriberId = subscribers[subscriber].Id, Token = Guid.NewGuid().ToString("N"), DueAt = t };
                outcome?.Invoke(row);
                return row;
            }
            db.SequenceDeliveries.AddRange(
                // Email 1: five sent (two opened, one of them clicked and unsubscribed), one bounced and failed.
                D(1, 1, 0, d => { d.SentAt = t; d.OpenedAt = t; d.ClickedAt = t; d.Clicks = 3; d.UnsubscribedAt = t; }),
                D(1, 1, 1, d => { d.SentAt = t; d.OpenedAt = t; }),
                D(1, 1, 2, d => { d.SentAt = t; }),
                D(1, 1, 3, d => { d.SentAt = t; }),
                D(1, 1, 4, d => { d.SentAt = t; }),
                D(1, 1, 5, d => { d.FailedAt = t; d.Bounced = true; }),
                // Email 2: one still waiting to go out, one failed without a bounce.
                D(1, 2, 0),
                D(1, 2, 1, d => { d.FailedAt = t; }),
                // A deleted email's delivery and another sequence's count for none of these.
                D(1, null, 2, d => { d.SentAt = t; d.OpenedAt = t; }),
                D(2, 4, 3, d => { d.SentAt = t; d.OpenedAt = t; }));
            await db.SaveChangesAsync();
        });

        var json = await Run(app, "sequences", "emails", "list", "1", "--account", "1", "--json");
        var text = await Run(app, "sequences", "emails", "list", "1", "--account", "1");
        var show = await Run(app, "sequences", "show", "1", "--account", "1", "--json");

        json.AssertSuccess();
        var stats = JsonNode.Parse(json.Output)!.AsArray().Select(e => e!["stats"]!.ToJsonString()).ToList();
        Assert.Equal([
            """{"sent":5,"opens":2,"clicks":1,"unsubscribes":1,"bounces":1,"failed":1}""",
            """{"sent":0,"opens":0,"clicks":0,"unsubscribes":0,"bounces":0,"failed":1}""",
            """{"sent":0,"opens":0,"clicks":0,"unsubscribes":0,"bounces":0,"failed":0}""",
        ], stats);
        Assert.Equal(["monday"], JsonNode.Parse(json.Output)![2]!["send_days"]!.AsArray().Select(d => (string)d!));
        text.AssertSuccess();
        var lines = text.Output.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(4, lines.Length);
        Assert.Matches(@"^POS\s+ID\s+DELAY\s+SEND DAYS\s+STATUS\s+SENT\s+OPENS\s+CLICKS\s+UNSUBS\s+BOUNCES\s+FAILED\s+SUBJECT$", lines[0]);
        Assert.Matches(@"^0\s+1\s+0 days\s+sequence's\s+published\s+5\s+2\s+1\s+1\s+1\s+1\s+One$", lines[1]);
        Assert.Matches(@"^1\s+2\s+4 hours\s+-\s+published\s+0\s+0\s+0\s+0\s+0\s+1\s+Two$", lines[2]);
        Assert.Matches(@"^2\s+3\s+1 day\s+mon\s+draft\s+0\s+0\s+0\s+0\s+0\s+0\s+Three$", lines[3]);
        show.AssertSuccess();
        Assert.Equal(stats, JsonNode.Parse(show.Output)!["emails"]!.AsArray().Select(e => e!["stats"]!.ToJsonString()));
    }

    [Theory, Providers]
    public async Task EmailsUpdatePublishUnpublishDelete_ChangeTheEmail(string provider)
    {
        await using var app = MailroomApp.StartOn(await TestDatabase.CreateAsync(provider));
        await app.CreateAccountAsync();
        var layout = await TempFileAsync(Encoding.UTF8.GetBytes("<div>{{ content }}</div>"));
        (await Run(app, "layouts", "add", "--account", "1", "--name", "Boxed", "--file", layout)).AssertSuccess();
        (await Run(app, "sequences", "create", "--account", "1", "--name", "Course")).AssertSuccess();
        (await Run(app, "sequences", "emails", "add", "1", "--account", "1", "--subject", "One")).AssertSuccess();
        (await Run(app, "sequences", "emails", "add", "1", "--account", "1", "--subject", "Two", "--delay", "1", "--send-days", "tue")).AssertSuccess();
        (await Run(app, "sequences", "emails", "add", "1", "--account", "1", "--subject", "Three", "--delay", "2")).AssertSuccess();
        Task<SequenceEmail> Email(long id) => app.DbAsync(db => db.SequenceEmails.AsNoTracking().SingleAsync(e => e.Id == id));

        var update = await Run(app, "sequences", "emails", "update", "1", "2", "--account", "1", "--subject", "Second", "--delay", "6",
            "--unit", "hours", "--position", "7", "--email-template", "1", "--publish");
        var afterUpdate = await Email(2);
        var inherit = await Run(app, "sequences", "emails", "update", "1", "3", "--account", "1", "--send-days", "sat", "--email-template", "Boxed");
        var back = await Run(app, "sequences", "emails", "update", "1", "3", "--account", "1", "--send-days", "sequence", "--email-template", "none");
        var afterBack = await Email(3);
        var publish = await Run(app, "sequences", "emails", "publish", "1", "1", "--account", "1");
        var published = (await Email(1)).Published;
        var unpublish = await Run(app, "sequences", "emails", "unpublish", "1", "1", "--account", "1");
        var delete = await Run(app, "sequences", "emails", "delete", "1", "3", "--account", "1");

        update.AssertSuccess();
        Assert.Equal("Updated email 2 at position 7 of sequence 1 (6 hours, published)." + Environment.NewLine, update.Output);
        // An hour delay has no send days (Kit returns null for them).
        Assert.Equal(("Second", 6, "hours", (int?)null, 7, true, (long?)1), (afterUpdate.Subject, afterUpdate.DelayValue, afterUpdate.DelayUnit,
            afterUpdate.SendDays, afterUpdate.Position, afterUpdate.Published, afterUpdate.EmailTemplateId));
        inherit.AssertSuccess();
        back.AssertSuccess();
        Assert.Equal(((int?)null, (long?)null), (afterBack.SendDays, afterBack.EmailTemplateId));
        publish.AssertSuccess();
        Assert.Equal("Email 1 of sequence 1 is published." + Environment.NewLine, publish.Output);
        Assert.True(published);
        unpublish.AssertSuccess();
        Assert.Equal("Email 1 of sequence 1 is a draft." + Environment.NewLine, unpublish.Output);
        Assert.False((await Email(1)).Published);
        delete.AssertSuccess();
        Assert.Equal("Deleted email 3 of sequence 1." + Environment.NewLine, delete.Output);
        Assert.Equal([1L, 2L], await app.DbAsync(db => db.SequenceEmails.OrderBy(e => e.Id).Select(e => e.Id).ToListAsync()));
    }

    [Theory, Providers]
    public async Task BadInput_EachCase_PrintsOneLineExitsNonZeroAndChangesNothing(string provider)
    {
        await using var app = MailroomApp.StartOn(await TestDatabase.CreateAsync(provider));
        await app.CreateAccountAsync();
        await app.CreateAccountAsync("Other", "o@other.test");
        // Account 1: sequence 1 with emails 1 (0 days) and 2 (1 day); account 2: sequence 2 with email 3.
        (await Run(app, "sequences", "create", "--account", "1", "--name", "Mine")).AssertSuccess();
        (await Run(app, "sequences", "create", "--account", "2", "--name", "Theirs")).AssertSuccess();
        (await Run(app, "sequences", "emails", "add", "1", "--account", "1", "--subject", "One")).AssertSuccess();
        (await Run(app, "sequences", "emails", "add", "1", "--account", "1", "--subject", "Two", "--delay", "1")).AssertSuccess();
        (await Run(app, "sequences", "emails", "add", "2", "--account", "2", "--subject", "Other's")).AssertSuccess();
        var latin1 = await TempFileAsync([0x3C, 0x70, 0x3E, 0x63, 0x61, 0x66, 0xE9, 0x3C, 0x2F, 0x70, 0x3E]);
        var good = await TempFileAsync(Encoding.UTF8.GetBytes("<p>ok</p>"));
        (string[] Args, int Exit, string Error)[] cases =
        [
            (["sequences", "list", "--account", "999"], 1, "error: account 999 does not exist"),
            (["sequences", "show", "2", "--account", "1"], 1, "error: sequence 2 does not exist"),
            (["sequences", "show", "1", "--account", "2"], 1, "error: sequence 1 does not exist"),
            (["sequences", "show", "1"], 2, "error: Option '--account' is required."),
            (["sequences", "update", "2", "--account", "1", "--send-hour", "8"], 1, "error: sequence 2 does not exist"),
            (["sequences", "update", "1", "--account", "1"], 1, "error: nothing to change: give --name or a setting (see --help)"),
            (["sequences", "update", "1", "--account", "1", "--name", " "], 1, "error: --name must not be blank"),
            (["sequences", "update", "1", "--account", "1", "--send-hour", "24"], 1, $"error: {SequenceRules.SendHourRange}"),
            (["sequences", "update", "1", "--account", "1", "--send-hour", "-1"], 1, $"error: {SequenceRules.SendHourRange}"),
            (["sequences", "update", "1", "--account", "1", "--time-zone", "Mars/Olympus_Mons"], 1, $"error: {SequenceRules.TimeZoneInvalid}"),
            (["sequences", "update", "1", "--account", "1", "--send-days", "mon,funday"], 1, $"error: {SequenceRules.SendDaysInvalid}"),
            (["sequences", "update", "1", "--account", "1", "--hold", "--no-hold"], 1, "error: --hold and --no-hold contradict each other; give one"),
            (["sequences", "update", "1", "--account", "1", "--email-address", "nope"], 1, $"error: {SequenceRules.EmailAddressInvalid}"),
            (["sequences", "update", "1", "--account", "1", "--email-template", "Missing"], 1,
                "error: --email-template 'Missing': account 1 has no such layout (see `mailroom layouts list`)"),
            (["sequences", "update", "1", "--account", "1", "--exclude", "tag"], 1, "error: --exclude 'tag' must be TYPE:ID[,ID...], e.g. tag:12,34"),
            (["sequences", "update", "1", "--account", "1", "--exclude", "tag:1,x"], 1, "error: --exclude 'tag:1,x' must be TYPE:ID[,ID...], e.g. tag:12,34"),
            (["sequences", "update", "1", "--account", "1", "--exclude", "list:1"], 1, $"error: {SequenceRules.ExcludeTypeInvalid}"),
            (["sequences", "create", "--account", "1", "--name", "S", "--time-zone", "Nowhere"], 1, $"error: {SequenceRules.TimeZoneInvalid}"),
            (["sequences", "delete", "2", "--account", "1"], 1, "error: sequence 2 does not exist"),
            (["sequences", "delete", "1", "--account", "999"], 1, "error: account 999 does not exist"),
            (["sequences", "emails", "list", "2", "--account", "1"], 1, "error: sequence 2 does not exist"),
            (["sequences", "emails", "add", "2", "--account", "1", "--subject", "X", "--delay", "3"], 1, "error: sequence 2 does not exist"),
            (["sequences", "emails", "add", "1", "--account", "1"], 2, "error: Option '--subject' is required."),
            (["sequences", "emails", "add", "1", "--account", "1", "--subject", "  ", "--delay", "3"], 1, $"error: {SequenceRules.SubjectBlank}"),
            (["sequences", "emails", "add", "1", "--account", "1", "--subject", "X", "--delay", "3", "--unit", "weeks"], 1, $"error: {SequenceRules.DelayUnitInvalid}"),
            (["sequences", "emails", "add", "1", "--account", "1", "--subject", "X"], 1, $"error: {SequenceRules.OnlyFirstImmediate}"),
            (["sequences", "emails", "add", "1", "--account", "1", "--subject", "X", "--delay", "-2"], 1, $"error: {SequenceRules.DelayValueRange}"),
            (["sequences", "emails", "add", "1", "--account", "1", "--subject", "X", "--delay", "2", "--unit", "hours", "--send-days", "mon"], 1,
                $"error: {SequenceRules.SendDaysOnHours}"),
            (["sequences", "emails", "add", "1", "--account", "1", "--subject", "X", "--delay", "2", "--position", "1"], 1, $"error: {SequenceRules.PositionTaken}"),
            (["sequences", "emails", "add", "1", "--account", "1", "--subject", "X", "--delay", "2", "--position", "-1"], 1, $"error: {SequenceRules.PositionNegative}"),
            (["sequences", "emails", "add", "1", "--account", "1", "--subject", "X", "--delay", "2", "--file", "/nonexistent/x.html"], 1,
                "error: --file /nonexistent/x.html does not exist"),
            (["sequences", "emails", "add", "1", "--account", "1", "--subject", "X", "--delay", "2", "--file", latin1], 1, $"error: --file {latin1} is not UTF-8 text"),
            (["sequences", "emails", "add", "1", "--account", "1", "--subject", "X", "--delay", "2", "--file", good, "--content", "<p>x</p>"], 1,
                "error: give --file or --content, not both"),
            (["sequences", "emails", "update", "1", "999", "--account", "1", "--subject", "X"], 1, "error: email 999 does not exist"),
            (["sequences", "emails", "update", "1", "3", "--account", "1", "--subject", "X"], 1, "error: email 3 does not exist"),
            (["sequences", "emails", "update", "2", "3", "--account", "1", "--subject", "X"], 1, "error: sequence 2 does not exist"),
            (["sequences", "emails", "update", "1", "1", "--account", "1"], 1, "error: nothing to change: give an option to change (see --help)"),
            (["sequences", "emails", "update", "1", "2", "--account", "1", "--delay", "0"], 1, $"error: {SequenceRules.OnlyFirstImmediate}"),
            (["sequences", "emails", "update", "1", "2", "--account", "1", "--position", "0"], 1, $"error: {SequenceRules.PositionTaken}"),
            (["sequences", "emails", "update", "1", "2", "--account", "1", "--publish", "--unpublish"], 1,
                "error: --publish and --unpublish contradict each other; give one"),
            (["sequences", "emails", "publish", "1", "999", "--account", "1"], 1, "error: email 999 does not exist"),
            (["sequences", "emails", "unpublish", "1", "3", "--account", "1"], 1, "error: email 3 does not exist"),
            (["sequences", "emails", "delete", "1", "999", "--account", "1"], 1, "error: email 999 does not exist"),
            (["sequences", "emails", "delete", "1", "3", "--account", "1"], 1, "error: email 3 does not exist"),
            (["sequences", "emails", "delete", "2", "3", "--account", "1"], 1, "error: sequence 2 does not exist"),
        ];
        var before = await SnapshotAsync(app);

        var failures = new List<string>();
        foreach (var (args, exit, error) in cases)
        {
            var run = await Run(app, args);
            if (run.ExitCode != exit || run.Error != error + Environment.NewLine || run.Output != "")
                failures.Add($"mailroom {string.Join(' ', args)}\n  expected {exit}: {error}\n  got      {run.ExitCode}: {run.Error}  stdout: {run.Output}");
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.Equal(before, await SnapshotAsync(app));
    }

    /// <summary>Every sequence and email as text, to show a refused command changed nothing.</summary>
    static Task<string> SnapshotAsync(MailroomApp app) => app.DbAsync(async db =>
    {
        var sequences = await db.Sequences.IgnoreQueryFilters().OrderBy(s => s.Id).ToListAsync();
        var emails = await db.SequenceEmails.OrderBy(e => e.Id).ToListAsync();
        return System.Text.Json.JsonSerializer.Serialize(new { sequences, emails });
    });
}
