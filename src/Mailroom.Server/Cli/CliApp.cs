using System.CommandLine;
using System.Data.Common;
using Mailroom.Server.Data;
using Mailroom.Server.Domain.Seeding;

namespace Mailroom.Server.Cli;

/// <summary>The admin commands of the `mailroom` executable. They use the same services as the server.</summary>
public static class CliApp
{
    static readonly string[] HelpFlags = ["--help", "-h", "-?", "--version"];

    /// <summary>
    /// Any first word other than `serve` is a command, so a mistyped one (`mailroom acounts`) is an error
    /// rather than a server quietly starting. Options alone (`mailroom --urls …`) mean serve.
    /// </summary>
    public static bool IsAdminCommand(string[] args) =>
        args.Length > 0 && (HelpFlags.Contains(args[0], StringComparer.OrdinalIgnoreCase)
            || (!args[0].StartsWith('-') && !string.Equals(args[0], "serve", StringComparison.OrdinalIgnoreCase)));

    /// <summary>`mailroom serve --urls …` and `mailroom --urls …` both serve; the word itself is not a setting.</summary>
    public static string[] ServeArgs(string[] args) =>
        args.Length > 0 && string.Equals(args[0], "serve", StringComparison.OrdinalIgnoreCase) ? args[1..] : args;

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken ct = default)
    {
        var root = new RootCommand("Mailroom: a self-hosted email-marketing server that speaks the Kit (ConvertKit) API v3. " +
            "Every command takes settings written --Section:Key=value, e.g. --Database:Provider=postgres.");
        root.Subcommands.Add(new Command("serve", "Run the server (the default). Pass --urls to choose the address."));
        root.Subcommands.Add(MigrateCommand());
        root.Subcommands.Add(AccountsCommands.Build());
        root.Subcommands.Add(KeysCommands.Build());
        root.Subcommands.Add(FormsCommands.Build());
        root.Subcommands.Add(SequencesCommands.Build());
        root.Subcommands.Add(SeedCommand.Build());
        root.Subcommands.Add(LayoutsCommands.Build());
        root.Subcommands.Add(SubscribersCommands.Build());
        root.Subcommands.Add(WebhooksCommands.Build());
        root.Subcommands.Add(BroadcastsCommands.Build());
        root.Subcommands.Add(AppsCommands.Build());

        // Settings (--Database:Provider=postgres) are configuration for the host, as for `serve`; taking them out
        // before parsing keeps them from being read as a command's argument and leaves every other unknown token an error.
        var (settings, rest) = CliHost.SplitSettings(args);
        var parsed = root.Parse(rest);
        CliHost.Remember(parsed, settings);
        // A mistyped word explains more than what it left missing ("Required command was not provided").
        var problem = parsed.Errors.Select(e => e.Message).OrderBy(m => m.StartsWith("Unrecognized", StringComparison.Ordinal) ? 0 : 1).FirstOrDefault();
        if (problem is not null)
        {
            // One line, not the help page: scripts read the first line of stderr.
            await error.WriteLineAsync($"error: {CliHost.OneLine(problem)}");
            return 2;
        }
        try
        {
            // Without the default handler an exception reaches the catches below instead of printing a stack trace.
            return await parsed.InvokeAsync(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false }, ct);
        }
        catch (CliException e)
        {
            return await FailAsync(error, e.Message);
        }
        catch (Mailroom.Server.Domain.Sequences.SequenceRuleException e)
        {
            return await FailAsync(error, e.Message);
        }
        catch (SeedException e)
        {
            return await FailAsync(error, e.Message);
        }
        catch (DbUpdateException e)
        {
            return await FailAsync(error, $"the database refused the change: {(e.InnerException ?? e).Message}");
        }
        catch (DbException e)
        {
            return await FailAsync(error, $"database: {e.Message}");
        }
    }

    static async Task<int> FailAsync(TextWriter error, string message)
    {
        await error.WriteLineAsync($"error: {CliHost.OneLine(message)}");
        return 1;
    }

    static Command MigrateCommand()
    {
        var command = new Command("migrate", "Apply pending database migrations and exit.");
        command.SetAction(async (parse, ct) =>
        {
            await using var host = CliHost.Build(parse);
            await DatabaseSetup.MigrateAsync(host.Services, ct);
            await parse.InvocationConfiguration.Output.WriteLineAsync("Database is up to date.");
            return 0;
        });
        return command;
    }
}

/// <summary>A bad argument or an unknown id: the CLI prints one line and exits non-zero.</summary>
public sealed class CliException(string message) : Exception(message);
