using System.CommandLine;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using Mailroom.Server.Data;

namespace Mailroom.Server.Cli;

/// <summary>Builds the same service container the server uses, configured the same way, without listening.</summary>
static partial class CliHost
{
    static readonly ConditionalWeakTable<ParseResult, string[]> Settings = new();

    /// <summary>Tokens written <c>--Section:Key=value</c> (or <c>--PublicUrl=…</c>) are settings; the rest is the command line.</summary>
    public static (string[] Settings, string[] CommandLine) SplitSettings(string[] args) =>
        (args.Where(a => Setting().IsMatch(a)).ToArray(), args.Where(a => !Setting().IsMatch(a)).ToArray());

    public static void Remember(ParseResult parse, string[] settings) => Settings.AddOrUpdate(parse, settings);

    /// <summary>Parser and driver messages can span lines and name CLR types; the contract is one readable line.</summary>
    public static string OneLine(string message)
    {
        var line = Whitespace().Replace(message, " ").Trim();
        return ClrNumber().Replace(line, "as a whole number");
    }

    public static WebApplication Build(ParseResult parse)
    {
        // A short-lived command has no use for watching appsettings files for changes.
        string[] settings = ["--hostBuilder:reloadConfigOnChange=false", .. Settings.TryGetValue(parse, out var given) ? given : []];
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = settings });
        builder.Logging.ClearProviders();
        builder.Services.AddMailroomCore();
        var host = builder.Build();
        // Every options class is checked now, so a bad setting is one line, not an exception from deep inside EF.
        var problem = StartupOptions.Problem(host.Services);
        if (problem is null) return host;
        ((IDisposable)host).Dispose();
        throw new CliException(OneLine(problem));
    }

    /// <summary>
    /// Runs a data command in a scope after applying pending migrations, as `serve` does at start, so
    /// `mailroom seed` or `accounts create` work on a fresh database without a separate `migrate`.
    /// </summary>
    public static async Task<T> WithScopeAsync<T>(ParseResult parse, Func<IServiceProvider, Task<T>> work)
    {
        await using var host = Build(parse);
        await DatabaseSetup.MigrateAsync(host.Services);
        await using var scope = host.Services.CreateAsyncScope();
        return await work(scope.ServiceProvider);
    }

    [GeneratedRegex(@"^--(?:[A-Za-z][A-Za-z0-9_]*(?::[A-Za-z0-9_]+)+|PublicUrl)=", RegexOptions.IgnoreCase)]
    private static partial Regex Setting();

    [GeneratedRegex(@"\s*[\r\n]+\s*")]
    private static partial Regex Whitespace();

    [GeneratedRegex(@"as expected type '(?:System\.Nullable`1\[)?System\.Int(?:32|64)\]?'")]
    private static partial Regex ClrNumber();
}
