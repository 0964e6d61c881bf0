using Mailroom.Data;
using Mailroom.Server.Api.SignIn;
using Mailroom.Server.App.Pages.Account;
using Mailroom.Server.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Mailroom.Server.Tests.App;

/// <summary>The security page (two-factor sign-in) and the sign-in it changes, in Chromium.</summary>
public sealed class SecurityTests
{
    [Theory, Browser]
    public async Task TwoFactor_TurnOnSignInWithCodeTurnOff(string provider)
    {
        await using var browser = await AppBrowser.StartAsync(provider);
        var email = await browser.SignInAsAsync(AccountRoles.Viewer);
        var page = browser.Page;

        await page.GetByRole(AriaRole.Link, new() { Name = "Security", Exact = true }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Two-factor sign-in", Exact = true })).ToBeVisibleAsync();
        await Expect(page.Locator("#two-factor-state")).ToContainTextAsync("Two-factor sign-in is off");
        var key = await page.Locator("#authenticator-key").InnerTextAsync();
        await Expect(page.Locator("#authenticator-uri")).ToContainTextAsync($"otpauth://totp/Mailroom:{Uri.EscapeDataString(email)}?secret=");
        await Expect(page.GetByAltText("QR code of the setup link below")).ToBeVisibleAsync();

        await page.GetByLabel("Code", new() { Exact = true }).FillAsync("000000" == Totp.Code(key) ? "111111" : "000000");
        await page.GetByRole(AriaRole.Button, new() { Name = "Turn on" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToHaveTextAsync(Security.WrongCode);
        await Expect(page.Locator("#authenticator-key")).ToHaveTextAsync(key);
        await page.GetByLabel("Code", new() { Exact = true }).FillAsync(Totp.Code(key));
        await page.GetByRole(AriaRole.Button, new() { Name = "Turn on" }).ClickAsync();
        await Expect(page.Locator("#recovery-codes li")).ToHaveCountAsync(Security.RecoveryCodeCount);
        await Expect(page.Locator("#two-factor-state")).ToHaveTextAsync("Two-factor sign-in is on.");

        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == SignInEndpoints.SignInPath);
        await page.GetByLabel("E-mail address").FillAsync(email);
        await page.GetByLabel("Password").FillAsync(AppBrowser.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == TwoFactorEndpoints.Path);
        await page.GetByLabel("Code", new() { Exact = true }).FillAsync(Totp.Code(key));
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        // No returnUrl after signing out: the sign-in page says who is signed in.
        await Expect(page.Locator("#who")).ToHaveTextAsync(email);

        await browser.GotoAsync(Security.Path);
        await Expect(page.Locator("#two-factor-state")).ToContainTextAsync("Recovery codes left: 10");
        await page.GetByRole(AriaRole.Button, new() { Name = "Turn off two-factor sign-in" }).ClickAsync();
        await Expect(page.Locator("#two-factor-state")).ToContainTextAsync("Two-factor sign-in is off");
        await Expect(page.Locator("#authenticator-key")).Not.ToHaveTextAsync(key);

        // Off again: the password alone signs in.
        await browser.NewSessionAsync();
        await browser.SignInAsync(email);
        await Expect(browser.Page.Locator("#signed-in-as")).ToHaveTextAsync(email);
    }
}
