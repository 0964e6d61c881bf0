using Mailroom.Server.Data;

namespace Mailroom.Server.Domain.Tags;

/// <summary>What a tag name breaks, if anything; each caller words it (the API's Rails-style messages).</summary>
public enum TagProblem { None, NameBlank, NameTooLong, NameTaken, NotFound }

/// <summary>
/// Creating, renaming and deleting one tag for the web app, under the API's rules: names up to 255 characters,
/// unique per account regardless of case (v3 <c>POST /tags</c>, v4 <c>PUT /tags/{id}</c>).
/// </summary>
public sealed class TagService(AppDbContext db, TimeProvider time)
{
    public const int NameMaxLength = 255;

    public async Task<(Tag? Tag, TagProblem Problem)> CreateAsync(long accountId, string? name, CancellationToken ct)
    {
        if (Check(name) is var problem and not TagProblem.None) return (null, problem);
        var normalized = name!.ToLowerInvariant();
        // As v3's create, not v4's idempotent one: a person typing an existing name is told so.
        if (await db.Tags.AnyAsync(t => t.AccountId == accountId && t.NormalizedName == normalized, ct)) return (null, TagProblem.NameTaken);
        var now = time.UtcNowSeconds();
        var tag = new Tag { AccountId = accountId, Name = name, NormalizedName = normalized, CreatedAt = now, UpdatedAt = now };
        db.Tags.Add(tag);
        return await SaveAsync(tag, ct);
    }

    public async Task<(Tag? Tag, TagProblem Problem)> RenameAsync(long accountId, long id, string? name, CancellationToken ct)
    {
        var tag = await db.Tags.FirstOrDefaultAsync(t => t.AccountId == accountId && t.Id == id, ct);
        if (tag is null) return (null, TagProblem.NotFound);
        if (Check(name) is var problem and not TagProblem.None) return (null, problem);
        var normalized = name!.ToLowerInvariant();
        // Renaming a tag to its own name in another case is allowed, as in v4.
        if (await db.Tags.AnyAsync(t => t.AccountId == accountId && t.NormalizedName == normalized && t.Id != id, ct)) return (null, TagProblem.NameTaken);
        if (tag.Name == name) return (tag, TagProblem.None);
        (tag.Name, tag.NormalizedName, tag.UpdatedAt) = (name, normalized, time.UtcNowSeconds());
        return await SaveAsync(tag, ct);
    }

    /// <summary>
    /// Removes the tag and every tagging of it in one transaction; the subscribers stay. inferred: neither Kit API
    /// deletes a tag (Kit's app does), so no webhook fires, as Kit fires no tag_remove for a deleted tag.
    /// </summary>
    public async Task<bool> DeleteAsync(long accountId, long id, CancellationToken ct)
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await db.Subscriptions.Where(s => s.AccountId == accountId && s.SubscribableType == SubscribableTypes.Tag && s.SubscribableId == id)
            .ExecuteDeleteAsync(ct);
        var deleted = await db.Tags.Where(t => t.AccountId == accountId && t.Id == id).ExecuteDeleteAsync(ct);
        await tx.CommitAsync(ct);
        return deleted > 0;
    }

    static TagProblem Check(string? name) =>
        string.IsNullOrWhiteSpace(name) ? TagProblem.NameBlank : name.Length > NameMaxLength ? TagProblem.NameTooLong : TagProblem.None;

    async Task<(Tag?, TagProblem)> SaveAsync(Tag tag, CancellationToken ct)
    {
        try
        {
            await db.SaveChangesAsync(ct);
            return (tag, TagProblem.None);
        }
        catch (DbUpdateException e) when (UniqueViolation.Is(e))
        {
            // A concurrent request took the name between the check and the write.
            db.ChangeTracker.Clear();
            return (null, TagProblem.NameTaken);
        }
    }
}
