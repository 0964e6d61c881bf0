using Mailroom.Server.Domain.Users;
using static System.Net.WebUtility;

namespace Mailroom.Server.Api.SignIn;

/// <summary>
/// <c>/signin/forgot</c>: a user who forgot their password asks for the reset link by e-mail. The answer is the same
/// whether or not the address belongs to a user, so the page tells nobody who has an account here.
/// </summary>
static class ForgotPasswordEndpoints
{
    public const string Path = "/signin/forgot";

    public const string EnterEmail = "Enter the e-mail address you sign in with.";

    public static string Sent(string email) =>
        $"If {email} belongs to a Mailroom user, a link to set a new password is on its way there. It works once, for "
        + $"{UserService.LinkLifetime.TotalHours:0} hours. No e-mail after a few minutes? Check the spam folder, or ask an owner of your account.";

    public static WebApplication MapForgotPassword(this WebApplication app)
    {
        app.MapGet(Path, (Func<HttpContext, Task<IResult>>)ShowForm).WithLinkPageHeaders().ExcludeFromDescription();
        app.MapPost(Path, Request).WithLinkPageHeaders().ExcludeFromDescription();
        return app;
    }

    static async Task<IResult> ShowForm(HttpContext context)
    {
        await SignInSetup.SignedInAsync(context);
        return Form(context, email: null, error: null, 200);
    }

    static async Task<IResult> Request(HttpContext context, PasswordResetMailer mailer)
    {
        await SignInSetup.SignedInAsync(context);
        if (!await SignInSetup.IsFormValidAsync(context)) return Pages.Message("Please try again", SignInEndpoints.FormExpired, 400);
        var email = (await context.Request.ReadFormAsync(context.RequestAborted))["email"].ToString().Trim();
        if (email.Length == 0) return Form(context, email, EnterEmail, 422);
        await mailer.RequestAsync(email, context.RequestAborted);
        return Pages.Html("Check your e-mail", $"""
            <h1>Check your e-mail</h1>
            <p id="sent" role="status">{HtmlEncode(Sent(email))}</p>
            <p><a href="{SignInEndpoints.SignInPath}">Back to sign in</a></p>
            """);
    }

    static IResult Form(HttpContext context, string? email, string? error, int status) =>
        Pages.Html("Forgot your password?", $"""
            <h1>Forgot your password?</h1>
            <p>We'll e-mail you a link to set a new one.</p>
            {SignInEndpoints.ErrorHtml(error)}
            <form method="post" action="{Path}">
            {SignInSetup.AntiforgeryInput(context)}
            <label for="email">E-mail address</label>
            <input type="email" id="email" name="email" autocomplete="username" required autofocus value="{HtmlEncode(email ?? "")}"{SignInEndpoints.Described(error)}>
            <button type="submit">E-mail me a link</button>
            </form>
            <p><a href="{SignInEndpoints.SignInPath}">Back to sign in</a></p>
            """, status);
}
