using System.Net;
using System.Text.RegularExpressions;
using Mailroom.Data;
using Mailroom.Server.Api.SignIn;
using Mailroom.Server.Domain.Users;
using Mailroom.Server.Tests.Delivery;
using Mailroom.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;

namespace Mailroom.Server.Tests.Api;

/// <summary>"Forgot password?": the reset link by e-mail through Mailroom's own transport.</summary>
public sealed partial class SignInResetTests
{
    const string Email = "ann@acme.test";
    const string Password = "correct horse battery";

    [Theory, Providers]
    public async Task Forgot_KnownAddress_MailsALinkThatSetsThePasswordOnce(string provider)
    {
        await using var sink = new SmtpSink();
        await using var app = await MailroomApp.StartAsync(provider, DeliveryArrange.SmtpSettings(sink));
        await ArrangeUserAsync(app);
        using var browser = new SignInBrowser(app);

        var signInPage = await browser.GetPageAsync("/signin");
        var answer = await RequestResetAsync(browser, Email);

        Assert.Contains("""<a href="/signin/forgot">Forgot password?</a>""", signInPage);
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Contains(WebUtility.HtmlEncode(ForgotPasswordEndpoints.Sent(Email)), await answer.Content.ReadAsStringAsync());
        var mail = Assert.Single(sink.To(Email));
        Assert.Equal(PasswordResetMailer.Subject, mail.Subject);
        Assert.Equal("owner@acme.test", mail.From.Mailboxes.Single().Address);
        var link = LinkIn(mail);
        Assert.StartsWith("http://mailroom.test/signin/link?token=", link);

        using var reader = new SignInBrowser(app);
        await reader.UseLinkAsync(new Uri(link).PathAndQuery, newPassword: "a brand new passphrase");
        Assert.Equal(Email, await reader.SignedInAsAsync());
        using var again = new SignInBrowser(app);
        var second = await again.GetAsync(new Uri(link).PathAndQuery);
        Assert.Equal(HttpStatusCode.BadRequest, second.StatusCode);
        Assert.Contains(SignInBrowser.LinkUnusable, await second.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Unauthorized, (await again.SignInAsync(Email, Password)).StatusCode);
        Assert.Equal(HttpStatusCode.SeeOther, (await again.SignInAsync(Email, "a brand new passphrase")).StatusCode);
    }

    [Theory, Providers]
    public async Task Forgot_UnknownAddress_SameAnswerAndNoMail(string provider)
    {
        await using var sink = new SmtpSink();
        await using var app = await MailroomApp.StartAsync(provider, DeliveryArrange.SmtpSettings(sink));
        await ArrangeUserAsync(app);
        using var browser = new SignInBrowser(app);

        var unknown = await RequestResetAsync(browser, "nobody@acme.test");
        var hostile = await RequestResetAsync(browser, "<b>x</b>@acme.test");
        var known = await RequestResetAsync(browser, Email);

        Assert.Equal(HttpStatusCode.OK, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.OK, hostile.StatusCode);
        // The pages differ only in the address typed in.
        Assert.Equal((await known.Content.ReadAsStringAsync()).Replace(Email, "X"), (await unknown.Content.ReadAsStringAsync()).Replace("nobody@acme.test", "X"));
        Assert.Contains("&lt;b&gt;x&lt;/b&gt;@acme.test", await hostile.Content.ReadAsStringAsync());
        Assert.Equal([Email], sink.Messages.SelectMany(m => m.To.Mailboxes).Select(m => m.Address));
    }

    [Theory, Providers]
    public async Task Forgot_AskedAgainWithinFiveMinutes_OneMailAndTheFirstLinkStillWorks(string provider)
    {
        await using var sink = new SmtpSink();
        await using var app = await MailroomApp.StartAsync(provider, DeliveryArrange.SmtpSettings(sink));
        await ArrangeUserAsync(app);
        using var browser = new SignInBrowser(app);

        await RequestResetAsync(browser, Email);
        app.Clock.Advance(UserService.ResetMailInterval - TimeSpan.FromSeconds(1));
        var again = await RequestResetAsync(browser, Email.ToUpperInvariant());
        var first = LinkIn(Assert.Single(sink.To(Email)));
        app.Clock.Advance(TimeSpan.FromSeconds(1));
        await RequestResetAsync(browser, Email);

        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        var mails = sink.To(Email);
        Assert.Equal(2, mails.Count);
        // The newer link replaces the older one.
        Assert.Equal(HttpStatusCode.BadRequest, (await browser.GetAsync(new Uri(first).PathAndQuery)).StatusCode);
        await browser.UseLinkAsync(new Uri(LinkIn(mails[1])).PathAndQuery, newPassword: "another passphrase");
    }

    [Theory, Providers]
    public async Task Reset_EndsTheUsersOtherSessions(string provider)
    {
        await using var sink = new SmtpSink();
        await using var app = await MailroomApp.StartAsync(provider, DeliveryArrange.SmtpSettings(sink));
        await ArrangeUserAsync(app);
        using var elsewhere = new SignInBrowser(app);
        await elsewhere.SignInAsync(Email, Password);
        using var browser = new SignInBrowser(app);

        await RequestResetAsync(browser, Email);
        await browser.UseLinkAsync(new Uri(LinkIn(Assert.Single(sink.To(Email)))).PathAndQuery, newPassword: "a brand new passphrase");
        // Sessions are checked against the user's security stamp every 5 minutes.
        app.Clock.Advance(TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(1));

        Assert.Null(await elsewhere.SignedInAsAsync());
        Assert.Equal(Email, await browser.SignedInAsAsync());
    }

    [Theory, Providers]
    public async Task Forgot_EmptyAddressOrNoAntiforgery_RefusedAndNoMail(string provider)
    {
        await using var sink = new SmtpSink();
        await using var app = await MailroomApp.StartAsync(provider, DeliveryArrange.SmtpSettings(sink));
        await ArrangeUserAsync(app);
        using var browser = new SignInBrowser(app);
        var page = await browser.GetPageAsync(ForgotPasswordEndpoints.Path);

        var empty = await browser.SubmitAsync(page, ForgotPasswordEndpoints.Path, new() { ["email"] = " " });
        var forged = await browser.SubmitAsync(page, ForgotPasswordEndpoints.Path, new() { ["email"] = Email }, withAntiforgery: false);

        Assert.Contains("""<label for="email">E-mail address</label>""", page);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, empty.StatusCode);
        Assert.Contains(ForgotPasswordEndpoints.EnterEmail, await empty.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.Contains(SignInBrowser.FormExpired, await forged.Content.ReadAsStringAsync());
        Assert.Empty(sink.Messages);
    }

    static async Task<HttpResponseMessage> RequestResetAsync(SignInBrowser browser, string email) =>
        await browser.SubmitAsync(await browser.GetPageAsync(ForgotPasswordEndpoints.Path), ForgotPasswordEndpoints.Path, new() { ["email"] = email });

    static string LinkIn(MimeMessage mail) => LinkPattern().Match(mail.TextBody ?? "").Value;

    [GeneratedRegex(@"http\S+/signin/link\?token=\S+")]
    private static partial Regex LinkPattern();

    static async Task ArrangeUserAsync(MailroomApp app)
    {
        var account = await app.CreateAccountAsync();
        await using var scope = app.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<UserService>().CreateAsync(Email, Password, account.Id, AccountRoles.Owner, CancellationToken.None);
    }
}
