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

        // A GET (a mail scanner prefetching the link) only shows the page; it confirms nothing.
        var page = await app.Http.GetAsync(new Uri(link).PathAndQuery);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var pageHtml = await page.Content.ReadAsStringAsync();
        Assert.Contains("<h1>Confirm your subscription</h1>", pageHtml);
        Assert.Contains("<form id=\"act\" method=\"post\">\n<button type=\"submit\">Confirm subscription</button>", pageHtml);
        Assert.Equal(SubscriberStates.Inactive, (await app.SubscribersAsync()).Single().State);
        Assert.All(await app.SubscriptionsAsync(), s => Assert.Equal(SubscriptionStates.Inactive, s.State));
        Assert.Empty(await app.OutboxAsync());

        var confirmed = await app.Http.PostAsync(new Uri(link).PathAndQuery, new StringContent(""));
        Assert.Equal(HttpStatusCode.OK, confirmed.StatusCode);
        Assert.Contains("<h1>Subscription confirmed</h1>", await confirmed.Content.ReadAsStringAsync());

        Assert.Equal(SubscriberStates.Active, (await app.SubscribersAsync()).Single().State);
        Assert.All(await app.SubscriptionsAsync(), s => Assert.Equal(SubscriptionStates.Active, s.State));
        var subscriberId = (await app.SubscribersAsync()).Single().Id;
        Assert.Equal([("subscriber_activate", subscriberId, null), ("form_subscribe", subscriberId, form.Id.ToString()),
            ("course_subscribe", subscriberId, sequence.Id.ToString())], await app.OutboxAsync());

        var again = await app.Http.PostAsync(new Uri(link).PathAndQuery, new StringContent(""));
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Contains("<h1>Subscription confirmed</h1>", await again.Content.ReadAsStringAsync());
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
        Assert.Equal(HttpStatusCode.NotFound, (await app.Http.PostAsync(new Uri(firstLink).PathAndQuery, new StringContent(""))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await app.Http.PostAsync(new Uri(secondLink).PathAndQuery, new StringContent(""))).StatusCode);
        Assert.Equal(SubscriberStates.Active, (await app.SubscribersAsync()).Single().State);
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


    [Theory, Providers]
    public async Task ConfirmPages_RefuseFramingAndRunOnlyTheirHashedScript(string provider)
    {
        await using var sink = new SmtpSink();
        await using var app = await MailroomApp.StartAsync(provider, DeliveryArrange.SmtpSettings(sink));
        var path = await PendingConfirmationAsync(app, sink);

        var page = await app.Http.GetAsync(path);
        var html = await page.Content.ReadAsStringAsync();
        var script = Regex.Match(html, "<script>(.*?)</script>", RegexOptions.Singleline).Groups[1].Value;
        var style = Regex.Match(html, "<style>(.*?)</style>", RegexOptions.Singleline).Groups[1].Value;
        var csp = page.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("document.getElementById('act').submit();", script);
        // The browser runs the inline script and applies the style only because the policy names their hashes.
        Assert.Contains($"script-src '{Sha256Source(script)}'", csp);
        Assert.Contains($"style-src '{Sha256Source(style)}'", csp);
        Assert.Contains("default-src 'none'", csp);
        Assert.Contains("frame-ancestors 'none'", csp);
        Assert.DoesNotContain("unsafe-inline", csp);

        foreach (var response in new[]
                 {
                     page,
                     await app.Http.PostAsync(path, new StringContent("")),
                     await app.Http.GetAsync("/confirm/not-a-real-token"),
                     await app.Http.PostAsync("/confirm/not-a-real-token", new StringContent("")),
                 })
        {
            Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
            Assert.Equal(csp, response.Headers.GetValues("Content-Security-Policy").Single());
            Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        }
    }

    [Theory, Providers]
    public async Task ConfirmPost_FromAnotherSite_IsRefusedAndConfirmsNothing(string provider)
    {
        await using var sink = new SmtpSink();
        await using var app = await MailroomApp.StartAsync(provider, DeliveryArrange.SmtpSettings(sink));
        var path = await PendingConfirmationAsync(app, sink);

        var crossSite = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent("") };
        crossSite.Headers.Add("Sec-Fetch-Site", "cross-site");
        var otherOrigin = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent("") };
        otherOrigin.Headers.Add("Origin", "http://evil.test");
        Assert.Equal(HttpStatusCode.Forbidden, (await app.Http.SendAsync(crossSite)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await app.Http.SendAsync(otherOrigin)).StatusCode);
        Assert.Equal(SubscriberStates.Inactive, (await app.SubscribersAsync()).Single().State);

        // The page's own post: same origin, as a browser sends it.
        var own = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent("") };
        own.Headers.Add("Sec-Fetch-Site", "same-origin");
        own.Headers.Add("Origin", "http://mailroom.test");
        Assert.Equal(HttpStatusCode.OK, (await app.Http.SendAsync(own)).StatusCode);
        Assert.Equal(SubscriberStates.Active, (await app.SubscribersAsync()).Single().State);
    }

    static async Task<string> PendingConfirmationAsync(MailroomApp app, SmtpSink sink)
    {
        var account = await app.CreateAccountAsync();
        var form = await app.AddFormAsync(account.Id, doubleOptIn: true);
        await (await app.Http.PostAsync($"/v3/forms/{form.Id}/subscribe", HttpAssert.Json(new { api_key = account.ApiKey, email = "jon@example.com" })))
            .AssertStatusAsync(200);
        await app.Services.GetRequiredService<ConfirmationMailer>().RunOnceAsync(CancellationToken.None);
        return new Uri(ConfirmLink().Match(sink.Messages.Single().HtmlBody!).Value).PathAndQuery;
    }

    static string Sha256Source(string inline) =>
        "sha256-" + Convert.ToBase64String(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(inline)));

    [GeneratedRegex(@"http://mailroom\.test/confirm/[A-Za-z0-9]+")]
    private static partial Regex ConfirmLink();
}
