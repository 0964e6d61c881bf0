using Mailroom.Data;
using Mailroom.Server.Cli;
using Mailroom.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Mailroom.Server.Tests.Cli;

public sealed record CliResult(int ExitCode, string Output, string Error)
{
    /// <summary>Asserts the command failed with exactly one line on stderr and nothing on stdout.</summary>
    public void AssertFailure(int exitCode, string errorLine)
    {
        Assert.True(ExitCode == exitCode, $"Expected exit code {exitCode}, got {ExitCode}. stderr: {Error} stdout: {Output}");
        Assert.Equal(errorLine + Environment.NewLine, Error);
        Assert.Equal("", Output);
    }

    public void AssertSuccess()
    {
        Assert.True(ExitCode == 0, $"Expected exit code 0, got {ExitCode}. stderr: {Error}");
        Assert.Equal("", Error);
    }
}

/// <summary>Runs the `mailroom` admin commands in-process against a test database, as the executable would.</summary>
public static class CliRunner
{
    public static async Task<CliResult> RunAsync(TestDatabase database, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        string[] all = [.. args, $"--Database:Provider={database.Provider}", $"--Database:ConnectionString={database.ConnectionString}"];
        var code = await CliApp.RunAsync(all, output, error);
        return new CliResult(code, output.ToString(), error.ToString());
    }

    public static async Task<CliResult> SeedAsync(TestDatabase database, string json)
    {
        var file = Path.Combine(Path.GetTempPath(), $"mailroom-seed-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, json);
        try { return await RunAsync(database, "seed", file); }
        finally { File.Delete(file); }
    }

    /// <summary>docs/examples/acme.seed.json of this checkout, found by walking up from the test binaries.</summary>
    public static string ExampleSeedFile
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "docs", "examples", "acme.seed.json");
                if (File.Exists(candidate)) return candidate;
            }
            throw new FileNotFoundException("docs/examples/acme.seed.json not found above " + AppContext.BaseDirectory);
        }
    }

    /// <summary>Row counts of every table, to show that a failed command changed nothing.</summary>
    public static Task<Dictionary<string, int>> CountRowsAsync(MailroomApp app) => app.DbAsync(async db => new Dictionary<string, int>
    {
        ["accounts"] = await db.Accounts.CountAsync(),
        ["forms"] = await db.Forms.CountAsync(),
        ["sequences"] = await db.Sequences.CountAsync(),
        ["tags"] = await db.Tags.CountAsync(),
        ["custom_fields"] = await db.CustomFields.CountAsync(),
        ["subscribers"] = await db.Subscribers.CountAsync(),
        ["subscriber_field_values"] = await db.SubscriberFieldValues.CountAsync(),
        ["subscriptions"] = await db.Subscriptions.CountAsync(),
        ["broadcasts"] = await db.Broadcasts.CountAsync(),
        ["broadcast_recipients"] = await db.BroadcastRecipients.CountAsync(),
        ["purchases"] = await db.Purchases.CountAsync(),
        ["purchase_products"] = await db.PurchaseProducts.CountAsync(),
        ["webhook_rules"] = await db.WebhookRules.CountAsync(),
        ["outbox_events"] = await db.OutboxEvents.CountAsync(),
    });
}
