using Mailroom.Data;
using Mailroom.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Mailroom.Server.Tests.Hosting;

public sealed class FirstRunTests
{
    [Theory, Providers]
    public async Task Serve_EmptyDatabase_CreatesOneDemoAccountWithSomethingToTry(string provider)
    {
        var database = await TestDatabase.CreateAsync(provider);
        await using (var first = MailroomApp.StartOn(database, new() { ["Demo:Enabled"] = "true" }))
        {
            var accounts = await first.DbAsync(db => db.Accounts.AsNoTracking().ToListAsync());
            var account = Assert.Single(accounts);
            Assert.Equal("Demo Account", account.Name);
            var forms = await first.DbAsync(db => db.Forms.AsNoTracking().OrderBy(f => f.Id).ToListAsync());
            Assert.Equal([FormTypes.Embed, FormTypes.Hosted], forms.Select(f => f.Type));
            Assert.Equal("Welcome Sequence", await first.DbAsync(db => db.Sequences.Select(s => s.Name).SingleAsync()));
            // Two published emails, at once and two days later, so the first subscriber sees the sequence send.
            Assert.Equal([(0, 0, "days", true), (1, 2, "days", true)], await first.DbAsync(async db =>
                (await db.SequenceEmails.OrderBy(e => e.Position).ToListAsync()).Select(e => (e.Position, e.DelayValue, e.DelayUnit, e.Published)).ToList()));
            Assert.Equal(["Customer", "Lead"], await first.DbAsync(db => db.Tags.OrderBy(t => t.Name).Select(t => t.Name).ToListAsync()));
            var field = await first.DbAsync(db => db.CustomFields.AsNoTracking().SingleAsync());
            Assert.Equal(("Last Name", "last_name", $"ck_field_{field.Id}_last_name"), (field.Label, field.Key, field.Name));
            // The keys are printed once and stored only as hashes.
            Assert.Matches("^[0-9a-f]{64}$", account.ApiKeyHash);
            Assert.Matches("^[0-9a-f]{64}$", account.ApiSecretHash);
        }
    }

    [Theory, Providers]
    public async Task Serve_EmptyDatabase_DemoOwnerUserAndAOneTimeSignInLinkPrinted(string provider)
    {
        var printed = new StringWriter();
        var console = Console.Out;
        Console.SetOut(TextWriter.Synchronized(printed));
        try
        {
            await using var app = MailroomApp.StartOn(await TestDatabase.CreateAsync(provider), new() { ["Demo:Enabled"] = "true" });
            var link = System.Text.RegularExpressions.Regex.Match(printed.ToString(), @"http://mailroom\.test/signin/link\?token=\S+").Value;

            Assert.Contains("sign in as owner@demo.test (owner), once, within 24 hours:", printed.ToString());
            var account = await app.DbAsync(db => db.Accounts.SingleAsync());
            var membership = await app.DbAsync(db => db.AccountMemberships.SingleAsync());
            Assert.Equal((account.Id, AccountRoles.Owner), (membership.AccountId, membership.Role));
            using var browser = new SignInBrowser(app);
            await browser.UseLinkAsync(new Uri(link).PathAndQuery);
            Assert.Equal("owner@demo.test", await browser.SignedInAsAsync());
        }
        finally
        {
            Console.SetOut(console);
        }
    }

    [Theory, Providers]
    public async Task Serve_DatabaseWithAnAccount_CreatesNoDemo(string provider)
    {
        var database = await TestDatabase.CreateAsync(provider);
        var exit = await Mailroom.Server.Cli.CliApp.RunAsync(["accounts", "create", "--name", "Acme", "--email", "owner@acme.test",
            $"--Database:Provider={database.Provider}", $"--Database:ConnectionString={database.ConnectionString}"], TextWriter.Null, TextWriter.Null);
        Assert.Equal(0, exit);

        await using var app = MailroomApp.StartOn(database, new() { ["Demo:Enabled"] = "true" });

        Assert.Equal(["Acme"], await app.DbAsync(db => db.Accounts.Select(a => a.Name).ToListAsync()));
        Assert.Equal(0, await app.DbAsync(db => db.Forms.CountAsync()));
        Assert.Equal(0, await app.DbAsync(db => db.Users.CountAsync()));
    }
}
