using System.Text.Json.Nodes;
using Mailroom.Server.Api.V3;
using Mailroom.Server.Api.V3.Contracts;
using Mailroom.Server.Domain;
using Mailroom.Server.Domain.Broadcasts;

namespace Mailroom.Server.Api.V4;

/// <summary>
/// /v4/broadcasts: list, create, get, update, delete. The same broadcasts as v3's (one entity, one lifecycle); the
/// fields both versions take are read by v3's <see cref="BroadcastRequest"/>, v4 adds email_template_id,
/// preview_text and subscriber_filter. Stats and clicks are in <see cref="BroadcastStatsEndpoints"/>.
/// inferred: the documented 403 is answered only to an OAuth token granted just the read scope (V4Pipeline);
/// Mailroom has no plans or feature flags that would forbid an account to write broadcasts.
/// </summary>
static class BroadcastsEndpoints
{
    public sealed record EmailTemplateRef(long Id, string Name);
    public sealed record BroadcastResponse(long Id, long PublicationId, DateTime CreatedAt, string Subject, string? PreviewText,
        string? Description, string? Content, bool Public, DateTime? PublishedAt, DateTime? SendAt, string? ThumbnailAlt,
        string? ThumbnailUrl, string? PublicUrl, string? EmailAddress, EmailTemplateRef EmailTemplate, JsonNode SubscriberFilter, string Status);
    public sealed record BroadcastEnvelope(BroadcastResponse Broadcast);
    public sealed record BroadcastsResponse(IReadOnlyList<BroadcastResponse> Broadcasts, V4Pagination Pagination);

    // inferred: Kit documents a 422 listing the accepted values (v4 notes §6) without its wording.
    public static string StatusInvalid => $"status must be one of: {string.Join(", ", BroadcastLifecycle.V4Statuses)}";
    public static string DateInvalid(string name) => $"{name} must be a date (YYYY-MM-DD) or an ISO 8601 timestamp";

    public static RouteGroupBuilder MapV4Broadcasts(this RouteGroupBuilder v4)
    {
        v4.MapGet("/broadcasts", List).WithTags("Broadcasts").WithSummary("List broadcasts").V4Errors(401, 422);
        v4.MapPost("/broadcasts", Create).WithTags("Broadcasts").WithSummary("Create a broadcast").V4Errors(401, 403, 422);
        v4.MapGet("/broadcasts/{id:long}", Get).WithTags("Broadcasts").WithSummary("Get a broadcast").V4Errors(401, 404);
        v4.MapPut("/broadcasts/{id:long}", Update).WithTags("Broadcasts").WithSummary("Update a broadcast").V4Errors(401, 403, 404, 422);
        v4.MapDelete("/broadcasts/{id:long}", Delete).WithTags("Broadcasts").WithSummary("Delete a broadcast").V4Errors(401, 403, 404, 422);
        return v4;
    }

    static async Task<Results<JsonHttpResult<BroadcastsResponse>, JsonHttpResult<V4Error>>> List(
        ApiParams p, V4Caller caller, V4Page page, AppDbContext db, PublicUrl publicUrl, CancellationToken ct)
    {
        var query = db.Broadcasts.AsNoTracking().Where(b => b.AccountId == caller.AccountId);
        var (filtered, error) = Filter(p, query);
        if (error is not null) return error;
        var slice = await page.ReadAsync(filtered!, b => b.Id, ct);
        var ids = await EmailLayouts.IdsByNameAsync(db, caller.AccountId, ct);
        // slim: content is the one expensive field (a whole email); it answers null.
        var slim = p.Bool("slim") ?? false;
        var baseUrl = publicUrl.Value;
        return V4Json.Ok(new BroadcastsResponse([.. slice.Items.Select(b => ToResponse(b, ids, baseUrl, slim))], slice.Pagination));
    }

    /// <summary>The list filters GET /v4/broadcasts and GET /v4/broadcasts/stats share: status, sent_after, sent_before.</summary>
    public static (IQueryable<Broadcast>? Query, JsonHttpResult<V4Error>? Error) Filter(ApiParams p, IQueryable<Broadcast> query)
    {
        if (p.String("status") is { } status)
        {
            if (!BroadcastLifecycle.V4Statuses.Contains(status)) return (null, V4Error.Unprocessable(StatusInvalid));
            var stored = BroadcastLifecycle.FromV4(status);
            query = query.Where(b => b.Status == stored);
        }
        // inferred: "sent" is when sending started (a scheduled broadcast not yet gone has not been sent); a bare
        // date is midnight UTC, so sent_after=2024-05-01 includes the whole of that day.
        if (p.String("sent_after") is { } after)
        {
            if (!KitTimestamps.TryParse(after, out var from)) return (null, V4Error.Unprocessable(DateInvalid("sent_after")));
            query = query.Where(b => b.StartedAt != null && b.StartedAt >= from);
        }
        if (p.String("sent_before") is { } before)
        {
            if (!KitTimestamps.TryParse(before, out var until)) return (null, V4Error.Unprocessable(DateInvalid("sent_before")));
            query = query.Where(b => b.StartedAt != null && b.StartedAt < until);
        }
        return (query, null);
    }

    static async Task<Results<JsonHttpResult<BroadcastEnvelope>, JsonHttpResult<V4Error>>> Create(
        ApiParams p, V4Caller caller, AppDbContext db, TimeProvider time, PublicUrl publicUrl, CancellationToken ct)
    {
        var defaultEmail = await DefaultEmailAsync(db, caller, ct);
        var now = time.UtcNowSeconds();
        var broadcast = new Broadcast
        {
            AccountId = caller.AccountId, EmailAddress = defaultEmail, EmailLayoutTemplate = EmailLayouts.TextOnly,
            Status = BroadcastStatuses.Draft, CreatedAt = now, UpdatedAt = now,
        };
        var errors = await ApplyAsync(p, broadcast, defaultEmail, db, ct);
        if (errors.Count > 0) return V4Error.Unprocessable(errors);
        db.Broadcasts.Add(broadcast);
        await db.SaveChangesAsync(ct);
        return V4Json.Created(new BroadcastEnvelope(await ResponseAsync(db, broadcast, publicUrl, ct)));
    }

    static async Task<Results<JsonHttpResult<BroadcastEnvelope>, JsonHttpResult<V4Error>>> Get(
        long id, V4Caller caller, AppDbContext db, PublicUrl publicUrl, CancellationToken ct)
    {
        var broadcast = await db.Broadcasts.AsNoTracking().FirstOrDefaultAsync(b => b.Id == id && b.AccountId == caller.AccountId, ct);
        return broadcast is null ? V4Error.NotFound() : V4Json.Ok(new BroadcastEnvelope(await ResponseAsync(db, broadcast, publicUrl, ct)));
    }

    static async Task<Results<JsonHttpResult<BroadcastEnvelope>, JsonHttpResult<V4Error>>> Update(
        long id, ApiParams p, V4Caller caller, AppDbContext db, TimeProvider time, PublicUrl publicUrl, CancellationToken ct)
    {
        var broadcast = await db.Broadcasts.AsNoTracking().FirstOrDefaultAsync(b => b.Id == id && b.AccountId == caller.AccountId, ct);
        if (broadcast is null) return V4Error.NotFound();
        if (!BroadcastLifecycle.IsEditable(broadcast.Status)) return Locked();
        var errors = await ApplyAsync(p, broadcast, await DefaultEmailAsync(db, caller, ct), db, ct);
        if (errors.Count > 0) return V4Error.Unprocessable(errors);
        broadcast.UpdatedAt = time.UtcNowSeconds();

        var changed = await UpdateEditableAsync(db, caller.AccountId, broadcast, ct);
        if (changed == 0)
            return await db.Broadcasts.AnyAsync(x => x.Id == id && x.AccountId == caller.AccountId, ct) ? Locked() : V4Error.NotFound();
        return V4Json.Ok(new BroadcastEnvelope(await ResponseAsync(db, broadcast, publicUrl, ct)));
    }

    static async Task<Results<NoContent, JsonHttpResult<V4Error>>> Delete(long id, V4Caller caller, AppDbContext db, CancellationToken ct)
    {
        if (await EditableById(db, caller, id).ExecuteDeleteAsync(ct) > 0) return TypedResults.NoContent();
        return await db.Broadcasts.AnyAsync(b => b.Id == id && b.AccountId == caller.AccountId, ct)
            ? V4Error.Unprocessable(V4Error.BroadcastAlreadySending)
            : V4Error.NotFound();
    }

    // v3's message for changing a broadcast that has started (the document shows none for PUT; DELETE has its own).
    static JsonHttpResult<V4Error> Locked() => V4Error.Unprocessable(ApiError.BroadcastLockedMessage);

    static IQueryable<Broadcast> EditableById(AppDbContext db, V4Caller caller, long id) => EditableById(db, caller.AccountId, id);

    static IQueryable<Broadcast> EditableById(AppDbContext db, long accountId, long id) =>
        db.Broadcasts.Where(b => b.Id == id && b.AccountId == accountId
            && (b.Status == BroadcastStatuses.Draft || b.Status == BroadcastStatuses.Scheduled));

    /// <summary>
    /// Writes <paramref name="b"/>'s editable fields if it is still a draft or scheduled; 0 when it is not (or not the
    /// account's). Conditional, as v3's update: the sender may have claimed it since it was read. The web app's
    /// compose screen saves through here too.
    /// </summary>
    internal static Task<int> UpdateEditableAsync(AppDbContext db, long accountId, Broadcast b, CancellationToken ct) =>
        EditableById(db, accountId, b.Id).ExecuteUpdateAsync(s => s
            .SetProperty(x => x.Subject, b.Subject).SetProperty(x => x.Content, b.Content)
            .SetProperty(x => x.Description, b.Description).SetProperty(x => x.Public, b.Public)
            .SetProperty(x => x.PublishedAt, b.PublishedAt).SetProperty(x => x.SendAt, b.SendAt)
            .SetProperty(x => x.ThumbnailAlt, b.ThumbnailAlt).SetProperty(x => x.ThumbnailUrl, b.ThumbnailUrl)
            .SetProperty(x => x.EmailAddress, b.EmailAddress).SetProperty(x => x.EmailLayoutTemplate, b.EmailLayoutTemplate)
            .SetProperty(x => x.PreviewText, b.PreviewText).SetProperty(x => x.SubscriberFilter, b.SubscriberFilter)
            .SetProperty(x => x.Status, b.Status).SetProperty(x => x.UpdatedAt, b.UpdatedAt), ct);

    /// <summary>
    /// v4's parameters onto the entity: its own (template, preview text, filter) first, then those v3 shares. The web
    /// app's compose screen applies its form through here, so its messages are the API's.
    /// </summary>
    internal static async Task<List<string>> ApplyAsync(ApiParams p, Broadcast target, string defaultEmail, AppDbContext db, CancellationToken ct)
    {
        var errors = new List<string>();
        if (p.Root.ContainsKey("email_template_id"))
        {
            // Kit: absent or null uses the default template (Text Only here).
            var name = p.Long("email_template_id") is { } templateId
                ? await EmailLayouts.NameOfIdAsync(db, target.AccountId, templateId, ct)
                : EmailLayouts.TextOnly;
            if (name is null) errors.Add(V4Error.EmailTemplateNotFound);
            else target.EmailLayoutTemplate = name;
        }
        if (p.Root.ContainsKey("subscriber_filter"))
        {
            var (filter, error) = BroadcastFilter.Parse(p.Node("subscriber_filter"));
            if (error is not null) errors.Add(error);
            else if (filter is not null && await filter.UnknownIdsAsync(db, target.AccountId, ct) is { Count: > 0 } unknown) errors.AddRange(unknown);
            else target.SubscriberFilter = filter?.ToJson();
        }
        if (p.Root.ContainsKey("preview_text")) target.PreviewText = p.String("preview_text");
        errors.AddRange(await BroadcastRequest.ApplyAsync(p, target, defaultEmail, db, ct));
        return errors;
    }

    static async Task<BroadcastResponse> ResponseAsync(AppDbContext db, Broadcast b, PublicUrl publicUrl, CancellationToken ct) =>
        ToResponse(b, await EmailLayouts.IdsByNameAsync(db, b.AccountId, ct), publicUrl.Value, slim: false);

    static BroadcastResponse ToResponse(Broadcast b, IReadOnlyDictionary<string, long> layoutIds, string baseUrl, bool slim)
    {
        var (templateId, templateName) = EmailLayouts.TemplateOf(b.EmailLayoutTemplate, layoutIds);
        // inferred: Kit answers a subject always; a draft made without one reads "" rather than breaking the documented string.
        return new BroadcastResponse(b.Id, b.Id, b.CreatedAt, b.Subject ?? "", b.PreviewText, b.Description, slim ? null : b.Content,
            b.Public, b.PublishedAt, b.SendAt, b.ThumbnailAlt, b.ThumbnailUrl, PostsEndpoints.PublicUrlOf(b, baseUrl), b.EmailAddress,
            new EmailTemplateRef(templateId, templateName), BroadcastFilter.ToResponse(b.SubscriberFilter), BroadcastLifecycle.ToV4(b.Status));
    }

    // Kit sends from the account's sending address unless told otherwise, as v3 does.
    static Task<string> DefaultEmailAsync(AppDbContext db, V4Caller caller, CancellationToken ct) => DefaultEmailAsync(db, caller.AccountId, ct);

    internal static async Task<string> DefaultEmailAsync(AppDbContext db, long accountId, CancellationToken ct) =>
        await db.Accounts.AsNoTracking().Where(a => a.Id == accountId).Select(a => a.SendingEmailAddress ?? a.PrimaryEmailAddress)
            .FirstAsync(ct);
}
