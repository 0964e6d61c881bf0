using Mailroom.Server.Api.V3;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Mailroom.Server.Domain.Sequences;
using Mailroom.Server.Domain.Subscriptions;

namespace Mailroom.Server.Api.V4;

/// <summary>
/// /v4/sequences: the sequence settings over <see cref="SequenceEditor"/> (which holds every rule and message) and
/// the sequence's subscribers over <see cref="V4Memberships"/>. Wire format only.
/// </summary>
static class SequencesEndpoints
{
    public sealed record SourceResponse(string Type, IReadOnlyList<long> Ids);

    public sealed record SequenceResponse(long Id, string Name, bool Hold, bool Repeat, DateTime CreatedAt, DateTime UpdatedAt,
        string? EmailAddress, long? EmailTemplateId, IReadOnlyList<string> SendDays, int SendHour, string TimeZone, bool Active,
        IReadOnlyList<SourceResponse> ExcludeSubscriberSources, int EmailCount, int SubscriberCount)
    {
        [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
        public V4Stats? Stats { get; init; }
    }

    public sealed record SequenceEnvelope(SequenceResponse Sequence);
    public sealed record SequencesResponse(IReadOnlyList<SequenceResponse> Sequences, V4Pagination Pagination);
    public sealed record MemberResponse(long Id, string? FirstName, string EmailAddress, string State, DateTime CreatedAt, DateTime AddedAt,
        IReadOnlyDictionary<string, string?> Fields);
    public sealed record MemberEnvelope(MemberResponse Subscriber);
    public sealed record MembersResponse(IReadOnlyList<MemberResponse> Subscribers, V4Pagination Pagination);

    public static RouteGroupBuilder MapV4Sequences(this RouteGroupBuilder v4)
    {
        v4.MapGet("/sequences", List).WithTags("Sequences").WithSummary("List sequences").V4Errors(401);
        // inferred: Kit documents a 403 "if the current account is unauthorized to create a sequence". Every Mailroom
        // account may make sequences, so the one 403 is the pipeline's, for an OAuth token granted only `read`.
        v4.MapPost("/sequences", Create).WithTags("Sequences").WithSummary("Create a sequence").V4Errors(401, 403, 422);
        v4.MapGet("/sequences/{id:long}", Get).WithTags("Sequences").WithSummary("Get a sequence").V4Errors(401, 404);
        v4.MapPut("/sequences/{id:long}", Update).WithTags("Sequences").WithSummary("Update a sequence").V4Errors(401, 404, 422);
        v4.MapDelete("/sequences/{id:long}", Delete).WithTags("Sequences").WithSummary("Delete a sequence").V4Errors(401, 404);
        v4.MapGet("/sequences/{sequence_id:long}/subscribers", ListSubscribers).WithTags("Sequences")
            .WithSummary("List subscribers for a sequence").V4Errors(401, 404);
        v4.MapPost("/sequences/{sequence_id:long}/subscribers", AddSubscriberByEmail).WithTags("Sequences")
            .WithSummary("Add subscriber to sequence by email address").V4Errors(401, 404, 422);
        v4.MapPost("/sequences/{sequence_id:long}/subscribers/{id:long}", AddSubscriber).WithTags("Sequences")
            .WithSummary("Add subscriber to sequence").V4Errors(401, 404);
        return v4;
    }

    static async Task<JsonHttpResult<SequencesResponse>> List(V4Caller caller, V4Page page, ApiParams p, AppDbContext db, CancellationToken ct)
    {
        var slice = await page.ReadAsync(db.Sequences.AsNoTracking().Where(s => s.AccountId == caller.AccountId), s => s.Id, ct);
        return V4Json.Ok(new SequencesResponse(await ToResponsesAsync(db, caller.AccountId, slice.Items, V4Stats.Wanted(p), ct), slice.Pagination));
    }

    static async Task<Results<JsonHttpResult<SequenceEnvelope>, JsonHttpResult<V4Error>>> Create(V4Caller caller, ApiParams p,
        SequenceEditor editor, AppDbContext db, CancellationToken ct)
    {
        var settings = ReadSettings(p);
        if (settings.Error is { } error) return V4Error.Unprocessable(error);
        try
        {
            var sequence = await editor.CreateAsync(caller.AccountId, settings.Value!, ct);
            return V4Json.Created(new SequenceEnvelope((await ToResponsesAsync(db, caller.AccountId, [sequence], false, ct))[0]));
        }
        catch (SequenceRuleException e)
        {
            return V4Error.Unprocessable(e.Message);
        }
    }

    static async Task<Results<JsonHttpResult<SequenceEnvelope>, JsonHttpResult<V4Error>>> Get(long id, V4Caller caller, ApiParams p,
        AppDbContext db, CancellationToken ct)
    {
        var sequence = await db.Sequences.AsNoTracking().FirstOrDefaultAsync(s => s.AccountId == caller.AccountId && s.Id == id, ct);
        if (sequence is null) return V4Error.NotFound();
        return V4Json.Ok(new SequenceEnvelope((await ToResponsesAsync(db, caller.AccountId, [sequence], V4Stats.Wanted(p), ct))[0]));
    }

    static async Task<Results<JsonHttpResult<SequenceEnvelope>, JsonHttpResult<V4Error>>> Update(long id, V4Caller caller, ApiParams p,
        SequenceEditor editor, AppDbContext db, CancellationToken ct)
    {
        if (!await db.Sequences.AnyAsync(s => s.AccountId == caller.AccountId && s.Id == id, ct)) return V4Error.NotFound();
        var settings = ReadSettings(p);
        if (settings.Error is { } error) return V4Error.Unprocessable(error);
        // Present but blank is a rename to nothing, refused; absent leaves the name alone.
        var value = p.Root.ContainsKey("name") && settings.Value!.Name is null ? settings.Value with { Name = "" } : settings.Value!;
        try
        {
            var sequence = await editor.UpdateAsync(caller.AccountId, id, value, ct);
            return V4Json.Ok(new SequenceEnvelope((await ToResponsesAsync(db, caller.AccountId, [sequence], false, ct))[0]));
        }
        catch (SequenceRuleException e) when (e.Message == SequenceRules.NotFound("sequence", id))
        {
            return V4Error.NotFound();
        }
        catch (SequenceRuleException e)
        {
            return V4Error.Unprocessable(e.Message);
        }
    }

    static async Task<Results<NoContent, JsonHttpResult<V4Error>>> Delete(long id, V4Caller caller, SequenceEditor editor, CancellationToken ct)
    {
        try
        {
            await editor.DeleteAsync(caller.AccountId, id, ct);
            return TypedResults.NoContent();
        }
        catch (SequenceRuleException)
        {
            return V4Error.NotFound();
        }
    }

    static async Task<Results<JsonHttpResult<MembersResponse>, JsonHttpResult<V4Error>>> ListSubscribers(long sequence_id, V4Caller caller,
        ApiParams p, V4Page page, AppDbContext db, CancellationToken ct)
    {
        if (!await db.Sequences.AnyAsync(s => s.AccountId == caller.AccountId && s.Id == sequence_id, ct)) return V4Error.NotFound();
        var (items, pagination) = await V4Memberships.ListAsync(db, p, page, caller.AccountId, SubscribableTypes.Course, sequence_id, ct);
        return V4Json.Ok(new MembersResponse([.. items.Select(ToResponse)], pagination));
    }

    static Task<Results<JsonHttpResult<MemberEnvelope>, JsonHttpResult<V4Error>>> AddSubscriberByEmail(long sequence_id, V4Caller caller,
        ApiParams p, AppDbContext db, SubscriptionService service, CancellationToken ct) =>
        AddAsync(sequence_id, null, p.String("email_address"), caller, db, service, ct);

    static Task<Results<JsonHttpResult<MemberEnvelope>, JsonHttpResult<V4Error>>> AddSubscriber(long sequence_id, long id, V4Caller caller,
        AppDbContext db, SubscriptionService service, CancellationToken ct) =>
        AddAsync(sequence_id, id, null, caller, db, service, ct);

    static async Task<Results<JsonHttpResult<MemberEnvelope>, JsonHttpResult<V4Error>>> AddAsync(long sequenceId, long? subscriberId,
        string? email, V4Caller caller, AppDbContext db, SubscriptionService service, CancellationToken ct)
    {
        var active = await db.Sequences.Where(s => s.AccountId == caller.AccountId && s.Id == sequenceId).Select(s => (bool?)s.Active).FirstOrDefaultAsync(ct);
        if (active is null) return V4Error.NotFound();
        // inferred: Kit documents "Sequence is inactive" on the by-email call only; the by-id call adds to the same
        // sequence, so a paused one refuses both alike.
        if (active == false) return V4Error.Unprocessable(V4Error.SequenceInactive);
        // inferred: the document shows no message for a missing email_address here; a missing one, like an unknown
        // one, names no subscriber of the account: 404.
        var (error, member, created) = await V4Memberships.AddAsync(db, service, caller.AccountId, SubscribableTypes.Course, sequenceId, subscriberId, email, null, ct);
        if (error != V4Memberships.AddError.None) return V4Error.NotFound();
        return V4Json.OkOrCreated(new MemberEnvelope(ToResponse(member!)), created);
    }

    static MemberResponse ToResponse(V4Memberships.Member m) =>
        new(m.Subscriber.Id, m.Subscriber.FirstName, m.Subscriber.EmailAddress, m.Subscriber.State, m.Subscriber.CreatedAt, m.Subscription.CreatedAt, m.Subscriber.Fields);

    /// <summary>The request's settings, or the first reason they cannot be read (Kit answers one message at a time).</summary>
    static (SequenceSettings? Value, string? Error) ReadSettings(ApiParams p)
    {
        int? sendHour = null;
        if (p.Node("send_hour") is { } hourNode)
        {
            // Kit's one documented create error: anything but a whole number 0–23, a string or 9.5 included.
            if (hourNode is not JsonValue hv || hv.GetValueKind() != JsonValueKind.Number || !hv.TryGetValue<int>(out var hour))
                return (null, SequenceRules.SendHourRange);
            sendHour = hour;
        }
        List<string>? sendDays = null;
        if (p.Root.ContainsKey("send_days"))
        {
            if (p.Node("send_days") is not JsonArray days || days.Any(d => d is not JsonValue v || v.GetValueKind() != JsonValueKind.String))
                return (null, SequenceRules.SendDaysInvalid);
            sendDays = [.. days.Select(d => d!.GetValue<string>())];
            if (sendDays.Count == 0) return (null, SequenceRules.SendDaysInvalid);
        }
        List<ExcludedSource>? sources = null;
        if (p.Root.ContainsKey("exclude_subscriber_sources"))
        {
            if (p.Node("exclude_subscriber_sources") is not JsonArray items) return (null, SequenceRules.ExcludeTypeInvalid);
            sources = [];
            foreach (var item in items)
            {
                if (item is not JsonObject o || o["type"] is not JsonValue t || t.GetValueKind() != JsonValueKind.String
                    || SequenceRules.ExcludeType(t.GetValue<string>()) is not null)
                    return (null, SequenceRules.ExcludeTypeInvalid);
                var ids = o["ids"] is JsonArray a ? a.Select(n => ApiParams.AsLong(n, "exclude_subscriber_sources ids")).ToList() : null;
                if (ids is null || ids.Any(i => i is null)) return (null, SequenceRules.ExcludeIdsInvalid);
                sources.Add(new ExcludedSource(t.GetValue<string>(), [.. ids.Select(i => i!.Value)]));
            }
        }
        string? timeZone = p.String("time_zone");
        if (p.Root.ContainsKey("time_zone") && timeZone is null) return (null, SequenceRules.TimeZoneInvalid);
        return (new SequenceSettings(
            Name: p.String("name"),
            Hold: p.Bool("hold"), Repeat: p.Bool("repeat"), Active: p.Bool("active"),
            EmailAddress: p.Root.ContainsKey("email_address") ? new Change<string?>(p.String("email_address")) : null,
            EmailTemplateId: p.Root.ContainsKey("email_template_id") ? new Change<long?>(p.Long("email_template_id")) : null,
            SendDays: sendDays, SendHour: sendHour,
            TimeZone: timeZone is null ? null : new Change<string?>(timeZone),
            ExcludeSubscriberSources: sources), null);
    }

    /// <summary>Responses for sequences of one account: email and subscriber counts in one grouped query each.</summary>
    static async Task<List<SequenceResponse>> ToResponsesAsync(AppDbContext db, long accountId, IReadOnlyList<Sequence> sequences, bool stats, CancellationToken ct)
    {
        var ids = sequences.Select(s => s.Id).ToList();
        var account = await db.Accounts.AsNoTracking().Where(a => a.Id == accountId)
            .Select(a => new { Sender = a.SendingEmailAddress ?? a.PrimaryEmailAddress, a.TimeZone }).SingleAsync(ct);
        var emails = await db.SequenceEmails.AsNoTracking().Where(e => ids.Contains(e.SequenceId))
            .GroupBy(e => e.SequenceId).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.Key, g => g.Count, ct);
        var members = await db.Subscriptions.AsNoTracking()
            .Where(s => s.AccountId == accountId && s.SubscribableType == SubscribableTypes.Course && ids.Contains(s.SubscribableId) && s.State == SubscriptionStates.Active)
            .GroupBy(s => s.SubscribableId).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.Key, g => g.Count, ct);
        var totals = stats ? await SequenceEmailStats.ForSequencesAsync(db, ids, ct) : null;
        return [.. sequences.Select(s => new SequenceResponse(s.Id, s.Name, s.Hold, s.Repeat, s.CreatedAt, s.UpdatedAt,
            // "Uses the account's sending email address if not provided" (Kit): the address the emails go out from.
            s.EmailAddress ?? account.Sender, s.EmailTemplateId, SendDays.ToNames(s.SendDays), s.SendHour, s.TimeZone ?? account.TimeZone, s.Active,
            JsonSerializer.Deserialize<List<SourceResponse>>(s.ExcludeSubscriberSources, V4Json.Options) ?? [],
            emails.GetValueOrDefault(s.Id), members.GetValueOrDefault(s.Id))
            { Stats = totals is null ? null : V4Stats.From(totals.GetValueOrDefault(s.Id) ?? EmailStats.None) })];
    }
}
