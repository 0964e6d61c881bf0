using System.Text.RegularExpressions;
using Mailroom.Data;
using Mailroom.Server.Tests.Api.V3;
using Mailroom.Server.Tests.Infrastructure;
using Mailroom.Server.Tests.Webhooks;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Mailroom.Server.Tests.App;

/// <summary>The webhook rules screen: create, deliveries and retry, the API's refusals, roles and other accounts.</summary>
public sealed class WebhooksTests
{
    // The receiver listens on 127.0.0.1; one attempt makes a 500 a failed delivery at once, ready for the retry button.
    static readonly Dictionary<string, string?> LoopbackReceiver = new()
    {
        ["Webhooks:AllowPrivateTargets"] = "true",
        ["Webhooks:MaxAttempts"] = "1",
    };

    // The app listens on a real socket for the browser; API calls go there too (MailroomApp.Http is the in-memory server's).
    static async Task TagAsync(MailroomApp app, TestAccount account, long tagId, string email)
    {
        using var http = new HttpClient { BaseAddress = new Uri(app.BaseUrl) };
        await (await http.PostAsync($"/v3/tags/{tagId}/subscribe", HttpAssert.Json(new { api_key = account.ApiKey, email }))).AssertStatusAsync(200);
    }

    static async Task<long> RuleAsync(MailroomApp app, TestAccount account, string targetUrl)
    {
        using var http = new HttpClient { BaseAddress = new Uri(app.BaseUrl) };
        var response = await http.PostAsync("/v3/automations/hooks", HttpAssert.Json(new
        {
            api_secret = account.ApiSecret, target_url = targetUrl, @event = new { name = "subscriber.subscriber_activate" },
        }));
        return (long)(await response.AssertStatusAsync(200))["rule"]!["id"]!;
    }

    [Theory, Browser]
    public async Task Create_RuleForTheReceiver_EventDelivered_AFailedDeliveryIsRetriedFromItsButton(string provider)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var browser = await AppBrowser.StartAsync(provider, LoopbackReceiver);
        var tag = await browser.App.AddTagAsync(browser.Account.Id);
        await browser.SignInAsAsync(AccountRoles.Editor);
        var page = browser.Page;
        await browser.GotoAsync(AppBrowser.AppUrl(browser.Account.Id, "webhooks"));

        await page.GetByLabel("Event", new() { Exact = true }).SelectOptionAsync("subscriber.tag_add");
        await page.GetByLabel("Event parameter", new() { Exact = false }).FillAsync(tag.Id.ToString());
        await page.GetByLabel("Target URL").FillAsync($"{receiver.Url}/hook");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create rule" }).ClickAsync();
        await Expect(page.Locator("#message")).ToContainTextAsync("created");
        var rule = await browser.App.DbAsync(db => db.WebhookRules.SingleAsync());
        Assert.Equal(("tag_add", $"{receiver.Url}/hook", tag.Id.ToString()), (rule.EventName, rule.TargetUrl, rule.ParameterValue));
        await Expect(page.Locator($"#rule-{rule.Id} .rule-target")).ToHaveTextAsync($"{receiver.Url}/hook");

        // Delivered at once.
        await TagAsync(browser.App, browser.Account, tag.Id, "jon@example.com");
        await browser.App.DispatchAsync();
        await browser.GotoAsync(AppBrowser.AppUrl(browser.Account.Id, "webhooks"));
        var first = page.Locator($"#rule-{rule.Id} tbody tr");
        await Expect(first).ToHaveCountAsync(1);
        await Expect(first.Locator(".delivery-status")).ToHaveTextAsync("delivered");
        await Expect(first.Locator(".delivery-code")).ToHaveTextAsync("200");

        // The receiver answers 500: failed, with the code and error; the retry button sends it again.
        receiver.FailNext(1, 500);
        await TagAsync(browser.App, browser.Account, tag.Id, "ann@example.com");
        await browser.App.DispatchAsync();
        var failedId = await browser.App.DbAsync(db => db.WebhookDeliveries.Where(d => d.Status == WebhookDeliveryStatuses.Failed).Select(d => d.Id).SingleAsync());
        await browser.GotoAsync(AppBrowser.AppUrl(browser.Account.Id, "webhooks"));
        var failed = page.Locator($"#delivery-{failedId}");
        await Expect(failed.Locator(".delivery-status")).ToHaveTextAsync("failed");
        await Expect(failed.Locator(".delivery-code")).ToHaveTextAsync("500");
        await Expect(failed.Locator(".delivery-error")).ToHaveTextAsync("HTTP 500");
        await Expect(failed.Locator(".delivery-attempts")).ToHaveTextAsync("1");
        await failed.GetByRole(AriaRole.Button, new() { Name = $"Retry delivery {failedId}" }).ClickAsync();
        await Expect(page.Locator("#message")).ToContainTextAsync("queued again");
        await Expect(page.Locator($"#delivery-{failedId} .delivery-status")).ToHaveTextAsync("pending");

        await browser.App.DispatchAsync();
        await browser.GotoAsync(AppBrowser.AppUrl(browser.Account.Id, "webhooks"));
        await Expect(page.Locator($"#delivery-{failedId} .delivery-status")).ToHaveTextAsync("delivered");
        await Expect(page.Locator($"#delivery-{failedId} .delivery-code")).ToHaveTextAsync("200");
        await Expect(page.Locator($"#delivery-{failedId} .delivery-attempts")).ToHaveTextAsync("2");
        Assert.Equal(2, receiver.Requests.Count);

        // Delete: the rule goes from the page.
        await page.GetByRole(AriaRole.Button, new() { Name = $"Delete rule {rule.Id}" }).ClickAsync();
        await Expect(page.Locator("#message")).ToContainTextAsync("deleted");
        await Expect(page.Locator("#no-rules")).ToBeVisibleAsync();
    }

    [Theory, Browser]
    public async Task Create_PrivateTargetBlankOrUnknownTag_ShowsTheApisMessages_AndCreatesNothing(string provider)
    {
        // Webhooks:AllowPrivateTargets stays off here: a loopback target is refused at creation; nothing is ever sent.
        await using var browser = await AppBrowser.StartAsync(provider);
        await browser.SignInAsAsync(AccountRoles.Owner);
        var page = browser.Page;
        await browser.GotoAsync(AppBrowser.AppUrl(browser.Account.Id, "webhooks"));

        await page.GetByLabel("Event", new() { Exact = true }).SelectOptionAsync("subscriber.subscriber_activate");
        await page.GetByLabel("Target URL").FillAsync("http://127.0.0.1:9/hook");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create rule" }).ClickAsync();
        await Expect(page.Locator("#errors")).ToHaveTextAsync("Target url is not allowed: 127.0.0.1 is a loopback address");

        await page.GetByLabel("Event", new() { Exact = true }).SelectOptionAsync("subscriber.tag_add");
        await page.GetByLabel("Event parameter", new() { Exact = false }).FillAsync("999999");
        await page.GetByLabel("Target URL").FillAsync("");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create rule" }).ClickAsync();
        await Expect(page.Locator("#errors li")).ToHaveTextAsync(["Target url can't be blank", "Tag does not exist"]);
        Assert.Equal(0, await browser.App.DbAsync(db => db.WebhookRules.CountAsync()));
    }

    [Theory, Browser]
    public async Task Roles_ViewerOnlyReads_ARoleTakenAwayIsRefused_AndOtherAccountsAreNotFound(string provider)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var browser = await AppBrowser.StartAsync(provider, LoopbackReceiver);
        var ruleId = await RuleAsync(browser.App, browser.Account, $"{receiver.Url}/hook");
        var other = await browser.App.CreateAccountAsync("Other", "o@o.test");
        var otherRule = await RuleAsync(browser.App, other, $"{receiver.Url}/other");

        var viewer = await browser.SignInAsAsync(AccountRoles.Viewer);
        var page = browser.Page;
        await browser.GotoAsync(AppBrowser.AppUrl(browser.Account.Id, "webhooks"));
        await Expect(page.Locator($"#rule-{ruleId} .rule-target")).ToHaveTextAsync($"{receiver.Url}/hook");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Create rule" })).ToHaveCountAsync(0);
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = $"Delete rule {ruleId}" })).ToHaveCountAsync(0);
        Assert.Equal(404, (await browser.GotoAsync(AppBrowser.AppUrl(other.Id, "webhooks"))).Status);

        // An editor's page, posted after the role became viewer: the server refuses.
        await browser.NewSessionAsync();
        page = browser.Page;
        var editor = await browser.SignInAsAsync(AccountRoles.Editor);
        await browser.GotoAsync(AppBrowser.AppUrl(browser.Account.Id, "webhooks"));
        await browser.App.DbAsync(db => db.AccountMemberships.Where(m => m.AccountId == browser.Account.Id && db.Users.Any(u => u.Id == m.UserId && u.Email == editor))
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.Role, AccountRoles.Viewer)));
        var refused = await AppBrowser.PostAsync(page, () => page.GetByRole(AriaRole.Button, new() { Name = $"Delete rule {ruleId}" }).ClickAsync());
        // The page rendered again for a viewer holds no such form (400), and the handler's own check refuses (403).
        Assert.Contains(refused.Status, new[] { 400, 403 });
        await browser.App.DbAsync(db => db.AccountMemberships.Where(m => m.AccountId == browser.Account.Id && db.Users.Any(u => u.Id == m.UserId && u.Email == editor))
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.Role, AccountRoles.Editor)));

        // Another account's rule id posted from this account's page: not found, and the rule stays.
        await browser.GotoAsync(AppBrowser.AppUrl(browser.Account.Id, "webhooks"));
        await page.Locator($"#rule-{ruleId} input[name=DeleteRuleId]").EvaluateAsync("(e, id) => e.value = id", otherRule.ToString());
        var notFound = await AppBrowser.PostAsync(page, () => page.GetByRole(AriaRole.Button, new() { Name = $"Delete rule {ruleId}" }).ClickAsync());
        Assert.Equal(404, notFound.Status);
        Assert.Equal(2, await browser.App.DbAsync(db => db.WebhookRules.CountAsync(r => r.Status == "enabled")));
        Assert.NotNull(viewer);
    }
}
