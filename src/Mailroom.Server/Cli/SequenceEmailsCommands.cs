using System.CommandLine;
using System.Text;
using System.Text.Json;
using Mailroom.Server.Domain.Sequences;

namespace Mailroom.Server.Cli;

/// <summary>`mailroom sequences emails …`: a sequence's emails, their schedule, drafts and stats.</summary>
static class SequenceEmailsCommands
{
    public static Command Build()
    {
        var emails = new Command("emails", "Add, list, change, publish and delete a sequence's emails.");
        emails.Subcommands.Add(Add());
        emails.Subcommands.Add(List());
        emails.Subcommands.Add(Update());
        emails.Subcommands.Add(Publish("publish", true, "Publish a draft: subscribers who have not passed its position get it."));
        emails.Subcommands.Add(Publish("unpublish", false, "Make an email a draft again: nobody gets it from now on."));
        emails.Subcommands.Add(Delete());
        return emails;
    }

    static Argument<long> EmailArgument() => new("email-id") { Description = "Email id (the ID column of `sequences emails list`)." };

    /// <summary>The options add and update share; null members were not given.</summary>
    sealed class EmailOptions
    {
        public readonly Option<string?> Subject = new("--subject") { Description = "Subject line (Liquid)." };
        public readonly Option<FileInfo?> File = new("--file") { Description = "UTF-8 file with the HTML content (Liquid)." };
        public readonly Option<string?> Content = new("--content") { Description = "The HTML content (Liquid), instead of --file." };
        public readonly Option<string?> PreviewText = new("--preview-text") { Description = "Preview text shown after the subject in inboxes." };
        public readonly Option<int?> Delay = new("--delay") { Description = "Delay after the previous email (the first: after joining)." };
        public readonly Option<string?> Unit = new("--unit") { Description = "days or hours (default: days)." };
        public readonly Option<string?> SendDays = new("--send-days") { Description = "Days this email may go out on, e.g. mon,wed,fri (day delays only); 'sequence' uses the sequence's." };
        public readonly Option<int?> Position = new("--position") { Description = "0-based place in the sequence (default: after the last email)." };
        public readonly Option<string?> EmailTemplate = new("--email-template") { Description = "Email layout name or id; 'none' uses the sequence's." };

        public IEnumerable<Option> All => [Subject, File, Content, PreviewText, Delay, Unit, SendDays, Position, EmailTemplate];

        public bool AnyGiven(ParseResult parse) => All.Any(o => parse.GetResult(o) is { Implicit: false });

        public async Task<EmailSettings> ReadAsync(ParseResult parse, AppDbContext db, long accountId, bool? published, CancellationToken ct)
        {
            var file = parse.GetValue(File);
            var content = parse.GetValue(Content);
            if (file is not null && content is not null) throw new CliException("give --file or --content, not both");
            if (file is not null) content = await ReadUtf8Async(file, ct);
            var preview = parse.GetValue(PreviewText);
            var days = parse.GetValue(SendDays);
            var template = parse.GetValue(EmailTemplate);
            return new EmailSettings(
                Subject: parse.GetValue(Subject),
                PreviewText: preview is null ? null : new Change<string?>(preview.Length == 0 ? null : preview),
                Content: content is null ? null : new Change<string?>(content),
                DelayValue: parse.GetValue(Delay),
                DelayUnit: parse.GetValue(Unit),
                SendDays: days is null ? null
                    : new Change<IReadOnlyList<string>?>(SequencesCommands.IsDefault(days, "sequence") ? null : SequencesCommands.DayList(days)),
                Published: published,
                Position: parse.GetValue(Position),
                EmailTemplateId: template is null ? null : new Change<long?>(await SequencesCommands.TemplateIdAsync(db, accountId, template, ct)));
        }
    }

    static Command Add()
    {
        var sequence = SequencesCommands.SequenceArgument();
        var account = SequencesCommands.AccountOption();
        var options = new EmailOptions();
        var publish = new Option<bool>("--publish") { Description = "Publish it at once (new emails are drafts)." };
        var json = SequencesCommands.JsonOption();
        var command = new Command("add", "Add an email to a sequence, as a draft unless --publish.") { sequence, account, publish, json };
        foreach (var option in options.All) command.Options.Add(option);
        options.Subject.Required = true;
        command.SetAction(async (parse, ct) => await CliHost.WithScopeAsync(parse, async services =>
        {
            var db = services.GetRequiredService<AppDbContext>();
            var accountId = await SequencesCommands.AccountAsync(db, parse.GetValue(account), ct);
            var settings = await options.ReadAsync(parse, db, accountId, parse.GetValue(publish), ct);
            // inferred: Kit's API requires both; the CLI lets a first email default to "at once" and any email to days.
            settings = settings with { DelayValue = settings.DelayValue ?? 0, DelayUnit = settings.DelayUnit ?? DelayUnits.Days };
            var email = await services.GetRequiredService<SequenceEditor>().AddEmailAsync(accountId, parse.GetValue(sequence), settings, ct);
            await WriteOneAsync(parse, json, email, "Added");
            return 0;
        }));
        return command;
    }

    static Command List()
    {
        var sequence = SequencesCommands.SequenceArgument();
        var account = SequencesCommands.AccountOption();
        var json = SequencesCommands.JsonOption();
        var command = new Command("list", "List a sequence's emails in order, with their schedule and stats.") { sequence, account, json };
        command.SetAction(async (parse, ct) => await CliHost.WithScopeAsync(parse, async services =>
        {
            var db = services.GetRequiredService<AppDbContext>();
            var accountId = await SequencesCommands.AccountAsync(db, parse.GetValue(account), ct);
            var emails = await services.GetRequiredService<SequenceEditor>().EmailsAsync(accountId, parse.GetValue(sequence), ct);
            var stats = await SequenceEmailStats.ForSequenceAsync(db, parse.GetValue(sequence), ct);
            var output = parse.InvocationConfiguration.Output;
            if (parse.GetValue(json)) await output.WriteLineAsync(JsonSerializer.Serialize(emails.Select(e => Json(e, stats.Of(e.Id)))));
            else await WriteTableAsync(output, parse.GetValue(sequence), emails, stats);
            return 0;
        }));
        return command;
    }

    static Command Update()
    {
        var sequence = SequencesCommands.SequenceArgument();
        var email = EmailArgument();
        var account = SequencesCommands.AccountOption();
        var options = new EmailOptions();
        var publish = new Option<bool>("--publish") { Description = "Publish it." };
        var unpublish = new Option<bool>("--unpublish") { Description = "Make it a draft again." };
        var json = SequencesCommands.JsonOption();
        var command = new Command("update", "Change a sequence email; only the options given change.") { sequence, email, account, publish, unpublish, json };
        foreach (var option in options.All) command.Options.Add(option);
        command.SetAction(async (parse, ct) =>
        {
            var published = SequencesCommands.Flag(parse, publish, unpublish);
            if (published is null && !options.AnyGiven(parse)) throw new CliException("nothing to change: give an option to change (see --help)");
            return await CliHost.WithScopeAsync(parse, async services =>
            {
                var db = services.GetRequiredService<AppDbContext>();
                var accountId = await SequencesCommands.AccountAsync(db, parse.GetValue(account), ct);
                var settings = await options.ReadAsync(parse, db, accountId, published, ct);
                var row = await services.GetRequiredService<SequenceEditor>().UpdateEmailAsync(accountId, parse.GetValue(sequence), parse.GetValue(email), settings, ct);
                await WriteOneAsync(parse, json, row, "Updated");
                return 0;
            });
        });
        return command;
    }

    static Command Publish(string name, bool published, string description)
    {
        var sequence = SequencesCommands.SequenceArgument();
        var email = EmailArgument();
        var account = SequencesCommands.AccountOption();
        var command = new Command(name, description) { sequence, email, account };
        command.SetAction(async (parse, ct) => await CliHost.WithScopeAsync(parse, async services =>
        {
            var db = services.GetRequiredService<AppDbContext>();
            var accountId = await SequencesCommands.AccountAsync(db, parse.GetValue(account), ct);
            var row = await services.GetRequiredService<SequenceEditor>().UpdateEmailAsync(accountId, parse.GetValue(sequence), parse.GetValue(email),
                new EmailSettings(Published: published), ct);
            await parse.InvocationConfiguration.Output.WriteLineAsync(
                $"Email {row.Id} of sequence {row.SequenceId} is {(published ? "published" : "a draft")}.");
            return 0;
        }));
        return command;
    }

    static Command Delete()
    {
        var sequence = SequencesCommands.SequenceArgument();
        var email = EmailArgument();
        var account = SequencesCommands.AccountOption();
        var command = new Command("delete", "Delete an email; subscribers waiting for it go on to the next one. Its stats go with it.") { sequence, email, account };
        command.SetAction(async (parse, ct) => await CliHost.WithScopeAsync(parse, async services =>
        {
            var db = services.GetRequiredService<AppDbContext>();
            var accountId = await SequencesCommands.AccountAsync(db, parse.GetValue(account), ct);
            await services.GetRequiredService<SequenceEditor>().DeleteEmailAsync(accountId, parse.GetValue(sequence), parse.GetValue(email), ct);
            await parse.InvocationConfiguration.Output.WriteLineAsync($"Deleted email {parse.GetValue(email)} of sequence {parse.GetValue(sequence)}.");
            return 0;
        }));
        return command;
    }

    /// <summary>The file's text; a missing, unreadable or non-UTF-8 file is one line, not a stack trace.</summary>
    static async Task<string> ReadUtf8Async(FileInfo file, CancellationToken ct)
    {
        if (!file.Exists) throw new CliException($"--file {file.FullName} does not exist");
        try
        {
            // Strict: a Latin-1 or UTF-16 file would otherwise import as mojibake.
            return await System.IO.File.ReadAllTextAsync(file.FullName, new UTF8Encoding(false, throwOnInvalidBytes: true), ct);
        }
        catch (DecoderFallbackException)
        {
            throw new CliException($"--file {file.FullName} is not UTF-8 text");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"cannot read {file.FullName}: {e.Message}");
        }
    }

    static async Task WriteOneAsync(ParseResult parse, Option<bool> json, SequenceEmail email, string verb)
    {
        var output = parse.InvocationConfiguration.Output;
        if (parse.GetValue(json)) await output.WriteLineAsync(JsonSerializer.Serialize(Json(email, null)));
        else await output.WriteLineAsync($"{verb} email {email.Id} at position {email.Position} of sequence {email.SequenceId} " +
            $"({Delay(email)}, {(email.Published ? "published" : "draft")}).");
    }

    /// <summary>Kit's v4 names for an email, without its content; stats when they were asked for.</summary>
    internal static Dictionary<string, object?> Json(SequenceEmail e, EmailStats? stats)
    {
        var row = new Dictionary<string, object?>
        {
            ["id"] = e.Id,
            ["position"] = e.Position,
            ["subject"] = e.Subject,
            ["preview_text"] = e.PreviewText,
            ["delay_value"] = e.DelayValue,
            ["delay_unit"] = e.DelayUnit,
            ["send_days"] = e.SendDays is { } mask ? SendDays.ToNames(mask) : null,
            ["published"] = e.Published,
            ["email_template_id"] = e.EmailTemplateId,
        };
        if (stats is not null)
            row["stats"] = new
            {
                sent = stats.Sent, opens = stats.Opens, clicks = stats.Clicks, unsubscribes = stats.Unsubscribes,
                bounces = stats.Bounces, failed = stats.Failed,
            };
        return row;
    }

    internal static async Task WriteTableAsync(TextWriter output, long sequenceId, List<SequenceEmail> emails, Dictionary<long, EmailStats> stats)
    {
        if (emails.Count == 0) { await output.WriteLineAsync($"Sequence {sequenceId} has no emails."); return; }
        await output.WriteLineAsync($"{"POS",-4} {"ID",-7} {"DELAY",-10} {"SEND DAYS",-28} {"STATUS",-9} {"SENT",6} {"OPENS",6} {"CLICKS",6} {"UNSUBS",6} {"BOUNCES",7} {"FAILED",6} SUBJECT");
        foreach (var e in emails)
        {
            var s = stats.Of(e.Id);
            var days = e.DelayUnit == DelayUnits.Hours ? "-" : e.SendDays is { } mask ? SequencesCommands.Days(mask) : "sequence's";
            await output.WriteLineAsync($"{e.Position,-4} {e.Id,-7} {Delay(e),-10} {days,-28} {(e.Published ? "published" : "draft"),-9} " +
                $"{s.Sent,6} {s.Opens,6} {s.Clicks,6} {s.Unsubscribes,6} {s.Bounces,7} {s.Failed,6} {CliHost.OneLine(e.Subject)}");
        }
    }

    static string Delay(SequenceEmail e) => $"{e.DelayValue} {(e.DelayValue == 1 ? e.DelayUnit.TrimEnd('s') : e.DelayUnit)}";
}
