using System.Net;
using Mailroom.Data;
using Mailroom.Server.Api.SignIn;
using Mailroom.Server.Domain.Users;
using Mailroom.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Mailroom.Server.Tests.Api;

/// <summary>The second sign-in step of a user with TOTP two-factor on (turned on here through Identity's UserManager).</summary>
public sealed class SignInTwoFactorTests
{
    const string Email = "ann@acme.test";
    const string Password = "correct horse battery";

    [Theory, Providers]
    public async Task SignIn_TwoFactorOn_PasswordThenCodeSignsIn(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var (key, _) = await ArrangeTwoFactorUserAsync(app);
        using var browser = new SignInBrowser(app);

        var password = await browser.SignInAsync(Email, Password, returnUrl: "/app");
        Assert.Equal(HttpStatusCode.SeeOther, password.StatusCode);
        Assert.Equal("/signin/2fa?returnUrl=%2Fapp", password.Headers.Location!.OriginalString);
        Assert.Null(await browser.SignedInAsAsync());
        Assert.DoesNotContain(password.Headers.GetValues("Set-Cookie"), c => c.StartsWith("mailroom_session=", StringComparison.Ordinal));

        var page = await browser.GetPageAsync(password.Headers.Location.OriginalString);
        Assert.Contains("""<label for="code">Code</label>""", page);
        Assert.Contains("""autocomplete="one-time-code" """.Trim(), page);
        var code = await browser.SubmitAsync(page, TwoFactorEndpoints.Path, new() { ["code"] = Totp.Code(key) });

        Assert.Equal(HttpStatusCode.SeeOther, code.StatusCode);
        Assert.Equal("/app", code.Headers.Location!.OriginalString);
        Assert.Equal(Email, await browser.SignedInAsAsync());
    }

    [Theory, Providers]
    public async Task SignIn_TwoFactorWrongCodes_RefusedAndCountTowardsLockout(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var (key, _) = await ArrangeTwoFactorUserAsync(app);
        using var browser = new SignInBrowser(app);

        // Three wrong passwords, then the right one and two wrong codes (one of each kind): the fifth failure locks.
        for (var i = 0; i < 3; i++) await browser.SignInAsync(Email, $"wrong {i}");
        await browser.SignInAsync(Email, Password);
        var page = await browser.GetPageAsync(TwoFactorEndpoints.Path);
        var wrong = await browser.SubmitAsync(page, TwoFactorEndpoints.Path, new() { ["code"] = WrongCode(key) });
        var wrongRecovery = await browser.SubmitAsync(page, TwoFactorEndpoints.Path, new() { ["code"] = "AAAAA-AAAAA" });
        var right = await browser.SubmitAsync(page, TwoFactorEndpoints.Path, new() { ["code"] = Totp.Code(key) });

        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Contains(WebUtility.HtmlEncode(TwoFactorEndpoints.WrongCode), await wrong.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Forbidden, wrongRecovery.StatusCode);
        Assert.Contains(SignInBrowser.LockedOut, await wrongRecovery.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Forbidden, right.StatusCode);
        Assert.Null(await browser.SignedInAsAsync());
        Assert.NotNull(await app.DbAsync(db => db.Users.Select(u => u.LockoutEnd).SingleAsync()));
    }

    [Theory, Providers]
    public async Task SignIn_RecoveryCode_WorksOnce(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var (_, recovery) = await ArrangeTwoFactorUserAsync(app);
        using var browser = new SignInBrowser(app);

        await browser.SignInAsync(Email, Password);
        var used = await browser.SubmitAsync(await browser.GetPageAsync(TwoFactorEndpoints.Path), TwoFactorEndpoints.Path,
            new() { ["code"] = $" {recovery[0].ToLowerInvariant()} " });
        Assert.Equal(HttpStatusCode.SeeOther, used.StatusCode);
        Assert.Equal(Email, await browser.SignedInAsAsync());

        using var again = new SignInBrowser(app);
        await again.SignInAsync(Email, Password);
        var reused = await again.SubmitAsync(await again.GetPageAsync(TwoFactorEndpoints.Path), TwoFactorEndpoints.Path, new() { ["code"] = recovery[0] });
        Assert.Equal(HttpStatusCode.Unauthorized, reused.StatusCode);
        Assert.Null(await again.SignedInAsAsync());
        Assert.Equal(recovery.Count - 1, await CountRecoveryCodesAsync(app));
    }

    [Theory, Providers]
    public async Task SignIn_TwoFactorStep_NeedsPasswordFirstAntiforgeryAndExpires(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var (key, _) = await ArrangeTwoFactorUserAsync(app);
        using var stranger = new SignInBrowser(app);
        var direct = await stranger.GetAsync(TwoFactorEndpoints.Path);
        Assert.Equal(HttpStatusCode.SeeOther, direct.StatusCode);
        Assert.Equal("/signin", direct.Headers.Location!.OriginalString);

        using var browser = new SignInBrowser(app);
        await browser.SignInAsync(Email, Password);
        var page = await browser.GetPageAsync(TwoFactorEndpoints.Path);
        var forged = await browser.SubmitAsync(page, TwoFactorEndpoints.Path, new() { ["code"] = Totp.Code(key) }, withAntiforgery: false);
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.Contains(SignInBrowser.FormExpired, await forged.Content.ReadAsStringAsync());

        app.Clock.Advance(TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(1));
        var late = await browser.SubmitAsync(page, TwoFactorEndpoints.Path, new() { ["code"] = Totp.Code(key) });
        Assert.Equal(HttpStatusCode.BadRequest, late.StatusCode);
        Assert.Contains(TwoFactorEndpoints.StepExpired, await late.Content.ReadAsStringAsync());
        Assert.Null(await browser.SignedInAsAsync());
    }

    [Theory, Providers]
    public async Task Link_TwoFactorOn_StillAsksForTheCode(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var (key, _) = await ArrangeTwoFactorUserAsync(app);
        string link;
        await using (var scope = app.Services.CreateAsyncScope())
            link = await scope.ServiceProvider.GetRequiredService<UserService>().ResetPasswordLinkAsync(Email, CancellationToken.None);
        using var browser = new SignInBrowser(app);

        var used = await browser.UseLinkAsync(new Uri(link).PathAndQuery, newPassword: "a brand new passphrase");
        Assert.Equal(TwoFactorEndpoints.Path, used.Headers.Location!.OriginalString);
        Assert.Null(await browser.SignedInAsAsync());
        var code = await browser.SubmitAsync(await browser.GetPageAsync(TwoFactorEndpoints.Path), TwoFactorEndpoints.Path, new() { ["code"] = Totp.Code(key) });

        Assert.Equal(HttpStatusCode.SeeOther, code.StatusCode);
        Assert.Equal(Email, await browser.SignedInAsAsync());
    }

    /// <summary>A code that is none of the ones Identity accepts around now (it allows a few 30-second steps either side).</summary>
    static string WrongCode(string key)
    {
        var near = Enumerable.Range(-3, 7).Select(i => Totp.Code(key, DateTimeOffset.UtcNow.AddSeconds(30 * i))).ToHashSet();
        return Enumerable.Range(0, 1000).Select(i => i.ToString("D6", System.Globalization.CultureInfo.InvariantCulture)).First(c => !near.Contains(c));
    }

    static async Task<int> CountRecoveryCodesAsync(MailroomApp app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<User>>();
        return await users.CountRecoveryCodesAsync((await users.FindByEmailAsync(Email))!);
    }

    /// <summary>A user with two-factor on, as the security page leaves them: the key and the recovery codes.</summary>
    static async Task<(string Key, List<string> RecoveryCodes)> ArrangeTwoFactorUserAsync(MailroomApp app)
    {
        var account = await app.CreateAccountAsync();
        await using var scope = app.Services.CreateAsyncScope();
        var (user, _) = await scope.ServiceProvider.GetRequiredService<UserService>().CreateAsync(Email, Password, account.Id, AccountRoles.Owner, CancellationToken.None);
        var users = scope.ServiceProvider.GetRequiredService<UserManager<User>>();
        await users.ResetAuthenticatorKeyAsync(user);
        await users.SetTwoFactorEnabledAsync(user, true);
        var codes = (await users.GenerateNewTwoFactorRecoveryCodesAsync(user, 10))!.ToList();
        return ((await users.GetAuthenticatorKeyAsync(user))!, codes);
    }
}
