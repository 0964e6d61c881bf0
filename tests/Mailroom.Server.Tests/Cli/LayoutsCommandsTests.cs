using System.Text.Json.Nodes;
using Mailroom.Server.Cli;
using Mailroom.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Mailroom.Server.Tests.Cli;

public sealed class LayoutsCommandsTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("mailroom-layouts-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    string WriteFile(string html)
    {
        var path = Path.Combine(_dir, $"{Guid.NewGuid():N}.html");
        File.WriteAllText(path, html);
        return path;
    }

    // The CLI against the test app's database, as `mailroom layouts ... --Database:Provider=...` would run it.
    static async Task<(int Exit, string Out, string Err)> RunAsync(MailroomApp app, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        string[] settings = [$"--Database:Provider={app.Database.Provider}", $"--Database:ConnectionString={app.Database.ConnectionString}", "--Demo:Enabled=false"];
        var exit = await CliApp.RunAsync([.. args, .. settings], output, error);
        return (exit, output.ToString(), error.ToString());
    }

    [Theory, Providers]
    public async Task LayoutsAdd_ValidLayout_SavesItAndBroadcastsCanNameIt(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        const string html = "<html><body><h1>Acme</h1>{{ content }}<p>{{ subscriber.first_name | default: 'Friend' }}</p></body></html>";

        var (exit, output, error) = await RunAsync(app, "layouts", "add", "--account", account.Id.ToString(), "--name", "Branded", "--file", WriteFile(html));

        Assert.Equal((0, "Added layout 1 (Branded).\n", ""), (exit, output.ReplaceLineEndings("\n"), error));
        var layout = await app.DbAsync(db => db.EmailLayouts.SingleAsync());
        Assert.Equal((account.Id, "Branded", html), (layout.AccountId, layout.Name, layout.Html));
        var response = await app.Http.PostAsync("/v3/broadcasts", HttpAssert.Json(new { api_secret = account.ApiSecret, email_layout_template = "Branded" }));
        Assert.Equal("Branded", (await response.AssertStatusAsync(201))["broadcast"]!["email_layout_template"]!.GetValue<string>());
    }

    [Theory, Providers]
    public async Task LayoutsAdd_Invalid_ExitsNonZeroWithOneLineAndSavesNothing(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var id = account.Id.ToString();
        await RunAsync(app, "layouts", "add", "--account", id, "--name", "Branded", "--file", WriteFile("{{content}}"));

        (string[] Args, string Error)[] cases =
        [
            (["--name", "Plain", "--file", WriteFile("<p>no placeholder</p>")], "error: the layout must contain a {{ content }} placeholder"),
            (["--name", "Broken", "--file", WriteFile("{{ content }}{% if x %}")], "error: the layout is not a valid Liquid template: '{% endif %}' was expected at (1:24)"),
            (["--name", "text only", "--file", WriteFile("{{ content }}")], "error: 'Text Only' is the built-in layout; choose another name"),
            (["--name", "BRANDED", "--file", WriteFile("{{ content }}")], $"error: account {id} already has a layout named 'Branded'"),
            (["--name", "  ", "--file", WriteFile("{{ content }}")], "error: --name must not be blank"),
            (["--name", "Missing", "--file", Path.Combine(_dir, "nope.html")], $"error: cannot read {Path.Combine(_dir, "nope.html")}: Could not find file '{Path.Combine(_dir, "nope.html")}'."),
        ];
        foreach (var (args, expected) in cases)
        {
            var (exit, output, error) = await RunAsync(app, ["layouts", "add", "--account", id, .. args]);
            Assert.Equal((1, "", expected), (exit, output, error.TrimEnd()));
        }
        var (unknownExit, _, unknownError) = await RunAsync(app, "layouts", "add", "--account", "999", "--name", "X", "--file", WriteFile("{{ content }}"));
        Assert.Equal((1, "error: account 999 does not exist"), (unknownExit, unknownError.TrimEnd()));
        Assert.Equal(["Branded"], await app.DbAsync(db => db.EmailLayouts.Select(l => l.Name).ToListAsync()));
    }

    [Theory, Providers]
    public async Task LayoutsAdd_MissingOption_ExitsWithUsageError(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);

        var (exit, _, error) = await RunAsync(app, "layouts", "add", "--account", "1", "--name", "X");

        Assert.Equal(2, exit);
        Assert.StartsWith("error: ", error);
        Assert.Contains("--file", error);
    }

    [Theory, Providers]
    public async Task LayoutsList_BuiltInFirstThenTheAccountsOwn(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var other = await app.CreateAccountAsync("Other", "other@acme.test");
        var id = account.Id.ToString();
        await RunAsync(app, "layouts", "add", "--account", id, "--name", "Branded", "--file", WriteFile("{{ content }}"));
        await RunAsync(app, "layouts", "add", "--account", other.Id.ToString(), "--name", "Theirs", "--file", WriteFile("{{ content }}"));
        await RunAsync(app, "layouts", "add", "--account", id, "--name", "Minimal", "--file", WriteFile("{{ content }}"));

        var text = await RunAsync(app, "layouts", "list", "--account", id);
        var json = await RunAsync(app, "layouts", "list", "--account", id, "--json");
        var unknown = await RunAsync(app, "layouts", "list", "--account", "999");

        Assert.Equal((0, "-\tText Only (built in)\n1\tBranded\n3\tMinimal\n"), (text.Exit, text.Out.ReplaceLineEndings("\n")));
        Assert.Equal(0, json.Exit);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""
            [{"id":null,"name":"Text Only","built_in":true},{"id":1,"name":"Branded","built_in":false},{"id":3,"name":"Minimal","built_in":false}]
            """), JsonNode.Parse(json.Out)), json.Out);
        Assert.Equal((1, "error: account 999 does not exist"), (unknown.Exit, unknown.Err.TrimEnd()));
    }
}
