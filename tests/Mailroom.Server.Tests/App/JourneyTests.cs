using System.Net;
using System.Text.RegularExpressions;
using Mailroom.Data;
using Mailroom.Server.Delivery.Broadcasts;
using Mailroom.Server.Delivery.Mail;
using Mailroom.Server.Domain.Users;
using Mailroom.Server.Tests.Delivery;
using Mailroom.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using MimeKit;
using static Microsoft.Playwright.Assertions;

namespace Mailroom.Server.Tests.App;

/// <summary>
/// Issue 19's first fifteen minutes, in one go and only through what a new user sees: the first-run sign-in link, a form,
/// a sign-up on its hosted page confirmed from the e-mail, a broadcast tested, scheduled and sent, then opened and clicked.
/// The delivery workers are off in tests: the test runs them as their loop would, and moves the test clock to the send time.
/// </summary>
public sealed class JourneyTests
{
    const string Reader = "reader@example.test";
    const string PostUrl = "https://example.com/first-post";
    const string Subject = "Our first letter, {{ subscriber.first_name }}";

    [Theory, Browser]
    public async Task FirstFifteenMinutes_FromTheFirstRunLink_ToTheStatsOfAnOpenedAndClickedBroadcast(string provider)
    {
        await using var sink = new SmtpSink();
        var settings = DeliveryArrange.SmtpSettings(sink);
        // The real first run: an empty database gets the demo account and its owner, as `mailroom serve` does.
        settings["Demo:Enabled"] = "true";
        await using var browser = await AppBrowser.StartAsync(provider, settings);
        var app = browser.App;
        var page = browser.Page;
        var demo = await app.DbAsync(db => db.Accounts.Where(a => a.Name == "Demo Account").Select(a => a.Id).SingleAsync());

        // 1. The first run's one-time link for the demo's owner: no password chosen, just signed in.
        await page.GotoAsync(await FirstRunLinkAsync(app));
        await Expect(page.GetByText($"For {FirstRun.DemoOwnerEmail}. This link works once.")).ToBeVisibleAsync();
        await AppBrowser.PostAsync(page, () => page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync());
        await Expect(page.Locator("#who")).ToHaveTextAsync(FirstRun.DemoOwnerEmail);
        await page.GetByRole(AriaRole.Link, new() { Name = "Open Mailroom" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex($"/app/{demo}$"));

        // 2. A form with double opt-in, made in the Forms screen.
        await NavAsync(page, "Forms");
        await page.GetByRole(AriaRole.Link, new() { Name = "New form" }).ClickAsync();
        var create = page.GetByRole(AriaRole.Button, new() { Name = "Create form" });
        await Expect(create).ToBeEnabledAsync();
        await page.GetByLabel("Name").FillAsync("Weekly letter");
        await page.GetByLabel("Title").FillAsync("Get the weekly letter");
        await page.GetByLabel("Button text").FillAsync("Sign me up");
        await page.GetByLabel("Double opt-in: new subscribers confirm by email").CheckAsync();
        await Expect(page.GetByLabel("Confirmation email subject")).ToBeVisibleAsync();
        await create.ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Weekly letter" })).ToBeVisibleAsync();
        var publicPage = page.GetByLabel("Public page", new() { Exact = true });
        await Expect(publicPage).ToHaveValueAsync(new Regex($"^{Regex.Escape(app.BaseUrl)}/forms/\\w+$"));
        var hostedUrl = await publicPage.InputValueAsync();

        // 3. A reader signs up on the hosted page the Forms screen gives.
        await page.GotoAsync(hostedUrl);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Get the weekly letter" })).ToBeVisibleAsync();
        await page.GetByLabel("Email address").FillAsync(Reader);
        await page.GetByLabel("First name").FillAsync("Robin");
        await AppBrowser.PostAsync(page, () => page.GetByRole(AriaRole.Button, new() { Name = "Sign me up" }).ClickAsync());
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Thank you" })).ToBeVisibleAsync();

        // Not yet confirmed: listed, but inactive.
        await browser.GotoAsync(AppBrowser.AppUrl(demo));
        await NavAsync(page, "Subscribers");
        await Expect(SubscriberState(page, Reader)).ToHaveTextAsync("inactive");

        // 4. The confirmation e-mail, sent by its worker to the SMTP sink; its link opened in the browser.
        Assert.Equal(1, await app.Services.GetRequiredService<ConfirmationMailer>().RunOnceAsync(CancellationToken.None));
        var confirmation = Assert.Single(sink.To(Reader));
        Assert.Equal("Confirm your subscription to Get the weekly letter", confirmation.Subject);
        await page.GotoAsync(Link(confirmation, "/confirm/"));
        // The page confirms by posting itself (a mail scanner's GET confirms nothing).
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Subscription confirmed" })).ToBeVisibleAsync();

        // 5. Active in the Subscribers screen.
        await browser.GotoAsync(AppBrowser.AppUrl(demo));
        await NavAsync(page, "Subscribers");
        await Expect(SubscriberState(page, Reader)).ToHaveTextAsync("active");
        await Expect(page.Locator("#subscribers tbody tr", new() { HasText = Reader }).Locator("td").Nth(1)).ToHaveTextAsync("Robin");

        // 6. A broadcast: written, tested, scheduled a few minutes ahead.
        await NavAsync(page, "Broadcasts");
        await page.GetByRole(AriaRole.Link, new() { Name = "New broadcast" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "New broadcast" })).ToBeVisibleAsync();
        var schedule = page.GetByRole(AriaRole.Button, new() { Name = "Schedule" });
        await Expect(schedule).ToBeEnabledAsync();
        await Expect(page.Locator("#recipient-count")).ToHaveTextAsync("1 active subscriber match");
        await page.GetByLabel("Subject").FillAsync(Subject);
        await page.GetByLabel("Content").FillAsync($"# Welcome aboard\n\nRead [the first post]({PostUrl}).");
        await Expect(page.Locator("#preview-subject")).ToHaveTextAsync("Subject: Our first letter, Robin");

        await page.GetByRole(AriaRole.Button, new() { Name = "Send a test to me" }).ClickAsync();
        await Expect(page.Locator("#test-result")).ToHaveTextAsync($"Test sent to {FirstRun.DemoOwnerEmail}.");
        var test = Assert.Single(sink.To(FirstRun.DemoOwnerEmail));
        Assert.StartsWith("Our first letter", test.Subject);
        Assert.Contains("Welcome aboard", test.HtmlBody);

        // The account's zone is UTC; the server's clock is the test clock (2024-05-01 10:00 UTC).
        var sendAt = MailroomApp.Start.AddMinutes(5);
        await page.GetByLabel("Send at (UTC)").FillAsync(sendAt.ToString("yyyy-MM-dd'T'HH:mm", System.Globalization.CultureInfo.InvariantCulture));
        await schedule.ClickAsync();
        await Expect(page.Locator("#status")).ToHaveTextAsync("scheduled");
        await Expect(page.Locator("#progress")).ToBeVisibleAsync();
        var id = await app.DbAsync(db => db.Broadcasts.Where(b => b.AccountId == demo).Select(b => b.Id).SingleAsync());
        await Expect(page).ToHaveURLAsync(new Regex($"/app/{demo}/broadcasts/{id}$"));

        // Not due yet: the sender leaves it; at the send time it goes out, and the open page follows it live.
        var sender = app.Services.GetRequiredService<BroadcastSender>();
        await sender.RunOnceAsync(CancellationToken.None);
        Assert.Equal(BroadcastStatuses.Scheduled, await StatusAsync(app, id));
        app.Clock.Advance(TimeSpan.FromMinutes(5));
        for (var pass = 0; pass < 10 && await StatusAsync(app, id) != BroadcastStatuses.Completed; pass++)
            await sender.RunOnceAsync(CancellationToken.None);
        Assert.Equal(BroadcastStatuses.Completed, await StatusAsync(app, id));
        await Expect(page.Locator("#status")).ToHaveTextAsync("completed");
        await Expect(page.Locator("#progress")).ToHaveCountAsync(0);
        await Expect(page.Locator("#stat-sent")).ToHaveTextAsync("1");
        await Expect(page.Locator("#stat-opened")).ToHaveTextAsync("0 (0%)");
        await Expect(page.Locator("#stat-clicked")).ToHaveTextAsync("0 (0%)");

        // 7. The reader's mail client loads the open pixel and the reader clicks the link.
        var letter = Assert.Single(sink.To(Reader), m => m.Subject == "Our first letter, Robin");
        using var mailClient = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        var open = await mailClient.GetAsync(Source(letter, "/o/"));
        Assert.Equal(HttpStatusCode.OK, open.StatusCode);
        var click = await mailClient.GetAsync(Link(letter, "/c/"));
        Assert.Equal(PostUrl, click.Headers.Location?.ToString());

        await NavAsync(page, "Broadcasts");
        await page.GetByRole(AriaRole.Link, new() { Name = Subject, Exact = true }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex($"/app/{demo}/broadcasts/{id}$"));
        await Expect(page.Locator("#stat-opened")).ToHaveTextAsync("1 (100%)");
        await Expect(page.Locator("#stat-clicked")).ToHaveTextAsync("1 (100%)");
        await Expect(page.Locator("#links tbody tr td").First).ToHaveTextAsync(PostUrl);
    }

    /// <summary>
    /// The first-run link as <see cref="FirstRun"/> makes it, by the same service, for the owner it created. The one it
    /// printed went only to the console, which the tests can't read safely while others run; this link replaces it.
    /// </summary>
    static async Task<string> FirstRunLinkAsync(MailroomApp app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var owner = await scope.ServiceProvider.GetRequiredService<UserManager<User>>().FindByEmailAsync(FirstRun.DemoOwnerEmail);
        Assert.NotNull(owner);
        return await scope.ServiceProvider.GetRequiredService<UserService>().IssueLinkAsync(owner, UserService.SignInPurpose);
    }

    /// <summary>A screen of the side menu, clicked as a person would.</summary>
    static async Task NavAsync(IPage page, string screen)
    {
        await page.Locator(".mud-navmenu").GetByRole(AriaRole.Link, new() { Name = screen, Exact = true }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex($"/{screen.ToLowerInvariant()}$"));
    }

    static ILocator SubscriberState(IPage page, string email) =>
        page.Locator("#subscribers tbody tr", new() { HasText = email }).Locator("td").Nth(2);

    static Task<string> StatusAsync(MailroomApp app, long id) =>
        app.DbAsync(db => db.Broadcasts.Where(b => b.Id == id).Select(b => b.Status).SingleAsync());

    /// <summary>The first link in the message's HTML whose URL contains <paramref name="marker"/>.</summary>
    static string Link(MimeMessage message, string marker) => Attribute(message, "href", marker);

    static string Source(MimeMessage message, string marker) => Attribute(message, "src", marker);

    static string Attribute(MimeMessage message, string name, string marker)
    {
        var found = Regex.Matches(message.HtmlBody ?? "", $"{name}=\"([^\"]+)\"").Select(m => WebUtility.HtmlDecode(m.Groups[1].Value))
            .FirstOrDefault(url => url.Contains(marker, StringComparison.Ordinal));
        Assert.NotNull(found);
        return found;
    }
}
