using System.CommandLine;
using System.Text.Json;
using Mailroom.Server.Api.OAuth;

namespace Mailroom.Server.Cli;

/// <summary><c>mailroom apps create|list|delete|token</c>: OAuth apps, and tokens minted without the browser.</summary>
static class AppsCommands
{
    public static Command Build()
    {
        var apps = new Command("apps", "Register OAuth apps (client id and secret) and mint their tokens for an account.");
        apps.Subcommands.Add(Create());
        apps.Subcommands.Add(List());
        apps.Subcommands.Add(Delete());
        apps.Subcommands.Add(Token());
        return apps;
    }

    static Option<bool> JsonOption() => new("--json") { Description = "Print JSON instead of text." };

    static Command Create()
    {
        var name = new Option<string>("--name") { Description = "The app's name, shown to people asked to authorize it.", Required = true };
        var redirect = new Option<string[]>("--redirect-uri")
        {
            Description = "Where the authorization code is sent (repeat for several).", Required = true, AllowMultipleArgumentsPerToken = false,
        };
        var isPublic = new Option<bool>("--public") { Description = "A public app (browser or mobile): no secret, PKCE (S256) required." };
        var json = JsonOption();
        var command = new Command("create", "Register an OAuth app and print its client_id and client_secret once.") { name, redirect, isPublic, json };
        command.SetAction(async (parse, ct) =>
        {
            var nameValue = CliCheck.Name(parse.GetValue(name), "--name");
            return await CliHost.WithScopeAsync(parse, async services =>
            {
                var (clientId, secret) = await Run(() => services.GetRequiredService<OAuthApps>()
                    .CreateAsync(nameValue, parse.GetValue(redirect) ?? [], parse.GetValue(isPublic), ct));
                var output = parse.InvocationConfiguration.Output;
                if (parse.GetValue(json))
                    await output.WriteLineAsync(JsonSerializer.Serialize(new { client_id = clientId, client_secret = secret }));
                else
                    await output.WriteLineAsync(secret is null
                        ? $"""
                          Created public OAuth app {nameValue}.
                          client_id: {clientId}
                          It has no secret: it must use PKCE (S256) to exchange codes.
                          """
                        : $"""
                          Created OAuth app {nameValue}.
                          client_id: {clientId}
                          client_secret: {secret}
                          Store the secret now: Mailroom keeps only its hash and cannot show it again.
                          """);
                return 0;
            });
        });
        return command;
    }

    static Command List()
    {
        var json = JsonOption();
        var command = new Command("list", "List OAuth apps (client ids, names, redirect URIs; never secrets).") { json };
        command.SetAction(async (parse, ct) => await CliHost.WithScopeAsync(parse, async services =>
        {
            var apps = await services.GetRequiredService<OAuthApps>().ListAsync(ct);
            var output = parse.InvocationConfiguration.Output;
            if (parse.GetValue(json))
            {
                await output.WriteLineAsync(JsonSerializer.Serialize(apps.Select(a => new
                {
                    client_id = a.ClientId, name = a.Name, type = a.IsPublic ? "public" : "confidential", redirect_uris = a.RedirectUris,
                })));
                return 0;
            }
            if (apps.Count == 0) { await output.WriteLineAsync("No OAuth apps. Create one with: mailroom apps create --name NAME --redirect-uri URI"); return 0; }
            await output.WriteLineAsync($"{"CLIENT ID",-34} {"TYPE",-13} {"NAME",-30} REDIRECT URIS");
            foreach (var a in apps)
                await output.WriteLineAsync($"{a.ClientId,-34} {(a.IsPublic ? "public" : "confidential"),-13} {a.Name,-30} {string.Join(' ', a.RedirectUris)}");
            return 0;
        }));
        return command;
    }

    static Command Delete()
    {
        var clientId = new Argument<string>("client-id") { Description = "The app's client id (from apps list)." };
        var command = new Command("delete", "Delete an OAuth app: its tokens stop working at once.") { clientId };
        command.SetAction(async (parse, ct) => await CliHost.WithScopeAsync(parse, async services =>
        {
            var id = parse.GetValue(clientId)!;
            if (!await services.GetRequiredService<OAuthApps>().DeleteAsync(id, ct)) throw new CliException($"no app has client id {id}");
            await parse.InvocationConfiguration.Output.WriteLineAsync($"Deleted OAuth app {id}.");
            return 0;
        }));
        return command;
    }

    static Command Token()
    {
        var clientId = new Option<string>("--client-id") { Description = "The app the token is for.", Required = true };
        var account = new Option<long>("--account") { Description = "Account id the token acts for.", Required = true };
        // inferred: an app authorized in Kit's browser flow gets both scopes unless it asks for fewer.
        var scope = new Option<string>("--scope") { Description = "Granted scopes, space-separated (default: \"read write\").", DefaultValueFactory = _ => "read write" };
        var command = new Command("token", "Mint an access and refresh token pair for an account, as if it had authorized the app; prints JSON once.")
            { clientId, account, scope };
        command.SetAction(async (parse, ct) =>
        {
            var scopes = (parse.GetValue(scope) ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct().ToArray();
            await Run(() => { OAuthApps.CheckScopes(scopes); return Task.FromResult(0); });
            return await CliHost.WithScopeAsync(parse, async services =>
            {
                var pair = await Run(() => services.GetRequiredService<OAuthApps>().MintAsync(parse.GetValue(clientId)!, parse.GetValue(account), scopes, ct));
                await parse.InvocationConfiguration.Output.WriteLineAsync(JsonSerializer.Serialize(new
                {
                    access_token = pair.AccessToken, refresh_token = pair.RefreshToken, token_type = "Bearer",
                    expires_in = pair.ExpiresIn, created_at = pair.CreatedAt, scope = pair.Scope,
                }));
                return 0;
            });
        });
        return command;
    }

    static async Task<T> Run<T>(Func<Task<T>> work)
    {
        try { return await work(); }
        catch (OAuthAppException e) { throw new CliException(e.Message); }
    }
}
