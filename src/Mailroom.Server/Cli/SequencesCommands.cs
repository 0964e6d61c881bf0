using System.CommandLine;
using System.Text.Json;
using Mailroom.Server.Domain;
using Mailroom.Server.Domain.Broadcasts;
using Mailroom.Server.Domain.Sequences;

namespace Mailroom.Server.Cli;

/// <summary>
/// Sequences and their settings (v3 has no API for this). Every command is scoped to one account: another account's
/// sequence reads as missing. The rules and their messages are <see cref="SequenceRules"/>', applied by <see cref="SequenceEditor"/>.
/// </summary>
static class SequencesCommands
{
    public static Command Build()
    {
        var sequences = new Command("sequences", "Create, list, show, change and delete sequences and their emails.");
        sequences.Subcommands.Add(Create());
        sequences.Subcommands.Add(List());
        sequences.Subcommands.Add(Show());
        sequences.Subcommands.Add(Update());
        sequences.Subcommands.Add(Delete());
        sequences.Subcommands.Add(SequenceEmailsCommands.Build());
        return sequences;
    }

    // A fresh option per command: an option belongs to the one command tree it was added to.
    internal static Option<bool> JsonOption() => new("--json") { Description = "Print JSON instead of text." };
    internal static Option<long> AccountOption() => new("--account") { Description = "Account id.", Required = true };
    internal static Argument<long> SequenceArgument() => new("id") { Description = "Sequence id (the ID column of `sequences list`)." };

    /// <summary>The settings options create and update share; null members were not given.</summary>
    sealed class SettingsOptions
    {
        public readonly Option<string?> SendDays = new("--send-days") { Description = "Days it may send on, e.g. mon,wed,fri (default: every day)." };
        public readonly Option<int?> SendHour = new("--send-hour") { Description = "Hour it sends at, 0-23, in its time zone (default 9)." };
        public readonly Option<string?> TimeZone = new("--time-zone") { Description = "IANA time zone, e.g. Europe/Paris; 'account' uses the account's (the default)." };
        public readonly Option<bool> Hold = new("--hold") { Description = "Keep subscribers at the end for emails published later instead of completing them." };
        public readonly Option<bool> NoHold = new("--no-hold") { Description = "Complete subscribers after the last published email." };
        public readonly Option<bool> Repeat = new("--repeat") { Description = "Start a completed subscriber over when they are added again." };
        public readonly Option<bool> NoRepeat = new("--no-repeat") { Description = "Adding a completed subscriber again changes nothing." };
        public readonly Option<bool> Active = new("--active") { Description = "Send (the default)." };
        public readonly Option<bool> Inactive = new("--inactive") { Description = "Pause sending; subscribers keep their place." };
        public readonly Option<string?> EmailAddress = new("--email-address") { Description = "Sender address; 'account' uses the account's sending address (the default)." };
        public readonly Option<string?> EmailTemplate = new("--email-template") { Description = "Email layout name or id; 'none' for the default." };
        public readonly Option<string[]> Exclude = new("--exclude")
        {
            Description = "Skip subscribers holding these: TYPE:ID[,ID...] with TYPE tag, form, sequence or segment; repeatable; 'none' clears.",
            AllowMultipleArgumentsPerToken = false,
        };

        public IEnumerable<Option> All => [SendDays, SendHour, TimeZone, Hold, NoHold, Repeat, NoRepeat, Active, Inactive, EmailAddress, EmailTemplate, Exclude];

        public async Task<SequenceSettings> ReadAsync(ParseResult parse, AppDbContext db, long accountId, string? name, CancellationToken ct)
        {
            var zone = parse.GetValue(TimeZone);
            var address = parse.GetValue(EmailAddress);
            var template = parse.GetValue(EmailTemplate);
            var excludes = parse.GetValue(Exclude);
            return new SequenceSettings(
                Name: name,
                Hold: Flag(parse, Hold, NoHold),
                Repeat: Flag(parse, Repeat, NoRepeat),
                Active: Flag(parse, Active, Inactive),
                EmailAddress: address is null ? null : new Change<string?>(IsDefault(address, "account") ? null : address.Trim()),
                EmailTemplateId: template is null ? null : new Change<long?>(await TemplateIdAsync(db, accountId, template, ct)),
                SendDays: parse.GetValue(SendDays) is { } days ? DayList(days) : null,
                SendHour: parse.GetValue(SendHour),
                TimeZone: zone is null ? null : new Change<string?>(IsDefault(zone, "account") ? null : zone),
                ExcludeSubscriberSources: excludes is { Length: > 0 } ? Exclusions(excludes) : null);
        }

        public bool AnyGiven(ParseResult parse) => All.Any(o => parse.GetResult(o) is { Implicit: false });
    }

    static Command Create()
    {
        var account = AccountOption();
        var name = new Option<string>("--name") { Description = "Sequence name.", Required = true };
        var settings = new SettingsOptions();
        var json = JsonOption();
        var command = new Command("create", "Create a sequence.") { account, name, json };
        foreach (var option in settings.All) command.Options.Add(option);
        command.SetAction(async (parse, ct) =>
        {
            var nameValue = CliCheck.Name(parse.GetValue(name), "--name");
            return await CliHost.WithScopeAsync(parse, async services =>
            {
                var db = services.GetRequiredService<AppDbContext>();
                var accountId = await AccountAsync(db, parse.GetValue(account), ct);
                var values = await settings.ReadAsync(parse, db, accountId, nameValue, ct);
                var sequence = await services.GetRequiredService<SequenceEditor>().CreateAsync(accountId, values, ct);
                var output = parse.InvocationConfiguration.Output;
                if (parse.GetValue(json)) await output.WriteLineAsync(JsonSerializer.Serialize(new { id = sequence.Id, name = sequence.Name }));
                else await output.WriteLineAsync($"Created sequence {sequence.Id} ({sequence.Name}).");
                return 0;
            });
        });
        return command;
    }

    static Command List()
    {
        var account = AccountOption();
        var json = JsonOption();
        var command = new Command("list", "List an account's sequences with their schedules and email counts.") { account, json };
        command.SetAction(async (parse, ct) => await CliHost.WithScopeAsync(parse, async services =>
        {
            var db = services.GetRequiredService<AppDbContext>();
            var owner = await OwnerAsync(db, parse.GetValue(account), ct);
            var sequences = await db.Sequences.AsNoTracking().Where(s => s.AccountId == owner.Id).OrderBy(s => s.Id).ToListAsync(ct);
            var counts = await db.SequenceEmails.AsNoTracking().Where(e => e.AccountId == owner.Id)
                .GroupBy(e => e.SequenceId).Select(g => new { Id = g.Key, Total = g.Count(), Published = g.Count(e => e.Published) })
                .ToDictionaryAsync(g => g.Id, ct);
            var output = parse.InvocationConfiguration.Output;
            if (parse.GetValue(json))
            {
                await output.WriteLineAsync(JsonSerializer.Serialize(sequences.Select(s => new Dictionary<string, object?>(Settings(s, owner))
                {
                    ["emails"] = counts.GetValueOrDefault(s.Id)?.Total ?? 0,
                    ["published_emails"] = counts.GetValueOrDefault(s.Id)?.Published ?? 0,
                })));
                return 0;
            }
            if (sequences.Count == 0) { await output.WriteLineAsync($"Account {owner.Id} has no sequences."); return 0; }
            await output.WriteLineAsync($"{"ID",-7} {"ACTIVE",-6} {"EMAILS",-9} {"SCHEDULE",-44} NAME");
            foreach (var s in sequences)
            {
                var emails = $"{counts.GetValueOrDefault(s.Id)?.Published ?? 0}/{counts.GetValueOrDefault(s.Id)?.Total ?? 0}";
                await output.WriteLineAsync($"{s.Id,-7} {(s.Active ? "yes" : "no"),-6} {emails,-9} {Schedule(s, owner),-44} {CliHost.OneLine(s.Name)}");
            }
            return 0;
        }));
        return command;
    }

    static Command Show()
    {
        var id = SequenceArgument();
        var account = AccountOption();
        var json = JsonOption();
        var command = new Command("show", "Show a sequence's settings and its emails with their stats.") { id, account, json };
        command.SetAction(async (parse, ct) => await CliHost.WithScopeAsync(parse, async services =>
        {
            var db = services.GetRequiredService<AppDbContext>();
            var owner = await OwnerAsync(db, parse.GetValue(account), ct);
            var editor = services.GetRequiredService<SequenceEditor>();
            var emails = await editor.EmailsAsync(owner.Id, parse.GetValue(id), ct);
            var sequence = await db.Sequences.AsNoTracking().FirstAsync(s => s.Id == parse.GetValue(id), ct);
            var stats = await SequenceEmailStats.ForSequenceAsync(db, sequence.Id, ct);
            var layouts = await LayoutNamesAsync(db, owner.Id, ct);
            var output = parse.InvocationConfiguration.Output;
            if (parse.GetValue(json))
            {
                await output.WriteLineAsync(JsonSerializer.Serialize(new Dictionary<string, object?>(Settings(sequence, owner))
                {
                    ["emails"] = emails.Select(e => SequenceEmailsCommands.Json(e, stats.Of(e.Id))),
                }));
                return 0;
            }
            await output.WriteLineAsync($"Sequence {sequence.Id}: {CliHost.OneLine(sequence.Name)}");
            await output.WriteLineAsync($"  active: {YesNo(sequence.Active)}   hold: {YesNo(sequence.Hold)}   repeat: {YesNo(sequence.Repeat)}");
            await output.WriteLineAsync($"  sends: {Schedule(sequence, owner)}");
            await output.WriteLineAsync($"  from: {From(sequence, owner)}{(sequence.EmailAddress is null ? " (the account's)" : "")}");
            await output.WriteLineAsync($"  email template: {LayoutName(sequence.EmailTemplateId, layouts)}");
            await output.WriteLineAsync($"  excludes: {Excludes(sequence.ExcludeSubscriberSources)}");
            await output.WriteLineAsync("");
            await SequenceEmailsCommands.WriteTableAsync(output, sequence.Id, emails, stats);
            return 0;
        }));
        return command;
    }

    static Command Update()
    {
        var id = SequenceArgument();
        var account = AccountOption();
        var name = new Option<string?>("--name") { Description = "New name." };
        var settings = new SettingsOptions();
        var json = JsonOption();
        var command = new Command("update", "Change a sequence's name or settings; only the options given change.") { id, account, name, json };
        foreach (var option in settings.All) command.Options.Add(option);
        command.SetAction(async (parse, ct) =>
        {
            var nameValue = parse.GetValue(name) is { } given ? CliCheck.Name(given, "--name") : null;
            if (nameValue is null && !settings.AnyGiven(parse)) throw new CliException("nothing to change: give --name or a setting (see --help)");
            return await CliHost.WithScopeAsync(parse, async services =>
            {
                var db = services.GetRequiredService<AppDbContext>();
                var owner = await OwnerAsync(db, parse.GetValue(account), ct);
                var values = await settings.ReadAsync(parse, db, owner.Id, nameValue, ct);
                var sequence = await services.GetRequiredService<SequenceEditor>().UpdateAsync(owner.Id, parse.GetValue(id), values, ct);
                var output = parse.InvocationConfiguration.Output;
                if (parse.GetValue(json)) await output.WriteLineAsync(JsonSerializer.Serialize(Settings(sequence, owner)));
                else await output.WriteLineAsync($"Updated sequence {sequence.Id} ({sequence.Name}): {Schedule(sequence, owner)}.");
                return 0;
            });
        });
        return command;
    }

    static Command Delete()
    {
        var id = SequenceArgument();
        var account = AccountOption();
        var command = new Command("delete", "Delete a sequence: every subscriber's remaining emails stop at once.") { id, account };
        command.SetAction(async (parse, ct) => await CliHost.WithScopeAsync(parse, async services =>
        {
            var db = services.GetRequiredService<AppDbContext>();
            var accountId = await AccountAsync(db, parse.GetValue(account), ct);
            await services.GetRequiredService<SequenceEditor>().DeleteAsync(accountId, parse.GetValue(id), ct);
            await parse.InvocationConfiguration.Output.WriteLineAsync($"Deleted sequence {parse.GetValue(id)}.");
            return 0;
        }));
        return command;
    }

    /// <summary>The account id, checked: a missing account is named before anything else.</summary>
    internal static async Task<long> AccountAsync(AppDbContext db, long accountId, CancellationToken ct) =>
        await db.Accounts.AnyAsync(a => a.Id == accountId, ct) ? accountId : throw new CliException($"account {accountId} does not exist");

    internal static async Task<Account> OwnerAsync(AppDbContext db, long accountId, CancellationToken ct) =>
        await db.Accounts.AsNoTracking().FirstOrDefaultAsync(a => a.Id == accountId, ct) ?? throw new CliException($"account {accountId} does not exist");

    /// <summary>Both or neither of a pair of switches: which one was given, or null for neither.</summary>
    internal static bool? Flag(ParseResult parse, Option<bool> on, Option<bool> off)
    {
        bool yes = parse.GetValue(on), no = parse.GetValue(off);
        if (yes && no) throw new CliException($"{on.Name} and {off.Name} contradict each other; give one");
        return yes ? true : no ? false : null;
    }

    internal static bool IsDefault(string value, string word) =>
        value.Trim().Length == 0 || string.Equals(value.Trim(), word, StringComparison.OrdinalIgnoreCase);

    internal static IReadOnlyList<string> DayList(string days) => days.Split(',', StringSplitOptions.TrimEntries);

    /// <summary>An email layout by id or name in the account; 'none' (or the built-in text-only layout) is no layout.</summary>
    internal static async Task<long?> TemplateIdAsync(AppDbContext db, long accountId, string value, CancellationToken ct)
    {
        if (IsDefault(value, "none") || EmailLayouts.IsTextOnly(value)) return null;
        var byId = long.TryParse(value.Trim(), out var id)
            ? await db.EmailLayouts.AsNoTracking().Where(l => l.Id == id && l.AccountId == accountId).Select(l => (long?)l.Id).FirstOrDefaultAsync(ct)
            : null;
        if (byId is not null) return byId;
        var name = await EmailLayouts.ResolveNameAsync(db, accountId, value, ct)
            ?? throw new CliException($"--email-template '{value.Trim()}': account {accountId} has no such layout (see `mailroom layouts list`)");
        return await db.EmailLayouts.AsNoTracking().Where(l => l.AccountId == accountId && l.Name == name).Select(l => l.Id).FirstAsync(ct);
    }

    /// <summary>`tag:1,2`, `form:3` … into excluded sources; `none` alone clears them.</summary>
    static List<ExcludedSource> Exclusions(string[] values)
    {
        if (values is [var only] && string.Equals(only.Trim(), "none", StringComparison.OrdinalIgnoreCase)) return [];
        var sources = new List<ExcludedSource>();
        foreach (var value in values)
        {
            var colon = value.IndexOf(':');
            var ids = colon < 0 ? [] : value[(colon + 1)..].Split(',', StringSplitOptions.TrimEntries);
            if (colon <= 0 || ids.Length == 0 || ids.Any(i => !long.TryParse(i, out var n) || n <= 0))
                throw new CliException($"--exclude '{value}' must be TYPE:ID[,ID...], e.g. tag:12,34");
            // The type is checked by the editor, with the rule's own message.
            sources.Add(new ExcludedSource(value[..colon].Trim().ToLowerInvariant(), [.. ids.Select(long.Parse)]));
        }
        return sources;
    }

    internal static async Task<Dictionary<long, string>> LayoutNamesAsync(AppDbContext db, long accountId, CancellationToken ct) =>
        await db.EmailLayouts.AsNoTracking().Where(l => l.AccountId == accountId).ToDictionaryAsync(l => l.Id, l => l.Name, ct);

    internal static string LayoutName(long? id, Dictionary<long, string> names) =>
        id is { } i ? $"{CliHost.OneLine(names.GetValueOrDefault(i) ?? "?")} (id {i})" : "none (the default)";

    static string YesNo(bool value) => value ? "yes" : "no";

    static string ZoneOf(Sequence s, Account owner) => s.TimeZone ?? owner.TimeZone;

    static string From(Sequence s, Account owner) => s.EmailAddress ?? owner.SendingEmailAddress ?? owner.PrimaryEmailAddress;

    internal static string Days(int mask) => mask == SendDays.All ? "every day" : string.Join(",", SendDays.ToNames(mask).Select(d => d[..3]));

    static string Schedule(Sequence s, Account owner) => $"{Days(s.SendDays)} at {s.SendHour:00}:00 {ZoneOf(s, owner)}";

    static string Excludes(string json)
    {
        var sources = JsonSerializer.Deserialize<List<ExcludedSourceJson>>(json) ?? [];
        return sources.Count == 0 ? "none" : string.Join("; ", sources.Select(x => $"{x.type} {string.Join(",", x.ids)}"));
    }

    // The stored shape of exclude_subscriber_sources (SequenceEditor writes it).
#pragma warning disable IDE1006
    sealed record ExcludedSourceJson(string type, List<long> ids);
#pragma warning restore IDE1006

    /// <summary>Kit's v4 names for the settings; the time zone and sender are the ones in effect.</summary>
    static Dictionary<string, object?> Settings(Sequence s, Account owner) => new()
    {
        ["id"] = s.Id,
        ["name"] = s.Name,
        ["active"] = s.Active,
        ["hold"] = s.Hold,
        ["repeat"] = s.Repeat,
        ["email_address"] = From(s, owner),
        ["email_template_id"] = s.EmailTemplateId,
        ["send_days"] = SendDays.ToNames(s.SendDays),
        ["send_hour"] = s.SendHour,
        ["time_zone"] = ZoneOf(s, owner),
        ["exclude_subscriber_sources"] = JsonSerializer.Deserialize<JsonElement>(s.ExcludeSubscriberSources),
        ["created_at"] = s.CreatedAt,
        ["updated_at"] = s.UpdatedAt,
    };
}
