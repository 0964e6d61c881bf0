using Mailroom.Server.Api.V3;
using Mailroom.Server.Domain.CustomFields;

namespace Mailroom.Server.Api.V4;

/// <summary>/v4/custom_fields: list, create (idempotent on the label), rename and delete, through <see cref="CustomFieldService"/>.</summary>
static class CustomFieldsEndpoints
{
    public sealed record CustomFieldResponse(long Id, string Name, string Key, string Label)
    {
        public static CustomFieldResponse From(CustomField f) => new(f.Id, f.Name, f.Key, f.Label);
    }
    public sealed record CustomFieldEnvelope(CustomFieldResponse CustomField);
    public sealed record CustomFieldsResponse(IReadOnlyList<CustomFieldResponse> CustomFields, V4Pagination Pagination);

    public static RouteGroupBuilder MapV4CustomFields(this RouteGroupBuilder v4)
    {
        v4.MapGet("/custom_fields", List).WithTags("Custom Fields").WithSummary("List custom fields").V4Errors(401);
        v4.MapPost("/custom_fields", Create).WithTags("Custom Fields").WithSummary("Create a custom field").V4Errors(401, 422);
        v4.MapPut("/custom_fields/{id:long}", Update).WithTags("Custom Fields").WithSummary("Update a custom field").V4Errors(401, 404, 422);
        v4.MapDelete("/custom_fields/{id:long}", Delete).WithTags("Custom Fields").WithSummary("Delete custom field").V4Errors(401, 404, 422);
        return v4;
    }

    static async Task<JsonHttpResult<CustomFieldsResponse>> List(V4Caller caller, V4Page page, AppDbContext db, CancellationToken ct)
    {
        // inferred: oldest first, as Kit's example (ids ascending) and v3's list show fields in creation order.
        var slice = await page.ReadAsync(db.CustomFields.AsNoTracking().Where(f => f.AccountId == caller.AccountId), f => f.Id, ct, ascending: true);
        return V4Json.Ok(new CustomFieldsResponse([.. slice.Items.Select(CustomFieldResponse.From)], slice.Pagination));
    }

    static async Task<Results<JsonHttpResult<CustomFieldEnvelope>, JsonHttpResult<V4Error>>> Create(
        ApiParams p, V4Caller caller, AppDbContext db, CustomFieldService service, CancellationToken ct)
    {
        var label = p.String("label");
        if (label is null) return V4Error.Unprocessable(V4Error.LabelBlank);
        // "Returns a 200 and the custom field if it already exists": the same label, in any case (labels are unique
        // case-insensitively). A different label whose key collides is still refused, as Kit's key uniqueness says.
        var lower = label.ToLowerInvariant();
        var existing = (await db.CustomFields.AsNoTracking().Where(f => f.AccountId == caller.AccountId).ToListAsync(ct))
            .FirstOrDefault(f => f.Label.ToLowerInvariant() == lower);
        if (existing is not null) return V4Json.Ok(new CustomFieldEnvelope(CustomFieldResponse.From(existing)));
        return await service.CreateAsync(caller.AccountId, [label], ct) switch
        {
            CustomFieldOutcome.Done done => V4Json.Created(new CustomFieldEnvelope(CustomFieldResponse.From(done.Fields[0]))),
            CustomFieldOutcome.Invalid invalid => V4Error.Unprocessable(invalid.Problems.Select(Message)),
            CustomFieldOutcome.TooMany tooMany => V4Error.Unprocessable(TooMany(tooMany.Limit)),
            _ => throw new InvalidOperationException("unexpected outcome"),
        };
    }

    static async Task<Results<JsonHttpResult<CustomFieldEnvelope>, JsonHttpResult<V4Error>>> Update(
        long id, ApiParams p, V4Caller caller, CustomFieldService service, CancellationToken ct) =>
        await service.RenameAsync(caller.AccountId, id, p.String("label"), ct) switch
        {
            CustomFieldOutcome.NotFound => V4Error.NotFound(),
            CustomFieldOutcome.Invalid invalid => V4Error.Unprocessable(invalid.Problems.Select(Message)),
            CustomFieldOutcome.Done done => V4Json.Ok(new CustomFieldEnvelope(CustomFieldResponse.From(done.Fields[0]))),
            _ => throw new InvalidOperationException("unexpected outcome"),
        };

    static async Task<Results<NoContent, JsonHttpResult<V4Error>>> Delete(long id, V4Caller caller, CustomFieldService service, CancellationToken ct) =>
        await service.DeleteAsync(caller.AccountId, id, ct) ? TypedResults.NoContent() : V4Error.NotFound();

    /// <summary>
    /// v4's wording: Kit's document shows "Label can't be blank"; the other problems keep the Rails wording v3 already
    /// uses for them (inferred: Kit's v4 validations are the same Rails model's).
    /// </summary>
    static string Message(CustomFieldProblem problem) => problem switch
    {
        CustomFieldProblem.LabelBlank => V4Error.LabelBlank,
        CustomFieldProblem.LabelTooLong => ApiError.TooLongMessage("Label", CustomFieldService.LabelMaxLength),
        CustomFieldProblem.LabelTaken => ApiError.TakenMessage("Label"),
        CustomFieldProblem.KeyBlank => ApiError.BlankMessage("Key"),
        _ => ApiError.TakenMessage("Key"),
    };

    // inferred: Kit documents the 140-field limit but no v4 message for passing it; worded as v3's.
    static string TooMany(int limit) => $"You can only have {limit} custom fields";
}
