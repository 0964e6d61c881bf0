using Mailroom.Server.Api.V3;
using Microsoft.Extensions.Options;

namespace Mailroom.Server.Api.Infrastructure;

/// <summary>Gives empty error responses under /v3 (405 from routing, bare status codes) an ApiError body.</summary>
static class V3StatusCodes
{
    public static async Task WriteBody(Microsoft.AspNetCore.Diagnostics.StatusCodeContext context)
    {
        var http = context.HttpContext;
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
}
