using System.Net;
using System.Text.Json;
using System.Threading.RateLimiting;
using Mailroom.Server.Api.V3;
using Mailroom.Server.Domain;
using Mailroom.Server.Domain.Forms;
using Mailroom.Server.Domain.Subscriptions;
using Microsoft.Extensions.Options;

namespace Mailroom.Server.Api;

/// <summary>A sliding one-minute window of sign-ups per client IP, one per process.</summary>
public sealed class SignUpLimiter(IOptions<HostedFormOptions> options) : IDisposable
{
    public PartitionedRateLimiter<string> Limiter { get; } = PartitionedRateLimiter.Create<string, string>(ip =>
        RateLimitPartition.GetSlidingWindowLimiter(ip, _ => new SlidingWindowRateLimiterOptions
        {
            PermitLimit = Math.Max(1, options.Value.PostsPerMinutePerIp), Window = TimeSpan.FromMinutes(1), SegmentsPerWindow = 6, QueueLimit = 0,
        }));

    public void Dispose() => Limiter.Dispose();
}

/// <summary>
/// Forms served by Mailroom itself: <c>embed_url</c> and a landing page's <c>url</c> (<c>/forms/{uid}</c>), the
/// <c>embed_js</c> script that renders the same form into any page, and the sign-up they post to. A post
/// subscribes exactly like the API (double opt-in included), and only to the form in its own URL.
/// </summary>
static class HostedFormsEndpoints
{
    public const string HoneypotField = "website";

    public static IEndpointRouteBuilder MapHostedForms(this IEndpointRouteBuilder app)
    {
        app.MapGet("/forms/{uid}", Page).ExcludeFromDescription();
        app.MapGet("/forms/{uid}/index.js", Script).ExcludeFromDescription();
        app.MapPost("/forms/{uid}/subscribe", SignUp).ExcludeFromDescription().DisableAntiforgery();
        return app;
    }

    static async Task<IResult> Page(string uid, AppDbContext db, PublicUrl publicUrl, CancellationToken ct)
    {
        var form = await FindAsync(db, uid, ct);
        return form is null ? Unavailable() : Pages.Html(form.Title ?? form.Name, FormHtml(form, publicUrl.Value));
    }

    static async Task<IResult> Script(string uid, AppDbContext db, PublicUrl publicUrl, HttpContext http, CancellationToken ct)
    {
        var form = await FindAsync(db, uid, ct);
        http.Response.Headers.AccessControlAllowOrigin = "*";
        if (form is null) return Results.Content("console.warn('Mailroom: this form is not available');", "text/javascript; charset=utf-8", statusCode: 404);
        var html = JsonSerializer.Serialize(FormHtml(form, publicUrl.Value));
        return Results.Content(EmbedScript.Replace("__FORM_HTML__", html), "text/javascript; charset=utf-8");
    }

    static async Task<IResult> SignUp(string uid, HttpContext http, AppDbContext db, SubscriptionService subscriptions,
        SignUpLimiter limiter, CancellationToken ct)
    {
        var wantsJson = http.Request.Headers.Accept.ToString().Contains("application/json", StringComparison.OrdinalIgnoreCase);
        http.Response.Headers.AccessControlAllowOrigin = "*";
        var form = await FindAsync(db, uid, ct);
        if (form is null) return wantsJson ? Json(404, "This form is not available.") : Unavailable();

        using var lease = limiter.Limiter.AttemptAcquire(http.Connection.RemoteIpAddress?.ToString() ?? "unknown");
        if (!lease.IsAcquired)
        {
            http.Response.Headers.RetryAfter = "60";
            return wantsJson ? Json(429, "Too many sign-ups from your network. Try again in a minute.")
                : Pages.Message("Please wait", "Too many sign-ups from your network. Try again in a minute.", 429);
        }

        IFormCollection? post = null;
        try
        {
            if (http.Request.HasFormContentType) post = await http.Request.ReadFormAsync(ct);
        }
        catch (InvalidDataException e) when (e.InnerException is InvalidOperationException)
        {
            // The form reader refuses a NUL anywhere in the body, before any field can be told apart from another.
            return wantsJson ? Json(422, ApiError.HostedFormInvalidCharactersMessage) : FormWithError(form, ApiError.HostedFormInvalidCharactersMessage, 422);
        }
        catch (InvalidDataException)
        {
            // The form reader's own limits (more than 1,024 fields, an over-long key or value): no person's sign-up.
            return wantsJson ? Json(400, ApiError.HostedFormTooManyFieldsMessage) : FormWithError(form, ApiError.HostedFormTooManyFieldsMessage, 400);
        }
        var email = post?["email_address"].ToString().Trim();
        if (string.IsNullOrEmpty(email)) email = post?["email"].ToString().Trim();
        var success = FormDefaults.SuccessMessage(form);
        // A filled honeypot is a bot: it is told it succeeded and nothing is stored.
        if (!string.IsNullOrEmpty(post?[HoneypotField].ToString()))
            return wantsJson ? Json(200, success) : Pages.Message("Thank you", success);

        var result = await subscriptions.SubscribeAsync(form.AccountId, SubscribableTypes.Form, form.Id,
            new SubscribeInput(email, post?["first_name"].ToString(), null, [], [], []), ct);
        if (result.Error != SubscribeError.None)
        {
            // The limits and messages are the API's, so a value is refused here exactly when the API refuses it.
            var problem = result.Error == SubscribeError.Invalid ? ApiError.SubscriberViolationMessage(result.Violation)
                : ApiError.HostedFormEmailMissingMessage;
            return wantsJson ? Json(422, problem) : FormWithError(form, problem, 422);
        }
        return wantsJson ? Json(200, success) : Pages.Message("Thank you", success);
    }

    static Task<Form?> FindAsync(AppDbContext db, string uid, CancellationToken ct) =>
        db.Forms.AsNoTracking().FirstOrDefaultAsync(f => f.Uid == uid && !f.Archived, ct);

    static IResult FormWithError(Form form, string problem, int status) =>
        Pages.Html(form.Title ?? form.Name, $"<p class=\"error\" role=\"alert\">{WebUtility.HtmlEncode(problem)}</p>\n{FormHtml(form, "")}", status);

    /// <summary>The hosted page of <paramref name="form"/> as served at <c>/forms/{uid}</c>, saved or not.</summary>
    public static string PageHtml(Form form, string baseUrl) => Pages.Document(form.Title ?? form.Name, FormHtml(form, baseUrl));

    static IResult Unavailable() => Pages.Message("Form not available", "This form doesn't exist or is no longer accepting sign-ups.", 404);

    static IResult Json(int status, string message) =>
        Results.Json(new { status = status < 300 ? "success" : "error", message }, statusCode: status);

    /// <summary>The form itself: plain, labelled inputs, no external assets; the action is absolute so it works embedded.</summary>
    static string FormHtml(Form form, string baseUrl)
    {
        var id = WebUtility.HtmlEncode(form.Uid);
        var title = WebUtility.HtmlEncode(form.Title ?? form.Name);
        // The description is the account owner's own HTML (a landing page's body), so it is not encoded.
        var description = string.IsNullOrWhiteSpace(form.Description) ? "" : $"<div class=\"mailroom-description\">{form.Description}</div>\n";
        var button = WebUtility.HtmlEncode(string.IsNullOrWhiteSpace(form.SignUpButtonText) ? "Subscribe" : form.SignUpButtonText);
        return $"""
            <form class="mailroom-form" method="post" action="{baseUrl}/forms/{id}/subscribe">
            <h1>{title}</h1>
            {description}<label for="mr-email-{id}">Email address</label>
            <input id="mr-email-{id}" type="email" name="email_address" required autocomplete="email">
            <label for="mr-first-{id}">First name</label>
            <input id="mr-first-{id}" type="text" name="first_name" autocomplete="given-name">
            <div class="hp" aria-hidden="true" style="position:absolute;left:-10000px;width:1px;height:1px;overflow:hidden">
            <label for="mr-hp-{id}">Leave this field empty</label>
            <input id="mr-hp-{id}" type="text" name="{HoneypotField}" tabindex="-1" autocomplete="off">
            </div>
            <button type="submit">{button}</button>
            <p data-mailroom-message role="status" aria-live="polite"></p>
            </form>
            """;
    }

    // Renders the form where the <script> tag sits and posts with fetch; a form-encoded POST with only an
    // Accept header is a CORS "simple request", so no preflight is needed from any site.
    const string EmbedScript = """
        (function () {
          var script = document.currentScript;
          var box = document.createElement('div');
          box.className = 'mailroom-embed';
          box.innerHTML = __FORM_HTML__;
          script.parentNode.insertBefore(box, script);
          var form = box.querySelector('form');
          var message = box.querySelector('[data-mailroom-message]');
          form.addEventListener('submit', function (event) {
            event.preventDefault();
            var button = form.querySelector('button');
            button.disabled = true;
            fetch(form.action, { method: 'POST', body: new URLSearchParams(new FormData(form)), headers: { 'Accept': 'application/json' } })
              .then(function (r) { return r.json().then(function (body) { return { ok: r.ok, body: body }; }); })
              .then(function (result) {
                message.textContent = result.body.message;
                if (result.ok) { form.querySelectorAll('input,button,label').forEach(function (el) { el.hidden = true; }); }
                else { button.disabled = false; }
              })
              .catch(function () { message.textContent = 'Something went wrong. Please try again.'; button.disabled = false; });
          });
        })();
        """;
}
