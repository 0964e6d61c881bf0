using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Mailroom.Server.Api.V3;
using Mailroom.Server.Domain.Sequences;

namespace Mailroom.Server.Api.V4;

/// <summary>
/// /v4/sequences/{sequence_id}/emails: a sequence's emails over <see cref="SequenceEditor"/>, which holds Kit's rules
/// (positions unique per sequence, appended when omitted; only the first email immediate; send_days only on day delays).
/// </summary>
static class SequenceEmailsEndpoints
{
    public record EmailResponse(long Id, long SequenceId, string Subject, string? PreviewText, string EmailAddress, long? EmailTemplateId,
        bool Published, int Position, int DelayValue, string DelayUnit, IReadOnlyList<string>? SendDays)
    {
        [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull), JsonPropertyOrder(2)]
        public V4Stats? Stats { get; init; }
    }

    /// <summary>The single email (and the list with include_content=true): the same fields and the body.</summary>
    public sealed record EmailWithContentResponse(long Id, long SequenceId, string Subject, string? PreviewText, string EmailAddress,
        long? EmailTemplateId, bool Published, int Position, int DelayValue, string DelayUnit, IReadOnlyList<string>? SendDays,
        // Last, where Kit's examples put it.
        [property: JsonPropertyOrder(1)] string? Content)
        : EmailResponse(Id, SequenceId, Subject, PreviewText, EmailAddress, EmailTemplateId, Published, Position, DelayValue, DelayUnit, SendDays);

    // object: System.Text.Json writes the runtime type, so an email with its content keeps the content.
    public sealed record EmailEnvelope(object Email);
    public sealed record EmailsResponse(IReadOnlyList<object> Emails, V4Pagination Pagination);

    public static RouteGroupBuilder MapV4SequenceEmails(this RouteGroupBuilder v4)
    {
        const string Tag = "Sequence Emails";
        v4.MapGet("/sequences/{sequence_id:long}/emails", List).WithTags(Tag).WithSummary("List sequence emails").V4Errors(401, 404);
        v4.MapPost("/sequences/{sequence_id:long}/emails", Create).WithTags(Tag).WithSummary("Create a sequence email").V4Errors(401, 404, 422);
        v4.MapGet("/sequences/{sequence_id:long}/emails/{id:long}", Get).WithTags(Tag).WithSummary("Get a sequence email").V4Errors(401, 404);
        v4.MapPut("/sequences/{sequence_id:long}/emails/{id:long}", Update).WithTags(Tag).WithSummary("Update a sequence email").V4Errors(401, 404, 422);
        v4.MapDelete("/sequences/{sequence_id:long}/emails/{id:long}", Delete).WithTags(Tag).WithSummary("Delete a sequence email").V4Errors(401, 404);
        return v4;
    }

    static async Task<Results<JsonHttpResult<EmailsResponse>, JsonHttpResult<V4Error>>> List(long sequence_id, V4Caller caller, ApiParams p,
        V4Page page, AppDbContext db, CancellationToken ct)
    {
        var sender = await SenderAsync(db, caller.AccountId, sequence_id, ct);
        if (sender is null) return V4Error.NotFound();
        // In position order, the order subscribers receive them (Kit). inferred: the cursor carries the position alone
        // ([0] rather than Kit's [0,6]); positions are unique per sequence, and cursors are opaque to clients.
        var slice = await page.ReadAsync(db.SequenceEmails.AsNoTracking().Where(e => e.SequenceId == sequence_id), e => (long)e.Position, ct, ascending: true);
        var content = p.Bool("include_content") == true;
        var stats = V4Stats.Wanted(p) ? await SequenceEmailStats.ForSequenceAsync(db, sequence_id, ct) : null;
        return V4Json.Ok(new EmailsResponse([.. slice.Items.Select(e => ToResponse(e, sender, content, stats))], slice.Pagination));
    }

    static async Task<Results<JsonHttpResult<EmailEnvelope>, JsonHttpResult<V4Error>>> Get(long sequence_id, long id, V4Caller caller, ApiParams p,
        AppDbContext db, CancellationToken ct)
    {
        var sender = await SenderAsync(db, caller.AccountId, sequence_id, ct);
        var email = sender is null ? null
            : await db.SequenceEmails.AsNoTracking().FirstOrDefaultAsync(e => e.Id == id && e.SequenceId == sequence_id && e.AccountId == caller.AccountId, ct);
        if (email is null) return V4Error.NotFound();
        var stats = V4Stats.Wanted(p) ? await SequenceEmailStats.ForSequenceAsync(db, sequence_id, ct) : null;
        return V4Json.Ok(new EmailEnvelope(ToResponse(email, sender!, true, stats)));
    }

    static async Task<Results<JsonHttpResult<EmailEnvelope>, JsonHttpResult<V4Error>>> Create(long sequence_id, V4Caller caller, ApiParams p,
        SequenceEditor editor, AppDbContext db, CancellationToken ct)
    {
        var sender = await SenderAsync(db, caller.AccountId, sequence_id, ct);
        if (sender is null) return V4Error.NotFound();
        var (settings, error) = ReadSettings(p);
        if (error is not null) return V4Error.Unprocessable(error);
        try
        {
            var email = await editor.AddEmailAsync(caller.AccountId, sequence_id, settings!, ct);
            return V4Json.Created(new EmailEnvelope(ToResponse(email, sender, true, null)));
        }
        catch (SequenceRuleException e) when (e.Message == SequenceRules.NotFound("sequence", sequence_id))
        {
            return V4Error.NotFound();
        }
        catch (SequenceRuleException e)
        {
            return V4Error.Unprocessable(e.Message);
        }
    }

    static async Task<Results<JsonHttpResult<EmailEnvelope>, JsonHttpResult<V4Error>>> Update(long sequence_id, long id, V4Caller caller, ApiParams p,
        SequenceEditor editor, AppDbContext db, CancellationToken ct)
    {
        var sender = await SenderAsync(db, caller.AccountId, sequence_id, ct);
        if (sender is null) return V4Error.NotFound();
        var (settings, error) = ReadSettings(p);
        if (error is not null) return V4Error.Unprocessable(error);
        // Present but blank is a new subject of nothing, refused; absent leaves the subject alone.
        if (p.Root.ContainsKey("subject") && settings!.Subject is null) settings = settings with { Subject = "" };
        try
        {
            var email = await editor.UpdateEmailAsync(caller.AccountId, sequence_id, id, settings!, ct);
            return V4Json.Ok(new EmailEnvelope(ToResponse(email, sender, true, null)));
        }
        catch (SequenceRuleException e) when (e.Message == SequenceRules.NotFound("sequence", sequence_id) || e.Message == SequenceRules.NotFound("email", id))
        {
            return V4Error.NotFound();
        }
        catch (SequenceRuleException e)
        {
            return V4Error.Unprocessable(e.Message);
        }
    }

    static async Task<Results<NoContent, JsonHttpResult<V4Error>>> Delete(long sequence_id, long id, V4Caller caller, SequenceEditor editor, CancellationToken ct)
    {
        try
        {
            await editor.DeleteEmailAsync(caller.AccountId, sequence_id, id, ct);
            return TypedResults.NoContent();
        }
        catch (SequenceRuleException)
        {
            return V4Error.NotFound();
        }
    }

    /// <summary>The address the sequence's emails go out from (its own, else the account's); null when the sequence is not the caller's.</summary>
    static Task<string?> SenderAsync(AppDbContext db, long accountId, long sequenceId, CancellationToken ct) =>
        db.Sequences.AsNoTracking().Where(s => s.Id == sequenceId && s.AccountId == accountId)
            .Select(s => s.EmailAddress ?? db.Accounts.Where(a => a.Id == accountId).Select(a => a.SendingEmailAddress ?? a.PrimaryEmailAddress).First())
            .FirstOrDefaultAsync(ct);

    static EmailResponse ToResponse(SequenceEmail e, string sender, bool content, Dictionary<long, EmailStats>? stats)
    {
        // An hour delay ignores the schedule, so Kit answers send_days null; a day email without its own days shows all 7.
        var days = e.DelayUnit == DelayUnits.Hours ? null : SendDays.ToNames(e.SendDays ?? SendDays.All);
        var statsView = stats is null ? null : V4Stats.From(stats.Of(e.Id));
        return content
            ? new EmailWithContentResponse(e.Id, e.SequenceId, e.Subject, e.PreviewText, sender, e.EmailTemplateId, e.Published, e.Position,
                e.DelayValue, e.DelayUnit, days, e.Content) { Stats = statsView }
            : new EmailResponse(e.Id, e.SequenceId, e.Subject, e.PreviewText, sender, e.EmailTemplateId, e.Published, e.Position,
                e.DelayValue, e.DelayUnit, days) { Stats = statsView };
    }

    static (EmailSettings? Value, string? Error) ReadSettings(ApiParams p)
    {
        Change<IReadOnlyList<string>?>? sendDays = null;
        if (p.Root.ContainsKey("send_days"))
        {
            // null resets to the sequence's days (Kit).
            var node = p.Node("send_days");
            if (node is not null && (node is not JsonArray days || days.Count == 0
                    || days.Any(d => d is not JsonValue v || v.GetValueKind() != JsonValueKind.String)))
                return (null, SequenceRules.SendDaysInvalid);
            sendDays = new Change<IReadOnlyList<string>?>(node is JsonArray a ? [.. a.Select(d => d!.GetValue<string>())] : null);
        }
        return (new EmailSettings(
            Subject: p.String("subject"),
            PreviewText: p.Root.ContainsKey("preview_text") ? new Change<string?>(Verbatim(p, "preview_text")) : null,
            Content: p.Root.ContainsKey("content") ? new Change<string?>(Verbatim(p, "content")) : null,
            DelayValue: p.Int("delay_value"),
            DelayUnit: p.String("delay_unit"),
            SendDays: sendDays,
            Published: p.Bool("published"),
            Position: p.Int("position"),
            EmailTemplateId: p.Root.ContainsKey("email_template_id") ? new Change<long?>(p.Long("email_template_id")) : null), null);
    }

    /// <summary>A text field kept exactly as sent (HTML bodies are stored verbatim); JSON null clears it.</summary>
    static string? Verbatim(ApiParams p, string name) => p.Node(name) switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        _ => throw new ApiParamException(400, ApiError.MustBeString(name)),
    };
}
