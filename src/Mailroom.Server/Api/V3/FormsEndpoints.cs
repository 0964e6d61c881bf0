using Mailroom.Server.Api.V3.Contracts;
using Mailroom.Server.Domain;
using Mailroom.Server.Domain.Subscriptions;

namespace Mailroom.Server.Api.V3;

static class FormsEndpoints
{
    public static RouteGroupBuilder MapForms(this RouteGroupBuilder v3)
    {
        v3.MapGet("/forms", ListForms);
        v3.MapGet("/forms/{id:long}", GetForm);
        v3.MapGet("/subscription_forms", ListSubscriptionForms);
        v3.MapPost("/forms/{id:long}/subscribe", SubscribeToForm);
        v3.MapGet("/forms/{id:long}/subscriptions", ListFormSubscriptions).RequireSecret();
        return v3;
    }

    public sealed record FormsResponse(IReadOnlyList<FormResponse> Forms);

    // Embed forms and landing pages together, archived ones included with archived: true (spec §3.2).
    static async Task<Ok<FormsResponse>> ListForms(Caller caller, AppDbContext db, PublicUrl publicUrl, CancellationToken ct)
    {
        var forms = await db.Forms.AsNoTracking().Where(f => f.AccountId == caller.AccountId).OrderBy(f => f.Id).ToListAsync(ct);
        var baseUrl = publicUrl.Value;
        return TypedResults.Ok(new FormsResponse([.. forms.Select(f => FormResponse.From(f, baseUrl))]));
    }

    // Undocumented but used by Kit's own plugins: the bare form object, not wrapped (spec §3.2, S8).
    static async Task<Results<Ok<FormResponse>, JsonHttpResult<ApiError>>> GetForm(long id, Caller caller, AppDbContext db,
        PublicUrl publicUrl, CancellationToken ct)
    {
        var form = await db.Forms.AsNoTracking().FirstOrDefaultAsync(f => f.AccountId == caller.AccountId && f.Id == id, ct);
        return form is null ? ApiError.NotFound() : TypedResults.Ok(FormResponse.From(form, publicUrl.Value));
    }

    // Undocumented; Kit's WordPress libraries read a bare array of {id, form_id, archived} (spec §3.2, V S7).
    static async Task<Ok<List<SubscriptionFormResponse>>> ListSubscriptionForms(Caller caller, AppDbContext db, CancellationToken ct) =>
        TypedResults.Ok(await db.Forms.AsNoTracking().Where(f => f.AccountId == caller.AccountId).OrderBy(f => f.Id)
            .Select(f => new SubscriptionFormResponse(f.Id, f.Id, f.Archived)).ToListAsync(ct));

    static Task<Results<Ok<SubscribeResponse>, JsonHttpResult<ApiError>>> SubscribeToForm(long id, ApiParams p, Caller caller,
        SubscriptionService service, AppDbContext db, CancellationToken ct) =>
        Subscribing.SubscribeAsync(SubscribableTypes.Form, id, p, caller, service, db, ct);

    static async Task<Results<Ok<SubscriptionsPageResponse>, JsonHttpResult<ApiError>>> ListFormSubscriptions(long id, ApiParams p,
        Caller caller, AppDbContext db, CancellationToken ct)
    {
        if (!await db.Forms.AnyAsync(f => f.AccountId == caller.AccountId && f.Id == id, ct)) return ApiError.NotFound();
        return await SubscriptionLists.ListAsync(db, p, caller.AccountId, SubscribableTypes.Form, id, ct);
    }
}
