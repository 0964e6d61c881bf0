using System.Text.Json.Serialization;
using Mailroom.Server.Api.V3;
using Mailroom.Server.Domain;
using Mailroom.Server.Domain.Subscriptions;

namespace Mailroom.Server.Api.V4;

/// <summary>
/// /v4/forms: forms and landing pages (read-only, as in Kit) and their subscribers. Adding a subscriber goes through
/// <see cref="SubscriptionService"/>, so a double opt-in form sends its confirmation email and leaves a subscriber who
/// is not yet active inactive until they confirm, exactly as <c>POST /v3/forms/{id}/subscribe</c> does.
/// </summary>
static class FormsEndpoints
{
    static readonly string[] Statuses = ["active", "archived", "trashed", "all"];
    static readonly string[] Types = [FormTypes.Embed, FormTypes.Hosted];
    // inferred: Kit shows no message for these; worded like its ?status= 422 on broadcasts (accepted values listed).
    public static readonly string StatusInvalid = $"status must be one of: {string.Join(", ", Statuses)}";
    public static readonly string TypeInvalid = $"type must be one of: {string.Join(", ", Types)}";

    public sealed record FormResponse(long Id, string Name, DateTime CreatedAt, string Type, string? Format, string EmbedJs, string EmbedUrl,
        bool Archived, string Uid)
    {
        [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
        public int? SubscriberCount { get; init; }
    }

    public sealed record FormsResponse(IReadOnlyList<FormResponse> Forms, V4Pagination Pagination);
    public sealed record UtmParameters(string Source, string Medium, string Campaign, string Term, string Content);
    public sealed record MemberResponse(long Id, string? FirstName, string EmailAddress, string State, DateTime CreatedAt, DateTime AddedAt,
        string Referrer, UtmParameters ReferrerUtmParameters, IReadOnlyDictionary<string, string?> Fields);
    public sealed record MemberEnvelope(MemberResponse Subscriber);
    public sealed record MembersResponse(IReadOnlyList<MemberResponse> Subscribers, V4Pagination Pagination);

    public static RouteGroupBuilder MapV4Forms(this RouteGroupBuilder v4)
    {
        v4.MapGet("/forms", List).WithTags("Forms").WithSummary("List forms").V4Errors(401);
        v4.MapGet("/forms/{form_id:long}/subscribers", ListSubscribers).WithTags("Forms").WithSummary("List subscribers for a form").V4Errors(401, 404);
        v4.MapPost("/forms/{form_id:long}/subscribers", AddSubscriberByEmail).WithTags("Forms")
            .WithSummary("Add subscriber to form by email address").V4Errors(401, 404, 422);
        v4.MapPost("/forms/{form_id:long}/subscribers/{id:long}", AddSubscriber).WithTags("Forms").WithSummary("Add subscriber to form").V4Errors(401, 404);
        return v4;
    }

    static async Task<JsonHttpResult<FormsResponse>> List(V4Caller caller, ApiParams p, V4Page page, AppDbContext db, PublicUrl publicUrl, CancellationToken ct)
    {
        var status = p.String("status")?.ToLowerInvariant() ?? "active";
        if (!Statuses.Contains(status)) throw new ApiParamException(422, StatusInvalid);
        var type = p.String("type")?.ToLowerInvariant();
        if (type is not null && !Types.Contains(type)) throw new ApiParamException(422, TypeInvalid);

        var query = db.Forms.AsNoTracking().Where(f => f.AccountId == caller.AccountId);
        query = status switch
        {
            "active" => query.Where(f => !f.Archived),
            "archived" => query.Where(f => f.Archived),
            // inferred: Mailroom never trashes a form (there is no delete), so the trash is always empty.
            "trashed" => query.Where(f => false),
            _ => query,
        };
        if (type is not null) query = query.Where(f => f.Type == type);
        var slice = await page.ReadAsync(query, f => f.Id, ct);

        Dictionary<long, int>? counts = null;
        if (p.List("include")?.Any(n => ApiParams.AsString(n, "include") == "subscriber_count") == true)
        {
            var ids = slice.Items.Select(f => f.Id).ToList();
            counts = await db.Subscriptions.AsNoTracking()
                .Where(s => s.AccountId == caller.AccountId && s.SubscribableType == SubscribableTypes.Form && ids.Contains(s.SubscribableId) && s.State == SubscriptionStates.Active)
                .GroupBy(s => s.SubscribableId).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.Key, g => g.Count, ct);
        }
        var baseUrl = publicUrl.Value;
        return V4Json.Ok(new FormsResponse([.. slice.Items.Select(f =>
        {
            // The same embed script and page v3 and the hosted forms serve (one home: v3's FormResponse).
            var v3 = V3.Contracts.FormResponse.From(f, baseUrl);
            return new FormResponse(f.Id, f.Name, f.CreatedAt, f.Type, f.Format, v3.EmbedJs, v3.EmbedUrl, f.Archived, f.Uid)
                { SubscriberCount = counts?.GetValueOrDefault(f.Id) };
        })], slice.Pagination));
    }

    static async Task<Results<JsonHttpResult<MembersResponse>, JsonHttpResult<V4Error>>> ListSubscribers(long form_id, V4Caller caller,
        ApiParams p, V4Page page, AppDbContext db, CancellationToken ct)
    {
        if (!await db.Forms.AnyAsync(f => f.AccountId == caller.AccountId && f.Id == form_id, ct)) return V4Error.NotFound();
        var (items, pagination) = await V4Memberships.ListAsync(db, p, page, caller.AccountId, SubscribableTypes.Form, form_id, ct);
        return V4Json.Ok(new MembersResponse([.. items.Select(ToResponse)], pagination));
    }

    static async Task<Results<JsonHttpResult<MemberEnvelope>, JsonHttpResult<V4Error>>> AddSubscriberByEmail(long form_id, V4Caller caller,
        ApiParams p, AppDbContext db, SubscriptionService service, CancellationToken ct)
    {
        if (!await db.Forms.AnyAsync(f => f.AccountId == caller.AccountId && f.Id == form_id, ct)) return V4Error.NotFound();
        var email = p.String("email_address");
        if (email is null) return V4Error.Unprocessable(V4Error.FormSubscriberRequired);
        return await AddAsync(form_id, null, email, p.String("referrer"), caller, db, service, ct);
    }

    static async Task<Results<JsonHttpResult<MemberEnvelope>, JsonHttpResult<V4Error>>> AddSubscriber(long form_id, long id, V4Caller caller,
        ApiParams p, AppDbContext db, SubscriptionService service, CancellationToken ct)
    {
        if (!await db.Forms.AnyAsync(f => f.AccountId == caller.AccountId && f.Id == form_id, ct)) return V4Error.NotFound();
        // inferred: the document lists referrer as required here but declares no 422; a call without one adds the
        // subscriber with no referrer, as the by-email call does.
        return await AddAsync(form_id, id, null, p.String("referrer"), caller, db, service, ct);
    }

    static async Task<Results<JsonHttpResult<MemberEnvelope>, JsonHttpResult<V4Error>>> AddAsync(long formId, long? subscriberId, string? email,
        string? referrer, V4Caller caller, AppDbContext db, SubscriptionService service, CancellationToken ct)
    {
        var (error, member, created) = await V4Memberships.AddAsync(db, service, caller.AccountId, SubscribableTypes.Form, formId, subscriberId, email, referrer, ct);
        if (error != V4Memberships.AddError.None) return V4Error.NotFound();
        return V4Json.OkOrCreated(new MemberEnvelope(ToResponse(member!)), created);
    }

    static MemberResponse ToResponse(V4Memberships.Member m) =>
        new(m.Subscriber.Id, m.Subscriber.FirstName, m.Subscriber.EmailAddress, m.Subscriber.State, m.Subscriber.CreatedAt, m.Subscription.CreatedAt,
            m.Subscription.Referrer ?? "", Utm(m.Subscription.Referrer), m.Subscriber.Fields);

    /// <summary>
    /// The utm_* parameters of the referrer URL. inferred: the document types referrer and every utm value as a
    /// non-null string; a subscriber added without a referrer, or a referrer without one of them, gets "".
    /// </summary>
    static UtmParameters Utm(string? referrer)
    {
        var query = referrer is not null && Uri.TryCreate(referrer, UriKind.Absolute, out var uri)
            ? Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(uri.Query) : null;
        string Get(string name) => query is not null && query.TryGetValue($"utm_{name}", out var v) ? v.ToString() : "";
        return new UtmParameters(Get("source"), Get("medium"), Get("campaign"), Get("term"), Get("content"));
    }
}
