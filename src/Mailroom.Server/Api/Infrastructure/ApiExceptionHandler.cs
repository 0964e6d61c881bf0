using Mailroom.Server.Api.V3;
using Microsoft.AspNetCore.Diagnostics;

namespace Mailroom.Server.Api.Infrastructure;

/// <summary>The one place an unexpected failure becomes a response: an ApiError, never a stack trace.</summary>
sealed class ApiExceptionHandler(ILogger<ApiExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken ct)
    {
        if (Api.V4.V4Pipeline.IsV4(context.Request.Path))
        {
            await V4Result(context, exception).ExecuteAsync(context);
            return true;
        }
        var result = exception switch
        {
            ApiParamException e when e.StatusCode == 422 => ApiError.Unprocessable(e.Message),
            ApiParamException e => ApiError.BadRequest(e.Message),
            BadHttpRequestException { StatusCode: 413 } => ApiError.PayloadTooLarge(context.RequestServices
                .GetRequiredService<Microsoft.Extensions.Options.IOptions<ApiOptions>>().Value.MaxBodyBytes),
            BadHttpRequestException e => ApiError.BadRequest(e.Message),
            _ => null,
        };
        if (result is null)
        {
            // Only the type and path are logged with the exception: request parameters may carry credentials.
            logger.LogError(exception, "Unhandled {ExceptionType} on {Method} {Path}",
                exception.GetType().Name, context.Request.Method, context.Request.Path);
            result = ApiError.ServerError();
        }
        await result.ExecuteAsync(context);
        return true;
    }

    /// <summary>The same cases for /v4, in its <c>{"errors": [...]}</c> body.</summary>
    IResult V4Result(HttpContext context, Exception exception)
    {
        var options = context.RequestServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<ApiOptions>>().Value;
        switch (exception)
        {
            case ApiParamException e: return Api.V4.V4Error.Json(e.StatusCode, e.Message);
            case BadHttpRequestException { StatusCode: 413 }: return Api.V4.V4Error.TooLarge(options.MaxBodyBytes);
            case BadHttpRequestException e: return Api.V4.V4Error.BadRequest(e.Message);
            default:
                logger.LogError(exception, "Unhandled {ExceptionType} on {Method} {Path}",
                    exception.GetType().Name, context.Request.Method, context.Request.Path);
                return Api.V4.V4Error.ServerError();
        }
    }
}
