using System.Text.Json.Nodes;
using Mailroom.Data;
using Mailroom.Server.Tests.Api.V3;
using Mailroom.Server.Tests.Cli;
using Mailroom.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static Mailroom.Server.Tests.Webhooks.WebhookArrange;

namespace Mailroom.Server.Tests.Webhooks;

/// <summary>`mailroom webhooks secret | deliveries | retry`.</summary>
public sealed class WebhooksCommandTests
{
    /// <summary>
    /// One delivered (rule 1, receiver "ok") and one failed (rule 2, receiver "broken", answering 410 once) delivery
    /// after one attempt each, with MaxAttempts = 1.
    /// </summary>
    static async Task<TestAccount> ArrangeAsync(MailroomApp app, WebhookReceiver ok, WebhookReceiver broken)
    {
        var account = await app.CreateAccountAsync();
        var tag = await app.AddTagAsync(account.Id);
        await app.RuleAsync(account, $"{ok.Url}/ok", new { name = "subscriber.tag_add", tag_id = tag.Id });
        await app.RuleAsync(account, $"{broken.Url}/broken", new { name = "subscriber.subscriber_activate" });
        broken.FailNext(1, status: 410);
        await (await app.Http.PostAsync($"/v3/tags/{tag.Id}/subscribe", HttpAssert.Json(new { api_key = account.ApiKey, email = "jon@example.com" }))).AssertStatusAsync(200);
        await app.DispatchAsync();
        return account;
    }

    [Theory, Providers]
    public async Task Deliveries_Json_ListsNewestFirstWithStatusAndAttempts(string provider)
    {
        await using var ok = await WebhookReceiver.StartAsync();
        await using var broken = await WebhookReceiver.StartAsync();
        await using var app = await MailroomApp.StartAsync(provider, new() { ["Webhooks:MaxAttempts"] = "1" });
        var account = await ArrangeAsync(app, ok, broken);
        var ids = (await app.DeliveriesAsync()).Select(d => d.DeliveryId).ToList();

        var run = await CliRunner.RunAsync(app.Database, "webhooks", "deliveries", "--json");

        run.AssertSuccess();
        AssertJson($$"""
            [{"id":2,"delivery_id":"{{ids[1]}}","account_id":{{account.Id}},"rule_id":1,"event":"tag_add","target_url":"{{ok.Url}}/ok",
              "status":"delivered","attempts":1,"last_status_code":200,"last_error":null,"created_at":"2024-05-01T10:00:00.000Z",
              "next_attempt_at":null,"delivered_at":"2024-05-01T10:00:00.000Z"},
             {"id":1,"delivery_id":"{{ids[0]}}","account_id":{{account.Id}},"rule_id":2,"event":"subscriber_activate","target_url":"{{broken.Url}}/broken",
              "status":"failed","attempts":1,"last_status_code":410,"last_error":"HTTP 410","created_at":"2024-05-01T10:00:00.000Z",
              "next_attempt_at":null,"delivered_at":null}]
            """, run.Output);
    }

    [Theory, Providers]
    public async Task Deliveries_TextFailedAndAccountFilters_ShowOnlyThoseRows(string provider)
    {
        await using var ok = await WebhookReceiver.StartAsync();
        await using var broken = await WebhookReceiver.StartAsync();
        await using var app = await MailroomApp.StartAsync(provider, new() { ["Webhooks:MaxAttempts"] = "1" });
        var account = await ArrangeAsync(app, ok, broken);
        var failed = (await app.DeliveriesAsync()).Single(d => d.Status == WebhookDeliveryStatuses.Failed);

        var text = await CliRunner.RunAsync(app.Database, "webhooks", "deliveries", "--failed");
        var otherAccount = await CliRunner.RunAsync(app.Database, "webhooks", "deliveries", "--account", (account.Id + 1).ToString());

        text.AssertSuccess();
        var lines = text.Output.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.StartsWith("ID      DELIVERY", lines[0]);
        Assert.Equal($"1       {failed.DeliveryId} subscriber_activate    failed        1  410 2024-05-01 10:00:00Z 2024-05-01 10:00:00Z {broken.Url}/broken", lines[1]);
        Assert.Equal("        last error: HTTP 410", lines[2]);
        otherAccount.AssertSuccess();
        Assert.Equal($"No webhook deliveries.{Environment.NewLine}", otherAccount.Output);
    }

    [Theory, Providers]
    public async Task Retry_FailedDelivery_IsSentAgainWithItsDeliveryId(string provider)
    {
        await using var ok = await WebhookReceiver.StartAsync();
        await using var broken = await WebhookReceiver.StartAsync();
        await using var app = await MailroomApp.StartAsync(provider, new() { ["Webhooks:MaxAttempts"] = "1" });
        await ArrangeAsync(app, ok, broken);
        var failed = (await app.DeliveriesAsync()).Single(d => d.Status == WebhookDeliveryStatuses.Failed);

        var run = await CliRunner.RunAsync(app.Database, "webhooks", "retry", failed.Id.ToString());
        // The command stamps the real time; the test server's clock catches up with it.
        app.Clock.SetUtcNow(DateTimeOffset.UtcNow.AddSeconds(1));
        await app.DispatchAsync();

        run.AssertSuccess();
        Assert.Equal($"Delivery {failed.Id} is queued again; the dispatcher sends it on its next pass.{Environment.NewLine}", run.Output);
        var retried = (await app.DeliveriesAsync()).Single(d => d.Id == failed.Id);
        Assert.Equal((WebhookDeliveryStatuses.Delivered, 2, 200), (retried.Status, retried.Attempts, retried.LastStatusCode));
        var request = Assert.Single(broken.Requests);
        Assert.Equal(failed.DeliveryId.ToString(), request.Header("X-Mailroom-Delivery"));
    }

    [Theory, Providers]
    public async Task Retry_NotFailedOrUnknown_FailsWithOneLine(string provider)
    {
        await using var ok = await WebhookReceiver.StartAsync();
        await using var broken = await WebhookReceiver.StartAsync();
        await using var app = await MailroomApp.StartAsync(provider, new() { ["Webhooks:MaxAttempts"] = "1" });
        var account = await ArrangeAsync(app, ok, broken);
        var failed = (await app.DeliveriesAsync()).Single(d => d.Status == WebhookDeliveryStatuses.Failed);

        (await CliRunner.RunAsync(app.Database, "webhooks", "retry", "2")).AssertFailure(1, "error: delivery 2 is delivered, not failed");
        (await CliRunner.RunAsync(app.Database, "webhooks", "retry", "99")).AssertFailure(1, "error: delivery 99 does not exist");
        await (await app.Http.DeleteAsync($"/v3/automations/hooks/{failed.RuleId}?api_secret={account.ApiSecret}")).AssertStatusAsync(200);
        (await CliRunner.RunAsync(app.Database, "webhooks", "retry", failed.Id.ToString()))
            .AssertFailure(1, $"error: delivery {failed.Id} belongs to a deleted rule");
        Assert.Equal(WebhookDeliveryStatuses.Failed, (await app.DeliveriesAsync()).Single(d => d.Id == failed.Id).Status);
    }

    [Theory, Providers]
    public async Task Secret_TextThenClear_StoresPrintsOnceAndClears(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();

        var made = await CliRunner.RunAsync(app.Database, "webhooks", "secret", "--account", account.Id.ToString());
        var stored = await app.DbAsync(db => db.Accounts.Select(a => a.WebhookSigningSecret).SingleAsync());
        var cleared = await CliRunner.RunAsync(app.Database, "webhooks", "secret", "--account", account.Id.ToString(), "--clear", "--json");

        made.AssertSuccess();
        Assert.NotNull(stored);
        Assert.True(stored.Length >= 32);
        Assert.StartsWith($"New webhook signing secret for account {account.Id}; any previous one no longer signs.{Environment.NewLine}secret: {stored}{Environment.NewLine}", made.Output);
        cleared.AssertSuccess();
        AssertJson($$"""{"account_id":{{account.Id}},"secret":null}""", cleared.Output);
        Assert.Null(await app.DbAsync(db => db.Accounts.Select(a => a.WebhookSigningSecret).SingleAsync()));
        (await CliRunner.RunAsync(app.Database, "webhooks", "secret", "--account", "99")).AssertFailure(1, "error: account 99 does not exist");
    }
}
