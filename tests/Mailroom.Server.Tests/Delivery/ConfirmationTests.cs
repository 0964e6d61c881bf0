using System.Net;
using System.Text.RegularExpressions;
using Mailroom.Data;
using Mailroom.Server.Delivery;
using Mailroom.Server.Tests.Api.V3;
using Mailroom.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Mailroom.Server.Delivery.Mail;

namespace Mailroom.Server.Tests.Delivery;

public sealed partial class ConfirmationTests
{
    [Theory, Providers]
    public async Task DoubleOptIn_FollowLink_ActivatesSubscriberAndSubscriptionsOnce(string provider)
    {
        await using var sink = new SmtpSink();
        await using var app = await MailroomApp.StartAsync(provider, DeliveryArrange.SmtpSettings(sink));
        var account = await app.CreateAccountAsync("Acme Corp.", "news@acme.test");
        var form = await app.AddFormAsync(account.Id, doubleOptIn: true);
        var sequence = await app.AddSequenceAsync(account.Id);
        await (await app.Http.PostAsync($"/v3/forms/{form.Id}/subscribe", HttpAssert.Json(new
        { api_key = account.ApiKey, email = "jon@example.com", first_name = "Jon", courses = new[] { sequence.Id } }))).AssertStatusAsync(200);

        Assert.Equal(1, await app.Services.GetRequiredService<ConfirmationMailer>().RunOnceAsync(CancellationToken.None));

        var mail = Assert.Single(sink.Messages);
        Assert.Equal("jon@example.com", mail.To.Mailboxes.Single().Address);
        Assert.Equal("news@acme.test", mail.From.Mailboxes.Single().Address);
        Assert.Equal("Confirm your subscription to Join us", mail.Subject);
        Assert.Contains("Hi Jon,", mail.HtmlBody);
        var link = ConfirmLink().Match(mail.HtmlBody!).Value;
        Assert.StartsWith("http://mailroom.test/confirm/", link);
        Assert.Contains(link, mail.TextBody);

        var page = await app.Http.GetAsync(new Uri(link).PathAndQuery);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("<h1>Subscription confirmed</h1>", await page.Content.ReadAsStringAsync());

        Assert.Equal(SubscriberStates.Active, (await app.SubscribersAsync()).Single().State);
        Assert.All(await app.SubscriptionsAsync(), s => Assert.Equal(SubscriptionStates.Active, s.State));
        var subscriberId = (await app.SubscribersAsync()).Single().Id;
        Assert.Equal([("subscriber_activate", subscriberId, null), ("form_subscribe", subscriberId, form.Id.ToString()),
            ("course_subscribe", subscriberId, sequence.Id.ToString())], await app.OutboxAsync());

        var again = await app.Http.GetAsync(new Uri(link).PathAndQuery);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(3, (await app.OutboxAsync()).Count);
    }

    [Theory, Providers]
    public async Task DoubleOptIn_RepeatedSubscribes_SendAtMostOneEmailPerTenMinutes(string provider)
    {
        await using var sink = new SmtpSink();
        await using var app = await MailroomApp.StartAsync(provider, DeliveryArrange.SmtpSettings(sink));
        var account = await app.CreateAccountAsync();
        var form = await app.AddFormAsync(account.Id, doubleOptIn: true);
        var mailer = app.Services.GetRequiredService<ConfirmationMailer>();
        var body = new { api_key = account.ApiKey, email = "jon@example.com" };

        await app.Http.PostAsync($"/v3/forms/{form.Id}/subscribe", HttpAssert.Json(body));
        await mailer.RunOnceAsync(CancellationToken.None);
        var firstLink = ConfirmLink().Match(sink.Messages.Single().HtmlBody!).Value;
        for (var i = 0; i < 3; i++)
        {
            app.Clock.Advance(TimeSpan.FromMinutes(2));
            await app.Http.PostAsync($"/v3/forms/{form.Id}/subscribe", HttpAssert.Json(body));
            await mailer.RunOnceAsync(CancellationToken.None);
        }
        Assert.Single(sink.Messages);

        app.Clock.Advance(TimeSpan.FromMinutes(5));
        await app.Http.PostAsync($"/v3/forms/{form.Id}/subscribe", HttpAssert.Json(body));
        Assert.Equal(1, await mailer.RunOnceAsync(CancellationToken.None));
        Assert.Equal(2, sink.Messages.Count);

        // The newest email's link confirms; the one it replaced no longer does.
        var secondLink = ConfirmLink().Match(sink.Messages.Last().HtmlBody!).Value;
        Assert.Equal(HttpStatusCode.NotFound, (await app.Http.GetAsync(new Uri(firstLink).PathAndQuery)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await app.Http.GetAsync(new Uri(secondLink).PathAndQuery)).StatusCode);
    }

    [Theory, Providers]
    public async Task Confirm_UnknownToken_Returns404Page(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);

        var response = await app.Http.GetAsync("/confirm/not-a-real-token");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
    }

    [Theory, Providers]
    public async Task DoubleOptIn_FormTitleWithMarkup_IsEscapedInTheHtmlPartAndPlainInTheSubject(string provider)
    {
        await using var sink = new SmtpSink();
        await using var app = await MailroomApp.StartAsync(provider, DeliveryArrange.SmtpSettings(sink));
        var account = await app.CreateAccountAsync();
        var form = await app.AddFormAsync(account.Id, doubleOptIn: true);
        const string title = "<script>alert(1)</script><b>x</b>";
        await app.DbAsync(db => db.Forms.Where(f => f.Id == form.Id).ExecuteUpdateAsync(u => u.SetProperty(f => f.Title, title)));
        await (await app.Http.PostAsync($"/v3/forms/{form.Id}/subscribe", HttpAssert.Json(new { api_key = account.ApiKey, email = "jon@example.com" })))
            .AssertStatusAsync(200);

        Assert.Equal(1, await app.Services.GetRequiredService<ConfirmationMailer>().RunOnceAsync(CancellationToken.None));

        var mail = Assert.Single(sink.Messages);
        Assert.Contains("receive email from &lt;script&gt;alert(1)&lt;/script&gt;&lt;b&gt;x&lt;/b&gt;:", mail.HtmlBody);
        Assert.DoesNotContain("<script", mail.HtmlBody);
        Assert.DoesNotContain("<b>", mail.HtmlBody);
        Assert.Equal($"Confirm your subscription to {title}", mail.Subject);
        Assert.Contains($"receive email from {title}:", mail.TextBody);
    }

    [GeneratedRegex(@"http://mailroom\.test/confirm/[A-Za-z0-9]+")]
    private static partial Regex ConfirmLink();
}
