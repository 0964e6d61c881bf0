using System.CommandLine;
using System.Text.Json;
using Mailroom.Server.Domain;
using Mailroom.Server.Domain.Accounts;
using Mailroom.Server.Domain.Sequences;

namespace Mailroom.Server.Cli;

static class AccountsCommands
{
    public static Command Build()
    {
        var accounts = new Command("accounts", "Create, list, change and re-key accounts.");
        accounts.Subcommands.Add(Create());
        accounts.Subcommands.Add(List());
        accounts.Subcommands.Add(Update());
        accounts.Subcommands.Add(RotateKeys());
        return accounts;
    }

    // A new instance per command: an option belongs to the command tree it was added to, and RunAsync
    // builds a fresh tree per call (tests run several at once).
    static Option<bool> JsonOption() => new("--json") { Description = "Print JSON instead of text." };

    static Command Create()
    {
        var name = new Option<string>("--name") { Description = "Account name.", Required = true };
        var email = new Option<string>("--email") { Description = "Primary email address (the default sender).", Required = true };
        var plan = new Option<string?>("--plan") { Description = "plan_type reported by GET /v3/account (default: creator)." };
        var rateLimit = new Option<int?>("--rate-limit") { Description = "Requests per minute for this account (0 = unlimited; default: RateLimit:PermitsPerMinute)." };
        var timeZone = TimeZoneOption();
        var json = JsonOption();
        var command = new Command("create", "Create an account and print its api_key and api_secret once.") { name, email, plan, rateLimit, timeZone, json };
        command.SetAction(async (parse, ct) =>
        {
            var nameValue = CliCheck.Name(parse.GetValue(name), "--name");
            var emailValue = parse.GetValue(email)!.Trim();
            if (!EmailAddress.IsValid(emailValue)) throw new CliException($"--email '{emailValue}' is not a valid email address");
            var planValue = parse.GetValue(plan)?.Trim();
            if (planValue is { Length: > 64 }) throw new CliException("--plan is longer than 64 characters");
            if (parse.GetValue(rateLimit) is < 0) throw new CliException("--rate-limit must be 0 (unlimited) or more");
            var zone = parse.GetValue(timeZone) is { } given ? Zone(given) : null;
            return await CliHost.WithScopeAsync(parse, async services =>
            {
                var created = services.GetRequiredService<AccountService>().Add(nameValue, emailValue, planValue, rateLimit: parse.GetValue(rateLimit));
                if (zone is not null) created.Account.TimeZone = zone;
                await services.GetRequiredService<AppDbContext>().SaveChangesAsync(ct);
                var output = parse.InvocationConfiguration.Output;
                if (parse.GetValue(json))
                    await output.WriteLineAsync(JsonSerializer.Serialize(new { id = created.Account.Id, name = nameValue, api_key = created.ApiKey, api_secret = created.ApiSecret }));
                else
                    await output.WriteLineAsync($"""
                        Created account {created.Account.Id} ({nameValue}).
                        api_key:    {created.ApiKey}
                        api_secret: {created.ApiSecret}
                        Store them now: Mailroom keeps only their hashes and cannot show them again.
                        """);
                return 0;
            });
        });
        return command;
    }

    static Command List()
    {
        var json = JsonOption();
        var command = new Command("list", "List accounts (ids, names, emails; never keys).") { json };
        command.SetAction(async (parse, ct) => await CliHost.WithScopeAsync(parse, async services =>
        {
            var rows = await services.GetRequiredService<AppDbContext>().Accounts.AsNoTracking().OrderBy(a => a.Id)
                .Select(a => new { a.Id, a.Name, a.PrimaryEmailAddress, a.PlanType, a.RateLimitPerMinute, a.TimeZone, a.SendingEmailAddress }).ToListAsync(ct);
            var output = parse.InvocationConfiguration.Output;
            if (parse.GetValue(json))
            {
                await output.WriteLineAsync(JsonSerializer.Serialize(rows.Select(r => new
                                {
                    id = r.Id, name = r.Name, primary_email_address = r.PrimaryEmailAddress, plan_type = r.PlanType,
                    rate_limit_per_minute = r.RateLimitPerMinute, time_zone = r.TimeZone, sending_email_address = r.SendingEmailAddress,
                })));
                return 0;
            }
            if (rows.Count == 0) { await output.WriteLineAsync("No accounts. Create one with: mailroom accounts create --name N --email E"); return 0; }
            await output.WriteLineAsync($"{"ID",-6} {"NAME",-30} {"EMAIL",-32} {"PLAN",-10} TIME ZONE");
            foreach (var r in rows)
                await output.WriteLineAsync($"{r.Id,-6} {r.Name,-30} {r.PrimaryEmailAddress,-32} {r.PlanType,-10} {r.TimeZone}");
            return 0;
        }));
        return command;
    }

    static Option<string?> TimeZoneOption() =>
        new("--time-zone") { Description = "IANA time zone its sequences send in unless they name their own, e.g. Europe/Paris (default: UTC)." };

    /// <summary>The zone's canonical id from the embedded tz database (the one the scheduler uses), or a one-line error.</summary>
    static string Zone(string value) =>
        SequenceSchedule.Zone(value)?.Id ?? throw new CliException($"--time-zone '{value.Trim()}': {SequenceRules.TimeZoneInvalid}, e.g. Europe/Paris");

    static Command Update()
    {
        var id = new Argument<long>("id") { Description = "Account id." };
        var name = new Option<string?>("--name") { Description = "New name." };
        var timeZone = TimeZoneOption();
        var sending = new Option<string?>("--sending-address")
        { Description = "From address of its broadcasts and sequences that name none; 'primary' goes back to the primary address." };
        var profile = ProfileOptions.Create();
        var json = JsonOption();
        var command = new Command("update", "Change an account's name, time zone, sending address or creator profile; only the options given change.")
            { id, name, timeZone, sending, profile.Name, profile.Byline, profile.Bio, profile.ImageUrl, json };
        command.SetAction(async (parse, ct) =>
        {
            var nameValue = parse.GetValue(name) is { } n ? CliCheck.Name(n, "--name") : null;
            var zone = parse.GetValue(timeZone) is { } z ? Zone(z) : null;
            var sendingValue = parse.GetValue(sending)?.Trim();
            var clearSending = sendingValue is not null && (sendingValue.Length == 0 || string.Equals(sendingValue, "primary", StringComparison.OrdinalIgnoreCase));
            if (sendingValue is not null && !clearSending && !EmailAddress.IsValid(sendingValue))
                throw new CliException($"--sending-address '{sendingValue}' is not a valid email address");
            var profileChanges = profile.Read(parse);
            if (nameValue is null && zone is null && sendingValue is null && profileChanges.Count == 0)
                throw new CliException("nothing to change: give --name, --time-zone, --sending-address or a --profile-* option");
            return await CliHost.WithScopeAsync(parse, async services =>
            {
                var db = services.GetRequiredService<AppDbContext>();
                var account = await db.Accounts.FirstOrDefaultAsync(a => a.Id == parse.GetValue(id), ct)
                    ?? throw new CliException($"account {parse.GetValue(id)} does not exist");
                if (nameValue is not null) account.Name = nameValue;
                if (zone is not null) account.TimeZone = zone;
                if (sendingValue is not null) account.SendingEmailAddress = clearSending ? null : sendingValue;
                if (profileChanges.Count > 0) account.CreatorProfile = ProfileOptions.Merge(account.CreatorProfile, profileChanges);
                await db.SaveChangesAsync(ct);
                var output = parse.InvocationConfiguration.Output;
                if (parse.GetValue(json))
                    await output.WriteLineAsync(JsonSerializer.Serialize(new
                    {
                        id = account.Id, name = account.Name, primary_email_address = account.PrimaryEmailAddress,
                        sending_email_address = account.SendingEmailAddress, time_zone = account.TimeZone,
                    }));
                else
                    await output.WriteLineAsync($"Updated account {account.Id} ({account.Name}): time zone {account.TimeZone}, " +
                        $"sends from {account.SendingEmailAddress ?? account.PrimaryEmailAddress}.");
                return 0;
            });
        });
        return command;
    }

    static Command RotateKeys()
    {
        var id = new Argument<long>("id") { Description = "Account id." };
        var json = JsonOption();
        var command = new Command("rotate-keys", "Replace an account's api_key and api_secret; the old ones stop working at once.") { id, json };
        command.SetAction(async (parse, ct) => await CliHost.WithScopeAsync(parse, async services =>
        {
            var keys = await services.GetRequiredService<AccountService>().RotateKeysAsync(parse.GetValue(id), ct)
                ?? throw new CliException($"account {parse.GetValue(id)} does not exist");
            var output = parse.InvocationConfiguration.Output;
            if (parse.GetValue(json))
                await output.WriteLineAsync(JsonSerializer.Serialize(new { id = parse.GetValue(id), api_key = keys.ApiKey, api_secret = keys.ApiSecret }));
            else
                await output.WriteLineAsync($"""
                    New keys for account {parse.GetValue(id)}; the old ones no longer work.
                    api_key:    {keys.ApiKey}
                    api_secret: {keys.ApiSecret}
                    Store them now: Mailroom keeps only their hashes and cannot show them again.
                    """);
            return 0;
        }));
        return command;
    }
}
