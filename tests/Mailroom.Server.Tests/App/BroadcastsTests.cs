using System.Net;
using System.Text.RegularExpressions;
using Mailroom.Data;
using Mailroom.Server.Delivery.Broadcasts;
using Mailroom.Server.Tests.Delivery;
using Mailroom.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Mailroom.Server.Tests.App;

/// <summary>The broadcasts screens and the shared editor, in Chromium against a real server, database and SMTP sink.</summary>
public sealed class BroadcastsTests
{
    [Theory, Browser]
    public async Task Compose_Markdown_PreviewIsTheRenderedEmailForTheSubscriber_ScriptsDoNotRun_TestMailArrives(string provider)
    {
        await using var sink = new SmtpSink();
        await using var browser = await AppBrowser.StartAsync(provider, DeliveryArrange.SmtpSettings(sink));
        await browser.App.SubscriberAsync(browser.Account.Id, "jon@example.com", "Jon");
        var editor = await browser.SignInAsAsync(AccountRoles.Editor);
        var page = browser.Page;

        await browser.GotoAsync(AppBrowser.AppUrl(browser.Account.Id, "broadcasts"));
        await page.GetByRole(AriaRole.Link, new() { Name = "New broadcast" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "New broadcast" })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Save draft" })).ToBeEnabledAsync();

        await page.GetByLabel("Subject").FillAsync("Hello {{ subscriber.first_name }}");
        // Anything a script in the preview did would show as a request for a beacon; the broken image is requested either way.
        var requests = new System.Collections.Concurrent.ConcurrentQueue<string>();
        page.Request += (_, r) => requests.Enqueue(new Uri(r.Url).AbsolutePath);
        var brokenImage = page.WaitForRequestFinishedAsync(new() { Predicate = r => r.Url.EndsWith("/not-an-image.png", StringComparison.Ordinal) });
        await page.GetByLabel("Content").FillAsync(
            "# Hi {{ subscriber.first_name }}\n\nSome **news** and [a link](https://example.com/news).\n\n" +
            "<script>new Image().src = '/pwned-by-script';</script>" +
            "<img src=\"/not-an-image.png\" onerror=\"new Image().src = '/pwned-by-onerror'\">");

        // Playwright can't reach into a frame that may run no script, so the preview is checked as the HTML it was given.
        var preview = page.Locator("#preview-frame");
        await Expect(preview).ToHaveAttributeAsync("srcdoc", new Regex("<h1[^>]*>Hi Jon</h1>"));
        await Expect(preview).ToHaveAttributeAsync("srcdoc", new Regex("<strong>news</strong>"));
        await Expect(preview).ToHaveAttributeAsync("sandbox", "");
        await Expect(page.Locator("#preview-subject")).ToHaveTextAsync("Subject: Hello Jon");
        await brokenImage;
        // Neither the script nor the onerror handler ran.
        Assert.DoesNotContain(requests, path => path.StartsWith("/pwned", StringComparison.Ordinal));

        await page.GetByRole(AriaRole.Button, new() { Name = "Send a test to me" }).ClickAsync();
        await Expect(page.Locator("#test-result")).ToHaveTextAsync($"Test sent to {editor}.");
        var test = Assert.Single(sink.To(editor));
        Assert.Equal("Hello Jon", test.Subject);
        Assert.Contains("<h1", test.HtmlBody);
        Assert.Contains("Hi Jon", test.HtmlBody);

        // The API's message for a send without a subject.
        await page.GetByLabel("Subject").FillAsync("");
        await page.GetByRole(AriaRole.Button, new() { Name = "Schedule" }).ClickAsync();
        await Expect(page.Locator("#save-errors")).ToContainTextAsync("subject can't be blank");
        Assert.Equal(0, await browser.App.DbAsync(db => db.Broadcasts.CountAsync()));

        await page.GetByLabel("Subject").FillAsync("Hello {{ subscriber.first_name }}");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save draft" }).ClickAsync();
        await Expect(page.Locator("#saved")).ToHaveTextAsync("Draft saved.");
        await Expect(page).ToHaveURLAsync(new Regex(@"/broadcasts/\d+/edit$"));
        var draft = await browser.App.DbAsync(db => db.Broadcasts.AsNoTracking().SingleAsync());
        Assert.Equal(BroadcastStatuses.Draft, draft.Status);
        Assert.Equal("Hello {{ subscriber.first_name }}", draft.Subject);
        Assert.Contains("<h1 id=\"hi-subscriber.first_name\">Hi {{ subscriber.first_name }}</h1>", draft.Content);
    }

    [Theory, Browser]
    public async Task Schedule_InTheAccountsZone_ToTaggedSubscribers_WithALiveCount(string provider)
    {
        await using var browser = await AppBrowser.StartAsync(provider);
        var accountId = browser.Account.Id;
        var jon = await browser.App.SubscriberAsync(accountId, "jon@example.com", "Jon");
        await browser.App.SubscriberAsync(accountId, "arya@example.com", "Arya");
        var tagId = await TagAsync(browser.App, accountId, "VIP", jon);
        await browser.App.DbAsync(db => db.Accounts.Where(a => a.Id == accountId).ExecuteUpdateAsync(s => s.SetProperty(a => a.TimeZone, "Europe/Paris")));
        await browser.SignInAsAsync(AccountRoles.Owner);
        var page = browser.Page;

        await browser.GotoAsync(AppBrowser.AppUrl(accountId, "broadcasts/new"));
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Schedule" })).ToBeEnabledAsync();
        await Expect(page.Locator("#recipient-count")).ToHaveTextAsync("2 active subscribers match");
        await page.GetByLabel("Subscribers matching tags or segments").CheckAsync();
        await page.GetByLabel("VIP").CheckAsync();
        await Expect(page.Locator("#recipient-count")).ToHaveTextAsync("1 active subscriber match");

        await page.GetByLabel("Subject").FillAsync("Summer sale");
        await page.GetByLabel("Content").FillAsync("Everything must go.");
        await page.GetByLabel("Send at (Europe/Paris)").FillAsync("2024-06-01T09:30");
        await page.GetByRole(AriaRole.Button, new() { Name = "Schedule" }).ClickAsync();

        await Expect(page.Locator("#status")).ToHaveTextAsync("scheduled");
        var broadcast = await browser.App.DbAsync(db => db.Broadcasts.AsNoTracking().SingleAsync());
        Assert.Equal(BroadcastStatuses.Scheduled, broadcast.Status);
        Assert.Equal(new DateTime(2024, 6, 1, 7, 30, 0, DateTimeKind.Utc), broadcast.SendAt);
        Assert.Equal($$"""[{"any":[{"type":"tag","ids":[{{tagId}}]}]}]""", broadcast.SubscriberFilter);

        await browser.GotoAsync(AppBrowser.AppUrl(accountId, "broadcasts"));
        await Expect(page.Locator("#broadcasts tbody tr td").First).ToHaveTextAsync("Summer sale");
        await Expect(page.Locator("#broadcasts tbody tr td").Nth(2)).ToHaveTextAsync("2024-06-01 07:30");
    }

    [Theory, Browser]
    public async Task SendNow_ShowsProgressUntilComplete_ThenOpensClicksAndLinks(string provider)
    {
        await using var sink = new SmtpSink();
        await using var browser = await AppBrowser.StartAsync(provider, DeliveryArrange.SmtpSettings(sink));
        var accountId = browser.Account.Id;
        await browser.App.SubscriberAsync(accountId, "jon@example.com", "Jon");
        await browser.App.SubscriberAsync(accountId, "arya@example.com", "Arya");
        await browser.SignInAsAsync(AccountRoles.Editor);
        var page = browser.Page;

        await browser.GotoAsync(AppBrowser.AppUrl(accountId, "broadcasts/new"));
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Send now" })).ToBeEnabledAsync();
        await page.GetByLabel("Subject").FillAsync("News for {{ subscriber.first_name }}");
        await page.GetByLabel("Content").FillAsync("Read [the post](https://example.com/post).");
        await page.GetByRole(AriaRole.Button, new() { Name = "Send now" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Confirm: send to 2 now" }).ClickAsync();

        await Expect(page.Locator("#progress")).ToBeVisibleAsync();
        var id = await browser.App.DbAsync(db => db.Broadcasts.Select(b => b.Id).SingleAsync());
        await Expect(page).ToHaveURLAsync(new Regex($"/broadcasts/{id}$"));
        // The sender as the delivery worker runs it; a worker running on its own meanwhile leaves it nothing to do.
        var sender = browser.App.Services.GetRequiredService<BroadcastSender>();
        for (var pass = 0; pass < 5 && await StatusAsync(browser.App, id) != BroadcastStatuses.Completed; pass++)
            await sender.RunOnceAsync(CancellationToken.None);
        Assert.Equal(BroadcastStatuses.Completed, await StatusAsync(browser.App, id));
        await Expect(page.Locator("#status")).ToHaveTextAsync("completed");
        await Expect(page.Locator("#stat-sent")).ToHaveTextAsync("2");
        Assert.Equal("News for Jon", Assert.Single(sink.To("jon@example.com")).Subject);

        // Jon opens and clicks through the tracking URLs in his message.
        var token = await browser.App.DbAsync(db => db.BroadcastRecipients.Where(r => r.BroadcastId == id)
            .Join(db.Subscribers, r => r.SubscriberId, s => s.Id, (r, s) => new { r.Token, s.EmailAddress })
            .Where(x => x.EmailAddress == "jon@example.com").Select(x => x.Token).SingleAsync());
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(browser.App.BaseUrl) };
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync($"/o/{token}")).StatusCode);
        var click = await http.GetAsync($"/c/{token}-0");
        Assert.Equal("https://example.com/post", click.Headers.Location?.ToString());

        await browser.GotoAsync(AppBrowser.AppUrl(accountId, $"broadcasts/{id}"));
        await Expect(page.Locator("#stat-opened")).ToHaveTextAsync("1 (50%)");
        await Expect(page.Locator("#stat-clicked")).ToHaveTextAsync("1 (50%)");
        await Expect(page.Locator("#stat-unsubscribes")).ToHaveTextAsync("0");
        await Expect(page.Locator("#stat-bounces")).ToHaveTextAsync("0");
        await Expect(page.Locator("#links tbody tr td").First).ToHaveTextAsync("https://example.com/post");
        await Expect(page.Locator(".mud-chart svg").First).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Edit" })).ToHaveCountAsync(0);
    }

    [Theory, Browser]
    public async Task Viewer_CannotComposeOrSend_AndAnotherAccountsBroadcastIsNotFound(string provider)
    {
        await using var browser = await AppBrowser.StartAsync(provider);
        var accountId = browser.Account.Id;
        var draft = await browser.App.DueBroadcastAsync(accountId, "Draft news", "<p>x</p>", sendAt: new DateTime(2030, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        var other = await browser.App.CreateAccountAsync("Other", "o@o.test");
        var theirs = await browser.App.DueBroadcastAsync(other.Id, "Their news", "<p>x</p>");
        await browser.SignInAsAsync(AccountRoles.Viewer);
        var page = browser.Page;

        await browser.GotoAsync(AppBrowser.AppUrl(accountId, "broadcasts"));
        await Expect(page.Locator("#broadcasts tbody tr td").First).ToHaveTextAsync("Draft news");
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "New broadcast" })).ToHaveCountAsync(0);

        await browser.GotoAsync(AppBrowser.AppUrl(accountId, "broadcasts/new"));
        await Expect(page.Locator("#read-only")).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Send now" })).ToHaveCountAsync(0);
        await browser.GotoAsync(AppBrowser.AppUrl(accountId, $"broadcasts/{draft}/edit"));
        await Expect(page.Locator("#read-only")).ToBeVisibleAsync();
        await Expect(page.GetByLabel("Subject")).ToHaveCountAsync(0);
        await browser.GotoAsync(AppBrowser.AppUrl(accountId, $"broadcasts/{draft}"));
        await Expect(page.Locator("#status")).ToHaveTextAsync("scheduled");
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Edit" })).ToHaveCountAsync(0);

        foreach (var path in new[] { $"broadcasts/{theirs}", $"broadcasts/{theirs}/edit" })
            Assert.Equal(404, (await browser.GotoAsync(AppBrowser.AppUrl(accountId, path))).Status);
        foreach (var path in new[] { "broadcasts", "broadcasts/new", $"broadcasts/{theirs}" })
            Assert.Equal(404, (await browser.GotoAsync(AppBrowser.AppUrl(other.Id, path))).Status);
        var unchanged = await browser.App.DbAsync(db => db.Broadcasts.AsNoTracking().SingleAsync(b => b.Id == draft));
        Assert.Equal("Draft news", unchanged.Subject);
    }

    [Theory, Browser]
    public async Task Editor_ForAnotherAccountsBroadcastId_IsNotFound(string provider)
    {
        await using var browser = await AppBrowser.StartAsync(provider);
        var other = await browser.App.CreateAccountAsync("Other", "o@o.test");
        var theirs = await browser.App.DueBroadcastAsync(other.Id, "Their news", "<p>x</p>");
        await browser.SignInAsAsync(AccountRoles.Editor);

        Assert.Equal(404, (await browser.GotoAsync(AppBrowser.AppUrl(browser.Account.Id, $"broadcasts/{theirs}/edit"))).Status);
        Assert.Equal(404, (await browser.GotoAsync(AppBrowser.AppUrl(browser.Account.Id, $"broadcasts/{theirs}"))).Status);
    }

    static Task<string> StatusAsync(MailroomApp app, long id) => app.DbAsync(db => db.Broadcasts.Where(b => b.Id == id).Select(b => b.Status).SingleAsync());

    static async Task<long> TagAsync(MailroomApp app, long accountId, string name, params long[] subscriberIds)
    {
        var now = app.Clock.GetUtcNow().UtcDateTime;
        return await app.DbAsync(async db =>
        {
            var tag = new Tag { AccountId = accountId, Name = name, NormalizedName = name.ToLowerInvariant(), CreatedAt = now, UpdatedAt = now };
            db.Tags.Add(tag);
            await db.SaveChangesAsync();
            foreach (var id in subscriberIds)
                db.Subscriptions.Add(new Subscription
                {
                    AccountId = accountId, SubscriberId = id, SubscribableType = SubscribableTypes.Tag, SubscribableId = tag.Id,
                    CreatedAt = now, UpdatedAt = now,
                });
            await db.SaveChangesAsync();
            return tag.Id;
        });
    }
}
