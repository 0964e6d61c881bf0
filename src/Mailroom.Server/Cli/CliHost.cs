using System.CommandLine;

namespace Mailroom.Server.Cli;

/// <summary>Builds the same service container the server uses, configured the same way, without listening.</summary>
static class CliHost
{
    public static WebApplication Build(ParseResult parse)
    {
        var settings = parse.UnmatchedTokens.Where(t => t.StartsWith("--", StringComparison.Ordinal)).ToArray();
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = settings });
        builder.Logging.ClearProviders();
        builder.Services.AddMailroomCore();
        return builder.Build();
    }

    public static async Task<T> WithScopeAsync<T>(ParseResult parse, Func<IServiceProvider, Task<T>> work)
    {
        await using var host = Build(parse);
        await using var scope = host.Services.CreateAsyncScope();
        return await work(scope.ServiceProvider);
    }
}
