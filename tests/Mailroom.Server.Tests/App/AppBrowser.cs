using Mailroom.Data;
using Mailroom.Server.Domain.Users;
using Mailroom.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Mailroom.Server.Tests.App;

/// <summary>
/// The web app in Debian's Chromium: a real server (<see cref="MailroomApp.StartKestrelAsync"/>) with one account,
/// users made with the CLI's own <see cref="UserService"/>, and sign-in through the real /signin form.
/// <code>
/// await using var browser = await AppBrowser.StartAsync(provider);        // in a [Theory, Browser]
/// await browser.SignInAsAsync(AccountRoles.Viewer);                       // a new viewer of browser.Account
/// await browser.GotoAsync($"/app/{browser.Account.Id}/tags");
/// await Assertions.Expect(browser.Page.GetByRole(AriaRole.Heading, new() { Name = "Tags" })).ToBeVisibleAsync();
/// </code>
/// Every wait is Playwright's auto-waiting with a 30-second limit: no sleeps.
/// </summary>
public sealed class AppBrowser : IAsyncDisposable
{
    public const string Password = "correct horse battery staple";
    static readonly float Timeout = (float)TimeSpan.FromSeconds(30).TotalMilliseconds;

    public MailroomApp App { get; }
    /// <summary>The account the users of <see cref="SignInAsAsync"/> belong to ("Acme Corp.").</summary>
    public TestAccount Account { get; }
    public IPage Page { get; private set; }
    /// <summary>The e-mail address of the user signed in last.</summary>
    public string? Email { get; private set; }

    readonly IPlaywright _playwright;
    readonly IBrowser _browser;
    IBrowserContext _context;
    int _users;

    AppBrowser(MailroomApp app, TestAccount account, IPlaywright playwright, IBrowser browser, IBrowserContext context, IPage page)
    {
        (App, Account, _playwright, _browser, _context, Page) = (app, account, playwright, browser, context, page);
    }

    /// <param name="viewport">The window's size; a phone is <c>new() { Width = 375, Height = 740 }</c>.</param>
    public static async Task<AppBrowser> StartAsync(string provider, Dictionary<string, string?>? settings = null, ViewportSize? viewport = null)
    {
        var app = await MailroomApp.StartKestrelAsync(provider, settings);
        try
        {
            var account = await app.CreateAccountAsync();
            var playwright = await Playwright.CreateAsync();
            Assertions.SetDefaultExpectTimeout(Timeout);
            var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = BrowserAttribute.ChromiumPath,
                Headless = true,
                // This machine's network is closed: keep Chromium from phoning home at start.
                Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                        "--disable-component-update", "--disable-sync"],
            });
            var context = await NewContextAsync(browser, app, viewport);
            return new AppBrowser(app, account, playwright, browser, context, await context.NewPageAsync());
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
    }

    static async Task<IBrowserContext> NewContextAsync(IBrowser browser, MailroomApp app, ViewportSize? viewport)
    {
        var context = await browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = app.BaseUrl, ViewportSize = viewport });
        context.SetDefaultTimeout(Timeout);
        context.SetDefaultNavigationTimeout(Timeout);
        return context;
    }

    /// <summary>A new user (password <see cref="Password"/>) with <paramref name="role"/> in the account (default: <see cref="Account"/>).</summary>
    public async Task<string> CreateUserAsync(string role, long? accountId = null, string? email = null)
    {
        email ??= $"{role}{++_users}@people.test";
        await using var scope = App.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<UserService>().CreateAsync(email, Password, accountId ?? Account.Id, role, CancellationToken.None);
        return email;
    }

    /// <summary>Gives an existing user a role in another account (as <c>mailroom users grant</c> does).</summary>
    public async Task GrantAsync(string email, long accountId, string role)
    {
        await using var scope = App.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<UserService>().GrantAsync(email, accountId, role, CancellationToken.None);
    }

    /// <summary>Creates a user with <paramref name="role"/> and signs in as them; the page is then on the account's dashboard.</summary>
    public async Task<string> SignInAsAsync(string role, long? accountId = null)
    {
        var email = await CreateUserAsync(role, accountId);
        await SignInAsync(email, AppUrl(accountId ?? Account.Id));
        return email;
    }

    /// <summary>Fills and posts the real sign-in form, then waits until the browser is back at <paramref name="returnUrl"/>.</summary>
    public async Task SignInAsync(string email, string returnUrl = "/app", string password = Password)
    {
        await Page.GotoAsync($"/signin?returnUrl={Uri.EscapeDataString(returnUrl)}");
        await Page.GetByLabel("E-mail address").FillAsync(email);
        await Page.GetByLabel("Password").FillAsync(password);
        await Page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Page.WaitForURLAsync(url => new Uri(url).AbsolutePath.StartsWith("/app", StringComparison.Ordinal));
        Email = email;
    }

    /// <summary>Opens a path of the app (<c>/app/{id}/...</c>); the answer's status is on the response.</summary>
    public async Task<IResponse> GotoAsync(string path) => (await Page.GotoAsync(path))!;

    /// <summary>
    /// Submits a form with a full-page post and returns the post's response once the browser shows what it answered.
    /// The response arrives before its document (or the one it redirects to) commits; a navigation started in between is
    /// interrupted by it, so this waits until the page that did the posting is gone and the new one has loaded.
    /// </summary>
    public static async Task<IResponse> PostAsync(IPage page, Func<Task> submit)
    {
        await page.EvaluateAsync("() => { window.__postedFromHere = true; }");
        var response = await page.RunAndWaitForResponseAsync(submit, r => r.Request.Method == "POST" && r.Request.IsNavigationRequest);
        await page.WaitForFunctionAsync("() => window.__postedFromHere !== true");
        await page.WaitForLoadStateAsync(LoadState.Load);
        return response;
    }

    /// <summary><c>/app/{accountId}</c> plus an optional path inside the account.</summary>
    public static string AppUrl(long accountId, string path = "") => path.Length == 0 ? $"/app/{accountId}" : $"/app/{accountId}/{path.TrimStart('/')}";

    /// <summary>Starts over with no cookies (another person at another computer); sign in again afterwards.</summary>
    public async Task NewSessionAsync(ViewportSize? viewport = null)
    {
        await _context.DisposeAsync();
        _context = await NewContextAsync(_browser, App, viewport);
        Page = await _context.NewPageAsync();
        Email = null;
    }

    public async ValueTask DisposeAsync()
    {
        await _context.DisposeAsync();
        await _browser.DisposeAsync();
        _playwright.Dispose();
        await App.DisposeAsync();
    }
}
