using System.Net;
using System.Text.RegularExpressions;
using Mailroom.Data;
using Mailroom.Server.Delivery;
using Mailroom.Server.Tests.Api.V3;
using Mailroom.Server.Tests.Cli;
using Mailroom.Server.Tests.Delivery;
using Mailroom.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static Mailroom.Server.Tests.Webhooks.WebhookArrange;
using Mailroom.Server.Delivery.Broadcasts;
using Mailroom.Server.Delivery.Webhooks;
using Mailroom.Server.Delivery.Mail;

namespace Mailroom.Server.Tests.Webhooks;

/// <summary>Events caused by mail: confirmation links, clicks, unsubscribe links, bounces and complaints.</summary>
public sealed partial class WebhookMailEventsTests
{
    [Theory, Providers]
    public async Task DoubleOptInForm_ConfirmationLink_FiresActivateAndFormSubscribeOnlyThen(string provider)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var sink = new SmtpSink();
        await using var app = await MailroomApp.StartAsync(provider, DeliveryArrange.SmtpSettings(sink));
        var account = await app.CreateAccountAsync();
        var form = await app.AddFormAsync(account.Id, doubleOptIn: true);
        await app.RuleAsync(account, $"{receiver.Url}/activate", new { name = "subscriber.subscriber_activate" });
        await app.RuleAsync(account, $"{receiver.Url}/form", new { name = "subscriber.form_subscribe", form_id = form.Id });
        await (await app.Http.PostAsync($"/v3/forms/{form.Id}/subscribe", HttpAssert.Json(new
        { api_key = account.ApiKey, email = "jon@example.com", first_name = "Jon" }))).AssertStatusAsync(200);
        await app.DispatchAsync();
        Assert.Empty(receiver.Attempts);

        await app.Services.GetRequiredService<ConfirmationMailer>().RunOnceAsync(CancellationToken.None);
        var link = ConfirmLink().Match(Assert.Single(sink.Messages).HtmlBody!).Value;
        Assert.Equal(HttpStatusCode.OK, (await app.Http.PostAsync(new Uri(link).PathAndQuery, new StringContent(""))).StatusCode);
        await app.DispatchAsync();

        Assert.Equal(["/activate", "/form"], receiver.Requests.Select(r => r.Path).Order());
        Assert.All(receiver.Requests, r => AssertJson(SubscriberPayload(1, "jon@example.com", "active", "Jon"), r.Text));
    }

    [Theory, Providers]
    public async Task LinkClick_TrackedLink_FiresOnlyTheRuleForThatUrl(string provider)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var sink = new SmtpSink();
        await using var app = await MailroomApp.StartAsync(provider, DeliveryArrange.SmtpSettings(sink));
        var account = await app.CreateAccountAsync();
        var subscriberId = await app.SubscriberAsync(account.Id, "jon@example.com", "Jon");
        await app.RuleAsync(account, $"{receiver.Url}/b", new { name = "subscriber.link_click", initiator_value = "https://example.com/b" });
        await app.RuleAsync(account, $"{receiver.Url}/c", new { name = "subscriber.link_click", initiator_value = "https://example.com/c" });
        var id = await app.DueBroadcastAsync(account.Id, "S", "<a href=\"https://example.com/a\">A</a> <a href=\"https://example.com/b\">B</a>");
        await app.Services.GetRequiredService<BroadcastSender>().RunOnceAsync(CancellationToken.None);
        var token = await app.DbAsync(db => db.BroadcastRecipients.Where(r => r.BroadcastId == id).Select(r => r.Token).SingleAsync());

        await app.Http.GetAsync($"/c/{token}-0");
        await app.Http.GetAsync($"/c/{token}-1");
        await app.DispatchAsync();

        var request = Assert.Single(receiver.Requests);
        Assert.Equal(("/b", "link_click"), (request.Path, request.Header("X-Mailroom-Event")));
        AssertJson(SubscriberPayload(subscriberId, "jon@example.com", "active", "Jon"), request.Text);
    }

    [Theory, Providers]
    public async Task SubscriberUnsubscribe_OneClickUnsubscribeLink_PostsTheCancelledSubscriber(string provider)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var sink = new SmtpSink();
        await using var app = await MailroomApp.StartAsync(provider, DeliveryArrange.SmtpSettings(sink));
        var account = await app.CreateAccountAsync();
        var subscriberId = await app.SubscriberAsync(account.Id, "jon@example.com", "Jon");
        await app.RuleAsync(account, $"{receiver.Url}/bye", new { name = "subscriber.subscriber_unsubscribe" });
        await app.DueBroadcastAsync(account.Id, "S", "<p>x</p>");
        await app.Services.GetRequiredService<BroadcastSender>().RunOnceAsync(CancellationToken.None);
        var header = Assert.Single(sink.Messages).Headers["List-Unsubscribe"]!.Trim('<', '>');

        Assert.Equal(HttpStatusCode.OK, (await app.Http.PostAsync(new Uri(header).PathAndQuery, HttpAssert.Form(("List-Unsubscribe", "One-Click")))).StatusCode);
        await app.DispatchAsync();

        var request = Assert.Single(receiver.Requests);
        Assert.Equal("subscriber_unsubscribe", request.Header("X-Mailroom-Event"));
        AssertJson(SubscriberPayload(subscriberId, "jon@example.com", "cancelled", "Jon"), request.Text);
    }

    [Theory, Providers]
    public async Task SubscriberBounce_RelayRefusesRecipient_PostsTheBouncedSubscriber(string provider)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var sink = new SmtpSink();
        await using var app = await MailroomApp.StartAsync(provider, DeliveryArrange.SmtpSettings(sink));
        var account = await app.CreateAccountAsync();
        await app.SubscriberAsync(account.Id, "jon@example.com", "Jon");
        var deadId = await app.SubscriberAsync(account.Id, "dead@example.com");
        await app.RuleAsync(account, $"{receiver.Url}/bounce", new { name = "subscriber.subscriber_bounce" });
        sink.RejectedRecipients["dead@example.com"] = true;

        await app.DueBroadcastAsync(account.Id, "S", "<p>x</p>");
        await app.Services.GetRequiredService<BroadcastSender>().RunOnceAsync(CancellationToken.None);
        await app.DispatchAsync();

        var request = Assert.Single(receiver.Requests);
        Assert.Equal("subscriber_bounce", request.Header("X-Mailroom-Event"));
        AssertJson(SubscriberPayload(deadId, "dead@example.com", "bounced"), request.Text);
    }

    [Theory, Providers]
    public async Task SubscriberComplain_CliComplaint_PostsTheComplainedSubscriberOnce(string provider)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var id = await app.SubscriberAsync(account.Id, "jon@example.com", "Jon");
        await app.RuleAsync(account, $"{receiver.Url}/spam", new { name = "subscriber.subscriber_complain" });

        var first = await CliRunner.RunAsync(app.Database, "subscribers", "complain", "JON@example.com", "--account", account.Id.ToString());
        var again = await CliRunner.RunAsync(app.Database, "subscribers", "complain", "jon@example.com", "--account", account.Id.ToString(), "--json");
        await app.DispatchAsync();

        first.AssertSuccess();
        Assert.Equal($"Subscriber {id} (jon@example.com) is now complained.{Environment.NewLine}", first.Output);
        again.AssertSuccess();
        AssertJson($$"""{"id":{{id}},"email_address":"jon@example.com","state":"complained","changed":false}""", again.Output);
        var request = Assert.Single(receiver.Requests);
        Assert.Equal("subscriber_complain", request.Header("X-Mailroom-Event"));
        AssertJson(SubscriberPayload(id, "jon@example.com", "complained", "Jon"), request.Text);
    }

    [Theory, Providers]
    public async Task SubscribersComplain_BadInput_FailsWithOneLine(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();

        (await CliRunner.RunAsync(app.Database, "subscribers", "complain", "nobody@example.com", "--account", account.Id.ToString()))
            .AssertFailure(1, $"error: account {account.Id} has no subscriber nobody@example.com");
        (await CliRunner.RunAsync(app.Database, "subscribers", "complain", "nobody@example.com", "--account", "99"))
            .AssertFailure(1, "error: account 99 does not exist");
        (await CliRunner.RunAsync(app.Database, "subscribers", "complain", "not-an-email", "--account", account.Id.ToString()))
            .AssertFailure(1, "error: 'not-an-email' is not a valid email address");
        Assert.Equal(0, await app.DbAsync(db => db.OutboxEvents.CountAsync()));
    }

    [GeneratedRegex(@"http://mailroom\.test/confirm/[A-Za-z0-9]+")]
    private static partial Regex ConfirmLink();
}
