using System.CommandLine;
using System.Text.Json;
using Mailroom.Server.Domain;
using Mailroom.Server.Domain.Accounts;

namespace Mailroom.Server.Cli;

static class AccountsCommands
{
    public static Command Build()
    {
        var accounts = new Command("accounts", "Create, list and re-key accounts.");
        accounts.Subcommands.Add(Create());
        accounts.Subcommands.Add(List());
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
        var json = JsonOption();
        var command = new Command("create", "Create an account and print its api_key and api_secret once.") { name, email, plan, rateLimit, json };
        command.SetAction(async (parse, ct) =>
        {
            var nameValue = CliCheck.Name(parse.GetValue(name), "--name");
            var emailValue = parse.GetValue(email)!.Trim();
            if (!EmailAddress.IsValid(emailValue)) throw new CliException($"--email '{emailValue}' is not a valid email address");
            var planValue = parse.GetValue(plan)?.Trim();
            if (planValue is { Length: > 64 }) throw new CliException("--plan is longer than 64 characters");
            if (parse.GetValue(rateLimit) is < 0) throw new CliException("--rate-limit must be 0 (unlimited) or more");
            return await CliHost.WithScopeAsync(parse, async services =>
            {
                var created = services.GetRequiredService<AccountService>().Add(nameValue, emailValue, planValue, rateLimit: parse.GetValue(rateLimit));
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
                .Select(a => new { a.Id, a.Name, a.PrimaryEmailAddress, a.PlanType, a.RateLimitPerMinute }).ToListAsync(ct);
            var output = parse.InvocationConfiguration.Output;
            if (parse.GetValue(json))
            {
                await output.WriteLineAsync(JsonSerializer.Serialize(rows.Select(r => new
                { id = r.Id, name = r.Name, primary_email_address = r.PrimaryEmailAddress, plan_type = r.PlanType, rate_limit_per_minute = r.RateLimitPerMinute })));
                return 0;
            }
            if (rows.Count == 0) { await output.WriteLineAsync("No accounts. Create one with: mailroom accounts create --name N --email E"); return 0; }
            await output.WriteLineAsync($"{"ID",-6} {"NAME",-30} {"EMAIL",-32} PLAN");
            foreach (var r in rows)
                await output.WriteLineAsync($"{r.Id,-6} {r.Name,-30} {r.PrimaryEmailAddress,-32} {r.PlanType}");
            return 0;
        }));
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
