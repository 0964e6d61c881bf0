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

    const int LabelMaxLength = 255;
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
        CreateCustomFields(ApiParams p, Caller caller, AppDbContext db, TimeProvider time, CancellationToken ct)
    {
        // Older docs named the parameter `labels`; both are accepted (spec §3.8).
        var node = p.Node("label") ?? p.Node("labels");
        var labels = ReadLabels(node);
        var existing = await ExistingAsync(db, caller.AccountId, ct);
        if (existing.Count + labels.Count > CustomFieldKeys.AccountLimit)
            return ApiError.TooManyCustomFields(CustomFieldKeys.AccountLimit);
        // Nothing is created unless every label is acceptable.
        var problems = Check(labels, existing, exceptId: null, out var keys);
        if (problems.Count > 0) return ApiError.Unprocessable(problems);

        List<CustomField> created;
        try
        {
            created = await AddAsync(db, time, caller.AccountId, labels, keys, ct);
        }
        catch (DbUpdateException)
        {
            // A concurrent request created the same key between the check and the insert (the unique index
            // caught it): answer as the check would now. Anything else is a real fault.
            db.ChangeTracker.Clear();
            problems = Check(labels, await ExistingAsync(db, caller.AccountId, ct), exceptId: null, out _);
            if (problems.Count > 0) return ApiError.Unprocessable(problems);
            throw;
        }

        var bodies = created.Select(CreatedCustomFieldResponse.From).ToList();
        // Kit's quirk (S3 create_custom_field): a one-element label array answers a single object, like a string.
        return bodies.Count == 1 ? TypedResults.Created(ListLocation, bodies[0]) : TypedResults.Created(ListLocation, bodies);
    }

    static async Task<Results<NoContent, JsonHttpResult<ApiError>>> UpdateCustomField(
        long id, ApiParams p, Caller caller, AppDbContext db, TimeProvider time, CancellationToken ct)
    {
        var field = await db.CustomFields.FirstOrDefaultAsync(f => f.Id == id && f.AccountId == caller.AccountId, ct);
        if (field is null) return ApiError.NotFound();
        var label = p.String("label");
        var problems = Check([label], await ExistingAsync(db, caller.AccountId, ct), exceptId: id, out var keys);
        if (problems.Count > 0) return ApiError.Unprocessable(problems);

        // Current Kit docs: the key follows the new label while `name` keeps its original value (spec §4.4).
        // Values are stored by field id, so every subscriber's value shows under the new key at once.
        if (field.Label != label || field.Key != keys[0])
        {
            field.Label = label!;
            field.Key = keys[0];
            field.UpdatedAt = time.UtcNowSeconds();
            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateException)
            {
                problems = Check([label], await ExistingAsync(db, caller.AccountId, ct), exceptId: id, out _);
                if (problems.Count > 0) return ApiError.Unprocessable(problems);
                throw;
            }
        }
        return TypedResults.NoContent();
    }

    static async Task<Results<NoContent, JsonHttpResult<ApiError>>> DeleteCustomField(
        long id, Caller caller, AppDbContext db, CancellationToken ct)
    {
        if (!await db.CustomFields.AnyAsync(f => f.Id == id && f.AccountId == caller.AccountId, ct)) return ApiError.NotFound();
        // The values go explicitly rather than by trusting the FK cascade, in the same transaction as the field.
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await db.SubscriberFieldValues.Where(v => v.CustomFieldId == id).ExecuteDeleteAsync(ct);
        var deleted = await db.CustomFields.Where(f => f.Id == id && f.AccountId == caller.AccountId).ExecuteDeleteAsync(ct);
        await tx.CommitAsync(ct);
        return deleted == 0 ? ApiError.NotFound() : TypedResults.NoContent();
    }

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

    sealed record Existing(long Id, string Label, string Key);

    // An account holds at most 140 fields, so uniqueness is checked in memory, case-insensitively.
    static Task<List<Existing>> ExistingAsync(AppDbContext db, long accountId, CancellationToken ct) =>
        db.CustomFields.AsNoTracking().Where(f => f.AccountId == accountId)
            .Select(f => new Existing(f.Id, f.Label, f.Key)).ToListAsync(ct);

    /// <summary>
    /// Rails-style messages for every problem among <paramref name="labels"/> (distinct, in order), checking them
    /// against the account's other fields and each other; <paramref name="keys"/> gets the generated keys.
    /// </summary>
    static List<string> Check(IReadOnlyList<string?> labels, List<Existing> existing, long? exceptId, out List<string> keys)
    {
        var problems = new List<string>();
        keys = [];
        var takenLabels = new HashSet<string>(existing.Where(e => e.Id != exceptId).Select(e => e.Label), StringComparer.OrdinalIgnoreCase);
        var takenKeys = new HashSet<string>(existing.Where(e => e.Id != exceptId).Select(e => e.Key), StringComparer.Ordinal);
        foreach (var label in labels)
        {
            var key = label is null ? "" : CustomFieldKeys.KeyFor(label);
            keys.Add(key);
            var problem = label is null ? ApiError.BlankMessage("Label")
                : label.Length > LabelMaxLength ? ApiError.TooLongMessage("Label", LabelMaxLength)
                : !takenLabels.Add(label) ? ApiError.TakenMessage("Label")
                // inferred: a label with no letter or digit Kit can keep ("!!!", "日本") leaves the key empty; a Rails
                // presence check on the derived key would answer exactly this.
                : key.Length == 0 ? ApiError.BlankMessage("Key")
                : !takenKeys.Add(key) ? ApiError.TakenMessage("Key")
                : null;
            if (problem is not null && !problems.Contains(problem)) problems.Add(problem);
        }
        return problems;
    }

    /// <summary>Inserts the fields, then names them <c>ck_field_&lt;id&gt;_&lt;key&gt;</c> once their ids exist, in one transaction.</summary>
    static async Task<List<CustomField>> AddAsync(AppDbContext db, TimeProvider time, long accountId,
        List<string?> labels, List<string> keys, CancellationToken ct)
    {
        var now = time.UtcNowSeconds();
        var fields = labels.Select((label, i) => new CustomField
        {
            AccountId = accountId, Label = label!, Key = keys[i], CreatedAt = now, UpdatedAt = now,
        }).ToList();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        db.CustomFields.AddRange(fields);
        await db.SaveChangesAsync(ct);
        foreach (var field in fields) field.Name = CustomFieldKeys.NameFor(field.Id, field.Key);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return fields;
    }
}
