using System.Net;
using System.Text.RegularExpressions;
using Mailroom.Server.Api.SignIn;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Mailroom.Server.Tests.Infrastructure;

/// <summary>
/// What a browser does on the sign-in pages: keeps cookies, reads each form's antiforgery token and posts it back.
/// Redirects are not followed, so a test sees where each answer sends the user.
/// </summary>
public sealed partial class SignInBrowser(MailroomApp app) : IDisposable
{
    public const string WrongPassword = SignInEndpoints.WrongPassword;
    public const string LockedOut = SignInEndpoints.LockedOut;
    public const string LinkUnusable = SignInEndpoints.LinkUnusable;
    public const string FormExpired = SignInEndpoints.FormExpired;

    public HttpClient Http { get; } = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

    public async Task<HttpResponseMessage> GetAsync(string url) => await Http.GetAsync(url);

    public async Task<string> GetPageAsync(string url) => await (await Http.GetAsync(url)).Content.ReadAsStringAsync();

    /// <summary>Posts the page's form with its hidden fields (antiforgery token included) and the given fields.</summary>
    public async Task<HttpResponseMessage> SubmitAsync(string page, string action, Dictionary<string, string> fields, bool withAntiforgery = true)
    {
        var all = HiddenInput().Matches(page).ToDictionary(m => WebUtility.HtmlDecode(m.Groups[1].Value), m => WebUtility.HtmlDecode(m.Groups[2].Value));
        if (!withAntiforgery) all.Remove(SignInSetup.AntiforgeryField);
        foreach (var (k, v) in fields) all[k] = v;
        return await Http.PostAsync(action, new FormUrlEncodedContent(all));
    }

    public async Task<HttpResponseMessage> SignInAsync(string email, string password, string? returnUrl = null)
    {
        var page = await GetPageAsync(returnUrl is null ? "/signin" : $"/signin?returnUrl={Uri.EscapeDataString(returnUrl)}");
        return await SubmitAsync(page, "/signin", new() { ["email"] = email, ["password"] = password });
    }

    public async Task<HttpResponseMessage> UseLinkAsync(string link, string? newPassword = null)
    {
        var response = await Http.GetAsync(link);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var used = await SubmitAsync(await response.Content.ReadAsStringAsync(), "/signin/link", new() { ["password"] = newPassword ?? "" });
        Assert.Equal(HttpStatusCode.SeeOther, used.StatusCode);
        return used;
    }

    /// <summary>The e-mail address /signin says the browser is signed in as, or null.</summary>
    public async Task<string?> SignedInAsAsync()
    {
        var page = await GetPageAsync("/signin");
        var who = Who().Match(page);
        return who.Success ? WebUtility.HtmlDecode(who.Groups[1].Value) : null;
    }

    public void Dispose() => Http.Dispose();

    [GeneratedRegex("""<input type="hidden" name="([^"]+)" value="([^"]*)">""")]
    private static partial Regex HiddenInput();

    [GeneratedRegex("""<strong id="who">([^<]*)</strong>""")]
    private static partial Regex Who();
}
