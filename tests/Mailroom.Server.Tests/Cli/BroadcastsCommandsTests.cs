using System.Text.Json.Nodes;
using Mailroom.Data;
using Mailroom.Server.Cli;
using Mailroom.Server.Delivery.Broadcasts;
using Mailroom.Server.Tests.Delivery;
using Mailroom.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Mailroom.Server.Tests.Cli;

public sealed class BroadcastsCommandsTests
{
    // The CLI against the test app's database, as `mailroom broadcasts ... --Database:Provider=...` would run it.
    static async Task<CliResult> RunAsync(MailroomApp app, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        string[] settings = [$"--Database:Provider={app.Database.Provider}", $"--Database:ConnectionString={app.Database.ConnectionString}", "--Demo:Enabled=false"];
        var exit = await CliApp.RunAsync([.. args, .. settings], output, error);
        return new CliResult(exit, output.ToString().ReplaceLineEndings("\n"), error.ToString());
    }

    [Theory, Providers]
    public async Task BroadcastsListAndFailures_AfterASendWithABadAddress_ShowCountsAndEachFailureWithItsReason(string provider)
    {
        await using var sink = new SmtpSink();
        sink.RejectedRecipients["dead@example.com"] = true;
        await using var app = await MailroomApp.StartAsync(provider, DeliveryArrange.SmtpSettings(sink));
        var account = await app.CreateAccountAsync("Acme Corp.", "news@acme.test");
        var other = await app.CreateAccountAsync("Other", "news@other.test");
        await app.SubscriberAsync(account.Id, "jon@example.com", "Jon");
        await app.SubscriberAsync(account.Id, "ctrl\u0001@example.com", "Bad");
        await app.SubscriberAsync(account.Id, "dead@example.com", "Dead");
        var id = await app.DueBroadcastAsync(account.Id, "Hello there", "<p>x</p>");
        var draft = await app.DbAsync(async db =>
        {
            var now = app.Clock.GetUtcNow().UtcDateTime;
            var b = new Broadcast { AccountId = account.Id, Subject = "Later", Status = BroadcastStatuses.Draft, CreatedAt = now, UpdatedAt = now };
            db.Broadcasts.Add(b);
            await db.SaveChangesAsync();
            return b.Id;
        });
        await app.Services.GetRequiredService<BroadcastSender>().RunOnceAsync(CancellationToken.None);

        var list = await RunAsync(app, "broadcasts", "list", "--account", account.Id.ToString());
        list.AssertSuccess();
        Assert.Equal(
            $"{"ID",-7} {"STATUS",-10} {"RECIPIENTS",10} {"SENT",8} {"FAILED",8} SUBJECT\n" +
            $"{id,-7} {"completed",-10} {3,10} {1,8} {2,8} Hello there\n" +
            $"{draft,-7} {"draft",-10} {0,10} {0,8} {0,8} Later\n", list.Output);

        var json = await RunAsync(app, "broadcasts", "failures", id.ToString(), "--account", account.Id.ToString(), "--json");
        json.AssertSuccess();
        var failures = JsonNode.Parse(json.Output)!.AsArray();
        Assert.Equal(2, failures.Count);
        Assert.Equal("ctrl\u0001@example.com", failures[0]!["email_address"]!.GetValue<string>());
        Assert.Equal(1, failures[0]!["attempts"]!.GetValue<int>());
        Assert.False(failures[0]!["bounced"]!.GetValue<bool>());
        Assert.StartsWith("the message could not be ", failures[0]!["reason"]!.GetValue<string>());
        Assert.Equal("dead@example.com", failures[1]!["email_address"]!.GetValue<string>());
        Assert.True(failures[1]!["bounced"]!.GetValue<bool>());
        Assert.StartsWith("550", failures[1]!["reason"]!.GetValue<string>());

        var text = await RunAsync(app, "broadcasts", "failures", id.ToString());
        text.AssertSuccess();
        var lines = text.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        // A control character in the address is shown, not sent to the terminal.
        Assert.StartsWith($"{1,5} {"no",-7} ctrl\\u0001@example.com: the message could not be ", lines[1]);
        Assert.StartsWith($"{1,5} {"yes",-7} dead@example.com: 550", lines[2]);

        // One account never sees another's broadcast.
        (await RunAsync(app, "broadcasts", "failures", id.ToString(), "--account", other.Id.ToString()))
            .AssertFailure(1, $"error: account {other.Id} has no broadcast {id}");
        (await RunAsync(app, "broadcasts", "failures", "9999")).AssertFailure(1, "error: broadcast 9999 does not exist");
        (await RunAsync(app, "broadcasts", "list", "--account", "9999")).AssertFailure(1, "error: account 9999 does not exist");
        var empty = await RunAsync(app, "broadcasts", "list", "--account", other.Id.ToString());
        empty.AssertSuccess();
        Assert.Equal($"Account {other.Id} has no broadcasts.\n", empty.Output);
    }

    [Theory, Providers]
    public async Task BroadcastsList_FailedBroadcast_ShowsItsReason(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var id = await app.DbAsync(async db =>
        {
            var now = app.Clock.GetUtcNow().UtcDateTime;
            var b = new Broadcast
            {
                CreatedAt = now, UpdatedAt = now, AccountId = account.Id, Subject = "Broken", Status = BroadcastStatuses.Failed, RecipientCount = 4,
                FailureReason = "the template ran longer than\nthe render time limit",
            };
            db.Broadcasts.Add(b);
            await db.SaveChangesAsync();
            return b.Id;
        });

        var text = await RunAsync(app, "broadcasts", "list", "--account", account.Id.ToString());
        text.AssertSuccess();
        Assert.EndsWith($"{id,-7} {"failed",-10} {4,10} {0,8} {0,8} Broken\n        failed: the template ran longer than the render time limit\n", text.Output);

        var json = await RunAsync(app, "broadcasts", "list", "--account", account.Id.ToString(), "--json");
        json.AssertSuccess();
        var row = Assert.Single(JsonNode.Parse(json.Output)!.AsArray())!;
        Assert.Equal(("failed", "the template ran longer than\nthe render time limit"),
            (row["status"]!.GetValue<string>(), row["failure_reason"]!.GetValue<string>()));
    }
}
