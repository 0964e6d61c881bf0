using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace Mailroom.Server.Api.V3;

/// <summary>
/// What every /v3 request goes through before its handler: path clean-up, parameter reading,
/// credentials and the rate limit, in that order (an unreadable body can hide the credentials,
/// so 400 comes before 401; a rejected request does no work and spends no budget).
/// </summary>
static partial class V3Pipeline
{
    public static bool IsV3(PathString path) => path.StartsWithSegments("/v3", StringComparison.OrdinalIgnoreCase);

    // Runs before routing. Kit tolerated a trailing slash (the Ruby gem sends `automations/hooks/`)
    // and read path ids like Rails' to_i, so n8n's `tags/12>/unsubscribe` still reached tag 12.
    public static Task NormalizePath(HttpContext context, RequestDelegate next)
    {
        var path = context.Request.Path.Value;
        if (path is not null && IsV3(context.Request.Path))
        {
            var cleaned = JunkAfterId().Replace(path.TrimEnd('/'), "/$1");
            if (cleaned.Length == 0) cleaned = "/";
            if (cleaned != path) context.Request.Path = cleaned;
        }
        return next(context);
    }

    [GeneratedRegex(@"/(\d+)(?![\d.])[^/]+")]
    private static partial Regex JunkAfterId();

    public static async Task Authenticate(HttpContext context, RequestDelegate next)
    {
        if (!IsV3(context.Request.Path)) { await next(context); return; }

        var options = context.RequestServices.GetRequiredService<IOptions<ApiOptions>>().Value;
        ApiParams parameters;
        try
        {
            parameters = await ApiParamsReader.ReadAsync(context.Request, options.MaxBodyBytes, context.RequestAborted);
        }
        catch (PayloadTooLargeException e)
        {
            await ApiError.PayloadTooLarge(e.Limit).ExecuteAsync(context);
            return;
        }
        catch (ApiParamException e)
        {
            await ApiError.BadRequest(e.Message).ExecuteAsync(context);
            return;
        }
        context.Items[ApiParams.ItemKey] = parameters;

        var endpoint = context.GetEndpoint();
        if (endpoint is null || endpoint.Metadata.GetMetadata<AnonymousV3Attribute>() is not null)
        {
            await next(context);
            return;
        }

        var secretRequired = endpoint.Metadata.GetMetadata<SecretRequiredAttribute>() is not null;
        var db = context.RequestServices.GetRequiredService<AppDbContext>();
        // One connection for the whole request instead of one per query: on every open, EF Core's SQLite provider
        // registers its SQL functions on the connection again, which costs more than a small query itself.
        await db.Database.OpenConnectionAsync(context.RequestAborted);
        try
        {
            await AuthorizeAsync(context, next, db, parameters, secretRequired);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    static async Task AuthorizeAsync(HttpContext context, RequestDelegate next, AppDbContext db, ApiParams parameters, bool secretRequired)
    {
        var (caller, failure) = await CredentialCheck.AuthenticateAsync(db, parameters, secretRequired, context.RequestAborted);
        if (caller is null)
        {
            await ApiError.Unauthorized(failure!).ExecuteAsync(context);
            return;
        }

        var limiter = context.RequestServices.GetRequiredService<AccountRateLimiter>();
        var permits = caller.RateLimitPerMinute
            ?? context.RequestServices.GetRequiredService<IOptionsMonitor<RateLimitOptions>>().CurrentValue.PermitsPerMinute;
        if (limiter.TryAcquire(caller.AccountId, permits) is { } wait)
        {
            context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)).ToString();
            await ApiError.TooManyRequests(permits).ExecuteAsync(context);
            return;
        }

        context.Items[Caller.ItemKey] = new Caller(caller.AccountId, caller.UsedSecret);
        await next(context);
    }
}
