using Mailroom.Server.Api.V3;
using Microsoft.Extensions.Options;

namespace Mailroom.Server.Api.Infrastructure;

/// <summary>Gives empty error responses under /v3 and /v4 (405 from routing, bare status codes) an ApiError body.</summary>
static class V3StatusCodes
{
    public static async Task WriteBody(Microsoft.AspNetCore.Diagnostics.StatusCodeContext context)
    {
        var http = context.HttpContext;
        if (Api.V4.V4Pipeline.IsV4(http.Request.Path))
        {
            await V4Body(http).ExecuteAsync(http);
            return;
        }
        if (!V3Pipeline.IsV3(http.Request.Path)) return;
        var result = http.Response.StatusCode switch
        {
            // Kit has no "method not allowed": a verb it doesn't route is an unknown route.
            404 or 405 => ApiError.NotFound(),
            413 => ApiError.PayloadTooLarge(http.RequestServices.GetRequiredService<IOptions<ApiOptions>>().Value.MaxBodyBytes),
            >= 500 => ApiError.ServerError(),
            _ => ApiError.BadRequest("The request could not be processed"),
        };
        await result.ExecuteAsync(http);
    }

    static IResult V4Body(HttpContext http) => http.Response.StatusCode switch
    {
        404 or 405 => Api.V4.V4Error.NotFound(),
        413 => Api.V4.V4Error.TooLarge(http.RequestServices.GetRequiredService<IOptions<ApiOptions>>().Value.MaxBodyBytes),
        >= 500 => Api.V4.V4Error.ServerError(),
        var status => Api.V4.V4Error.Json(status, "The request could not be processed"),
    };
}
