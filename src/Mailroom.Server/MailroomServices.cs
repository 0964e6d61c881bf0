using Mailroom.Server.Api;
using Mailroom.Server.Api.Infrastructure;
using Mailroom.Server.Api.OpenApi;
using Mailroom.Server.Api.V3;
using Mailroom.Server.Api.V4;
using Mailroom.Server.Data;
using Mailroom.Server.Domain;
using Mailroom.Server.Domain.Accounts;
using Mailroom.Server.Delivery;
using Microsoft.Extensions.Options;
using Scalar.AspNetCore;

namespace Mailroom.Server;

static class MailroomServices
{
    /// <summary>What both the server and the admin commands need: data, options, domain services.</summary>
    public static IServiceCollection AddMailroomCore(this IServiceCollection services)
    {
        services.AddMailroomDatabase();
        services.AddSingleton(TimeProvider.System);
        // Every options class is validated when the host starts, and before that by StartupOptions.Problem (server and CLI).
        services.AddOptions<MailroomOptions>().BindConfiguration("").ValidateOnStart();
        services.AddSingleton<IValidateOptions<MailroomOptions>, MailroomOptionsValidation>();
        services.AddOptions<WorkerOptions>().BindConfiguration(WorkerOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<DemoOptions>().BindConfiguration(DemoOptions.Section).ValidateOnStart();
        services.AddSingleton<PublicUrl>();
        services.AddScoped<Mailroom.Server.Domain.Seeding.SeedImporter>();
        services.AddScoped<AccountService>();
        services.AddScoped<Mailroom.Server.Domain.Subscribers.SubscriberService>();
        services.AddScoped<Mailroom.Server.Domain.CustomFields.CustomFieldService>();
        services.AddScoped<Mailroom.Server.Domain.Subscriptions.SubscriptionService>();
        services.AddScoped<Mailroom.Server.Domain.Purchases.PurchaseService>();
        services.AddScoped<Mailroom.Server.Domain.Sequences.SequenceEditor>();
        services.AddScoped<Mailroom.Server.Domain.ApiKeys.ApiKeyService>();
        Mailroom.Server.Api.OAuth.OAuthSetup.AddMailroomOAuth(services);
        Mailroom.Server.Domain.Users.UsersSetup.AddMailroomUsers(services);
        return services;
    }

    public static IServiceCollection AddMailroomApi(this IServiceCollection services)
    {
        services.ConfigureHttpJsonOptions(o => JsonConfiguration.Apply(o.SerializerOptions));
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.AddOptions<RateLimitOptions>().BindConfiguration(RateLimitOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<ApiOptions>().BindConfiguration(ApiOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<AccountRateLimiter>();
        // "Request starting/finished" lines carry the query string, where most Kit clients put api_secret.
        services.AddLogging(b => b.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.Warning));
        // Every SQL statement at Information drowns the log when the binary runs without its appsettings.json
        // (started from another folder); appsettings can still turn it back on.
        services.AddLogging(b => b.AddFilter("Microsoft.EntityFrameworkCore", LogLevel.Warning));
        // OpenIddict logs every token request's parameters at Information; it masks the secrets it knows, but a
        // credential in an unexpected parameter would not be: only its warnings and errors reach the log.
        services.AddLogging(b => b.AddFilter("OpenIddict", LogLevel.Warning));
        services.AddExceptionHandler<ApiExceptionHandler>();
        services.AddProblemDetails();
        services.AddOpenApi("v3", Mailroom.Server.Api.OpenApi.V3Document.Configure);
        services.AddMailroomDelivery();
        // v4's queued bulk requests: an API feature with a worker, so it sits with the API, not under Delivery.
        Mailroom.Server.Api.V4.Bulk.BulkServices.AddMailroomBulk(services);
        services.AddOptions<HostedFormOptions>().BindConfiguration(HostedFormOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<SignUpLimiter>();
        Mailroom.Server.Api.SignIn.SignInSetup.AddMailroomSignIn(services);
        return services;
    }

    public static WebApplication UseMailroomApi(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages(V3StatusCodes.WriteBody);
        app.Use(V3Pipeline.NormalizePath);
        app.UseRouting();
        Mailroom.Server.Api.OAuth.OAuthSetup.UseMailroomOAuth(app);
        app.Use(V3Pipeline.Authenticate);
        app.Use(Mailroom.Server.Api.V4.V4Pipeline.Authenticate);
        return app;
    }

    public static WebApplication MapMailroomApi(this WebApplication app)
    {
        var v3 = app.MapGroup("/v3").WithTags("v3").WithGroupName("v3");
        v3.MapAccount();
        v3.MapForms();
        v3.MapSequences();
        v3.MapTags();
        v3.MapSubscribers();
        v3.MapCustomFields();
        v3.MapBroadcasts();
        v3.MapPurchases();
        v3.MapWebhookRules();

        app.MapFallback("/v3/{**path}", () => ApiError.NotFound())
            .WithMetadata(new AnonymousV3Attribute()).ExcludeFromDescription();
        app.MapMailroomV4();
        Mailroom.Server.Api.OAuth.OAuthSetup.MapMailroomOAuth(app);
        app.MapTracking();
        app.MapConfirmation();
        app.MapHostedForms();
        Mailroom.Server.Api.SignIn.SignInEndpoints.MapSignIn(app);
        app.MapGet("/healthz", Health).ExcludeFromDescription();
        app.MapV4Document();
        app.MapOpenApi("/openapi/{documentName}.json");
        app.MapScalarApiReference("/docs", o => o.WithTitle("Mailroom — Kit API")
            .AddDocument("v4", "Kit API v4", routePattern: "/openapi/v4.json")
            .AddDocument("v3", "Kit API v3", routePattern: "/openapi/v3.json"));
        return app;
    }

    static async Task<IResult> Health(AppDbContext db, CancellationToken ct)
    {
        try
        {
            await db.Accounts.AnyAsync(ct);
            return TypedResults.Ok(new { status = "ok" });
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return TypedResults.Json(new { status = "unavailable", reason = "database" }, statusCode: 503);
        }
    }
}
