using System.CommandLine;
using System.Text.Json;
using Mailroom.Server.Domain;

namespace Mailroom.Server.Cli;

/// <summary>
/// What became of broadcasts: their status (and why a failed one failed) and the recipients that could not be sent to.
/// v3's stats object is Kit's shape and has no place for either (see BroadcastStats).
/// </summary>
static class BroadcastsCommands
{
    public static Command Build()
    {
        var broadcasts = new Command("broadcasts", "List an account's broadcasts and the recipients they could not reach.");
        broadcasts.Subcommands.Add(List());
        broadcasts.Subcommands.Add(Failures());
        return broadcasts;
    }

    // A fresh option per command: an option belongs to the one command tree it was added to.
    static Option<bool> JsonOption() => new("--json") { Description = "Print JSON instead of text." };

    static Command List()
    {
        var account = new Option<long>("--account") { Description = "Account id.", Required = true };
        var json = JsonOption();
        var command = new Command("list", "List an account's broadcasts with their status, counts and, for a failed one, why.") { account, json };
        command.SetAction(async (parse, ct) => await CliHost.WithScopeAsync(parse, async services =>
        {
            var db = services.GetRequiredService<AppDbContext>();
            var accountId = parse.GetValue(account);
            if (!await db.Accounts.AnyAsync(a => a.Id == accountId, ct)) throw new CliException($"account {accountId} does not exist");
            var rows = await db.Broadcasts.AsNoTracking().Where(b => b.AccountId == accountId).OrderBy(b => b.Id)
                .Select(b => new { b.Id, b.Subject, b.Status, b.RecipientCount, b.SentCount, b.FailedCount, b.FailureReason })
                .ToListAsync(ct);
            var output = parse.InvocationConfiguration.Output;
            if (parse.GetValue(json))
            {
                await output.WriteLineAsync(JsonSerializer.Serialize(rows.Select(b => new
                {
                    id = b.Id, subject = b.Subject, status = b.Status, recipients = b.RecipientCount, sent = b.SentCount,
                    failed = b.FailedCount, failure_reason = b.FailureReason,
                })));
                return 0;
            }
            if (rows.Count == 0) { await output.WriteLineAsync($"Account {accountId} has no broadcasts."); return 0; }
            await output.WriteLineAsync($"{"ID",-7} {"STATUS",-10} {"RECIPIENTS",10} {"SENT",8} {"FAILED",8} SUBJECT");
            foreach (var b in rows)
            {
                await output.WriteLineAsync($"{b.Id,-7} {b.Status,-10} {b.RecipientCount,10} {b.SentCount,8} {b.FailedCount,8} {CliHost.OneLine(b.Subject ?? "")}");
                if (b.FailureReason is not null) await output.WriteLineAsync($"        failed: {CliHost.OneLine(b.FailureReason)}");
            }
            return 0;
        }));
        return command;
    }

    static Command Failures()
    {
        var id = new Argument<long>("id") { Description = "Broadcast id (the ID column of `broadcasts list`)." };
        var account = new Option<long?>("--account") { Description = "The account the broadcast must belong to." };
        var json = JsonOption();
        var command = new Command("failures", "List the recipients a broadcast could not send to: address, attempts and reason.") { id, account, json };
        command.SetAction(async (parse, ct) => await CliHost.WithScopeAsync(parse, async services =>
        {
            var db = services.GetRequiredService<AppDbContext>();
            var broadcastId = parse.GetValue(id);
            var owner = await db.Broadcasts.AsNoTracking().Where(b => b.Id == broadcastId).Select(b => (long?)b.AccountId).FirstOrDefaultAsync(ct);
            // Another account's broadcast reads as missing, as it would over the API.
            if (owner is null || (parse.GetValue(account) is { } accountId && accountId != owner))
                throw new CliException(parse.GetValue(account) is { } a ? $"account {a} has no broadcast {broadcastId}" : $"broadcast {broadcastId} does not exist");
            var rows = await (
                from r in db.BroadcastRecipients.AsNoTracking()
                where r.BroadcastId == broadcastId && r.FailedAt != null
                join s in db.Subscribers on r.SubscriberId equals s.Id
                orderby r.Id
                select new { s.EmailAddress, r.Attempts, r.Bounced, r.LastError }).ToListAsync(ct);
            var output = parse.InvocationConfiguration.Output;
            if (parse.GetValue(json))
            {
                await output.WriteLineAsync(JsonSerializer.Serialize(rows.Select(r => new
                {
                    email_address = r.EmailAddress, attempts = r.Attempts, bounced = r.Bounced, reason = r.LastError,
                })));
                return 0;
            }
            if (rows.Count == 0) { await output.WriteLineAsync($"Broadcast {broadcastId} has no failed recipients."); return 0; }
            await output.WriteLineAsync($"{"TRIES",5} {"BOUNCED",-7} EMAIL / REASON");
            // The address is printed as one line too: what is stored may hold control characters (that is often why it failed).
            foreach (var r in rows)
                await output.WriteLineAsync($"{r.Attempts,5} {(r.Bounced ? "yes" : "no"),-7} {Printable(r.EmailAddress)}: {CliHost.OneLine(r.LastError ?? "")}");
            return 0;
        }));
        return command;
    }

    /// <summary>Control and format characters shown as \uXXXX, so a terminal neither acts on them nor hides them.</summary>
    static string Printable(string s) => string.Concat(s.Select(c =>
        char.IsControl(c) || System.Globalization.CharUnicodeInfo.GetUnicodeCategory(c) == System.Globalization.UnicodeCategory.Format
            ? $"\\u{(int)c:X4}" : c.ToString()));
}
