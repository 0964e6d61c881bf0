using System.Text.RegularExpressions;
using Mailroom.Data;
using Mailroom.Server.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Mailroom.Server.Tests.App;

/// <summary>The web app's frame: getting in and out, the dashboard's numbers, accounts and roles, phone and keyboard.</summary>
public sealed class FoundationTests
{
    [Theory, Browser]
    public async Task Root_ForANewcomer_LandsOnSignInWithTheApiReference_AndSignInReturnsToTheApp(string provider)
    {
        await using var browser = await AppBrowser.StartAsync(provider);
        var email = await browser.CreateUserAsync(AccountRoles.Owner);
        var page = browser.Page;

        await page.GotoAsync("/");
        await Expect(page).ToHaveURLAsync(new Regex(@"/signin\?returnUrl=%2Fapp$"));
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "API reference" })).ToHaveAttributeAsync("href", "/docs");

        // A deep link keeps its place through sign-in.
        var dashboard90 = $"{AppBrowser.AppUrl(browser.Account.Id)}?days=90";
        await page.GotoAsync(dashboard90);
        await Expect(page).ToHaveURLAsync(new Regex(@"/signin\?returnUrl=" + Regex.Escape(Uri.EscapeDataString(dashboard90)) + "$"));
        await page.GetByLabel("E-mail address").FillAsync(email);
        await page.GetByLabel("Password").FillAsync(AppBrowser.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex(Regex.Escape(dashboard90) + "$"));
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Dashboard" })).ToBeVisibleAsync();

        // /app itself goes to the user's first account.
        await page.GotoAsync("/app");
        await Expect(page).ToHaveURLAsync(new Regex(Regex.Escape(AppBrowser.AppUrl(browser.Account.Id)) + "$"));
        await Expect(page.Locator("#account-name")).ToHaveTextAsync("Acme Corp.");
        await Expect(page.Locator("#signed-in-as")).ToHaveTextAsync(email);
    }

    [Theory, Browser]
    public async Task Dashboard_ShowsTheAccountsGrowthBroadcastsSequencesAndBounces(string provider)
    {
        await using var browser = await AppBrowser.StartAsync(provider);
        await SeedAsync(browser.App, browser.Account.Id);
        await browser.SignInAsAsync(AccountRoles.Viewer);
        var page = browser.Page;

        await Expect(page.Locator("#new-subscribers")).ToHaveTextAsync("5");
        await Expect(page.Locator("#unsubscribed")).ToHaveTextAsync("1");
        await Expect(page.Locator("#net-subscribers")).ToHaveTextAsync("4");
        await Expect(page.Locator("#active-subscribers")).ToHaveTextAsync("4");
        await Expect(page.Locator("#bounced-subscribers")).ToHaveTextAsync("1");
        await Expect(page.Locator("#failed-webhooks")).ToHaveTextAsync("0");
        await Expect(page.Locator(".mud-chart svg").First).ToBeVisibleAsync();

        var broadcast = page.Locator("#broadcasts tbody tr");
        await Expect(broadcast).ToHaveCountAsync(1);
        await Expect(broadcast.Locator("td")).ToHaveTextAsync(["Spring <news>", "completed", "4", "50%", "25%"]);
        await Expect(page.Locator("#sequences tbody tr td")).ToHaveTextAsync(["Welcome", "1", "1"]);

        // The subscriber created 40 days ago joins the count over 90 days.
        await page.GetByRole(AriaRole.Link, new() { Name = "90 days" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex(@"\?days=90$"));
        await Expect(page.Locator("#new-subscribers")).ToHaveTextAsync("6");
        await Expect(page.Locator("#net-subscribers")).ToHaveTextAsync("5");
    }

    [Theory, Browser]
    public async Task AccountSwitcher_ListsTheUsersAccounts_AndOpensTheOther(string provider)
    {
        await using var browser = await AppBrowser.StartAsync(provider);
        var other = await browser.App.CreateAccountAsync("Beta Letters", "owner@beta.test");
        var email = await browser.CreateUserAsync(AccountRoles.Owner);
        await browser.GrantAsync(email, other.Id, AccountRoles.Viewer);
        await browser.SignInAsync(email, AppBrowser.AppUrl(browser.Account.Id));
        var page = browser.Page;

        await Expect(page.Locator("#account-name")).ToHaveTextAsync("Acme Corp.");
        await page.GetByText("Switch account").ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Beta Letters" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex(Regex.Escape(AppBrowser.AppUrl(other.Id)) + "$"));
        await Expect(page.Locator("#account-name")).ToHaveTextAsync("Beta Letters");
    }

    [Theory, Browser]
    public async Task OtherAccount_ByUrl_IsNotFound_AndShowsNothingOfIt(string provider)
    {
        await using var browser = await AppBrowser.StartAsync(provider);
        var other = await browser.App.CreateAccountAsync("Beta Secret Letters", "owner@beta.test");
        await SeedAsync(browser.App, other.Id);
        await browser.SignInAsAsync(AccountRoles.Owner);

        foreach (var url in new[] { AppBrowser.AppUrl(other.Id), AppBrowser.AppUrl(other.Id, "subscribers"), AppBrowser.AppUrl(other.Id + 1000) })
        {
            var response = await browser.GotoAsync(url);
            Assert.Equal(404, response.Status);
            await Expect(browser.Page.GetByRole(AriaRole.Heading, new() { Name = "Not found" })).ToBeVisibleAsync();
            var html = await browser.Page.ContentAsync();
            Assert.DoesNotContain("Beta Secret", html);
            Assert.DoesNotContain("Spring", html);
            // No account chrome: nothing says whether the account exists.
            await Expect(browser.Page.Locator("#account-name")).ToHaveCountAsync(0);
        }
    }

    [Theory, Browser]
    public async Task SignOut_EndsTheSession_AndTheAppAsksToSignInAgain(string provider)
    {
        await using var browser = await AppBrowser.StartAsync(provider);
        await browser.SignInAsAsync(AccountRoles.Editor);
        var page = browser.Page;

        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex(@"/signin$"));
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Sign in" })).ToBeVisibleAsync();

        await page.GotoAsync(AppBrowser.AppUrl(browser.Account.Id));
        await Expect(page).ToHaveURLAsync(new Regex(@"/signin\?returnUrl="));
    }

    [Theory, Browser]
    public async Task Phone_PageFits375Pixels_AndTheMenuOpensWithoutScrollingSideways(string provider)
    {
        await using var browser = await AppBrowser.StartAsync(provider, viewport: new() { Width = 375, Height = 740 });
        await SeedAsync(browser.App, browser.Account.Id);
        await browser.SignInAsAsync(AccountRoles.Owner);
        var page = browser.Page;

        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Dashboard" })).ToBeVisibleAsync();
        Assert.True(await page.EvaluateAsync<bool>("document.documentElement.scrollWidth <= window.innerWidth"),
            $"page is {await page.EvaluateAsync<int>("document.documentElement.scrollWidth")} px wide");

        // The sidebar is folded into a menu on a phone.
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Subscribers", Exact = true })).ToBeHiddenAsync();
        await page.GetByText("Menu", new() { Exact = true }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Subscribers", Exact = true })).ToBeVisibleAsync();
        Assert.True(await page.EvaluateAsync<bool>("document.documentElement.scrollWidth <= window.innerWidth"));
    }

    [Theory, Browser]
    public async Task Keyboard_TabReachesTheNavigation(string provider)
    {
        await using var browser = await AppBrowser.StartAsync(provider);
        await browser.SignInAsAsync(AccountRoles.Viewer);
        var page = browser.Page;
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Dashboard" })).ToBeVisibleAsync();

        var subscribers = page.GetByRole(AriaRole.Navigation, new() { Name = "Account", Exact = true })
            .GetByRole(AriaRole.Link, new() { Name = "Subscribers", Exact = true });
        for (var i = 0; i < 15 && !await subscribers.EvaluateAsync<bool>("e => e === document.activeElement"); i++)
            await page.Keyboard.PressAsync("Tab");
        await Expect(subscribers).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("Enter");
        await Expect(page).ToHaveURLAsync(new Regex(Regex.Escape(AppBrowser.AppUrl(browser.Account.Id, "subscribers")) + "$"));
    }

    /// <summary>
    /// Over the last 30 days: five new subscribers (one since unsubscribed, one bounced), four active in all with one
    /// from 40 days ago; a completed broadcast to four (two opens, one click); a sequence with one active and one done.
    /// </summary>
    static async Task SeedAsync(MailroomApp app, long accountId)
    {
        var now = MailroomApp.Start.UtcDateTime;
        await app.DbAsync(async db =>
        {
            Subscriber Add(string email, int daysAgo, string state = SubscriberStates.Active, DateTime? cancelledAt = null)
            {
                var s = new Subscriber
                {
                    AccountId = accountId, EmailAddress = email, NormalizedEmail = email, State = state,
                    CreatedAt = now.AddDays(-daysAgo), UpdatedAt = now.AddDays(-daysAgo), CancelledAt = cancelledAt,
                };
                db.Subscribers.Add(s);
                return s;
            }
            var subscribers = new[] { Add("a@x.test", 2), Add("b@x.test", 2), Add("c@x.test", 3), Add("old@x.test", 40) };
            Add("gone@x.test", 10, SubscriberStates.Cancelled, now.AddDays(-1));
            Add("bounced@x.test", 5, SubscriberStates.Bounced);
            var sequence = new Sequence { AccountId = accountId, Name = "Welcome", CreatedAt = now, UpdatedAt = now };
            var broadcast = new Broadcast
            {
                AccountId = accountId, Subject = "Spring <news>", Status = BroadcastStatuses.Completed, RecipientCount = 4,
                SentCount = 4, CreatedAt = now, UpdatedAt = now, StartedAt = now, CompletedAt = now,
            };
            db.AddRange(sequence, broadcast);
            await db.SaveChangesAsync();

            for (var i = 0; i < subscribers.Length; i++)
                db.BroadcastRecipients.Add(new BroadcastRecipient
                {
                    AccountId = accountId, BroadcastId = broadcast.Id, SubscriberId = subscribers[i].Id, Token = $"t{accountId}x{i}",
                    SentAt = now, OpenedAt = i < 2 ? now : null, ClickedAt = i < 1 ? now : null, Clicks = i < 1 ? 1 : 0,
                });
            for (var i = 0; i < 2; i++)
                db.Subscriptions.Add(new Subscription
                {
                    AccountId = accountId, SubscriberId = subscribers[i].Id, SubscribableType = SubscribableTypes.Course,
                    SubscribableId = sequence.Id, CreatedAt = now, UpdatedAt = now, CompletedAt = i == 0 ? now : null,
                });
            await db.SaveChangesAsync();
        });
    }
}
