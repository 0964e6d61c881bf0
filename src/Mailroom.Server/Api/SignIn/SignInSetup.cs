using System.Security.Claims;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Identity;

namespace Mailroom.Server.Api.SignIn;

/// <summary>The session cookie of a signed-in user and the antiforgery tokens every form of these pages carries.</summary>
static class SignInSetup
{
    /// <summary>Identity's own scheme name, so its SignInManager signs in and out through this cookie.</summary>
    public static readonly string Scheme = IdentityConstants.ApplicationScheme;

    // inferred: a working day. Not persistent (the cookie goes with the browser session), sliding while in use.
    static readonly TimeSpan SessionLifetime = TimeSpan.FromHours(8);
    static readonly TimeSpan TwoFactorStepLifetime = TimeSpan.FromMinutes(5);

    public static IServiceCollection AddMailroomSignIn(this IServiceCollection services)
    {
        services.AddAuthentication(Scheme).AddCookie(Scheme, o =>
        {
            o.Cookie.Name = "mailroom_session";
            o.Cookie.HttpOnly = true;
            // Lax, not Strict: a user following a link from an app's "Connect to Mailroom" button arrives at the
            // authorize page by a top-level cross-site GET and must arrive signed in.
            o.Cookie.SameSite = SameSiteMode.Lax;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.ExpireTimeSpan = SessionLifetime;
            o.SlidingExpiration = true;
            o.LoginPath = SignInEndpoints.SignInPath;
            // A password reset changes the security stamp: other sessions of that user end at the next check.
            o.Events.OnValidatePrincipal = SecurityStampValidator.ValidatePrincipalAsync;
        })
        // Between the password and the code: who has passed the first step, for a few minutes only.
        .AddCookie(IdentityConstants.TwoFactorUserIdScheme, o =>
        {
            o.Cookie.Name = "mailroom_2fa";
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Lax;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.ExpireTimeSpan = TwoFactorStepLifetime;
        })
        // Never issued (no "remember this browser"), but SignInManager reads it before asking for a code.
        .AddCookie(IdentityConstants.TwoFactorRememberMeScheme, o => o.Cookie.Name = "mailroom_2fa_remember");
        services.Configure<SecurityStampValidatorOptions>(o => o.ValidationInterval = TimeSpan.FromMinutes(5));
        services.AddAntiforgery(o =>
        {
            o.Cookie.Name = "mailroom_antiforgery";
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.FormFieldName = AntiforgeryField;
        });
        return services;
    }

    public const string AntiforgeryField = "__RequestVerificationToken";

    /// <summary>
    /// The signed-in user, read here rather than by a global authentication middleware: only these pages use the
    /// cookie, and the antiforgery tokens they issue and check are bound to exactly this principal.
    /// </summary>
    public static async Task<ClaimsPrincipal?> SignedInAsync(HttpContext context)
    {
        var result = await context.AuthenticateAsync(Scheme);
        context.User = result.Succeeded ? result.Principal : new ClaimsPrincipal(new ClaimsIdentity());
        return result.Succeeded ? result.Principal : null;
    }

    public static string AntiforgeryInput(HttpContext context)
    {
        var tokens = context.RequestServices.GetRequiredService<IAntiforgery>().GetAndStoreTokens(context);
        return $"""<input type="hidden" name="{AntiforgeryField}" value="{System.Net.WebUtility.HtmlEncode(tokens.RequestToken)}">""";
    }

    public static Task<bool> IsFormValidAsync(HttpContext context) =>
        context.RequestServices.GetRequiredService<IAntiforgery>().IsRequestValidAsync(context);
}
