using Mailroom.Server.Api.V3;
using Mailroom.Server.Domain.ApiKeys;
using Microsoft.Extensions.Options;

namespace Mailroom.Server.Api.V4;

/// <summary>
/// What every /v4 request goes through before its handler: parameter reading (v3's reader, with its limits), the
/// credential (<c>X-Kit-Api-Key</c> or <c>Authorization: Bearer</c>), OAuth-only and write-scope checks, and the
/// rate limit per credential. A rejected request does no work and spends no budget.
/// </summary>
static class V4Pipeline
{
    public const string ApiKeyHeader = "X-Kit-Api-Key";

    public static bool IsV4(PathString path) => path.StartsWithSegments("/v4", StringComparison.OrdinalIgnoreCase);

    public static async Task Authenticate(HttpContext context, RequestDelegate next)
    {
        if (!IsV4(context.Request.Path)) { await next(context); return; }
        var endpoint = context.GetEndpoint();
        if (endpoint?.Metadata.GetMetadata<AnonymousV4Attribute>() is not null) { await next(context); return; }

        var options = context.RequestServices.GetRequiredService<IOptions<ApiOptions>>().Value;
        var limit = endpoint?.Metadata.GetMetadata<BulkBodyAttribute>() is not null ? options.MaxBulkBodyBytes : options.MaxBodyBytes;
        ApiParams parameters;
        try
        {
            parameters = await ApiParamsReader.ReadAsync(context.Request, limit, context.RequestAborted);
        }
        catch (PayloadTooLargeException e)
        {
            await V4Error.TooLarge(e.Limit).ExecuteAsync(context);
            return;
        }
        catch (ApiParamException e)
        {
            await V4Error.Json(e.StatusCode, e.Message).ExecuteAsync(context);
            return;
        }
        context.Items[ApiParams.ItemKey] = parameters;
        if (endpoint is null) { await next(context); return; }

        var db = context.RequestServices.GetRequiredService<AppDbContext>();
        await db.Database.OpenConnectionAsync(context.RequestAborted);
        try
        {
            await AuthorizeAsync(context, next, db, endpoint);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    static async Task AuthorizeAsync(HttpContext context, RequestDelegate next, AppDbContext db, Endpoint endpoint)
    {
        var caller = await IdentifyAsync(context, db);
        // inferred: Kit answers an API key on an OAuth-only operation with the same 401 as a bad token (v4 notes §6:
        // "every /v4/bulk/ call rejects X-Kit-Api-Key (401)").
        if (caller is null || (caller.Kind == V4CredentialKind.ApiKey && endpoint.Metadata.GetMetadata<OAuthOnlyAttribute>() is not null))
        {
            await V4Error.Unauthorized().ExecuteAsync(context);
            return;
        }
        if (!caller.CanWrite && !HttpMethods.IsGet(context.Request.Method) && !HttpMethods.IsHead(context.Request.Method))
        {
            await V4Error.Forbidden().ExecuteAsync(context);
            return;
        }

        var limits = context.RequestServices.GetRequiredService<IOptionsMonitor<RateLimitOptions>>().CurrentValue;
        var (kind, permits) = caller.Kind == V4CredentialKind.ApiKey ? ('k', limits.ApiKeyPermitsPerMinute) : ('o', limits.OAuthPermitsPerMinute);
        var limiter = context.RequestServices.GetRequiredService<AccountRateLimiter>();
        if (limiter.TryAcquire(kind, caller.CredentialId, permits) is { } wait)
        {
            context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)).ToString();
            await V4Error.RateLimited().ExecuteAsync(context);
            return;
        }

        context.Items[V4Caller.ItemKey] = caller;
        await next(context);
    }

    /// <summary>The API key header wins over a bearer token when a client sends both.</summary>
    static async Task<V4Caller?> IdentifyAsync(HttpContext context, AppDbContext db)
    {
        if (context.Request.Headers.TryGetValue(ApiKeyHeader, out var keys))
        {
            var key = keys.Count == 1 ? keys[0]?.Trim() : null;
            if (string.IsNullOrEmpty(key)) return null;
            var found = await ApiKeyService.FindAsync(db, key, context.RequestAborted);
            return found is null ? null : new V4Caller(found.Value.AccountId, V4CredentialKind.ApiKey, found.Value.KeyId, CanWrite: true);
        }
        var authorization = context.Request.Headers.Authorization.ToString();
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) && authorization.Length > 7)
            return await V4Bearer.AuthenticateAsync(context);
        return null;
    }
}

/// <summary>Endpoint metadata: the operation takes a bulk body, held to <c>Api:MaxBulkBodyBytes</c> instead of <c>Api:MaxBodyBytes</c>.</summary>
public sealed class BulkBodyAttribute : Attribute;
