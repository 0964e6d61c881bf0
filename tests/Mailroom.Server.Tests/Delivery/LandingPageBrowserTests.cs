using System.Text.RegularExpressions;
using Mailroom.Data;
using Mailroom.Server.Delivery;
using Mailroom.Server.Tests.Api.V3;
using Mailroom.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Mailroom.Server.Delivery.Mail;

namespace Mailroom.Server.Tests.Delivery;

/// <summary>A person in a real browser: landing page → sign-up → confirmation email → link → active via the API.</summary>
public sealed partial class LandingPageBrowserTests
{
    [Theory, Browser]
    public async Task LandingPage_SignUpAndConfirmInBrowser_SubscriberBecomesActive(string provider)
    {
        await using var sink = new SmtpSink();
        await using var app = await MailroomApp.StartKestrelAsync(provider, DeliveryArrange.SmtpSettings(sink));
        var account = await app.CreateAccountAsync();
        var page = await app.AddFormAsync(account.Id, "Launch", doubleOptIn: true, type: FormTypes.Hosted, uid: "launch0001");
        await app.DbAsync(db => db.Forms.Where(f => f.Id == page.Id).ExecuteUpdateAsync(s => s
            .SetProperty(f => f.Title, "Something new").SetProperty(f => f.SignUpButtonText, "Notify me")
            .SetProperty(f => f.SuccessMessage, "Almost there: check your inbox.")));

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await LaunchAsync(playwright);
        var tab = await browser.NewPageAsync();

        await tab.GotoAsync($"{app.BaseUrl}/forms/launch0001");
        await Assertions.Expect(tab.GetByRole(AriaRole.Heading, new() { Name = "Something new" })).ToBeVisibleAsync();
        await tab.GetByLabel("Email address").FillAsync("jon@example.com");
        await tab.GetByLabel("First name").FillAsync("Jon");
        await tab.GetByRole(AriaRole.Button, new() { Name = "Notify me" }).ClickAsync();
        await Assertions.Expect(tab.GetByText("Almost there: check your inbox.")).ToBeVisibleAsync();

        Assert.Equal(1, await app.Services.GetRequiredService<ConfirmationMailer>().RunOnceAsync(CancellationToken.None));
        var mail = Assert.Single(sink.To("jon@example.com"));
        var link = ConfirmLink().Match(mail.HtmlBody!).Value;
        Assert.StartsWith(app.BaseUrl, link);

        // The page's inline script (allowed by its hash in the strict CSP) posts the confirmation: one click, as before.
        var blocked = new List<string>();
        tab.Console += (_, message) => { if (message.Text.Contains("Content Security Policy")) blocked.Add(message.Text); };
        await tab.GotoAsync(link);
        await Assertions.Expect(tab.GetByRole(AriaRole.Heading, new() { Name = "Subscription confirmed" })).ToBeVisibleAsync();
        Assert.Empty(blocked);

        using var http = new HttpClient { BaseAddress = new Uri(app.BaseUrl) };
        var json = await (await http.GetAsync($"/v3/subscribers?api_secret={account.ApiSecret}&email_address=jon@example.com")).AssertStatusAsync(200);
        var subscriber = json["subscribers"]!.AsArray().Single()!;
        Assert.Equal("active", subscriber["state"]!.GetValue<string>());
        Assert.Equal("Jon", subscriber["first_name"]!.GetValue<string>());
    }

    [Theory, Browser]
    public async Task ConfirmLink_WithoutJavaScript_ConfirmsOnlyWhenThePersonPressesTheButton(string provider)
    {
        await using var sink = new SmtpSink();
        await using var app = await MailroomApp.StartKestrelAsync(provider, DeliveryArrange.SmtpSettings(sink));
        var account = await app.CreateAccountAsync();
        var form = await app.AddFormAsync(account.Id, doubleOptIn: true);
        using var http = new HttpClient { BaseAddress = new Uri(app.BaseUrl) };
        await (await http.PostAsync($"/v3/forms/{form.Id}/subscribe", HttpAssert.Json(new { api_key = account.ApiKey, email = "jon@example.com" })))
            .AssertStatusAsync(200);
        Assert.Equal(1, await app.Services.GetRequiredService<ConfirmationMailer>().RunOnceAsync(CancellationToken.None));
        var link = ConfirmLink().Match(Assert.Single(sink.To("jon@example.com")).HtmlBody!).Value;

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await LaunchAsync(playwright);
        await using var context = await browser.NewContextAsync(new BrowserNewContextOptions { JavaScriptEnabled = false });
        var tab = await context.NewPageAsync();

        await tab.GotoAsync(link);
        await Assertions.Expect(tab.GetByRole(AriaRole.Heading, new() { Name = "Confirm your subscription" })).ToBeVisibleAsync();
        Assert.Equal(SubscriberStates.Inactive, (await app.SubscribersAsync()).Single().State);

        await tab.GetByRole(AriaRole.Button, new() { Name = "Confirm subscription" }).ClickAsync();
        await Assertions.Expect(tab.GetByRole(AriaRole.Heading, new() { Name = "Subscription confirmed" })).ToBeVisibleAsync();
        Assert.Equal(SubscriberStates.Active, (await app.SubscribersAsync()).Single().State);
    }

    static Task<IBrowser> LaunchAsync(IPlaywright playwright) => playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
    {
        ExecutablePath = BrowserAttribute.ChromiumPath,
        Headless = true,
        // This machine's network is closed: keep Chromium from phoning home at start.
        Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync"],
    });

    [GeneratedRegex(@"https?://[^""'\s<>]+/confirm/[A-Za-z0-9]+")]
    private static partial Regex ConfirmLink();
}
