using System.Text.Json;
using System.Text.Json.Nodes;
using Mailroom.Server.Api.V3;
using Mailroom.Server.Domain;
using Mailroom.Server.Domain.Broadcasts;
using Mailroom.Server.Domain.Snippets;

namespace Mailroom.Server.Api.V4;

/// <summary>
/// /v4/snippets: reusable content that broadcasts and sequence emails reference as <c>{{ snippet.key }}</c>, resolved at
/// send time (<see cref="SnippetReferences"/>). Inline snippets hold Liquid text in <c>content</c>, block snippets HTML in
/// <c>document_attributes.value_html</c>. No delete: archive instead (an archived snippet renders empty).
/// </summary>
static class SnippetsEndpoints
{
    // inferred: Kit's document shows only "name can't be blank" and "snippet_type cannot be changed"; these follow their wording.
    public static readonly string TypeInvalid = $"snippet_type must be one of: {SnippetTypes.Inline}, {SnippetTypes.Block}";
    public const string ContentBlank = "content can't be blank";
    public const string ValueHtmlBlank = "document_attributes.value_html can't be blank";
    public const string NameTooLong = "name is too long (maximum is 255 characters)";
    public static string NotLiquid(string field, string reason) => $"{field} is not a valid Liquid template: {reason}";
    public const int MaxNameLength = 255;
    /// <summary>Room for a "-2"-style suffix within the key column's 255.</summary>
    const int MaxKeyStem = 240;
    /// <summary>inferred: a name with no letters or digits ("!!!") still needs a key.</summary>
    const string FallbackKey = "snippet";

    public sealed record DocumentResponse(long Id, object? Value, string? ValueHtml, object? ValuePlain, int Version);
    public sealed record SnippetResponse(long Id, string Name, string SnippetType, bool Archived, string Key, DateTime CreatedAt,
        DateTime UpdatedAt, string Content, DocumentResponse Document);
    public sealed record SnippetEnvelope(SnippetResponse Snippet);
    public sealed record SnippetsResponse(IReadOnlyList<SnippetResponse> Snippets, V4Pagination Pagination);

    public static RouteGroupBuilder MapSnippets(this RouteGroupBuilder v4)
    {
        v4.MapGet("/snippets", List).WithTags("Snippets").WithSummary("List snippets").V4Errors(401, 422);
        v4.MapPost("/snippets", Create).WithTags("Snippets").WithSummary("Create a snippet").V4Errors(401, 422);
        v4.MapGet("/snippets/{id:long}", Get).WithTags("Snippets").WithSummary("Get a snippet").V4Errors(401, 404);
        v4.MapPut("/snippets/{id:long}", Update).WithTags("Snippets").WithSummary("Update a snippet").V4Errors(401, 404, 422);
        return v4;
    }

    static async Task<Results<JsonHttpResult<SnippetsResponse>, JsonHttpResult<V4Error>>> List(
        ApiParams p, V4Caller caller, V4Page page, AppDbContext db, CancellationToken ct)
    {
        var query = db.Snippets.AsNoTracking().Where(s => s.AccountId == caller.AccountId);
        if (p.String("snippet_type") is { } type)
        {
            if (type is not (SnippetTypes.Inline or SnippetTypes.Block)) return V4Error.Unprocessable(TypeInvalid);
            query = query.Where(s => s.SnippetType == type);
        }
        // Kit: archived defaults to false; true lists only the archived ones.
        var archived = p.Bool("archived") ?? false;
        query = query.Where(s => s.Archived == archived);
        // inferred: the description says content and document are left out unless include_content=true, but the
        // document's list schema requires both and its example has them; answering them always satisfies every
        // client (include_content is read, so a bad value is still refused, and changes nothing).
        _ = p.Bool("include_content");
        var slice = await page.ReadAsync(query, s => s.Id, ct);
        return V4Json.Ok(new SnippetsResponse([.. slice.Items.Select(ToResponse)], slice.Pagination));
    }

    static async Task<Results<JsonHttpResult<SnippetEnvelope>, JsonHttpResult<V4Error>>> Get(long id, V4Caller caller, AppDbContext db, CancellationToken ct)
    {
        var snippet = await db.Snippets.AsNoTracking().FirstOrDefaultAsync(s => s.Id == id && s.AccountId == caller.AccountId, ct);
        return snippet is null ? V4Error.NotFound() : V4Json.Ok(new SnippetEnvelope(ToResponse(snippet)));
    }

    static async Task<Results<JsonHttpResult<SnippetEnvelope>, JsonHttpResult<V4Error>>> Create(
        ApiParams p, V4Caller caller, AppDbContext db, TimeProvider time, CancellationToken ct)
    {
        var errors = new List<string>();
        var name = p.String("name");
        if (name is null) errors.Add(V4Error.NameBlankLower);
        else if (name.Length > MaxNameLength) errors.Add(NameTooLong);
        var type = p.String("snippet_type");
        if (type is not (SnippetTypes.Inline or SnippetTypes.Block))
        {
            errors.Add(TypeInvalid);
            return V4Error.Unprocessable(errors);
        }
        var body = Body(p, type, errors, required: true);
        if (errors.Count > 0) return V4Error.Unprocessable(errors);

        var now = time.UtcNowSeconds();
        var snippet = new Snippet
        {
            AccountId = caller.AccountId, Name = name!, SnippetType = type, Key = await FreeKeyAsync(db, caller.AccountId, name!, ct),
            CreatedAt = now, UpdatedAt = now,
        };
        SetBody(snippet, body);
        if (await SnippetReferences.IsCircularAsync(db, caller.AccountId, snippet.Key, body, ct))
            return V4Error.Unprocessable(SnippetReferences.CircularMessage);
        db.Snippets.Add(snippet);
        await db.SaveChangesAsync(ct);
        return V4Json.Created(new SnippetEnvelope(ToResponse(snippet)));
    }

    static async Task<Results<JsonHttpResult<SnippetEnvelope>, JsonHttpResult<V4Error>>> Update(
        long id, ApiParams p, V4Caller caller, AppDbContext db, TimeProvider time, CancellationToken ct)
    {
        var snippet = await db.Snippets.FirstOrDefaultAsync(s => s.Id == id && s.AccountId == caller.AccountId, ct);
        if (snippet is null) return V4Error.NotFound();
        // Kit: a different snippet_type, or the other type's body shape, is the one documented 422.
        var otherShape = snippet.SnippetType == SnippetTypes.Inline ? p.Has("document_attributes") : p.Has("content");
        if ((p.String("snippet_type") is { } type && type != snippet.SnippetType) || otherShape)
            return V4Error.Unprocessable(V4Error.SnippetTypeFixed);

        var errors = new List<string>();
        if (p.Root.ContainsKey("name"))
        {
            var name = p.String("name");
            if (name is null) errors.Add(V4Error.NameBlankLower);
            else if (name.Length > MaxNameLength) errors.Add(NameTooLong);
            // Kit keeps the key on rename: emails already referencing it keep working.
            else snippet.Name = name;
        }
        var body = Body(p, snippet.SnippetType, errors, required: false);
        var archived = p.Bool("archived");
        if (errors.Count > 0) return V4Error.Unprocessable(errors);
        if (body is not null && body != CurrentBody(snippet))
        {
            if (await SnippetReferences.IsCircularAsync(db, caller.AccountId, snippet.Key, body, ct))
                return V4Error.Unprocessable(SnippetReferences.CircularMessage);
            SetBody(snippet, body);
            snippet.Version++;
        }
        if (archived is { } a) snippet.Archived = a;
        if (db.ChangeTracker.HasChanges()) snippet.UpdatedAt = time.UtcNowSeconds();
        await db.SaveChangesAsync(ct);
        return V4Json.Ok(new SnippetEnvelope(ToResponse(snippet)));
    }

    /// <summary>The body the request gives for a snippet of <paramref name="type"/> (null when it gives none and none is required).</summary>
    static string? Body(ApiParams p, string type, List<string> errors, bool required)
    {
        var inline = type == SnippetTypes.Inline;
        var field = inline ? "content" : "document_attributes.value_html";
        var given = p.Root.ContainsKey(inline ? "content" : "document_attributes");
        var body = inline ? Raw(p.Node("content"), "content")
            : p.Object("document_attributes") is { } document ? Raw(document["value_html"], "value_html") : null;
        if (body is null)
        {
            if (required || given) errors.Add(inline ? ContentBlank : ValueHtmlBlank);
            return null;
        }
        if (LiquidTemplates.Problem(body) is { } problem)
        {
            errors.Add(NotLiquid(field, problem));
            return null;
        }
        return body;
    }

    // Bodies are stored verbatim (not trimmed, unlike other parameters): whitespace can matter in an email. Blank is absent.
    static string? Raw(JsonNode? node, string name) =>
        ApiParams.AsString(node, name) is not { } text ? null
            : node is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : text;

    static string? CurrentBody(Snippet s) => s.SnippetType == SnippetTypes.Block ? s.ValueHtml : s.Content;

    static void SetBody(Snippet s, string? body)
    {
        if (s.SnippetType == SnippetTypes.Block) s.ValueHtml = body;
        else s.Content = body;
    }

    /// <summary>The key derived from <paramref name="name"/>, with -2, -3… when the account already has it (archived ones too).</summary>
    static async Task<string> FreeKeyAsync(AppDbContext db, long accountId, string name, CancellationToken ct)
    {
        var stem = Slugs.From(name);
        if (stem.Length == 0) stem = FallbackKey;
        if (stem.Length > MaxKeyStem) stem = stem[..MaxKeyStem].TrimEnd('-');
        var taken = (await db.Snippets.AsNoTracking().Where(s => s.AccountId == accountId && s.Key.StartsWith(stem))
            .Select(s => s.Key).ToListAsync(ct)).ToHashSet(StringComparer.Ordinal);
        if (!taken.Contains(stem)) return stem;
        for (var n = 2; ; n++)
            if (!taken.Contains($"{stem}-{n}")) return $"{stem}-{n}";
    }

    static SnippetResponse ToResponse(Snippet s) =>
        new(s.Id, s.Name, s.SnippetType, s.Archived, s.Key, s.CreatedAt, s.UpdatedAt, CurrentBody(s) ?? "",
            // inferred: the document's id is the snippet's (one row here); an inline snippet has no HTML, answered as ""
            // because the update answer's schema types value_html as a string; a block snippet's content is its HTML.
            new DocumentResponse(s.Id, null, s.SnippetType == SnippetTypes.Block ? s.ValueHtml ?? "" : "", null, s.Version));
}
