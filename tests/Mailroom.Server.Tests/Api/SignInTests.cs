using System.Net;
using Mailroom.Data;
using Mailroom.Server.Domain.Users;
using Mailroom.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Mailroom.Server.Tests.Api;

public sealed class SignInTests
{
    const string Email = "ann@acme.test";
    const string Password = "correct horse battery";

    [Theory, Providers]
    public async Task SignIn_RightPassword_HttpOnlyLaxCookieAndSignedIn(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        await ArrangeUserAsync(app);
        using var browser = new SignInBrowser(app);

        var form = await browser.GetAsync("/signin");
        var page = await form.Content.ReadAsStringAsync();
        var response = await browser.SignInAsync(Email, Password);

        // Accessible form: every input has a label, the e-mail field is named for password managers.
        Assert.Contains("""<label for="email">E-mail address</label>""", page);
        Assert.Contains("""<label for="password">Password</label>""", page);
        Assert.Contains("""autocomplete="current-password" """.Trim(), page);
        Assert.Equal("DENY", form.Headers.GetValues("X-Frame-Options").Single());
        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        Assert.Equal("/signin", response.Headers.Location!.OriginalString);
        var cookie = response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("mailroom_session=", StringComparison.Ordinal));
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=lax", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("expires=", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(Email, await browser.SignedInAsAsync());
    }

    [Theory, Providers]
    public async Task SignIn_OverHttps_CookiesAreSecure(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        await ArrangeUserAsync(app);
        using var browser = new SignInBrowser(app);
        browser.Http.BaseAddress = new Uri("https://localhost");

        var page = await browser.GetAsync("/signin");
        var response = await browser.SignInAsync(Email, Password);

        Assert.Contains("secure", page.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("mailroom_antiforgery=", StringComparison.Ordinal)), StringComparison.OrdinalIgnoreCase);
        Assert.Contains("secure", response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("mailroom_session=", StringComparison.Ordinal)), StringComparison.OrdinalIgnoreCase);
    }

    [Theory, Providers]
    public async Task SignIn_WrongPasswordOrUnknownUser_401SameMessageNotSignedIn(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        await ArrangeUserAsync(app);
        using var browser = new SignInBrowser(app);

        var wrong = await browser.SignInAsync(Email, "not the password");
        var unknown = await browser.SignInAsync("nobody@acme.test", Password);
        var hostile = await browser.SignInAsync("<script>alert(1)</script>", Password);

        foreach (var response in new[] { wrong, unknown, hostile })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Contains(SignInBrowser.WrongPassword, await response.Content.ReadAsStringAsync());
        }
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", await hostile.Content.ReadAsStringAsync());
        Assert.DoesNotContain("<script>alert", await hostile.Content.ReadAsStringAsync());
        Assert.Null(await browser.SignedInAsAsync());
        Assert.Equal(1, await app.DbAsync(db => db.Users.Select(u => u.AccessFailedCount).SingleAsync()));
    }

    [Theory, Providers]
    public async Task SignIn_FiveWrongPasswords_LockedOutEvenWithTheRightOne(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        await ArrangeUserAsync(app);
        using var browser = new SignInBrowser(app);

        for (var i = 0; i < 4; i++)
            Assert.Equal(HttpStatusCode.Unauthorized, (await browser.SignInAsync(Email, $"wrong {i}")).StatusCode);
        var fifth = await browser.SignInAsync(Email, "wrong 5");
        var right = await browser.SignInAsync(Email, Password);

        Assert.Equal(HttpStatusCode.Forbidden, fifth.StatusCode);
        Assert.Contains(SignInBrowser.LockedOut, await fifth.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Forbidden, right.StatusCode);
        Assert.Contains(SignInBrowser.LockedOut, await right.Content.ReadAsStringAsync());
        Assert.Null(await browser.SignedInAsAsync());
        var lockoutEnd = await app.DbAsync(db => db.Users.Select(u => u.LockoutEnd).SingleAsync());
        Assert.NotNull(lockoutEnd);
    }

    [Theory, Providers]
    public async Task SignIn_WithoutAntiforgeryToken_400AndNotSignedIn(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        await ArrangeUserAsync(app);
        using var browser = new SignInBrowser(app);

        var page = await browser.GetPageAsync("/signin");
        var response = await browser.SubmitAsync(page, "/signin", new() { ["email"] = Email, ["password"] = Password }, withAntiforgery: false);
        // Another site's form: no antiforgery cookie either.
        using var stranger = new SignInBrowser(app);
        var forged = await stranger.Http.PostAsync("/signin", new FormUrlEncodedContent(new Dictionary<string, string>
            { ["email"] = Email, ["password"] = Password, ["__RequestVerificationToken"] = "forged" }));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(SignInBrowser.FormExpired, await response.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.False(response.Headers.Contains("Set-Cookie") && response.Headers.GetValues("Set-Cookie").Any(c => c.StartsWith("mailroom_session=", StringComparison.Ordinal)));
        Assert.Null(await browser.SignedInAsAsync());
        Assert.Equal(0, await app.DbAsync(db => db.Users.Select(u => u.AccessFailedCount).SingleAsync()));
    }

    [Theory, Providers]
    public async Task SignIn_ReturnUrl_FollowedOnlyWithinThisServer(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        await ArrangeUserAsync(app);

        foreach (var (returnUrl, expected) in new[]
        {
            ("/v4/oauth/authorize?client_id=x&scope=read", "/v4/oauth/authorize?client_id=x&scope=read"),
            ("//evil.test/steal", "/signin"), ("/\\evil.test", "/signin"), ("https://evil.test/", "/signin"),
        })
        {
            using var browser = new SignInBrowser(app);
            var response = await browser.SignInAsync(Email, Password, returnUrl);
            Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
            Assert.Equal(expected, response.Headers.Location!.OriginalString);
        }
    }

    [Theory, Providers]
    public async Task SignOut_Post_EndsTheSessionAndNeedsTheToken(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        await ArrangeUserAsync(app);
        using var browser = new SignInBrowser(app);
        await browser.SignInAsync(Email, Password);
        var signedIn = await browser.GetPageAsync("/signin");

        var forged = await browser.SubmitAsync(signedIn, "/signout", [], withAntiforgery: false);
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.Equal(Email, await browser.SignedInAsAsync());
        Assert.Equal(HttpStatusCode.MethodNotAllowed, (await browser.GetAsync("/signout")).StatusCode);

        var signOut = await browser.SubmitAsync(signedIn, "/signout", []);
        Assert.Equal(HttpStatusCode.SeeOther, signOut.StatusCode);
        Assert.Null(await browser.SignedInAsAsync());
    }

    [Theory, Providers]
    public async Task Link_OpenedThenUsed_SignsInOnceOnly(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var link = await ArrangeUserAsync(app, password: null);
        var path = new Uri(link).PathAndQuery;
        using var browser = new SignInBrowser(app);

        // Opening it (as a mail scanner would) twice uses nothing up.
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync(path)).StatusCode);
        await browser.UseLinkAsync(path, newPassword: "my own passphrase");
        using var second = new SignInBrowser(app);
        var again = await second.GetAsync(path);

        Assert.Equal(Email, await browser.SignedInAsAsync());
        Assert.Equal(HttpStatusCode.BadRequest, again.StatusCode);
        Assert.Contains(SignInBrowser.LinkUnusable, await again.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.SeeOther, (await second.SignInAsync(Email, "my own passphrase")).StatusCode);
    }

    [Theory, Providers]
    public async Task Link_After24Hours_Refused(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var link = new Uri(await ArrangeUserAsync(app, password: null)).PathAndQuery;
        using var browser = new SignInBrowser(app);
        var page = await browser.GetPageAsync(link);

        app.Clock.Advance(UserService.LinkLifetime);
        var used = await browser.SubmitAsync(page, "/signin/link", new() { ["password"] = "" });

        Assert.Equal(HttpStatusCode.BadRequest, used.StatusCode);
        Assert.Contains(SignInBrowser.LinkUnusable, await used.Content.ReadAsStringAsync());
        Assert.Null(await browser.SignedInAsAsync());
    }

    [Theory, Providers]
    public async Task Link_TamperedOrWithoutAntiforgery_Refused(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var link = new Uri(await ArrangeUserAsync(app, password: null)).PathAndQuery;
        using var browser = new SignInBrowser(app);

        foreach (var bad in new[] { link[..^2] + "AA", "/signin/link?token=1.", "/signin/link?token=abc", "/signin/link", "/signin/link?token=999.AAAA" })
            Assert.Equal(HttpStatusCode.BadRequest, (await browser.GetAsync(bad)).StatusCode);
        var page = await browser.GetPageAsync(link);
        var forged = await browser.SubmitAsync(page, "/signin/link", new() { ["password"] = "" }, withAntiforgery: false);
        var weak = await browser.SubmitAsync(page, "/signin/link", new() { ["password"] = "short" });

        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, weak.StatusCode);
        Assert.Contains("Passwords must be at least 10 characters.", await weak.Content.ReadAsStringAsync());
        Assert.Null(await browser.SignedInAsAsync());
        // Neither used the link up.
        Assert.Equal(HttpStatusCode.SeeOther, (await browser.SubmitAsync(page, "/signin/link", new() { ["password"] = "" })).StatusCode);
        Assert.Equal(Email, await browser.SignedInAsAsync());
    }

    /// <summary>A user of a new account; with no password, returns the one-time link.</summary>
    static async Task<string> ArrangeUserAsync(MailroomApp app, string? password = Password)
    {
        var account = await app.CreateAccountAsync();
        await using var scope = app.Services.CreateAsyncScope();
        var (_, link) = await scope.ServiceProvider.GetRequiredService<UserService>()
            .CreateAsync(Email, password, account.Id, AccountRoles.Owner, CancellationToken.None);
        return link ?? "";
    }
}
