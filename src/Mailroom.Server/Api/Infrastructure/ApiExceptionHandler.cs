using Mailroom.Server.Api.V3;
using Microsoft.AspNetCore.Diagnostics;

namespace Mailroom.Server.Api.Infrastructure;

/// <summary>The one place an unexpected failure becomes a response: an ApiError, never a stack trace.</summary>
sealed class ApiExceptionHandler(ILogger<ApiExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken ct)
    {
        if (context.Request.Path.StartsWithSegments(App.AppSetup.Root, StringComparison.OrdinalIgnoreCase))
        {
            await AppResult(context, exception).ExecuteAsync(context);
            return true;
        }
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

    /// <summary>
    /// The web app's pages answer in HTML: a role that does not allow an action (a form posted from a page opened before
    /// the role changed, or forged) is a 403 with a plain explanation; anything unexpected a 500 page, logged as above.
    /// </summary>
    IResult AppResult(HttpContext context, Exception exception)
    {
        if (exception is App.AccountAccessDenied denied) return Page(403, "Not allowed", denied.Message);
        if (exception is BadHttpRequestException bad) return Page(bad.StatusCode, "Bad request", "The request could not be read.");
        logger.LogError(exception, "Unhandled {ExceptionType} on {Method} {Path}",
            exception.GetType().Name, context.Request.Method, context.Request.Path);
        return Page(500, "Something went wrong", "The server could not complete this request. It has been logged; try again.");
    }

    static IResult Page(int status, string title, string message) => Results.Content(
        $$"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>{{title}} · Mailroom</title></head><body style="font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem"><h1>{{title}}</h1><p>{{System.Net.WebUtility.HtmlEncode(message)}}</p><p><a href="{{App.AppSetup.Root}}">Back to Mailroom</a></p></body></html>""",
        "text/html; charset=utf-8", System.Text.Encoding.UTF8, status);

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
