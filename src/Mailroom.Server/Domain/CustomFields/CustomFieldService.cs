using Mailroom.Server.Domain.Outbox;

namespace Mailroom.Server.Domain.CustomFields;

/// <summary>What a label breaks, if anything; each API words it (v3 Rails-style, v4 Kit's v4 messages).</summary>
public enum CustomFieldProblem { LabelBlank, LabelTooLong, LabelTaken, KeyBlank, KeyTaken }

/// <summary>The account's fields as uniqueness checks need them.</summary>
public sealed record ExistingCustomField(long Id, string Label, string Key);

public abstract record CustomFieldOutcome
{
    public sealed record Done(IReadOnlyList<CustomField> Fields) : CustomFieldOutcome;
    public sealed record Invalid(IReadOnlyList<CustomFieldProblem> Problems) : CustomFieldOutcome;
    public sealed record TooMany(int Limit) : CustomFieldOutcome;
    public sealed record NotFound : CustomFieldOutcome;
}

/// <summary>
/// Custom fields for both APIs (spec §4.4, v4 notes §5.10): key generation, the account limit, uniqueness, and the
/// custom_field.* outbox events, so v3 and v4 create, rename and delete a field the same way and raise the same events.
/// </summary>
public sealed class CustomFieldService(AppDbContext db, TimeProvider time)
{
    public const int LabelMaxLength = 255;

    // An account holds at most 140 fields, so uniqueness is checked in memory, case-insensitively.
    public Task<List<ExistingCustomField>> ExistingAsync(long accountId, CancellationToken ct) =>
        db.CustomFields.AsNoTracking().Where(f => f.AccountId == accountId)
            .Select(f => new ExistingCustomField(f.Id, f.Label, f.Key)).ToListAsync(ct);

    /// <summary>
    /// Every problem among <paramref name="labels"/> (distinct, in order), checking them against the account's other
    /// fields and each other; <paramref name="keys"/> gets the generated keys.
    /// </summary>
    public static List<CustomFieldProblem> Check(IReadOnlyList<string?> labels, List<ExistingCustomField> existing, long? exceptId, out List<string> keys)
    {
        var problems = new List<CustomFieldProblem>();
        keys = [];
        var takenLabels = new HashSet<string>(existing.Where(e => e.Id != exceptId).Select(e => e.Label), StringComparer.OrdinalIgnoreCase);
        var takenKeys = new HashSet<string>(existing.Where(e => e.Id != exceptId).Select(e => e.Key), StringComparer.Ordinal);
        foreach (var label in labels)
        {
            var key = label is null ? "" : CustomFieldKeys.KeyFor(label);
            keys.Add(key);
            CustomFieldProblem? problem = label is null ? CustomFieldProblem.LabelBlank
                : label.Length > LabelMaxLength ? CustomFieldProblem.LabelTooLong
                : !takenLabels.Add(label) ? CustomFieldProblem.LabelTaken
                // inferred: a label with no letter or digit Kit can keep ("!!!", "日本") leaves the key empty; a Rails
                // presence check on the derived key would answer exactly this.
                : key.Length == 0 ? CustomFieldProblem.KeyBlank
                : !takenKeys.Add(key) ? CustomFieldProblem.KeyTaken
                : null;
            if (problem is { } p && !problems.Contains(p)) problems.Add(p);
        }
        return problems;
    }

    /// <summary>Creates every label or none (the account limit and uniqueness first), raising field_created for each.</summary>
    public async Task<CustomFieldOutcome> CreateAsync(long accountId, IReadOnlyList<string?> labels, CancellationToken ct)
    {
        var existing = await ExistingAsync(accountId, ct);
        if (existing.Count + labels.Count > CustomFieldKeys.AccountLimit) return new CustomFieldOutcome.TooMany(CustomFieldKeys.AccountLimit);
        var problems = Check(labels, existing, exceptId: null, out var keys);
        if (problems.Count > 0) return new CustomFieldOutcome.Invalid(problems);
        try
        {
            return new CustomFieldOutcome.Done(await AddAsync(accountId, labels, keys, ct));
        }
        catch (DbUpdateException)
        {
            // A concurrent request created the same key between the check and the insert (the unique index
            // caught it): answer as the check would now. Anything else is a real fault.
            db.ChangeTracker.Clear();
            problems = Check(labels, await ExistingAsync(accountId, ct), exceptId: null, out _);
            if (problems.Count > 0) return new CustomFieldOutcome.Invalid(problems);
            throw;
        }
    }

    /// <summary>Inserts the fields, then names them <c>ck_field_&lt;id&gt;_&lt;key&gt;</c> once their ids exist, in one transaction.</summary>
    async Task<List<CustomField>> AddAsync(long accountId, IReadOnlyList<string?> labels, List<string> keys, CancellationToken ct)
    {
        var now = time.UtcNowSeconds();
        var fields = labels.Select((label, i) => new CustomField
        {
            AccountId = accountId, Label = label!, Key = keys[i], CreatedAt = now, UpdatedAt = now,
        }).ToList();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        db.CustomFields.AddRange(fields);
        await db.SaveChangesAsync(ct);
        foreach (var field in fields)
        {
            field.Name = CustomFieldKeys.NameFor(field.Id, field.Key);
            CustomFieldEvents.RaiseCreated(db, time, field);
        }
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return fields;
    }

    /// <summary>
    /// Current Kit docs: the key follows the new label while <c>name</c> keeps its original value (spec §4.4, v4 notes
    /// §5.10). Values are stored by field id, so every subscriber's value shows under the new key at once.
    /// </summary>
    public async Task<CustomFieldOutcome> RenameAsync(long accountId, long id, string? label, CancellationToken ct)
    {
        var field = await db.CustomFields.FirstOrDefaultAsync(f => f.Id == id && f.AccountId == accountId, ct);
        if (field is null) return new CustomFieldOutcome.NotFound();
        var problems = Check([label], await ExistingAsync(accountId, ct), exceptId: id, out var keys);
        if (problems.Count > 0) return new CustomFieldOutcome.Invalid(problems);
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
                problems = Check([label], await ExistingAsync(accountId, ct), exceptId: id, out _);
                if (problems.Count > 0) return new CustomFieldOutcome.Invalid(problems);
                throw;
            }
        }
        return new CustomFieldOutcome.Done([field]);
    }

    /// <summary>Deletes the field and its values in one transaction, raising field_deleted; false when the account has no such field.</summary>
    public async Task<bool> DeleteAsync(long accountId, long id, CancellationToken ct)
    {
        var field = await db.CustomFields.AsNoTracking().FirstOrDefaultAsync(f => f.Id == id && f.AccountId == accountId, ct);
        if (field is null) return false;
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        // The values go explicitly rather than by trusting the FK cascade, in the same transaction as the field.
        await db.SubscriberFieldValues.Where(v => v.CustomFieldId == id).ExecuteDeleteAsync(ct);
        var deleted = await db.CustomFields.Where(f => f.Id == id && f.AccountId == accountId).ExecuteDeleteAsync(ct);
        if (deleted == 0) return false;
        // The body is fixed now: by fan-out time the field is gone.
        CustomFieldEvents.RaiseDeleted(db, time, field);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return true;
    }
}
