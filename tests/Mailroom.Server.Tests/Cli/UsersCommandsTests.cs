using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Mailroom.Data;
using Mailroom.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Mailroom.Server.Tests.Cli;

public sealed partial class UsersCommandsTests
{
    const string Password = "correct horse battery";

    [Theory, Providers]
    public async Task UsersCreate_PasswordFromStdin_StoresOnlyAHashAndTheRole(string provider)
    {
        await using var app = MailroomApp.StartOn(await TestDatabase.CreateAsync(provider));
        var account = await app.CreateAccountAsync();

        var run = await WithStdinAsync(Password + "\n", () => CliRunner.RunAsync(app.Database,
            "users", "create", "--email", "Ann@Acme.test", "--password-stdin", "--account", $"{account.Id}", "--role", "editor"));

        run.AssertSuccess();
        Assert.Equal($"Created user 1 (ann@acme.test), editor of account {account.Id}.\n", run.Output.ReplaceLineEndings("\n"));
        var user = await app.DbAsync(db => db.Users.SingleAsync());
        Assert.Equal("ann@acme.test", user.Email);
        Assert.NotNull(user.PasswordHash);
        Assert.DoesNotContain(Password, user.PasswordHash);
        Assert.True(user.LockoutEnabled);
        Assert.NotNull(user.SecurityStamp);
        var membership = await app.DbAsync(db => db.AccountMemberships.SingleAsync());
        Assert.Equal((user.Id, account.Id, AccountRoles.Editor), (membership.UserId, membership.AccountId, membership.Role));
    }

    [Theory, Providers]
    public async Task UsersCreate_NoPassword_PrintsAOneTimeLinkThatSignsIn(string provider)
    {
        await using var app = MailroomApp.StartOn(await TestDatabase.CreateAsync(provider));
        var account = await app.CreateAccountAsync();

        var run = await CliRunner.RunAsync(app.Database, "users", "create", "--email", "ann@acme.test", "--account", $"{account.Id}", "--role", "owner");

        run.AssertSuccess();
        Assert.Contains("One-time link to sign in (valid 24 hours, works once):", run.Output);
        var link = LinkLine().Match(run.Output).Groups[1].Value;
        // No PublicUrl setting in this run: the link names the default address.
        Assert.StartsWith("http://localhost:5000/signin/link?token=", link);
        Assert.Null(await app.DbAsync(db => db.Users.Select(u => u.PasswordHash).SingleAsync()));
        // Only a hash of the link's secret is stored.
        var stored = await app.DbAsync(db => db.UserTokens.Select(t => t.Value).SingleAsync());
        Assert.DoesNotContain(Uri.UnescapeDataString(link.Split("token=")[1]).Split('.')[1], stored!);

        using var browser = new SignInBrowser(app);
        await browser.UseLinkAsync(link);
        Assert.Equal("ann@acme.test", await browser.SignedInAsAsync());
    }

    [Theory, Providers]
    public async Task UsersList_ByAccount_ShowsUsersRolesAndState(string provider)
    {
        await using var app = MailroomApp.StartOn(await TestDatabase.CreateAsync(provider));
        var acme = await app.CreateAccountAsync();
        var globex = await app.CreateAccountAsync("Globex", "owner@globex.test");
        await CreateAsync(app, "ann@acme.test", acme.Id, "owner");
        await CreateAsync(app, "bob@globex.test", globex.Id, "viewer");
        (await CliRunner.RunAsync(app.Database, "users", "grant", "--email", "ann@acme.test", "--account", $"{globex.Id}", "--role", "editor")).AssertSuccess();

        var all = await CliRunner.RunAsync(app.Database, "users", "list", "--json");
        var onlyGlobex = await CliRunner.RunAsync(app.Database, "users", "list", "--account", $"{globex.Id}");
        var onlyAcme = await CliRunner.RunAsync(app.Database, "users", "list", "--account", $"{acme.Id}", "--json");

        all.AssertSuccess();
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse($$"""
            [{"id":1,"email":"ann@acme.test","has_password":true,"locked_until":null,"accounts":[{"account_id":{{acme.Id}},"role":"owner"},{"account_id":{{globex.Id}},"role":"editor"}]},
             {"id":2,"email":"bob@globex.test","has_password":true,"locked_until":null,"accounts":[{"account_id":{{globex.Id}},"role":"viewer"}]}]
            """), JsonNode.Parse(all.Output)), all.Output);
        onlyGlobex.AssertSuccess();
        Assert.Contains("ann@acme.test", onlyGlobex.Output);
        Assert.Contains("bob@globex.test", onlyGlobex.Output);
        Assert.Single(JsonNode.Parse(onlyAcme.Output)!.AsArray());
        Assert.DoesNotContain(Password, all.Output + onlyGlobex.Output);
    }

    [Theory, Providers]
    public async Task UsersGrant_ExistingMembership_ChangesTheRole(string provider)
    {
        await using var app = MailroomApp.StartOn(await TestDatabase.CreateAsync(provider));
        var acme = await app.CreateAccountAsync();
        await CreateAsync(app, "ann@acme.test", acme.Id, "viewer");

        var run = await CliRunner.RunAsync(app.Database, "users", "grant", "--email", "ann@acme.test", "--account", $"{acme.Id}", "--role", "owner");

        run.AssertSuccess();
        Assert.Equal($"ann@acme.test is now owner of account {acme.Id}.", run.Output.Trim());
        Assert.Equal(AccountRoles.Owner, await app.DbAsync(db => db.AccountMemberships.Select(m => m.Role).SingleAsync()));
    }

    [Theory, Providers]
    public async Task UsersResetPassword_Link_SetsANewPasswordOnce(string provider)
    {
        await using var app = MailroomApp.StartOn(await TestDatabase.CreateAsync(provider));
        var acme = await app.CreateAccountAsync();
        await CreateAsync(app, "ann@acme.test", acme.Id, "owner");

        var run = await CliRunner.RunAsync(app.Database, "users", "reset-password", "--email", "ann@acme.test");

        run.AssertSuccess();
        Assert.Contains("One-time link to set a new password (valid 24 hours, works once):", run.Output);
        var link = LinkLine().Match(run.Output).Groups[1].Value;
        using (var browser = new SignInBrowser(app))
        {
            await browser.UseLinkAsync(link, newPassword: "a brand new passphrase");
            Assert.Equal("ann@acme.test", await browser.SignedInAsAsync());
        }
        using (var browser = new SignInBrowser(app))
        {
            Assert.Contains(SignInBrowser.LinkUnusable, await browser.GetPageAsync(link));
            await browser.SignInAsync("ann@acme.test", "a brand new passphrase");
            Assert.Equal("ann@acme.test", await browser.SignedInAsAsync());
        }
    }

    [Theory, Providers]
    public async Task Users_BadInput_OneLineErrorAndNothingChanged(string provider)
    {
        await using var app = MailroomApp.StartOn(await TestDatabase.CreateAsync(provider));
        var acme = await app.CreateAccountAsync();
        await CreateAsync(app, "ann@acme.test", acme.Id, "owner");
        var id = $"{acme.Id}";

        (await CliRunner.RunAsync(app.Database, "users", "create", "--email", "not-an-address", "--account", id, "--role", "owner"))
            .AssertFailure(1, "error: not-an-address is not a valid e-mail address");
        (await CliRunner.RunAsync(app.Database, "users", "create", "--email", "bob@acme.test", "--account", id, "--role", "admin"))
            .AssertFailure(1, "error: role must be one of owner, editor, viewer, not admin");
        (await CliRunner.RunAsync(app.Database, "users", "create", "--email", "bob@acme.test", "--account", "999", "--role", "owner"))
            .AssertFailure(1, "error: account 999 does not exist");
        (await CliRunner.RunAsync(app.Database, "users", "create", "--email", "ANN@acme.test", "--account", id, "--role", "owner"))
            .AssertFailure(1, "error: a user with e-mail ANN@acme.test already exists");
        (await WithStdinAsync("short\n", () => CliRunner.RunAsync(app.Database,
            "users", "create", "--email", "bob@acme.test", "--password-stdin", "--account", id, "--role", "owner")))
            .AssertFailure(1, "error: Passwords must be at least 10 characters.");
        (await WithStdinAsync("", () => CliRunner.RunAsync(app.Database,
            "users", "create", "--email", "bob@acme.test", "--password-stdin", "--account", id, "--role", "owner")))
            .AssertFailure(1, "error: --password-stdin: no password on standard input");
        (await CliRunner.RunAsync(app.Database, "users", "create", "--email", "bob@acme.test", "--account", "x", "--role", "owner"))
            .AssertFailure(2, "error: Cannot parse argument 'x' for option '--account' as a whole number.");
        (await CliRunner.RunAsync(app.Database, "users", "grant", "--email", "nobody@acme.test", "--account", id, "--role", "owner"))
            .AssertFailure(1, "error: no user has e-mail nobody@acme.test");
        (await CliRunner.RunAsync(app.Database, "users", "grant", "--email", "ann@acme.test", "--account", "999", "--role", "owner"))
            .AssertFailure(1, "error: account 999 does not exist");
        (await CliRunner.RunAsync(app.Database, "users", "reset-password", "--email", "nobody@acme.test"))
            .AssertFailure(1, "error: no user has e-mail nobody@acme.test");
        (await CliRunner.RunAsync(app.Database, "users", "list", "--account", "999"))
            .AssertFailure(1, "error: account 999 does not exist");

        Assert.Equal(1, await app.DbAsync(db => db.Users.CountAsync()));
        Assert.Equal(1, await app.DbAsync(db => db.AccountMemberships.CountAsync()));
    }

    static async Task CreateAsync(MailroomApp app, string email, long accountId, string role) =>
        (await WithStdinAsync(Password + "\n", () => CliRunner.RunAsync(app.Database,
            "users", "create", "--email", email, "--password-stdin", "--account", $"{accountId}", "--role", role))).AssertSuccess();

    // Only `users create --password-stdin` reads standard input, and only this class runs it.
    static readonly SemaphoreSlim StdinLock = new(1, 1);

    static async Task<CliResult> WithStdinAsync(string input, Func<Task<CliResult>> run)
    {
        await StdinLock.WaitAsync();
        var original = Console.In;
        try
        {
            Console.SetIn(new StringReader(input));
            return await run();
        }
        finally
        {
            Console.SetIn(original);
            StdinLock.Release();
        }
    }

    [GeneratedRegex(@"^\s+(http\S+)$", RegexOptions.Multiline)]
    private static partial Regex LinkLine();
}
