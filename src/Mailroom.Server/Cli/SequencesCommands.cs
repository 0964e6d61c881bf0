using System.CommandLine;
using System.Text.Json;
using Mailroom.Server.Domain;

namespace Mailroom.Server.Cli;

static class SequencesCommands
{
    public static Command Build()
    {
        var sequences = new Command("sequences", "Manage sequences (v3 has no API for this).");
        sequences.Subcommands.Add(Create());
        return sequences;
    }

    static Command Create()
    {
        var account = new Option<long>("--account") { Description = "Account id.", Required = true };
        var name = new Option<string>("--name") { Description = "Sequence name.", Required = true };
        var hold = new Option<bool>("--hold") { Description = "Hold subscribers at the end instead of completing them." };
        var repeat = new Option<bool>("--repeat") { Description = "Let a subscriber go through the sequence more than once." };
        var json = new Option<bool>("--json") { Description = "Print JSON instead of text." };
        var command = new Command("create", "Create a sequence.") { account, name, hold, repeat, json };
        command.SetAction(async (parse, ct) =>
        {
            var nameValue = CliCheck.Name(parse.GetValue(name), "--name");
            return await CliHost.WithScopeAsync(parse, async services =>
            {
                var db = services.GetRequiredService<AppDbContext>();
                var accountId = parse.GetValue(account);
                if (!await db.Accounts.AnyAsync(a => a.Id == accountId, ct)) throw new CliException($"account {accountId} does not exist");
                var sequence = new Sequence
                {
                    AccountId = accountId, Name = nameValue, Hold = parse.GetValue(hold), Repeat = parse.GetValue(repeat),
                    CreatedAt = services.GetRequiredService<TimeProvider>().UtcNowSeconds(),
                };
                db.Sequences.Add(sequence);
                await db.SaveChangesAsync(ct);
                var output = parse.InvocationConfiguration.Output;
                if (parse.GetValue(json)) await output.WriteLineAsync(JsonSerializer.Serialize(new { id = sequence.Id, name = sequence.Name }));
                else await output.WriteLineAsync($"Created sequence {sequence.Id} ({sequence.Name}).");
                return 0;
            });
        });
        return command;
    }
}
