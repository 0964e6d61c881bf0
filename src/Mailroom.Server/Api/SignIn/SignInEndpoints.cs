using System.Security.Claims;
using Mailroom.Server.Domain.Users;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using static System.Net.WebUtility;

namespace Mailroom.Server.Api.SignIn;

/// <summary>
/// <c>/signin</c> (e-mail and password), <c>/signout</c> and the one-time links <c>/signin/link?token=…</c> that
/// <c>mailroom users create|reset-password</c> print. Plain server-rendered HTML; every form carries an antiforgery token.
/// </summary>
static class SignInEndpoints
{
    public const string SignInPath = "/signin";
    public const string SignOutPath = "/signout";
    public const string LinkPath = "/signin/link";

    public const string WrongPassword = "Wrong e-mail address or password.";
    public const string LockedOut = "Too many failed attempts: this user is locked for 15 minutes. Try again later, or ask an owner for a reset link.";
    public const string FormExpired = "This form has expired or did not come from this site. Go back, reload the page and try again.";
    public const string LinkUnusable = "This link has expired or has already been used. Ask for a new one (mailroom users reset-password).";

    public static WebApplication MapSignIn(this WebApplication app)
    {
        app.MapGet(SignInPath, ShowSignIn).WithLinkPageHeaders().ExcludeFromDescription();
        app.MapPost(SignInPath, SignIn).WithLinkPageHeaders().ExcludeFromDescription();
        app.MapPost(SignOutPath, (Func<HttpContext, Task<IResult>>)SignOut).WithLinkPageHeaders().ExcludeFromDescription();
        app.MapGet(LinkPath, ShowLink).WithLinkPageHeaders().ExcludeFromDescription();
        app.MapPost(LinkPath, UseLink).WithLinkPageHeaders().ExcludeFromDescription();
        app.MapForgotPassword();
        app.MapTwoFactorSignIn();
        return app;
    }

    static async Task<IResult> ShowSignIn(HttpContext context, string? returnUrl)
    {
        var user = await SignInSetup.SignedInAsync(context);
        if (user is null) return SignInForm(context, returnUrl, email: null, error: null, 200);
        if (IsLocal(returnUrl)) return Results.Redirect(returnUrl!);
        return Pages.Html("Signed in", $"""
            <h1>Signed in</h1>
            <p>You are signed in as <strong id="who">{HtmlEncode(user.FindFirstValue(ClaimTypes.Email) ?? user.Identity!.Name)}</strong>.</p>
            <p><a href="/app">Open Mailroom</a> · <a href="{TwoFactorEndpoints.SettingsPath}">Two-factor sign-in</a></p>
            <form method="post" action="{SignOutPath}">
            {SignInSetup.AntiforgeryInput(context)}
            <button type="submit">Sign out</button>
            </form>
            """);
    }

    static async Task<IResult> SignIn(HttpContext context, SignInManager<User> signIn, UserManager<User> users)
    {
        await SignInSetup.SignedInAsync(context);
        if (!await SignInSetup.IsFormValidAsync(context)) return Pages.Message("Please try again", FormExpired, 400);
        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        var (email, password, returnUrl) = (form["email"].ToString().Trim(), form["password"].ToString(), form["returnUrl"].ToString());
        var user = email.Length > 0 ? await users.FindByEmailAsync(email) : null;
        if (user is null || password.Length == 0) return SignInForm(context, returnUrl, email, WrongPassword, 401);

        var result = await signIn.PasswordSignInAsync(user, password, isPersistent: false, lockoutOnFailure: true);
        if (result.IsLockedOut) return SignInForm(context, returnUrl, email, LockedOut, 403);
        if (result.RequiresTwoFactor) return SeeOther(TwoFactorEndpoints.PathFor(returnUrl));
        if (!result.Succeeded) return SignInForm(context, returnUrl, email, WrongPassword, 401);
        return SeeOther(IsLocal(returnUrl) ? returnUrl : SignInPath);
    }

    static async Task<IResult> SignOut(HttpContext context)
    {
        await SignInSetup.SignedInAsync(context);
        if (!await SignInSetup.IsFormValidAsync(context)) return Pages.Message("Please try again", FormExpired, 400);
        await context.SignOutAsync(SignInSetup.Scheme);
        return SeeOther(SignInPath);
    }

    // Opening the link changes nothing (mail scanners fetch links); the button on the page uses it up.
    static async Task<IResult> ShowLink(HttpContext context, UserService service, string? token)
    {
        await SignInSetup.SignedInAsync(context);
        if (await service.PeekLinkAsync(token, context.RequestAborted) is not { } link) return Pages.Message("Link not valid", LinkUnusable, 400);
        return LinkForm(context, token!, link.User, link.Purpose, error: null, 200);
    }

    static async Task<IResult> UseLink(HttpContext context, UserService service, SignInManager<User> signIn, UserManager<User> users)
    {
        await SignInSetup.SignedInAsync(context);
        if (!await SignInSetup.IsFormValidAsync(context)) return Pages.Message("Please try again", FormExpired, 400);
        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        var (token, password) = (form["token"].ToString(), form["password"].ToString());
        if (await service.PeekLinkAsync(token, context.RequestAborted) is not { } peeked) return Pages.Message("Link not valid", LinkUnusable, 400);
        if (password.Length == 0 && peeked.Purpose == UserService.ResetPurpose)
            return LinkForm(context, token, peeked.User, peeked.Purpose, "Choose a new password.", 422);
        if (password.Length > 0 && await service.PasswordProblemAsync(peeked.User, password) is { } problem)
            return LinkForm(context, token, peeked.User, peeked.Purpose, problem, 422);

        if (await service.RedeemLinkAsync(token, context.RequestAborted) is not { } used) return Pages.Message("Link not valid", LinkUnusable, 400);
        if (password.Length > 0) await service.SetPasswordAsync(used.User, password);
        // A link proves the mailbox, not the authenticator: whoever has turned two-factor on still gives a code.
        if (await users.GetTwoFactorEnabledAsync(used.User))
        {
            await TwoFactorEndpoints.StartAsync(context, used.User);
            return SeeOther(TwoFactorEndpoints.PathFor(null));
        }
        await signIn.SignInAsync(used.User, isPersistent: false);
        return SeeOther(SignInPath);
    }

    static IResult SignInForm(HttpContext context, string? returnUrl, string? email, string? error, int status) =>
        Pages.Html("Sign in to Mailroom", $"""
            <h1>Sign in to Mailroom</h1>
            {ErrorHtml(error)}
            <form method="post" action="{SignInPath}">
            {SignInSetup.AntiforgeryInput(context)}
            <input type="hidden" name="returnUrl" value="{HtmlEncode(IsLocal(returnUrl) ? returnUrl : "")}">
            <label for="email">E-mail address</label>
            <input type="email" id="email" name="email" autocomplete="username" required autofocus value="{HtmlEncode(email ?? "")}"{Described(error)}>
            <label for="password">Password</label>
            <input type="password" id="password" name="password" autocomplete="current-password" required{Described(error)}>
            <button type="submit">Sign in</button>
            </form>
            <p><a href="{ForgotPasswordEndpoints.Path}">Forgot password?</a></p>
            <p>Connecting a program instead? See the <a href="/docs">API reference</a>.</p>
            """, status);

    static IResult LinkForm(HttpContext context, string token, User user, string purpose, string? error, int status)
    {
        var reset = purpose == UserService.ResetPurpose;
        var title = reset ? "Set a new password" : "Sign in to Mailroom";
        return Pages.Html(title, $"""
            <h1>{title}</h1>
            <p>For <strong>{HtmlEncode(user.Email)}</strong>. This link works once.</p>
            {ErrorHtml(error)}
            <form method="post" action="{LinkPath}">
            {SignInSetup.AntiforgeryInput(context)}
            <input type="hidden" name="token" value="{HtmlEncode(token)}">
            <label for="password">{(reset ? "New password" : "Choose a password (optional)")}</label>
            <input type="password" id="password" name="password" autocomplete="new-password" minlength="{UsersSetup.MinPasswordLength}"{(reset ? " required" : "")}{Described(error)}>
            <button type="submit">{(reset ? "Set password and sign in" : "Sign in")}</button>
            </form>
            """, status);
    }

    internal static string ErrorHtml(string? error) => error is null ? "" : $"""<p class="error" id="problem" role="alert">{HtmlEncode(error)}</p>""";

    internal static string Described(string? error) => error is null ? "" : """ aria-describedby="problem" aria-invalid="true" """.TrimEnd();

    /// <summary>Only paths on this server: a returnUrl is never a way to send a signed-in user elsewhere.</summary>
    public static bool IsLocal(string? url) =>
        !string.IsNullOrEmpty(url) && url[0] == '/' && (url.Length == 1 || (url[1] != '/' && url[1] != '\\'))
        && !url.Contains('\r') && !url.Contains('\n');

    // 303: the browser follows a form POST with a GET.
    internal static IResult SeeOther(string location) => new SeeOtherResult(location);

    sealed class SeeOtherResult(string location) : IResult
    {
        public Task ExecuteAsync(HttpContext context)
        {
            context.Response.StatusCode = StatusCodes.Status303SeeOther;
            context.Response.Headers.Location = location;
            return Task.CompletedTask;
        }
    }
}
