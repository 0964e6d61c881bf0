using System.CommandLine;
using System.Text.Json;
using Mailroom.Server.Api.V4;
using Mailroom.Server.Domain.ApiKeys;

namespace Mailroom.Server.Cli;

/// <summary><c>mailroom keys create|list|revoke</c>: an account's v4 API keys.</summary>
static class KeysCommands
{
    public static Command Build()
    {
        var keys = new Command("keys", "Create, list and revoke an account's v4 API keys (X-Kit-Api-Key).");
        keys.Subcommands.Add(Create());
        keys.Subcommands.Add(List());
        keys.Subcommands.Add(Revoke());
        return keys;
    }

    static Option<long> AccountOption() => new("--account") { Description = "Account id.", Required = true };
    static Option<bool> JsonOption() => new("--json") { Description = "Print JSON instead of text." };

    static Command Create()
    {
        var account = AccountOption();
        var name = new Option<string?>("--name") { Description = "What the key is for, e.g. \"WordPress\" (default: API key)." };
        var json = JsonOption();
        var command = new Command("create", "Create a v4 API key and print it once.") { account, name, json };
        command.SetAction(async (parse, ct) =>
        {
            var nameValue = parse.GetValue(name) is { } given ? CliCheck.Name(given, "--name") : null;
            return await CliHost.WithScopeAsync(parse, async services =>
            {
                var accountId = parse.GetValue(account);
                var created = await services.GetRequiredService<ApiKeyService>().CreateAsync(accountId, nameValue, ct)
                    ?? throw new CliException($"account {accountId} does not exist");
                var output = parse.InvocationConfiguration.Output;
                if (parse.GetValue(json))
                    await output.WriteLineAsync(JsonSerializer.Serialize(new { id = created.Row.Id, name = created.Row.Name, api_key = created.Key }));
                else
                    await output.WriteLineAsync($"""
                        Created v4 API key {created.Row.Id} ({created.Row.Name}) for account {accountId}.
                        api_key: {created.Key}
                        Send it as the {V4Pipeline.ApiKeyHeader} header. Store it now: Mailroom keeps only its hash and cannot show it again.
                        """);
                return 0;
            });
        });
        return command;
    }

    static Command List()
    {
        var account = AccountOption();
        var json = JsonOption();
        var command = new Command("list", "List an account's v4 API keys (names and last four characters, never the keys).") { account, json };
        command.SetAction(async (parse, ct) => await CliHost.WithScopeAsync(parse, async services =>
        {
            var accountId = parse.GetValue(account);
            var db = services.GetRequiredService<AppDbContext>();
            if (!await db.Accounts.AnyAsync(a => a.Id == accountId, ct)) throw new CliException($"account {accountId} does not exist");
            var rows = await services.GetRequiredService<ApiKeyService>().ListAsync(accountId, ct);
            var output = parse.InvocationConfiguration.Output;
            if (parse.GetValue(json))
            {
                await output.WriteLineAsync(JsonSerializer.Serialize(rows.Select(r => new
                {
                    id = r.Id, name = r.Name, hint = "…" + r.Hint, created_at = r.CreatedAt, revoked_at = r.RevokedAt,
                })));
                return 0;
            }
            if (rows.Count == 0) { await output.WriteLineAsync($"No v4 API keys. Create one with: mailroom keys create --account {accountId}"); return 0; }
            await output.WriteLineAsync($"{"ID",-6} {"NAME",-30} {"KEY",-10} {"CREATED",-20} STATE");
            foreach (var r in rows)
                await output.WriteLineAsync($"{r.Id,-6} {r.Name,-30} {"…" + r.Hint,-10} {r.CreatedAt:yyyy-MM-dd HH:mm:ss} {(r.RevokedAt is { } at ? $"revoked {at:yyyy-MM-dd HH:mm:ss}" : "active")}");
            return 0;
        }));
        return command;
    }

    static Command Revoke()
    {
        var account = AccountOption();
        var id = new Argument<long>("id") { Description = "Key id (from keys list)." };
        var command = new Command("revoke", "Revoke a v4 API key: it stops working at once.") { id, account };
        command.SetAction(async (parse, ct) => await CliHost.WithScopeAsync(parse, async services =>
        {
            var accountId = parse.GetValue(account);
            var keyId = parse.GetValue(id);
            if (!await services.GetRequiredService<ApiKeyService>().RevokeAsync(accountId, keyId, ct))
                throw new CliException($"account {accountId} has no API key {keyId}");
            await parse.InvocationConfiguration.Output.WriteLineAsync($"Revoked API key {keyId}.");
            return 0;
        }));
        return command;
    }
}
