using System.CommandLine;
using System.Text.Encodings.Web;
using System.Text.Json;
using Mailroom.Server.Domain.Seeding;

namespace Mailroom.Server.Cli;

static class SeedCommand
{
    static readonly JsonSerializerOptions OutputOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        // Names and emails print as written ("Café", "a+b@x.test"); this goes to a terminal or a script, not HTML.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static Command Build()
    {
        var file = new Argument<string>("file") { Description = "Seed file (JSON; format in docs/seed-format.md)." };
        var command = new Command("seed",
            "Create accounts with their forms, tags, subscribers and history from a seed file, in one transaction. " +
            "Prints the created ids and keys as one JSON document.") { file };
        command.SetAction(async (parse, ct) =>
        {
            var seed = SeedReader.Parse(await ReadAsync(parse.GetValue(file)!, ct));
            return await CliHost.WithScopeAsync(parse, async services =>
            {
                var result = await services.GetRequiredService<SeedImporter>().ImportAsync(seed, ct);
                await parse.InvocationConfiguration.Output.WriteLineAsync(JsonSerializer.Serialize(result, OutputOptions));
                return 0;
            });
        });
        return command;
    }

    static async Task<string> ReadAsync(string path, CancellationToken ct)
    {
        if (!File.Exists(path)) throw new CliException($"seed file '{path}' does not exist");
        try
        {
            return await File.ReadAllTextAsync(path, ct);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"cannot read seed file '{path}': {e.Message}");
        }
    }
}
