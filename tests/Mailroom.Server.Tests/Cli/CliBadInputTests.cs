using Mailroom.Server.Cli;
using Mailroom.Server.Tests.Infrastructure;

namespace Mailroom.Server.Tests.Cli;

public sealed class CliBadInputTests
{
    // Each bad command line: the exit code (2 = the command line itself, 1 = a value or an id) and the one line on stderr.
    static readonly (string[] Args, int Exit, string Error)[] Cases =
    [
        (["acounts", "list"], 2, "error: Unrecognized command or argument 'acounts'."),
        (["accounts"], 2, "error: Required command was not provided."),
        (["accounts", "create", "--email", "a@b.test"], 2, "error: Option '--name' is required."),
        (["accounts", "create", "--name", "X", "--email", "not-an-email"], 1, "error: --email 'not-an-email' is not a valid email address"),
        (["accounts", "create", "--name", "  ", "--email", "a@b.test"], 1, "error: --name must not be blank"),
        (["accounts", "create", "--name", new string('x', 256), "--email", "a@b.test"], 1, "error: --name is longer than 255 characters"),
        (["accounts", "create", "--name", "X", "--email", "a@b.test", "--plan", new string('p', 65)], 1, "error: --plan is longer than 64 characters"),
        (["accounts", "create", "--name", "X", "--email", "a@b.test", "--rate-limit", "-1"], 1, "error: --rate-limit must be 0 (unlimited) or more"),
        (["accounts", "create", "--name", "X", "--email", "a@b.test", "--rate-limit", "many"], 2,
            "error: Cannot parse argument 'many' for option '--rate-limit' as a whole number."),
        (["accounts", "create", "--name", "X", "--email", "a@b.test", "--plna", "pro"], 2, "error: Unrecognized command or argument '--plna'."),
        (["accounts", "list", "extra"], 2, "error: Unrecognized command or argument 'extra'."),
        (["accounts", "rotate-keys"], 2, "error: Required argument missing for command: 'rotate-keys'."),
        (["accounts", "rotate-keys", "abc"], 2, "error: Cannot parse argument 'abc' for command 'rotate-keys' as a whole number."),
        (["accounts", "rotate-keys", "999"], 1, "error: account 999 does not exist"),
        (["forms", "create", "--account", "999", "--name", "F"], 1, "error: account 999 does not exist"),
        (["forms", "create", "--account", "1", "--name", ""], 1, "error: --name must not be blank"),
        (["forms", "create", "--account", "1", "--name", "F", "--type", "popup"], 2,
            "error: Argument 'popup' not recognized. Must be one of: 'embed' 'hosted'"),
        (["forms", "create", "--account", "1", "--name", "F", "--format", "banner"], 2,
            "error: Argument 'banner' not recognized. Must be one of: 'inline' 'modal' 'slide in' 'sticky bar'"),
        (["forms", "create", "--account", "1", "--name", "F", "--type", "hosted", "--format", "modal"], 1,
            "error: --format applies to embed forms only; landing pages have no format"),
        (["forms", "create", "--account", "one", "--name", "F"], 2, "error: Cannot parse argument 'one' for option '--account' as a whole number."),
        (["sequences", "create", "--account", "1"], 2, "error: Option '--name' is required."),
        (["sequences", "create", "--account", "999", "--name", "S"], 1, "error: account 999 does not exist"),
        (["sequences", "create", "--account", "1", "--name", " "], 1, "error: --name must not be blank"),
        (["seed"], 2, "error: Required argument missing for command: 'seed'."),
        (["seed", "/nonexistent/acme.seed.json"], 1, "error: seed file '/nonexistent/acme.seed.json' does not exist"),
    ];

    [Theory, Providers]
    public async Task BadCommandLine_EachCase_PrintsOneLineExitsNonZeroAndChangesNothing(string provider)
    {
        await using var app = MailroomApp.StartOn(await TestDatabase.CreateAsync(provider));
        await app.CreateAccountAsync();
        var before = await CliRunner.CountRowsAsync(app);

        var failures = new List<string>();
        foreach (var (args, exit, error) in Cases)
        {
            var run = await CliRunner.RunAsync(app.Database, args);
            if (run.ExitCode != exit || run.Error != error + Environment.NewLine || run.Output != "")
                failures.Add($"mailroom {string.Join(' ', args)}\n  expected {exit}: {error}\n  got      {run.ExitCode}: {run.Error}  stdout: {run.Output}");
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));

        Assert.Equal(before, await CliRunner.CountRowsAsync(app));
    }

    [Theory]
    [InlineData("--Database:Provider=mysql", "error: Database:Provider must be sqlite or postgres, not 'mysql'")]
    [InlineData("--Database:Provider=postgres", "error: Database:ConnectionString is required when Database:Provider is postgres")]
    [InlineData("--Database:ConnectionString=Bogus=1", "error: Database:ConnectionString is not valid: Connection string keyword 'bogus' is not supported. For a possible alternative, see https://go.microsoft.com/fwlink/?linkid=2142181.")]
    public async Task BadDatabaseSetting_PrintsOneLine(string setting, string expected)
    {
        var output = new StringWriter();
        var error = new StringWriter();

        var code = await CliApp.RunAsync(["accounts", "list", setting], output, error);

        new CliResult(code, output.ToString(), error.ToString()).AssertFailure(1, expected);
    }

    [Fact]
    public async Task UnreachablePostgres_PrintsOneDatabaseLine()
    {
        var output = new StringWriter();
        var error = new StringWriter();

        var code = await CliApp.RunAsync(["accounts", "list", "--Database:Provider=postgres",
            "--Database:ConnectionString=Host=127.0.0.1;Port=1;Username=x;Password=x;Database=x;Timeout=2"], output, error);

        Assert.Equal(1, code);
        Assert.StartsWith("error: database: ", error.ToString());
        Assert.Single(error.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal("", output.ToString());
    }

    [Theory]
    [InlineData(new string[0], false)]
    [InlineData(new[] { "serve" }, false)]
    [InlineData(new[] { "serve", "--urls", "http://127.0.0.1:0" }, false)]
    [InlineData(new[] { "--urls", "http://127.0.0.1:0" }, false)]
    [InlineData(new[] { "accounts", "list" }, true)]
    [InlineData(new[] { "acounts" }, true)]
    [InlineData(new[] { "--help" }, true)]
    public void IsAdminCommand_OnlyServeAndBareOptionsServe(string[] args, bool admin) =>
        Assert.Equal(admin, CliApp.IsAdminCommand(args));
}
