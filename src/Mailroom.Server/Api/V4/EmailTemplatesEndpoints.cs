namespace Mailroom.Server.Api.V4;

/// <summary>GET /v4/email_templates: the account's email layouts, which Kit calls email templates.</summary>
static class EmailTemplatesEndpoints
{
    /// <summary>
    /// inferred: Kit's categories name its built-in starting points; every Mailroom layout is the account's own HTML,
    /// so <c>category</c> is "HTML" and none is the default (a broadcast without one goes out without a layout).
    /// </summary>
    public const string Category = "HTML";

    public sealed record EmailTemplateResponse(long Id, string Name, bool IsDefault, string Category);
    public sealed record EmailTemplatesResponse(IReadOnlyList<EmailTemplateResponse> EmailTemplates, V4Pagination Pagination);

    public static RouteGroupBuilder MapEmailTemplates(this RouteGroupBuilder v4)
    {
        v4.MapGet("/email_templates", List).WithTags("Email Templates").WithSummary("List email templates")
            .WithDescription("The account's email templates (layouts that wrap a broadcast's or sequence email's content), newest first.");
        return v4;
    }

    static async Task<JsonHttpResult<EmailTemplatesResponse>> List(V4Caller caller, V4Page page, AppDbContext db, CancellationToken ct)
    {
        var slice = await page.ReadAsync(db.EmailLayouts.AsNoTracking().Where(l => l.AccountId == caller.AccountId), l => l.Id, ct);
        return V4Json.Ok(new EmailTemplatesResponse(
            [.. slice.Items.Select(l => new EmailTemplateResponse(l.Id, l.Name, false, Category))], slice.Pagination));
    }
}
