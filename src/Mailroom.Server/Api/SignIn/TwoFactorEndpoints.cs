using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using static System.Net.WebUtility;

namespace Mailroom.Server.Api.SignIn;

/// <summary>
/// <c>/signin/2fa</c>: the second step for a user who turned two-factor on (in the app, <see cref="SettingsPath"/>).
/// One field takes either the authenticator's 6-digit code or a recovery code; wrong ones count towards the
/// same lockout as wrong passwords.
/// </summary>
static class TwoFactorEndpoints
{
    public const string Path = "/signin/2fa";
    public const string SettingsPath = "/app/account/security";

    public const string WrongCode = "That code is not valid. Type the current code from your authenticator app, or one of your recovery codes.";
    public const string StepExpired = "Sign-in took too long. Enter your e-mail address and password again.";

    public static WebApplication MapTwoFactorSignIn(this WebApplication app)
    {
        app.MapGet(Path, ShowForm).WithLinkPageHeaders().ExcludeFromDescription();
        app.MapPost(Path, Verify).WithLinkPageHeaders().ExcludeFromDescription();
        return app;
    }

    public static string PathFor(string? returnUrl) =>
        SignInEndpoints.IsLocal(returnUrl) ? $"{Path}?returnUrl={Uri.EscapeDataString(returnUrl!)}" : Path;

    /// <summary>
    /// Marks the browser as past the first step for this user, as SignInManager does after a right password (it
    /// reads the user id back from the Name claim of this scheme).
    /// </summary>
    public static Task StartAsync(HttpContext context, User user) =>
        context.SignInAsync(IdentityConstants.TwoFactorUserIdScheme, new ClaimsPrincipal(new ClaimsIdentity(
            [new Claim(ClaimTypes.Name, user.Id.ToString(System.Globalization.CultureInfo.InvariantCulture))],
            IdentityConstants.TwoFactorUserIdScheme)));

    static async Task<IResult> ShowForm(HttpContext context, SignInManager<User> signIn, string? returnUrl)
    {
        await SignInSetup.SignedInAsync(context);
        if (await signIn.GetTwoFactorAuthenticationUserAsync() is null) return SignInEndpoints.SeeOther(SignInEndpoints.SignInPath);
        return Form(context, returnUrl, error: null, 200);
    }

    static async Task<IResult> Verify(HttpContext context, SignInManager<User> signIn, UserManager<User> users)
    {
        await SignInSetup.SignedInAsync(context);
        if (!await SignInSetup.IsFormValidAsync(context)) return Pages.Message("Please try again", SignInEndpoints.FormExpired, 400);
        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        var (code, returnUrl) = (form["code"].ToString().Trim(), form["returnUrl"].ToString());
        if (await signIn.GetTwoFactorAuthenticationUserAsync() is not { } user) return Pages.Message("Sign in again", StepExpired, 400);

        var digits = code.Replace(" ", "").Replace("-", "");
        SignInResult result;
        if (digits.Length == 6 && digits.All(char.IsAsciiDigit))
            result = await signIn.TwoFactorAuthenticatorSignInAsync(digits, isPersistent: false, rememberClient: false);
        else
        {
            result = await signIn.TwoFactorRecoveryCodeSignInAsync(code.ToUpperInvariant());
            // Identity counts wrong authenticator codes but not wrong recovery codes: count them too, so guessing
            // either is bounded by the same lockout.
            if (!result.Succeeded && !result.IsLockedOut && code.Length > 0)
            {
                await users.AccessFailedAsync(user);
                if (await users.IsLockedOutAsync(user)) result = SignInResult.LockedOut;
            }
        }
        if (result.IsLockedOut) return Form(context, returnUrl, SignInEndpoints.LockedOut, 403);
        if (!result.Succeeded) return Form(context, returnUrl, WrongCode, 401);
        return SignInEndpoints.SeeOther(SignInEndpoints.IsLocal(returnUrl) ? returnUrl : SignInEndpoints.SignInPath);
    }

    static IResult Form(HttpContext context, string? returnUrl, string? error, int status) =>
        Pages.Html("Two-factor sign-in", $"""
            <h1>Two-factor sign-in</h1>
            <p>Open your authenticator app and type the code it shows for Mailroom. Lost your device? Type one of your recovery codes instead.</p>
            {SignInEndpoints.ErrorHtml(error)}
            <form method="post" action="{Path}">
            {SignInSetup.AntiforgeryInput(context)}
            <input type="hidden" name="returnUrl" value="{HtmlEncode(SignInEndpoints.IsLocal(returnUrl) ? returnUrl : "")}">
            <label for="code">Code</label>
            <input type="text" id="code" name="code" autocomplete="one-time-code" autocapitalize="characters" spellcheck="false" required autofocus{SignInEndpoints.Described(error)}>
            <button type="submit">Sign in</button>
            </form>
            <p><a href="{SignInEndpoints.SignInPath}">Start again</a></p>
            """, status);
}
