using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Mailroom.Data;
using Mailroom.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Mailroom.Server.Tests.App;

/// <summary>The settings screen: sending address and zone, the test e-mail, keys, OAuth apps, users and roles.</summary>
public sealed class SettingsTests
{
    static string SettingsUrl(long accountId) => AppBrowser.AppUrl(accountId, "settings");

    static ILocator ShownOnce(IPage page, string label) => page.Locator($"#shown-once dd[data-label='{label}']");

    static ILocator Button(IPage page, string name) => page.GetByRole(AriaRole.Button, new() { Name = name, Exact = true });

    static async Task SetRoleAsync(MailroomApp app, long accountId, string email, string role) =>
        await app.DbAsync(db => db.AccountMemberships.Where(m => m.AccountId == accountId && db.Users.Any(u => u.Id == m.UserId && u.Email == email))
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.Role, role)));

    /// <summary>A POST from the page and the status it was answered with.</summary>
    static async Task<int> PostStatusAsync(IPage page, Func<Task> click) =>
        (await AppBrowser.PostAsync(page, click)).Status;

    [Theory, Browser]
    public async Task Sending_FromAndTimeZoneSaved_BadValuesShowTheMessages(string provider)
    {
        await using var browser = await AppBrowser.StartAsync(provider);
        await browser.SignInAsAsync(AccountRoles.Owner);
        var page = browser.Page;
        await browser.GotoAsync(SettingsUrl(browser.Account.Id));

        await page.GetByLabel("From name").FillAsync("");
        await page.GetByLabel("From e-mail").FillAsync("not an address");
        // The browser's own check of type=email would stop the post; the server's check is what is tested here.
        await page.Locator("form:has(#from-email)").EvaluateAsync("f => f.noValidate = true");
        Assert.Equal(422, await PostStatusAsync(page, () => Button(page, "Save sending settings").ClickAsync()));
        await Expect(page.Locator("#errors li")).ToHaveTextAsync(["From name can't be blank", "Email address is invalid"]);

        await page.GetByLabel("From name").FillAsync("Acme <News>");
        await page.GetByLabel("From e-mail").FillAsync("news@acme.test");
        await page.GetByLabel("Time zone").SelectOptionAsync("Europe/Berlin");
        await Button(page, "Save sending settings").ClickAsync();
        await Expect(page.Locator("#message")).ToHaveTextAsync("Sending settings saved.");

        await browser.GotoAsync(SettingsUrl(browser.Account.Id));
        await Expect(page.GetByLabel("Time zone")).ToHaveValueAsync("Europe/Berlin");
        await Expect(page.GetByLabel("From name")).ToHaveValueAsync("Acme <News>");
        var account = await browser.App.DbAsync(db => db.Accounts.SingleAsync(a => a.Id == browser.Account.Id));
        Assert.Equal(("Acme <News>", "news@acme.test", "Europe/Berlin"), (account.Name, account.SendingEmailAddress, account.TimeZone));
    }

    [Theory, Browser]
    public async Task TestEmail_ArrivesInTheSmtpSink(string provider)
    {
        await using var sink = new SmtpSink();
        await using var browser = await AppBrowser.StartAsync(provider, new() { ["Smtp:Host"] = "127.0.0.1", ["Smtp:Port"] = sink.Port.ToString() });
        var editor = await browser.SignInAsAsync(AccountRoles.Editor);
        var page = browser.Page;
        await browser.GotoAsync(SettingsUrl(browser.Account.Id));

        await Button(page, "Send me a test e-mail").ClickAsync();
        await Expect(page.Locator("#message")).ToHaveTextAsync($"Test e-mail sent to {editor}.");
        var mail = Assert.Single(sink.To(editor));
        Assert.Equal("Mailroom test e-mail", mail.Subject);
        Assert.Equal("owner@acme.test", mail.From.Mailboxes.Single().Address);
    }

    [Theory, Browser]
    public async Task TestEmail_RelayUnreachable_ShowsTheSmtpError(string provider)
    {
        // A port bound but not listening: connections are refused, and no other process can take the port meanwhile.
        using var bound = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        bound.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var closed = ((IPEndPoint)bound.LocalEndPoint!).Port;
        await using var browser = await AppBrowser.StartAsync(provider, new() { ["Smtp:Host"] = "127.0.0.1", ["Smtp:Port"] = closed.ToString() });
        await browser.SignInAsAsync(AccountRoles.Editor);
        var page = browser.Page;
        await browser.GotoAsync(SettingsUrl(browser.Account.Id));

        Assert.Equal(200, await PostStatusAsync(page, () => Button(page, "Send me a test e-mail").ClickAsync()));
        await Expect(page.Locator("#errors")).ToContainTextAsync("The test e-mail could not be sent:");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Settings" })).ToBeVisibleAsync();
    }

    [Theory, Browser]
    public async Task Keys_V4KeyShownOnceThenListed_RevokedKeyGets401_V3RotateReplacesTheSecret_AppsCreateAndDelete(string provider)
    {
        await using var browser = await AppBrowser.StartAsync(provider);
        await browser.SignInAsAsync(AccountRoles.Owner);
        var page = browser.Page;
        using var http = new HttpClient { BaseAddress = new Uri(browser.App.BaseUrl) };
        var opened = await browser.GotoAsync(SettingsUrl(browser.Account.Id));
        Assert.True(opened.Status == 200, $"{opened.Status}: {await opened.TextAsync()}");

        await page.GetByLabel("Key name").FillAsync("Zapier");
        await Button(page, "Create API key").ClickAsync();
        var key = await ShownOnce(page, "v4 API key").InnerTextAsync();
        Assert.StartsWith("kit_", key);
        Assert.Equal(HttpStatusCode.OK, (await V4Async(http, key)).StatusCode);

        await browser.GotoAsync(SettingsUrl(browser.Account.Id));
        await Expect(page.Locator("#shown-once")).ToHaveCountAsync(0);
        Assert.DoesNotContain(key, await page.ContentAsync());
        var row = page.Locator("#api-keys tbody tr");
        await Expect(row.Locator("td").First).ToHaveTextAsync("Zapier");
        await Expect(row.Locator("td").Nth(1)).ToHaveTextAsync($"…{key[^4..]}");

        await Button(page, "Revoke key Zapier").ClickAsync();
        await Expect(row.Locator(".key-state")).ToContainTextAsync("revoked");
        Assert.Equal(HttpStatusCode.Unauthorized, (await V4Async(http, key)).StatusCode);

        // v3: the confirmation is a second step; the old secret stops working, the new one works.
        await page.GetByText("Rotate the v3 API key and secret…").ClickAsync();
        await Button(page, "Yes, rotate the key and secret").ClickAsync();
        var secret = await ShownOnce(page, "v3 API secret").InnerTextAsync();
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync($"/v3/account?api_secret={browser.Account.ApiSecret}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync($"/v3/account?api_secret={Uri.EscapeDataString(secret)}")).StatusCode);

        // OAuth apps: the secret once, then the app in the list until deleted.
        await page.GetByLabel("App name").FillAsync("Zap app");
        await page.GetByLabel("Redirect URIs (one a line)").FillAsync("https://zap.example/callback");
        await Button(page, "Create app").ClickAsync();
        await Expect(ShownOnce(page, "Client secret")).ToBeVisibleAsync();
        var appRow = page.Locator("#oauth-apps tbody tr");
        await Expect(appRow.Locator("td").First).ToHaveTextAsync("Zap app");
        await Button(page, "Delete app Zap app").ClickAsync();
        await Expect(page.Locator("#message")).ToContainTextAsync("App deleted");
        await Expect(page.Locator("#oauth-apps")).ToHaveCountAsync(0);
    }

    static Task<HttpResponseMessage> V4Async(HttpClient http, string key)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/v4/account");
        request.Headers.Add("X-Kit-Api-Key", key);
        return http.SendAsync(request);
    }

    [Theory, Browser]
    public async Task Users_AddedViewerSignsInWithTheLinkAndOnlyReads_RolesChange_TheLastOwnerStays(string provider)
    {
        await using var browser = await AppBrowser.StartAsync(provider);
        var owner = await browser.SignInAsAsync(AccountRoles.Owner);
        var page = browser.Page;
        await browser.GotoAsync(SettingsUrl(browser.Account.Id));

        await page.GetByLabel("E-mail address").FillAsync("new@people.test");
        await page.GetByLabel("Role", new() { Exact = true }).SelectOptionAsync(AccountRoles.Viewer);
        await Button(page, "Add user").ClickAsync();
        await Expect(page.Locator("#message")).ToHaveTextAsync("new@people.test is now viewer of this account.");
        var link = await page.Locator("#shown-once dd").InnerTextAsync();
        var added = page.Locator("#members tr", new() { Has = page.Locator(".member-email", new() { HasTextString = "new@people.test" }) });
        await Expect(added.Locator(".member-role")).ToHaveTextAsync(AccountRoles.Viewer);

        // The last owner can be neither demoted nor removed.
        var me = page.Locator("#members tr", new() { Has = page.Locator(".member-email", new() { HasTextString = owner }) });
        await me.GetByLabel($"New role for {owner}").SelectOptionAsync(AccountRoles.Editor);
        Assert.Equal(422, await PostStatusAsync(page, () => Button(page, $"Change role of {owner}").ClickAsync()));
        await Expect(page.Locator("#errors")).ToHaveTextAsync("An account must keep at least one owner.");
        Assert.Equal(422, await PostStatusAsync(page, () => Button(page, $"Remove {owner}").ClickAsync()));
        await Expect(page.Locator("#errors")).ToHaveTextAsync("An account must keep at least one owner.");
        await Expect(me.Locator(".member-role")).ToHaveTextAsync(AccountRoles.Owner);

        // The new user signs in with the link and sees settings read only.
        await browser.NewSessionAsync();
        page = browser.Page;
        await page.GotoAsync(link);
        await AppBrowser.PostAsync(page, () => page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync());
        Assert.Equal(200, (await browser.GotoAsync(SettingsUrl(browser.Account.Id))).Status);
        await Expect(page.Locator("#from-name-value")).ToHaveTextAsync("Acme Corp.");
        await Expect(page.Locator("#owner-only")).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Button)).ToHaveCountAsync(1); // sign out, nothing else
        await Expect(Button(page, "Sign out")).ToBeVisibleAsync();

        // Back as the owner: change the viewer's role, then remove them.
        await browser.NewSessionAsync();
        page = browser.Page;
        await browser.SignInAsync(owner, SettingsUrl(browser.Account.Id));
        added = page.Locator("#members tr", new() { Has = page.Locator(".member-email", new() { HasTextString = "new@people.test" }) });
        await added.GetByLabel("New role for new@people.test").SelectOptionAsync(AccountRoles.Editor);
        await Button(page, "Change role of new@people.test").ClickAsync();
        await Expect(added.Locator(".member-role")).ToHaveTextAsync(AccountRoles.Editor);
        await Button(page, "Remove new@people.test").ClickAsync();
        await Expect(page.Locator("#message")).ToHaveTextAsync("User removed from this account.");
        await Expect(page.Locator("#members .member-email")).ToHaveTextAsync([owner]);
    }

    [Theory, Browser]
    public async Task Roles_EditorAndViewerCannotReachKeysOrUsers_TheServerRefuses_OtherAccountsAreNotFound(string provider)
    {
        await using var browser = await AppBrowser.StartAsync(provider);
        var other = await browser.App.CreateAccountAsync("Other", "o@o.test");
        var otherOwner = await browser.CreateUserAsync(AccountRoles.Owner, other.Id);
        var otherKey = await browser.App.DbAsync(async db =>
        {
            var row = new ApiKey { AccountId = other.Id, Name = "theirs", KeyHash = "x", Hint = "abcd", CreatedAt = DateTime.UtcNow };
            db.ApiKeys.Add(row);
            await db.SaveChangesAsync();
            return row.Id;
        });
        var page = browser.Page;

        foreach (var role in new[] { AccountRoles.Editor, AccountRoles.Viewer })
        {
            await browser.NewSessionAsync();
            page = browser.Page;
            await browser.SignInAsAsync(role);
            await browser.GotoAsync(SettingsUrl(browser.Account.Id));
            await Expect(page.Locator("#owner-only")).ToBeVisibleAsync();
            await Expect(page.Locator("#api-keys, #members, #oauth-apps")).ToHaveCountAsync(0);
            await Expect(Button(page, "Create API key")).ToHaveCountAsync(0);
            await Expect(Button(page, "Save sending settings")).ToHaveCountAsync(0);
            await Expect(Button(page, "Send me a test e-mail")).ToHaveCountAsync(role == AccountRoles.Editor ? 1 : 0);
            Assert.Equal(404, (await browser.GotoAsync(SettingsUrl(other.Id))).Status);
        }

        // An owner's page posted after the role became editor: the server refuses, nothing is created.
        await browser.NewSessionAsync();
        page = browser.Page;
        var owner = await browser.SignInAsAsync(AccountRoles.Owner);
        await browser.GotoAsync(SettingsUrl(browser.Account.Id));
        await SetRoleAsync(browser.App, browser.Account.Id, owner, AccountRoles.Editor);
        await page.GetByLabel("Key name").FillAsync("sneaky");
        // The page rendered again for an editor holds no such form (400), and the handler's own check refuses (403).
        Assert.Contains(await PostStatusAsync(page, () => Button(page, "Create API key").ClickAsync()), new[] { 400, 403 });
        Assert.Equal(0, await browser.App.DbAsync(db => db.ApiKeys.CountAsync(k => k.AccountId == browser.Account.Id)));
        await SetRoleAsync(browser.App, browser.Account.Id, owner, AccountRoles.Owner);

        // Another account's key and user ids posted from this account's page: not found, and nothing changes.
        await browser.GotoAsync(SettingsUrl(browser.Account.Id));
        await page.GetByLabel("Key name").FillAsync("mine");
        await Button(page, "Create API key").ClickAsync();
        await browser.GotoAsync(SettingsUrl(browser.Account.Id));
        await page.Locator("input[name=RevokeKeyId]").EvaluateAsync("(e, id) => e.value = id", otherKey.ToString());
        Assert.Equal(404, await PostStatusAsync(page, () => Button(page, "Revoke key mine").ClickAsync()));
        Assert.Null(await browser.App.DbAsync(db => db.ApiKeys.Where(k => k.Id == otherKey).Select(k => k.RevokedAt).SingleAsync()));

        await browser.GotoAsync(SettingsUrl(browser.Account.Id));
        var otherUserId = await browser.App.DbAsync(db => db.Users.Where(u => u.Email == otherOwner).Select(u => u.Id).SingleAsync());
        await page.Locator("#members tr", new() { Has = page.Locator(".member-email", new() { HasTextString = owner }) })
            .Locator("input[name=RemoveUserId]").EvaluateAsync("(e, id) => e.value = id", otherUserId.ToString());
        Assert.Equal(404, await PostStatusAsync(page, () => Button(page, $"Remove {owner}").ClickAsync()));
        Assert.Equal(1, await browser.App.DbAsync(db => db.AccountMemberships.CountAsync(m => m.AccountId == other.Id)));
    }
}
