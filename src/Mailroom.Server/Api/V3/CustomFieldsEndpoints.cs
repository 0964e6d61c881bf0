using System.Text.Json.Nodes;
using Mailroom.Server.Api.V3.Contracts;
using Mailroom.Server.Domain;
using Mailroom.Server.Domain.CustomFields;

namespace Mailroom.Server.Api.V3;

static class CustomFieldsEndpoints
{
    public static RouteGroupBuilder MapCustomFields(this RouteGroupBuilder v3)
    {
        v3.MapGet("/custom_fields", ListCustomFields);
        v3.MapPost("/custom_fields", CreateCustomFields).RequireSecret();
        // Undocumented; n8n calls it (spec §3.8). Key access like the list.
        v3.MapGet("/custom_fields/{id:long}", GetCustomField);
        v3.MapPut("/custom_fields/{id:long}", UpdateCustomField).RequireSecret();
        v3.MapDelete("/custom_fields/{id:long}", DeleteCustomField).RequireSecret();
        return v3;
    }

    public sealed record CustomFieldsResponse(List<CustomFieldResponse> CustomFields);

    const string ListLocation = "/v3/custom_fields";

    static async Task<Ok<CustomFieldsResponse>> ListCustomFields(Caller caller, AppDbContext db, CancellationToken ct)
    {
        var fields = await db.CustomFields.AsNoTracking().Where(f => f.AccountId == caller.AccountId).OrderBy(f => f.Id)
            .Select(f => new CustomFieldResponse(f.Id, f.Name, f.Key, f.Label)).ToListAsync(ct);
        return TypedResults.Ok(new CustomFieldsResponse(fields));
    }

    static async Task<Results<Ok<CustomFieldResponse>, JsonHttpResult<ApiError>>> GetCustomField(
        long id, Caller caller, AppDbContext db, CancellationToken ct)
    {
        var field = await db.CustomFields.AsNoTracking().Where(f => f.Id == id && f.AccountId == caller.AccountId)
            .Select(f => new CustomFieldResponse(f.Id, f.Name, f.Key, f.Label)).FirstOrDefaultAsync(ct);
        return field is null ? ApiError.NotFound() : TypedResults.Ok(field);
    }

    static async Task<Results<Created<CreatedCustomFieldResponse>, Created<List<CreatedCustomFieldResponse>>, JsonHttpResult<ApiError>>>
        CreateCustomFields(ApiParams p, Caller caller, CustomFieldService service, CancellationToken ct)
    {
        // Older docs named the parameter `labels`; both are accepted (spec §3.8).
        var node = p.Node("label") ?? p.Node("labels");
        // Nothing is created unless every label is acceptable.
        switch (await service.CreateAsync(caller.AccountId, ReadLabels(node), ct))
        {
            case CustomFieldOutcome.TooMany tooMany: return ApiError.TooManyCustomFields(tooMany.Limit);
            case CustomFieldOutcome.Invalid invalid: return ApiError.Unprocessable(invalid.Problems.Select(Message));
            case CustomFieldOutcome.Done done:
                var bodies = done.Fields.Select(CreatedCustomFieldResponse.From).ToList();
                // Kit's quirk (S3 create_custom_field): a one-element label array answers a single object, like a string.
                return bodies.Count == 1 ? TypedResults.Created(ListLocation, bodies[0]) : TypedResults.Created(ListLocation, bodies);
            default: throw new InvalidOperationException("unexpected outcome");
        }
    }

    static async Task<Results<NoContent, JsonHttpResult<ApiError>>> UpdateCustomField(
        long id, ApiParams p, Caller caller, CustomFieldService service, CancellationToken ct) =>
        await service.RenameAsync(caller.AccountId, id, p.String("label"), ct) switch
        {
            CustomFieldOutcome.NotFound => ApiError.NotFound(),
            CustomFieldOutcome.Invalid invalid => ApiError.Unprocessable(invalid.Problems.Select(Message)),
            _ => TypedResults.NoContent(),
        };

    static async Task<Results<NoContent, JsonHttpResult<ApiError>>> DeleteCustomField(
        long id, Caller caller, CustomFieldService service, CancellationToken ct) =>
        await service.DeleteAsync(caller.AccountId, id, ct) ? TypedResults.NoContent() : ApiError.NotFound();

    /// <summary>v3's Rails-style wording of a label problem (the web app shows the same).</summary>
    public static string Message(CustomFieldProblem problem) => problem switch
    {
        CustomFieldProblem.LabelBlank => ApiError.BlankMessage("Label"),
        CustomFieldProblem.LabelTooLong => ApiError.TooLongMessage("Label", CustomFieldService.LabelMaxLength),
        CustomFieldProblem.LabelTaken => ApiError.TakenMessage("Label"),
        CustomFieldProblem.KeyBlank => ApiError.BlankMessage("Key"),
        _ => ApiError.TakenMessage("Key"),
    };

    /// <summary>A string, or a list of them (JSON array or Rails <c>label[]=</c>). A comma never splits: labels may contain one.</summary>
    static List<string?> ReadLabels(JsonNode? node)
    {
        List<JsonNode?> items = node switch
        {
            JsonArray a => [.. a],
            JsonObject { Count: 0 } => [],
            JsonObject o when o.All(kv => int.TryParse(kv.Key, out _)) => ApiParams.AsList(o, "label")!,
            JsonObject => throw new ApiParamException(400, ApiError.MustBeStringOrArray("label")),
            _ => [node],
        };
        return items.Count == 0 ? [null] : [.. items.Select(n => ApiParams.AsString(n, "label"))];
    }
}
