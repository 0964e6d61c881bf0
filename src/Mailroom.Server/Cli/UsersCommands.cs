using System.CommandLine;
using System.Text.Json;
using Mailroom.Server.Domain.Users;

namespace Mailroom.Server.Cli;

/// <summary><c>mailroom users create|list|reset-password|grant</c>: the people who sign in, and their role in each account.</summary>
static class UsersCommands
{
    public static Command Build()
    {
        var users = new Command("users", "Create and list users (people who sign in) and give them a role in an account.");
        users.Subcommands.Add(Create());
        users.Subcommands.Add(List());
        users.Subcommands.Add(ResetPassword());
        users.Subcommands.Add(Grant());
        return users;
    }

    static Option<string> EmailOption() => new("--email") { Description = "The user's e-mail address (also their sign-in name).", Required = true };
    static Option<long> AccountOption() => new("--account") { Description = "Account id.", Required = true };
    static Option<string> RoleOption() => new("--role")
    {
        Description = "owner (everything, incl. keys and users), editor (content and subscribers) or viewer (read only).",
        Required = true,
    };

    static Command Create()
    {
        var (email, account, role) = (EmailOption(), AccountOption(), RoleOption());
        var passwordStdin = new Option<bool>("--password-stdin") { Description = "Read the password from the first line of standard input." };
        var command = new Command("create", "Create a user with a role in an account. Without a password, prints a one-time sign-in link.")
            { email, account, role, passwordStdin };
        command.SetAction(async (parse, ct) =>
        {
            // Read before the host starts, so a missing password fails fast and never reaches a log.
            var password = parse.GetValue(passwordStdin) ? await ReadPasswordAsync() : null;
            return await RunAsync(parse, async service =>
            {
                var (user, link) = await service.CreateAsync(parse.GetValue(email)!, password, parse.GetValue(account), parse.GetValue(role)!, ct);
                var output = parse.InvocationConfiguration.Output;
                await output.WriteLineAsync($"Created user {user.Id} ({user.Email}), {parse.GetValue(role)} of account {parse.GetValue(account)}.");
                if (link is not null) await PrintLinkAsync(output, link, "sign in");
                return 0;
            });
        });
        return command;
    }

    static Command List()
    {
        var account = new Option<long?>("--account") { Description = "Only the users of this account." };
        var json = new Option<bool>("--json") { Description = "Print JSON instead of text." };
        var command = new Command("list", "List users, their accounts and roles (never passwords).") { account, json };
        command.SetAction(async (parse, ct) => await RunAsync(parse, async service =>
        {
            var rows = await service.ListAsync(parse.GetValue(account), ct);
            var output = parse.InvocationConfiguration.Output;
            if (parse.GetValue(json))
            {
                await output.WriteLineAsync(JsonSerializer.Serialize(rows.Select(r => new
                {
                    id = r.Id, email = r.Email, has_password = r.HasPassword, locked_until = r.LockedUntil,
                    accounts = r.Accounts.Select(a => new { account_id = a.AccountId, role = a.Role }),
                })));
                return 0;
            }
            if (rows.Count == 0) { await output.WriteLineAsync("No users. Create one with: mailroom users create --email E --account ID --role owner"); return 0; }
            await output.WriteLineAsync($"{"ID",-6} {"EMAIL",-40} {"ACCOUNTS",-30} STATE");
            foreach (var r in rows)
            {
                var accounts = string.Join(", ", r.Accounts.Select(a => $"{a.AccountId}:{a.Role}"));
                var state = r.LockedUntil is { } until ? $"locked until {until:yyyy-MM-dd HH:mm:ss}" : r.HasPassword ? "active" : "no password";
                await output.WriteLineAsync($"{r.Id,-6} {r.Email,-40} {accounts,-30} {state}");
            }
            return 0;
        }));
        return command;
    }

    static Command ResetPassword()
    {
        var email = EmailOption();
        var command = new Command("reset-password", "Print a one-time link with which the user sets a new password.") { email };
        command.SetAction(async (parse, ct) => await RunAsync(parse, async service =>
        {
            var link = await service.ResetPasswordLinkAsync(parse.GetValue(email)!, ct);
            await PrintLinkAsync(parse.InvocationConfiguration.Output, link, "set a new password");
            return 0;
        }));
        return command;
    }

    static Command Grant()
    {
        var (email, account, role) = (EmailOption(), AccountOption(), RoleOption());
        var command = new Command("grant", "Give a user a role in an account (or change the role they have there).") { email, account, role };
        command.SetAction(async (parse, ct) => await RunAsync(parse, async service =>
        {
            await service.GrantAsync(parse.GetValue(email)!, parse.GetValue(account), parse.GetValue(role)!, ct);
            await parse.InvocationConfiguration.Output.WriteLineAsync(
                $"{parse.GetValue(email)} is now {parse.GetValue(role)} of account {parse.GetValue(account)}.");
            return 0;
        }));
        return command;
    }

    static async Task<int> RunAsync(ParseResult parse, Func<UserService, Task<int>> work)
    {
        try
        {
            return await CliHost.WithScopeAsync(parse, services => work(services.GetRequiredService<UserService>()));
        }
        catch (UserException e)
        {
            throw new CliException(e.Message);
        }
    }

    static async Task<string> ReadPasswordAsync()
    {
        var line = await Console.In.ReadLineAsync();
        if (string.IsNullOrEmpty(line)) throw new CliException("--password-stdin: no password on standard input");
        return line;
    }

    static Task PrintLinkAsync(TextWriter output, string link, string what) => output.WriteLineAsync($"""
        One-time link to {what} (valid {UserService.LinkLifetime.TotalHours:0} hours, works once):
          {link}
        """);
}
