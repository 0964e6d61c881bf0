namespace Mailroom.Server.App.Pages.Settings;

/// <summary>
/// A statically rendered form posted by someone whose role does not allow it (changed since the page loaded, or a
/// forged post): the page answers 403 with the refusal instead of the error page of an unhandled exception.
/// </summary>
static class RoleRefusal
{
    /// <returns>The refusal to show, or null when <paramref name="require"/> allowed the action.</returns>
    public static async Task<string?> CheckAsync(Func<Task> require, HttpContext? http)
    {
        try
        {
            await require();
            return null;
        }
        catch (AccountAccessDenied e)
        {
            if (http is { Response.HasStarted: false }) http.Response.StatusCode = StatusCodes.Status403Forbidden;
            return e.Message;
        }
    }
}
