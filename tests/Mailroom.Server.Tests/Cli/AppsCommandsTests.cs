using System.Text.Json.Nodes;
using Mailroom.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using OpenIddict.EntityFrameworkCore.Models;

namespace Mailroom.Server.Tests.Cli;

/// <summary><c>mailroom apps create|list|delete|token</c>: what an operator sees, and every refusal as one line.</summary>
public sealed class AppsCommandsTests
{
    [Theory, Providers]
    public async Task Create_PrintsTheSecretOnce_ListShowsAppsWithoutIt(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);

        var text = await CliRunner.RunAsync(app.Database, "apps", "create", "--name", "Zapier <b>", "--redirect-uri", "https://zapier.test/cb",
            "--redirect-uri", "https://zapier.test/cb2");
        var json = await CliRunner.RunAsync(app.Database, "apps", "create", "--name", "Mobile", "--redirect-uri", "com.example.app:/cb", "--public", "--json");
        var list = await CliRunner.RunAsync(app.Database, "apps", "list", "--json");
        var table = await CliRunner.RunAsync(app.Database, "apps", "list");

        text.AssertSuccess();
        var lines = text.Output.Split(Environment.NewLine);
        Assert.Equal("Created OAuth app Zapier <b>.", lines[0]);
        var clientId = lines[1]["client_id: ".Length..];
        var secret = lines[2]["client_secret: ".Length..];
        Assert.Equal(43, secret.Length);
        json.AssertSuccess();
        var mobile = JsonNode.Parse(json.Output)!;
        Assert.Null(mobile["client_secret"]);
        list.AssertSuccess();
        Assert.DoesNotContain(secret, list.Output);
        Assert.Equal($$"""
            [{"client_id":"{{clientId}}","name":"Zapier \u003Cb\u003E","type":"confidential","redirect_uris":["https://zapier.test/cb","https://zapier.test/cb2"]},{"client_id":"{{mobile["client_id"]}}","name":"Mobile","type":"public","redirect_uris":["com.example.app:/cb"]}]
            """, list.Output.Trim());
        Assert.Contains(clientId, table.Output);
        Assert.DoesNotContain(secret, table.Output);
        // Only a hash of the secret is stored.
        var stored = await app.DbAsync(db => db.Set<OpenIddictEntityFrameworkCoreApplication<long>>().Select(a => a.ClientSecret).ToListAsync());
        Assert.DoesNotContain(secret, stored);
    }

    [Theory, Providers]
    public async Task List_WithNoApps_SaysHowToCreateOne(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);

        var list = await CliRunner.RunAsync(app.Database, "apps", "list");

        list.AssertSuccess();
        Assert.Equal("No OAuth apps. Create one with: mailroom apps create --name NAME --redirect-uri URI" + Environment.NewLine, list.Output);
    }

    [Theory, Providers]
    public async Task Delete_RemovesTheAppAndItsGrants(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var registered = await V4OAuth.CreateAppAsync(app);
        await V4OAuth.MintAsync(app, registered.ClientId, account.Id);

        var deleted = await CliRunner.RunAsync(app.Database, "apps", "delete", registered.ClientId);
        var again = await CliRunner.RunAsync(app.Database, "apps", "delete", registered.ClientId);

        deleted.AssertSuccess();
        Assert.Equal($"Deleted OAuth app {registered.ClientId}." + Environment.NewLine, deleted.Output);
        again.AssertFailure(1, $"error: no app has client id {registered.ClientId}");
        Assert.Equal((0, 0, 0), await app.DbAsync(async db => (
            await db.Set<OpenIddictEntityFrameworkCoreApplication<long>>().CountAsync(),
            await db.Set<OpenIddictEntityFrameworkCoreAuthorization<long>>().CountAsync(),
            await db.Set<OpenIddictEntityFrameworkCoreToken<long>>().CountAsync())));
    }

    [Theory, Providers]
    public async Task BadInput_IsOneLine_NonZero_AndChangesNothing(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var registered = await V4OAuth.CreateAppAsync(app);
        var id = account.Id.ToString();
        (string[] Args, int Exit, string Error)[] cases =
        [
            (["apps", "create", "--redirect-uri", "https://a.test/cb"], 2, "error: Option '--name' is required."),
            (["apps", "create", "--name", "A"], 2, "error: Option '--redirect-uri' is required."),
            (["apps", "create", "--name", " ", "--redirect-uri", "https://a.test/cb"], 1, "error: --name must not be blank"),
            (["apps", "create", "--name", "A", "--redirect-uri", "/cb"], 1, "error: redirect URI /cb is not an absolute URI without a fragment"),
            (["apps", "create", "--name", "A", "--redirect-uri", "https://a.test/cb#x"], 1, "error: redirect URI https://a.test/cb#x is not an absolute URI without a fragment"),
            (["apps", "delete"], 2, "error: Required argument missing for command: 'delete'."),
            (["apps", "token", "--client-id", "nope", "--account", id], 1, "error: no app has client id nope"),
            (["apps", "token", "--client-id", registered.ClientId, "--account", "999"], 1, "error: account 999 does not exist"),
            (["apps", "token", "--client-id", registered.ClientId, "--account", "x"], 2, "error: Cannot parse argument 'x' for option '--account' as a whole number."),
            (["apps", "token", "--client-id", registered.ClientId, "--account", id, "--scope", "read admin"], 1, "error: unknown scope admin: the scopes are read and write"),
            (["apps", "token", "--client-id", registered.ClientId, "--account", id, "--scope", " "], 1, "error: scope must name read, write or both"),
            (["apps", "token", "--account", id], 2, "error: Option '--client-id' is required."),
        ];
        var before = await CountAsync(app);

        var failures = new List<string>();
        foreach (var (args, exit, error) in cases)
        {
            var run = await CliRunner.RunAsync(app.Database, args);
            if (run.ExitCode != exit || run.Error != error + Environment.NewLine || run.Output != "")
                failures.Add($"mailroom {string.Join(' ', args)}\n  expected {exit}: {error}\n  got      {run.ExitCode}: {run.Error}  stdout: {run.Output}");
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.Equal(before, await CountAsync(app));
    }

    static Task<(int, int, int)> CountAsync(MailroomApp app) => app.DbAsync(async db => (
        await db.Set<OpenIddictEntityFrameworkCoreApplication<long>>().CountAsync(),
        await db.Set<OpenIddictEntityFrameworkCoreAuthorization<long>>().CountAsync(),
        await db.Set<OpenIddictEntityFrameworkCoreToken<long>>().CountAsync()));
}
