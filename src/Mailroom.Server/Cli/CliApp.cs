using System.CommandLine;
using Mailroom.Server.Data;

namespace Mailroom.Server.Cli;

/// <summary>The admin commands of the `mailroom` executable. They use the same services as the server.</summary>
public static class CliApp
{
    static readonly string[] AdminCommands = ["migrate", "accounts", "forms", "sequences", "seed", "layouts", "webhooks", "subscribers", "--help", "-h", "-?", "--version"];

    public static bool IsAdminCommand(string[] args) =>
        args.Length > 0 && AdminCommands.Contains(args[0], StringComparer.OrdinalIgnoreCase);

    /// <summary>`mailroom serve --urls …` and `mailroom --urls …` both serve; the word itself is not a setting.</summary>
    public static string[] ServeArgs(string[] args) =>
        args.Length > 0 && string.Equals(args[0], "serve", StringComparison.OrdinalIgnoreCase) ? args[1..] : args;

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken ct = default)
    {
        var root = new RootCommand("Mailroom: a self-hosted email-marketing server that speaks the Kit (ConvertKit) API v3.");
        root.Subcommands.Add(new Command("serve", "Run the server (the default). Pass --urls to choose the address."));
        root.Subcommands.Add(MigrateCommand());
        root.Subcommands.Add(AccountsCommands.Build());
        root.Subcommands.Add(FormsCommands.Build());
        root.Subcommands.Add(SequencesCommands.Build());
        root.Subcommands.Add(LayoutsCommands.Build());
        foreach (var command in root.Subcommands) AllowSettings(command);

        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            // One line, not the help page: scripts read the first line of stderr.
            await error.WriteLineAsync($"error: {parsed.Errors[0].Message}");
            return 2;
        }
        try
        {
            // Without this, System.CommandLine catches every exception itself and prints a stack trace,
            // so a CliException never reaches the one-line handler below.
            return await parsed.InvokeAsync(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false }, ct);
        }
        catch (CliException e)
        {
            await error.WriteLineAsync($"error: {e.Message}");
            return 1;
        }
    }

    // Tokens the command doesn't know are configuration (--Database:Provider=postgres), as for `serve`.
    static void AllowSettings(Command command)
    {
        command.TreatUnmatchedTokensAsErrors = false;
        foreach (var sub in command.Subcommands) AllowSettings(sub);
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
