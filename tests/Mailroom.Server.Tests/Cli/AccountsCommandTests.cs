using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Mailroom.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Mailroom.Server.Tests.Cli;

public sealed partial class AccountsCommandTests
{
    [Theory, Providers]
    public async Task AccountsCreate_Json_PrintsKeysThatWorkAgainstTheApi(string provider)
    {
        await using var app = MailroomApp.StartOn(await TestDatabase.CreateAsync(provider));

        var run = await CliRunner.RunAsync(app.Database, "accounts", "create", "--name", " Acme Corp. ", "--email", "you@acme.test", "--plan", "free", "--json");

        run.AssertSuccess();
        var printed = JsonNode.Parse(run.Output)!;
        Assert.Equal(1, (long)printed["id"]!);
        Assert.Equal("Acme Corp.", (string)printed["name"]!);
        var key = (string)printed["api_key"]!;
        var secret = (string)printed["api_secret"]!;
        Assert.True(key.Length >= 22 && secret.Length >= 22 && key != secret);
        await (await app.Http.GetAsync($"/v3/account?api_secret={secret}"))
            .AssertJsonAsync(200, """{"name":"Acme Corp.","plan_type":"free","primary_email_address":"you@acme.test"}""");
        // The key is valid too: it is refused for lack of scope, not as unknown.
        await (await app.Http.GetAsync($"/v3/account?api_key={key}"))
            .AssertJsonAsync(401, """{"error":"Authorization Failed","message":"You do not have sufficient permissions to access this resource"}""");
        // Only hashes are stored.
        var stored = await app.DbAsync(db => db.Accounts.SingleAsync());
        Assert.DoesNotContain(secret, stored.ApiSecretHash + stored.ApiKeyHash);
        Assert.Null(stored.RateLimitPerMinute);
    }

    [Theory, Providers]
    public async Task AccountsCreate_Text_PrintsEachKeyOnceWithDefaultsApplied(string provider)
    {
        await using var app = MailroomApp.StartOn(await TestDatabase.CreateAsync(provider));

        var run = await CliRunner.RunAsync(app.Database, "accounts", "create", "--name", "Acme", "--email", "you@acme.test", "--rate-limit", "30");

        run.AssertSuccess();
        var secret = SecretLine().Match(run.Output).Groups[1].Value;
        var key = KeyLine().Match(run.Output).Groups[1].Value;
        Assert.StartsWith("Created account 1 (Acme).", run.Output);
        Assert.Single(Regex.Matches(run.Output, Regex.Escape(secret)));
        Assert.Single(Regex.Matches(run.Output, Regex.Escape(key)));
        await (await app.Http.GetAsync($"/v3/account?api_secret={secret}"))
            .AssertJsonAsync(200, """{"name":"Acme","plan_type":"creator","primary_email_address":"you@acme.test"}""");
        Assert.Equal(30, await app.DbAsync(db => db.Accounts.Select(a => a.RateLimitPerMinute).SingleAsync()));
    }

    [Theory, Providers]
    public async Task AccountsList_TwoAccounts_ListsThemWithoutKeys(string provider)
    {
        await using var app = MailroomApp.StartOn(await TestDatabase.CreateAsync(provider));
        var first = await CliRunner.RunAsync(app.Database, "accounts", "create", "--name", "Acme", "--email", "a@acme.test", "--json");
        await CliRunner.RunAsync(app.Database, "accounts", "create", "--name", "Globex", "--email", "b@globex.test", "--plan", "pro", "--rate-limit", "0",
            "--time-zone", "Europe/Paris");

        var json = await CliRunner.RunAsync(app.Database, "accounts", "list", "--json");
        var text = await CliRunner.RunAsync(app.Database, "accounts", "list");

        json.AssertSuccess();
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""
            [{"id":1,"name":"Acme","primary_email_address":"a@acme.test","plan_type":"creator","rate_limit_per_minute":null,"time_zone":"UTC","sending_email_address":null},
             {"id":2,"name":"Globex","primary_email_address":"b@globex.test","plan_type":"pro","rate_limit_per_minute":0,"time_zone":"Europe/Paris","sending_email_address":null}]
            """), JsonNode.Parse(json.Output)), json.Output);
        text.AssertSuccess();
        var lines = text.Output.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.Matches(@"^1\s+Acme\s+a@acme\.test\s+creator\s+UTC$", lines[1]);
        Assert.Matches(@"^2\s+Globex\s+b@globex\.test\s+pro\s+Europe/Paris$", lines[2]);
        Assert.DoesNotContain((string)JsonNode.Parse(first.Output)!["api_secret"]!, text.Output + json.Output);
    }

    [Theory, Providers]
    public async Task AccountsList_NoAccounts_SaysHowToCreateOne(string provider)
    {
        await using var app = MailroomApp.StartOn(await TestDatabase.CreateAsync(provider));

        var run = await CliRunner.RunAsync(app.Database, "accounts", "list");

        run.AssertSuccess();
        Assert.Equal("No accounts. Create one with: mailroom accounts create --name N --email E" + Environment.NewLine, run.Output);
    }

    [Theory, Providers]
    public async Task RotateKeys_ExistingAccount_OldKeysStopWorkingAndNewOnesWork(string provider)
    {
        await using var app = MailroomApp.StartOn(await TestDatabase.CreateAsync(provider));
        var created = JsonNode.Parse((await CliRunner.RunAsync(app.Database, "accounts", "create", "--name", "Acme", "--email", "a@acme.test", "--json")).Output)!;
        var other = await app.CreateAccountAsync("Other", "o@other.test");

        var run = await CliRunner.RunAsync(app.Database, "accounts", "rotate-keys", "1", "--json");

        run.AssertSuccess();
        var rotated = JsonNode.Parse(run.Output)!;
        Assert.Equal(1, (long)rotated["id"]!);
        Assert.NotEqual((string)created["api_secret"]!, (string)rotated["api_secret"]!);
        Assert.NotEqual((string)created["api_key"]!, (string)rotated["api_key"]!);
        foreach (var old in new[] { $"api_secret={created["api_secret"]}", $"api_key={created["api_key"]}" })
            await (await app.Http.GetAsync($"/v3/account?{old}"))
                .AssertJsonAsync(401, """{"error":"Authorization Failed","message":"API Key not valid"}""");
        await (await app.Http.GetAsync($"/v3/account?api_secret={rotated["api_secret"]}"))
            .AssertJsonAsync(200, """{"name":"Acme","plan_type":"creator","primary_email_address":"a@acme.test"}""");
        await (await app.Http.GetAsync($"/v3/account?api_key={rotated["api_key"]}")).AssertStatusAsync(401);
        // The other account is untouched.
        await (await app.Http.GetAsync($"/v3/account?api_secret={other.ApiSecret}")).AssertStatusAsync(200);
    }

    [Theory, Providers]
    public async Task RotateKeys_Text_PrintsNewKeysOnce(string provider)
    {
        await using var app = MailroomApp.StartOn(await TestDatabase.CreateAsync(provider));
        var account = await app.CreateAccountAsync();

        var run = await CliRunner.RunAsync(app.Database, "accounts", "rotate-keys", account.Id.ToString());

        run.AssertSuccess();
        var secret = SecretLine().Match(run.Output).Groups[1].Value;
        Assert.Single(Regex.Matches(run.Output, Regex.Escape(secret)));
        await (await app.Http.GetAsync($"/v3/account?api_secret={secret}")).AssertStatusAsync(200);
        await (await app.Http.GetAsync($"/v3/account?api_secret={account.ApiSecret}")).AssertStatusAsync(401);
    }

    [GeneratedRegex(@"api_secret:\s+(\S+)")]
    private static partial Regex SecretLine();

    [GeneratedRegex(@"api_key:\s+(\S+)")]
    private static partial Regex KeyLine();
}
