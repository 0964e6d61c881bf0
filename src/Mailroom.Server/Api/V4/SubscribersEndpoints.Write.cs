using Mailroom.Server.Api.V3;
using Mailroom.Server.Data;
using Mailroom.Server.Domain;
using Mailroom.Server.Domain.CustomFields;
using Mailroom.Server.Domain.Outbox;
using Mailroom.Server.Domain.Subscribers;

namespace Mailroom.Server.Api.V4;

/// <summary>POST /v4/subscribers (upsert on the address) and PUT /v4/subscribers/{id}.</summary>
static partial class SubscribersEndpoints
{
    /// <summary>
    /// Kit answers 202 when a write carries more than this many custom fields, and applies them later (v4 notes §3.5).
    /// Mailroom applies them at once and answers the documented 202, so the body already shows the values.
    /// </summary>
    const int SynchronousFieldLimit = 10;
    static readonly string[] States =
        [SubscriberStates.Active, SubscriberStates.Cancelled, SubscriberStates.Bounced, SubscriberStates.Complained, SubscriberStates.Inactive];

    // inferred: the document names the 140-field limit and the valid states but shows no messages for them.
    public static string TooManyFields(int max) => $"A maximum of {max} custom fields can be created or updated at a time";
    public const string StateInvalid = "state must be one of: active, cancelled, bounced, complained, inactive";
    public static string UnknownFieldWarning(string key) => $"Custom field `{key}` does not exist and was ignored";

    sealed record WriteInput(string? Email, string? FirstName, Dictionary<string, string?>? Fields, int FieldCount);

    /// <summary>The write's parameters and limits, checked before anything is read or written; null error when acceptable.</summary>
    static string? ReadWrite(ApiParams p, string? currentEmail, out WriteInput input)
    {
        var fieldsParam = p.Object("fields");
        Dictionary<string, string?>? sent = null;
        if (fieldsParam is { Count: > 0 })
        {
            sent = [];
            foreach (var (key, node) in fieldsParam) sent[key] = ApiParams.AsString(node, $"fields[{key}]");
        }
        input = new WriteInput(p.String("email_address"), p.String("first_name"), sent, fieldsParam?.Count ?? 0);
        if (input.FieldCount > CustomFieldKeys.AccountLimit) return TooManyFields(CustomFieldKeys.AccountLimit);
        // An update that keeps the current address does not check it again (it may predate a tightened rule).
        var email = input.Email == currentEmail ? null : input.Email;
        var violation = SubscriberLimits.Check(email, input.FirstName, sent);
        return violation.IsNone ? null : ApiError.SubscriberViolationMessage(violation);
    }

    /// <summary>The values for keys the account has, and a warning naming each key it does not (the document's <c>warnings</c>).</summary>
    static async Task<(Dictionary<string, string?>? Known, List<string>? Warnings)> SplitFieldsAsync(
        AppDbContext db, long accountId, Dictionary<string, string?>? sent, CancellationToken ct)
    {
        if (sent is null) return (null, null);
        var keys = await db.CustomFields.AsNoTracking().Where(f => f.AccountId == accountId).Select(f => f.Key).ToListAsync(ct);
        var unknown = sent.Keys.Where(k => !keys.Contains(k)).Select(UnknownFieldWarning).ToList();
        return (sent.Where(f => keys.Contains(f.Key)).ToDictionary(), unknown.Count > 0 ? unknown : null);
    }

    static async Task<Results<JsonHttpResult<SubscriberEnvelope>, JsonHttpResult<V4Error>>> Create(
        ApiParams p, V4Caller caller, AppDbContext db, SubscriberService service, TimeProvider time, CancellationToken ct)
    {
        var problem = ReadWrite(p, currentEmail: null, out var input);
        // inferred: a missing address is "invalid" too (the one message the document shows for this operation).
        if (input.Email is null) problem ??= V4Error.EmailInvalid;
        var state = p.String("state")?.ToLowerInvariant() ?? SubscriberStates.Active;
        if (problem is null && !States.Contains(state)) problem = StateInvalid;
        if (problem is not null) return V4Error.Unprocessable(problem);
        var (fields, warnings) = await SplitFieldsAsync(db, caller.AccountId, input.Fields, ct);

        Subscriber subscriber;
        bool created;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                (subscriber, created) = await UpsertAsync(caller.AccountId, input, state, fields, db, service, time, ct);
                break;
            }
            catch (DbUpdateException e) when (attempt == 1 && UniqueViolation.Is(e))
            {
                // A concurrent create of the same address won: this call becomes the update of that subscriber.
                db.ChangeTracker.Clear();
            }
        }

        var view = (await V4SubscriberViews.LoadAsync(db, caller.AccountId, [subscriber.Id], new HashSet<string>(), ct))[0];
        var body = new SubscriberEnvelope(view) { Warnings = warnings };
        return input.FieldCount > SynchronousFieldLimit ? V4Json.Accepted(body) : V4Json.OkOrCreated(body, created);
    }

    /// <summary>
    /// "Behaves as an upsert": a new address is created in <paramref name="state"/>; an existing one gets its first
    /// name (and fields) updated, never its state ("Updating the subscriber state with this endpoint is not supported").
    /// A new subscriber is saved before its fields, in one transaction, so field_value_updated can name it.
    /// </summary>
    static async Task<(Subscriber, bool)> UpsertAsync(long accountId, WriteInput input, string state, Dictionary<string, string?>? fields,
        AppDbContext db, SubscriberService service, TimeProvider time, CancellationToken ct)
    {
        var (subscriber, created) = await service.FindOrAddAsync(accountId, input.Email!, state, ct);
        // SQLite: the transaction starts with the first write, never with a read (a deferred transaction that read
        // first fails, rather than waits, when another writer commits in between).
        await using var tx = created ? await db.Database.BeginTransactionAsync(ct) : null;
        if (created)
        {
            if (state == SubscriberStates.Cancelled) subscriber.CancelledAt = subscriber.CreatedAt;
            // inferred: a subscriber created active is an activation, as v3's subscribe raises it for a new address.
            if (state == SubscriberStates.Active) db.Raise(time, accountId, OutboxEvents.SubscriberActivate, subscriber);
            await db.SaveChangesAsync(ct);
        }
        var changes = await service.ApplyDetailsAsync(subscriber, input.FirstName, fields, ct);
        await CustomFieldEvents.RaiseValueUpdatedAsync(db, time, subscriber, changes, ct);
        await db.SaveChangesAsync(ct);
        if (tx is not null) await tx.CommitAsync(ct);
        return (subscriber, created);
    }

    static async Task<Results<JsonHttpResult<SubscriberEnvelope>, JsonHttpResult<V4Error>>> Update(
        long id, ApiParams p, V4Caller caller, AppDbContext db, SubscriberService service, TimeProvider time, CancellationToken ct)
    {
        var subscriber = await db.Subscribers.FirstOrDefaultAsync(s => s.Id == id && s.AccountId == caller.AccountId, ct);
        if (subscriber is null) return V4Error.NotFound();
        // inferred: the document marks email_address required, but Kit's clients send only what changes; a missing
        // address keeps the current one.
        var problem = ReadWrite(p, currentEmail: subscriber.EmailAddress, out var input);
        if (problem is not null) return V4Error.Unprocessable(problem);
        var emailChanged = input.Email is not null && input.Email != subscriber.EmailAddress;
        var (fields, warnings) = await SplitFieldsAsync(db, caller.AccountId, input.Fields, ct);

        if (emailChanged)
        {
            if (await EmailTakenAsync(db, subscriber, input.Email!, ct)) return V4Error.Unprocessable(V4Error.EmailTaken);
            subscriber.EmailAddress = input.Email!;
            subscriber.NormalizedEmail = EmailAddress.Normalize(input.Email!);
            subscriber.UpdatedAt = time.UtcNowSeconds();
        }
        var changes = await service.ApplyDetailsAsync(subscriber, input.FirstName, fields, ct);
        await CustomFieldEvents.RaiseValueUpdatedAsync(db, time, subscriber, changes, ct);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException) when (emailChanged)
        {
            // Another request took the address between the check and the save; the unique index caught it.
            if (await EmailTakenAsync(db, subscriber, input.Email!, ct)) return V4Error.Unprocessable(V4Error.EmailTaken);
            throw;
        }

        var view = (await V4SubscriberViews.LoadAsync(db, caller.AccountId, [id], new HashSet<string>(), ct))[0];
        var body = new SubscriberEnvelope(view) { Warnings = warnings };
        return input.FieldCount > SynchronousFieldLimit ? V4Json.Accepted(body) : V4Json.Ok(body);
    }

    static Task<bool> EmailTakenAsync(AppDbContext db, Subscriber subscriber, string email, CancellationToken ct)
    {
        var normalized = EmailAddress.Normalize(email);
        return db.Subscribers.AsNoTracking().AnyAsync(s => s.AccountId == subscriber.AccountId
            && s.NormalizedEmail == normalized && s.Id != subscriber.Id, ct);
    }
}
