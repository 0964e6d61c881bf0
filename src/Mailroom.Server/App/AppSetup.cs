using Mailroom.Server.Api.SignIn;
using Microsoft.AspNetCore.Hosting.StaticWebAssets;
using MudBlazor.Services;

namespace Mailroom.Server.App;

/// <summary>
/// The web app under <c>/app</c>: Blazor components, statically rendered unless a page asks for
/// <c>InteractiveServer</c>, on the session cookie of the sign-in pages.
/// </summary>
static class AppSetup
{
    public const string Root = "/app";

    public static IServiceCollection AddMailroomApp(this IServiceCollection services)
    {
        services.AddRazorComponents().AddInteractiveServerComponents();
        services.AddCascadingAuthenticationState();
        services.AddMudServices();
        services.AddScoped<AccountAccess>();
        services.AddScoped<Pages.DashboardQueries>();
        services.AddScoped<Subscribers.SubscriberActions>();
        services.AddSingleton<Editor.EmailPreviewer>();
        services.AddSingleton<Broadcasts.BroadcastDrafts>();
        services.AddSingleton<Broadcasts.BroadcastReports>();
        services.AddScoped<Domain.Tags.TagService>();
        services.AddScoped<Domain.Forms.FormEditor>();
        return services;
    }

    public static WebApplication MapMailroomApp(this WebApplication app)
    {
        // Before antiforgery: Blazor's tokens are bound to the signed-in user, as the sign-in pages' are.
        app.Use(SignedIn);
        app.UseAntiforgery();
        // MudBlazor's CSS and JS (_content/MudBlazor) and blazor.web.js as files, not MapStaticAssets: run from a build
        // folder (tests, `dotnet run`), that adds a catch-all route which turns every other wrong-method 405 into a 404.
        StaticWebAssetsLoader.UseStaticWebAssets(app.Environment, app.Configuration);
        app.UseStaticFiles();
        app.MapGet("/", () => Results.Redirect(Root)).ExcludeFromDescription();
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
        return app;
    }

    /// <summary>
    /// The app's pages and its circuits (/_blazor) see the cookie's user; a visitor without one is sent to sign in
    /// and comes back. Only these paths read the cookie, as only the sign-in pages do elsewhere.
    /// </summary>
    static async Task SignedIn(HttpContext context, RequestDelegate next)
    {
        var path = context.Request.Path;
        var inApp = path.StartsWithSegments(Root, StringComparison.OrdinalIgnoreCase);
        if (inApp || path.StartsWithSegments("/_blazor", StringComparison.OrdinalIgnoreCase))
        {
            if (await SignInSetup.SignedInAsync(context) is null && inApp)
            {
                var back = context.Request.PathBase + path + context.Request.QueryString;
                context.Response.Redirect($"{SignInEndpoints.SignInPath}?returnUrl={Uri.EscapeDataString(back)}");
                return;
            }
        }
        await next(context);
    }
}
