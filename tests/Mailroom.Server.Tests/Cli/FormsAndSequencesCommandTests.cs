using System.Text.Json.Nodes;
using Mailroom.Data;
using Mailroom.Server.Cli;
using Mailroom.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Mailroom.Server.Tests.Cli;

public sealed class FormsAndSequencesCommandTests
{
    [Theory, Providers]
    public async Task FormsCreate_EmbedWithTexts_StoresEveryField(string provider)
    {
        await using var app = MailroomApp.StartOn(await TestDatabase.CreateAsync(provider));
        var account = await app.CreateAccountAsync();

        var run = await CliRunner.RunAsync(app.Database, "forms", "create", "--account", account.Id.ToString(), "--name", "Newsletter",
            "--format", "slide in", "--title", "Join", "--description", "<p>Weekly</p>", "--button-text", "Go",
            "--success-message", "Check your email", "--confirmation-subject", "Confirm, please", "--confirmation-content", "<p>Click</p>",
            "--double-opt-in", "--json");

        run.AssertSuccess();
        var printed = JsonNode.Parse(run.Output)!;
        var form = await app.DbAsync(db => db.Forms.SingleAsync());
        Assert.Equal(form.Id, (long)printed["id"]!);
        Assert.Equal(form.Uid, (string)printed["uid"]!);
        Assert.Matches("^[0-9a-f]{10}$", form.Uid);
        Assert.Equal((account.Id, "Newsletter", "embed", "slide in", "Join", "<p>Weekly</p>", "Go", "Check your email", "Confirm, please", "<p>Click</p>", true, false),
            (form.AccountId, form.Name, form.Type, form.Format, form.Title, form.Description, form.SignUpButtonText, form.SuccessMessage,
             form.ConfirmationSubject, form.ConfirmationContent, form.DoubleOptIn, form.Archived));
    }

    [Theory, Providers]
    public async Task FormsCreate_HostedLandingPage_HasNoFormatAndDefaultButton(string provider)
    {
        await using var app = MailroomApp.StartOn(await TestDatabase.CreateAsync(provider));
        var account = await app.CreateAccountAsync();

        var run = await CliRunner.RunAsync(app.Database, "forms", "create", "--account", account.Id.ToString(), "--name", "Launch",
            "--type", "hosted", "--title", "Soon", "--archived");

        run.AssertSuccess();
        var form = await app.DbAsync(db => db.Forms.SingleAsync());
        Assert.Equal($"Created landing page {form.Id} (Launch), uid {form.Uid}.{Environment.NewLine}", run.Output);
        Assert.Equal((FormTypes.Hosted, (string?)null, "Subscribe", false, true), (form.Type, form.Format, form.SignUpButtonText, form.DoubleOptIn, form.Archived));
    }

    [Theory, Providers]
    public async Task FormsCreate_DefaultType_IsInlineEmbed(string provider)
    {
        await using var app = MailroomApp.StartOn(await TestDatabase.CreateAsync(provider));
        var account = await app.CreateAccountAsync();

        var run = await CliRunner.RunAsync(app.Database, "forms", "create", "--account", account.Id.ToString(), "--name", "Plain");

        run.AssertSuccess();
        var form = await app.DbAsync(db => db.Forms.SingleAsync());
        Assert.Equal((FormTypes.Embed, "inline", false), (form.Type, form.Format, form.DoubleOptIn));
    }

    [Theory, Providers]
    public async Task SequencesCreate_WithFlags_StoresThem(string provider)
    {
        await using var app = MailroomApp.StartOn(await TestDatabase.CreateAsync(provider));
        var account = await app.CreateAccountAsync();

        var json = await CliRunner.RunAsync(app.Database, "sequences", "create", "--account", account.Id.ToString(), "--name", "Welcome", "--hold", "--repeat", "--json");
        var text = await CliRunner.RunAsync(app.Database, "sequences", "create", "--account", account.Id.ToString(), "--name", "Onboarding");

        json.AssertSuccess();
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"id":1,"name":"Welcome"}"""), JsonNode.Parse(json.Output)), json.Output);
        text.AssertSuccess();
        Assert.Equal("Created sequence 2 (Onboarding)." + Environment.NewLine, text.Output);
        var rows = await app.DbAsync(db => db.Sequences.OrderBy(s => s.Id).Select(s => new { s.AccountId, s.Name, s.Hold, s.Repeat }).ToListAsync());
        Assert.Equal(new[] { new { AccountId = account.Id, Name = "Welcome", Hold = true, Repeat = true },
                             new { AccountId = account.Id, Name = "Onboarding", Hold = false, Repeat = false } }, rows);
    }

    [Fact]
    public async Task Migrate_FreshSqliteFile_CreatesTheSchema()
    {
        var dir = Path.Combine(Path.GetTempPath(), $"mailroom-migrate-{Guid.NewGuid():N}");
        var file = Path.Combine(dir, "nested", "mailroom.db");
        string[] settings = ["--Database:Provider=sqlite", $"--Database:ConnectionString=Data Source={file};Pooling=False"];
        try
        {
            var output = new StringWriter();
            var error = new StringWriter();
            var code = await CliApp.RunAsync(["migrate", .. settings], output, error);
            var list = new StringWriter();
            var listCode = await CliApp.RunAsync(["accounts", "list", "--json", .. settings], list, error);

            Assert.Equal(0, code);
            Assert.Equal("Database is up to date." + Environment.NewLine, output.ToString());
            Assert.Equal(0, listCode);
            Assert.Equal("[]" + Environment.NewLine, list.ToString());
            Assert.Equal("", error.ToString());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Theory, Providers]
    public async Task Migrate_MigratedDatabase_IsUpToDate(string provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);

        var run = await CliRunner.RunAsync(database, "migrate");

        run.AssertSuccess();
        Assert.Equal("Database is up to date." + Environment.NewLine, run.Output);
    }
}
