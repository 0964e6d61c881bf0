using Mailroom.Server.Api.OAuth;
using Mailroom.Server.Domain.Users;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using static System.Net.WebUtility;

namespace Mailroom.Server.Api.SignIn;

/// <summary>
/// The page behind OpenIddict's authorize endpoint (passthrough): OpenIddict has checked the client, redirect URI and
/// PKCE; this signs the person in (via /signin and back), asks their consent and names the account the grant is for.
/// </summary>
static class AuthorizeEndpoints
{
    public const string NoEligibleAccount = "None of your accounts lets you grant this: it takes an owner or editor (a viewer may grant read only).";
    public const string NotYourAccount = "You cannot grant access to that account.";

    public static async Task<IResult> Authorize(HttpContext context, UserManager<User> users, UserService service, IOpenIddictApplicationManager apps)
    {
        var request = context.GetOpenIddictServerRequest() ?? throw new InvalidOperationException("not an OpenIddict request");
        var principal = await SignInSetup.SignedInAsync(context);
        if (principal is null || await users.GetUserAsync(principal) is not { } user)
            return Results.Redirect($"{SignInEndpoints.SignInPath}?returnUrl={Uri.EscapeDataString(context.Request.Path + QueryOf(request))}");

        var scopes = request.GetScopes().ToList();
        var eligible = (await service.MembershipsAsync(user.Id, context.RequestAborted)).Where(m => CanGrant(m.Role, scopes)).ToList();
        if (HttpMethods.IsGet(context.Request.Method))
        {
            if (eligible.Count == 0) return Pages.Message("Cannot authorize", NoEligibleAccount, 403);
            var app = await apps.FindByClientIdAsync(request.ClientId!, context.RequestAborted);
            var name = app is null ? request.ClientId! : await apps.GetDisplayNameAsync(app, context.RequestAborted) ?? request.ClientId!;
            return ConsentPage(context, request, name, scopes, eligible);
        }

        if (!await SignInSetup.IsFormValidAsync(context)) return Pages.Message("Please try again", SignInEndpoints.FormExpired, 400);
        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        if (form["decision"] != "allow")
            return Results.Forbid(new AuthenticationProperties(new Dictionary<string, string?>
            {
                [OpenIddictServerAspNetCoreConstants.Properties.Error] = OpenIddictConstants.Errors.AccessDenied,
                [OpenIddictServerAspNetCoreConstants.Properties.ErrorDescription] = "The user denied the request.",
            }), [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);
        if (!long.TryParse(form["account_id"], out var accountId) || eligible.All(m => m.AccountId != accountId))
            return Pages.Message("Cannot authorize", NotYourAccount, 403);
        return Results.SignIn(OAuthApps.Principal(accountId, scopes), authenticationScheme: OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }

    /// <summary>
    /// inferred: owners and editors grant read and write; a viewer may grant read only (a token cannot do more than
    /// the person who granted it).
    /// </summary>
    static bool CanGrant(string role, IReadOnlyCollection<string> scopes) =>
        role is AccountRoles.Owner or AccountRoles.Editor || (role == AccountRoles.Viewer && scopes.All(s => s == OAuthSetup.ReadScope));

    static IResult ConsentPage(HttpContext context, OpenIddictRequest request, string appName, List<string> scopes, List<MembershipRow> accounts)
    {
        // The consent form posts the authorization request again (OpenIddict reads a POST's parameters from its body).
        var hidden = string.Concat(request.GetParameters().Select(p =>
            $"""<input type="hidden" name="{HtmlEncode(p.Key)}" value="{HtmlEncode((string?)p.Value)}">""" + "\n"));
        var scopeItems = string.Concat(scopes.Select(s => $"<li>{(s == OAuthSetup.WriteScope ? "Change" : "Read")} your account's data ({HtmlEncode(s)})</li>"));
        var choice = accounts.Count == 1
            ? $"""<p>Account: <strong>{HtmlEncode(accounts[0].AccountName)}</strong></p><input type="hidden" name="account_id" value="{accounts[0].AccountId}">"""
            : "<fieldset><legend>Account</legend>" + string.Concat(accounts.Select((a, i) =>
                $"""<div><input type="radio" id="account{a.AccountId}" name="account_id" value="{a.AccountId}"{(i == 0 ? " checked" : "")}> <label for="account{a.AccountId}" style="display:inline">{HtmlEncode(a.AccountName)} ({a.Role})</label></div>""")) + "</fieldset>";
        return Pages.Html($"Authorize {appName}", $"""
            <h1>Authorize <span id="app">{HtmlEncode(appName)}</span></h1>
            <p>{HtmlEncode(appName)} asks to:</p>
            <ul>{scopeItems}</ul>
            <form method="post" action="{HtmlEncode(context.Request.Path)}">
            {SignInSetup.AntiforgeryInput(context)}
            {hidden}{choice}
            <button type="submit" name="decision" value="allow">Allow</button>
            <button type="submit" name="decision" value="deny">Deny</button>
            </form>
            """);
    }

    static string QueryOf(OpenIddictRequest request) =>
        "?" + string.Join('&', request.GetParameters().Select(p => $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString((string?)p.Value ?? "")}"));
}
