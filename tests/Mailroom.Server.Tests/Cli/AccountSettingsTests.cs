using System.Text.Json.Nodes;
using Mailroom.Server.Delivery.Broadcasts;
using Mailroom.Server.Domain.Sequences;
using Mailroom.Server.Tests.Delivery;
using Mailroom.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Mailroom.Server.Tests.Cli;

/// <summary>`accounts update` and `accounts create --time-zone`: the settings sequences and broadcasts send with.</summary>
public sealed class AccountSettingsTests
{
    [Theory, Providers]
    public async Task Update_TimeZoneSendingAddressAndName_ChangeOnlyThose(string provider)
    {
        await using var app = MailroomApp.StartOn(await TestDatabase.CreateAsync(provider));
        var created = await CliRunner.RunAsync(app.Database, "accounts", "create", "--name", "Acme", "--email", "owner@acme.test", "--time-zone", "Asia/Kolkata");

        var zone = await CliRunner.RunAsync(app.Database, "accounts", "update", "1", "--time-zone", "America/New_York");
        var afterZone = await app.DbAsync(db => db.Accounts.AsNoTracking().SingleAsync());
        var all = await CliRunner.RunAsync(app.Database, "accounts", "update", "1", "--name", " Acme Inc. ", "--sending-address", "news@acme.test", "--json");
        var afterAll = await app.DbAsync(db => db.Accounts.AsNoTracking().SingleAsync());
        var back = await CliRunner.RunAsync(app.Database, "accounts", "update", "1", "--sending-address", "primary");

        created.AssertSuccess();
        zone.AssertSuccess();
        Assert.Equal("Updated account 1 (Acme): time zone America/New_York, sends from owner@acme.test." + Environment.NewLine, zone.Output);
        Assert.Equal(("Acme", "America/New_York", (string?)null), (afterZone.Name, afterZone.TimeZone, afterZone.SendingEmailAddress));
        all.AssertSuccess();
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""
            {"id":1,"name":"Acme Inc.","primary_email_address":"owner@acme.test","sending_email_address":"news@acme.test","time_zone":"America/New_York"}
            """), JsonNode.Parse(all.Output)), all.Output);
        Assert.Equal(("Acme Inc.", "America/New_York", "news@acme.test", "owner@acme.test"),
            (afterAll.Name, afterAll.TimeZone, afterAll.SendingEmailAddress, afterAll.PrimaryEmailAddress));
        back.AssertSuccess();
        Assert.Null(await app.DbAsync(db => db.Accounts.Select(a => a.SendingEmailAddress).SingleAsync()));
    }

    [Theory, Providers]
    public async Task Create_WithTimeZone_StoresIt_AndAnUnknownOneIsRefused(string provider)
    {
        await using var app = MailroomApp.StartOn(await TestDatabase.CreateAsync(provider));

        var good = await CliRunner.RunAsync(app.Database, "accounts", "create", "--name", "A", "--email", "a@a.test", "--time-zone", "Pacific/Chatham");
        var bad = await CliRunner.RunAsync(app.Database, "accounts", "create", "--name", "B", "--email", "b@b.test", "--time-zone", "Pacific/Atlantis");

        good.AssertSuccess();
        Assert.Equal("Pacific/Chatham", await app.DbAsync(db => db.Accounts.Select(a => a.TimeZone).SingleAsync()));
        bad.AssertFailure(1, $"error: --time-zone 'Pacific/Atlantis': {SequenceRules.TimeZoneInvalid}, e.g. Europe/Paris");
    }

    [Theory, Providers]
    public async Task Update_BadInput_PrintsOneLineAndChangesNothing(string provider)
    {
        await using var app = MailroomApp.StartOn(await TestDatabase.CreateAsync(provider));
        await app.CreateAccountAsync("Acme", "owner@acme.test");
        (string[] Args, int Exit, string Error)[] cases =
        [
            (["accounts", "update", "1", "--time-zone", "Europe/Pariss"], 1, $"error: --time-zone 'Europe/Pariss': {SequenceRules.TimeZoneInvalid}, e.g. Europe/Paris"),
            (["accounts", "update", "1", "--time-zone", "EST5EDT "], 0, ""),
            (["accounts", "update", "1", "--sending-address", "not-an-address"], 1, "error: --sending-address 'not-an-address' is not a valid email address"),
            (["accounts", "update", "1", "--name", "  "], 1, "error: --name must not be blank"),
            (["accounts", "update", "1"], 1, "error: nothing to change: give --name, --time-zone, --sending-address or a --profile-* option"),
            (["accounts", "update", "999", "--name", "X"], 1, "error: account 999 does not exist"),
            (["accounts", "update", "--name", "X"], 2, "error: Required argument missing for command: 'update'."),
        ];
        var failures = new List<string>();
        foreach (var (args, exit, error) in cases.Where(c => c.Exit != 0))
        {
            var run = await CliRunner.RunAsync(app.Database, args);
            if (run.ExitCode != exit || run.Error != error + Environment.NewLine || run.Output != "")
                failures.Add($"mailroom {string.Join(' ', args)}\n  expected {exit}: {error}\n  got      {run.ExitCode}: {run.Error}  stdout: {run.Output}");
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
        var account = await app.DbAsync(db => db.Accounts.AsNoTracking().SingleAsync());
        Assert.Equal(("Acme", "UTC", (string?)null), (account.Name, account.TimeZone, account.SendingEmailAddress));
        // A zone is stored by its id in the bundled database, trimmed.
        (await CliRunner.RunAsync(app.Database, cases[1].Args)).AssertSuccess();
        Assert.Equal("EST5EDT", await app.DbAsync(db => db.Accounts.Select(a => a.TimeZone).SingleAsync()));
    }

    [Theory, Providers]
    public async Task Broadcast_WithoutItsOwnSender_GoesOutFromTheAccountsSendingAddress(string provider)
    {
        await using var sink = new SmtpSink();
        await using var app = await MailroomApp.StartAsync(provider, DeliveryArrange.SmtpSettings(sink));
        var account = await app.CreateAccountAsync("Acme Corp.", "owner@acme.test");
        await app.SubscriberAsync(account.Id, "jon@example.com", "Jon");
        (await CliRunner.RunAsync(app.Database, "accounts", "update", account.Id.ToString(), "--sending-address", "news@acme.test")).AssertSuccess();
        var plain = await app.DueBroadcastAsync(account.Id, "Plain", "<p>1</p>");
        var own = await app.DueBroadcastAsync(account.Id, "Own", "<p>2</p>");
        await app.DbAsync(db => db.Broadcasts.Where(b => b.Id == own).ExecuteUpdateAsync(s => s.SetProperty(b => b.EmailAddress, "ceo@acme.test")));

        await app.Services.GetRequiredService<BroadcastSender>().RunOnceAsync(CancellationToken.None);

        var from = sink.To("jon@example.com").ToDictionary(m => m.Subject ?? "", m => m.From.Mailboxes.Single().Address ?? "");
        Assert.Equal(new Dictionary<string, string> { ["Plain"] = "news@acme.test", ["Own"] = "ceo@acme.test" }, from);
    }

    [Theory, Providers]
    public async Task BroadcastCreatedOverTheApi_WithoutASender_TakesTheAccountsSendingAddress(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync("Acme Corp.", "owner@acme.test");
        (await CliRunner.RunAsync(app.Database, "accounts", "update", account.Id.ToString(), "--sending-address", "news@acme.test")).AssertSuccess();

        var response = await app.Http.PostAsync("/v3/broadcasts", HttpAssert.Json(new { api_secret = account.ApiSecret, subject = "Hi", content = "<p>x</p>" }));

        var json = await response.AssertStatusAsync(201);
        Assert.Equal("news@acme.test", (string?)json["broadcast"]!["email_address"]);
    }
}
