using System.CommandLine;
using System.Text.Json;
using Mailroom.Server.Domain;
using Mailroom.Server.Domain.Broadcasts;

namespace Mailroom.Server.Cli;

/// <summary>Email layouts a broadcast names in <c>email_layout_template</c> (v3 has no API for them).</summary>
static class LayoutsCommands
{
    public static Command Build()
    {
        var layouts = new Command("layouts", $"Add and list email layouts (\"{EmailLayouts.TextOnly}\" is built in).");
        layouts.Subcommands.Add(Add());
        layouts.Subcommands.Add(List());
        return layouts;
    }

    // A fresh option per command: one Option instance shared by command trees built concurrently races.
    static Option<bool> JsonOption() => new("--json") { Description = "Print JSON instead of text." };

    static Option<long> AccountOption() => new("--account") { Description = "Account id.", Required = true };

    static Command Add()
    {
        var account = AccountOption();
        var name = new Option<string>("--name") { Description = "Layout name, as broadcasts give it in email_layout_template.", Required = true };
        var file = new Option<FileInfo>("--file") { Description = "HTML file with a {{ content }} placeholder (Liquid).", Required = true };
        var json = JsonOption();
        var command = new Command("add", "Add an HTML email layout to an account.") { account, name, file, json };
        command.SetAction(async (parse, ct) =>
        {
            var nameValue = parse.GetValue(name)!.Trim();
            if (nameValue.Length == 0) throw new CliException("--name must not be blank");
            if (nameValue.Length > EmailLayouts.MaxNameLength) throw new CliException($"--name must be at most {EmailLayouts.MaxNameLength} characters");
            if (EmailLayouts.IsTextOnly(nameValue)) throw new CliException($"'{EmailLayouts.TextOnly}' is the built-in layout; choose another name");
            var html = await ReadFileAsync(parse.GetValue(file)!, ct);
            if (EmailLayouts.HtmlProblems(html).FirstOrDefault() is { } problem) throw new CliException(problem);

            return await CliHost.WithScopeAsync(parse, async services =>
            {
                var db = services.GetRequiredService<AppDbContext>();
                var accountId = parse.GetValue(account);
                if (!await db.Accounts.AnyAsync(a => a.Id == accountId, ct)) throw new CliException($"account {accountId} does not exist");
                // Broadcasts find a layout by name ignoring case, so names must differ by more than case.
                if (await EmailLayouts.ResolveNameAsync(db, accountId, nameValue, ct) is { } existing)
                    throw new CliException($"account {accountId} already has a layout named '{existing}'");
                var layout = new EmailLayout
                {
                    AccountId = accountId, Name = nameValue, Html = html,
                    CreatedAt = services.GetRequiredService<TimeProvider>().UtcNowSeconds(),
                };
                db.EmailLayouts.Add(layout);
                await db.SaveChangesAsync(ct);
                var output = parse.InvocationConfiguration.Output;
                if (parse.GetValue(json)) await output.WriteLineAsync(JsonSerializer.Serialize(new { id = layout.Id, name = layout.Name }));
                else await output.WriteLineAsync($"Added layout {layout.Id} ({layout.Name}).");
                return 0;
            });
        });
        return command;
    }

    static Command List()
    {
        var account = AccountOption();
        var json = JsonOption();
        var command = new Command("list", "List an account's email layouts, the built-in one first.") { account, json };
        command.SetAction(async (parse, ct) => await CliHost.WithScopeAsync(parse, async services =>
        {
            var db = services.GetRequiredService<AppDbContext>();
            var accountId = parse.GetValue(account);
            if (!await db.Accounts.AnyAsync(a => a.Id == accountId, ct)) throw new CliException($"account {accountId} does not exist");
            var layouts = await db.EmailLayouts.AsNoTracking().Where(l => l.AccountId == accountId).OrderBy(l => l.Id)
                .Select(l => new { l.Id, l.Name }).ToListAsync(ct);
            var output = parse.InvocationConfiguration.Output;
            if (parse.GetValue(json))
            {
                var rows = new List<object> { new { id = (long?)null, name = EmailLayouts.TextOnly, built_in = true } };
                rows.AddRange(layouts.Select(l => new { id = (long?)l.Id, name = l.Name, built_in = false }));
                await output.WriteLineAsync(JsonSerializer.Serialize(rows));
                return 0;
            }
            await output.WriteLineAsync($"-\t{EmailLayouts.TextOnly} (built in)");
            foreach (var l in layouts) await output.WriteLineAsync($"{l.Id}\t{l.Name}");
            return 0;
        }));
        return command;
    }

    static async Task<string> ReadFileAsync(FileInfo file, CancellationToken ct)
    {
        try
        {
            return await File.ReadAllTextAsync(file.FullName, ct);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"cannot read {file.FullName}: {e.Message}");
        }
    }
}
