using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore.Metadata;

namespace Mailroom.Server.Domain.ApiKeys;

public sealed record NewApiKey(ApiKey Row, string Key);

/// <summary>
/// v4 API keys: created with their plain value shown once, stored as SHA-256, listed without it, revoked for good.
/// v3's api_key/api_secret live on the account and are a different thing: neither kind opens the other API.
/// </summary>
public sealed class ApiKeyService(AppDbContext db, TimeProvider time)
{
    /// <summary>Kit's v4 keys begin with <c>kit_</c>; so do ours, so a key pasted into the wrong API is easy to spot.</summary>
    public const string Prefix = "kit_";
    public const int MaxNameLength = 255;

    public async Task<NewApiKey?> CreateAsync(long accountId, string? name, CancellationToken ct)
    {
        if (!await db.Accounts.AnyAsync(a => a.Id == accountId, ct)) return null;
        var key = Prefix + Credentials.NewKey();
        var row = new ApiKey
        {
            AccountId = accountId,
            Name = string.IsNullOrWhiteSpace(name) ? "API key" : name.Trim(),
            KeyHash = Credentials.Hash(key),
            Hint = key[^4..],
            CreatedAt = time.UtcNowSeconds(),
        };
        db.ApiKeys.Add(row);
        await db.SaveChangesAsync(ct);
        return new NewApiKey(row, key);
    }

    public Task<List<ApiKey>> ListAsync(long accountId, CancellationToken ct) =>
        db.ApiKeys.AsNoTracking().Where(k => k.AccountId == accountId).OrderBy(k => k.Id).ToListAsync(ct);

    /// <returns>false when the account holds no such key; revoking twice is not an error.</returns>
    public async Task<bool> RevokeAsync(long accountId, long keyId, CancellationToken ct)
    {
        var row = await db.ApiKeys.FirstOrDefaultAsync(k => k.AccountId == accountId && k.Id == keyId, ct);
        if (row is null) return false;
        row.RevokedAt ??= time.UtcNowSeconds();
        await db.SaveChangesAsync(ct);
        return true;
    }

    sealed record Row(long Id, long AccountId, string KeyHash);

    sealed class Lookup
    {
        // Compiled once per model (one per provider): every v4 request runs it.
        public readonly Func<AppDbContext, string, CancellationToken, Task<Row?>> ByHash = EF.CompileAsyncQuery(
            (AppDbContext db, string hash, CancellationToken ct) => db.ApiKeys.AsNoTracking()
                .Where(k => k.KeyHash == hash && k.RevokedAt == null).Select(k => new Row(k.Id, k.AccountId, k.KeyHash)).FirstOrDefault());
    }

    static readonly ConditionalWeakTable<IModel, Lookup> ByModel = [];

    /// <summary>The live key's account, or null. The index finds the row; the final comparison is constant-time.</summary>
    public static async Task<(long KeyId, long AccountId)?> FindAsync(AppDbContext db, string key, CancellationToken ct)
    {
        if (key.Length > 256) return null;
        var hash = Credentials.Hash(key);
        var row = await ByModel.GetValue(db.Model, _ => new Lookup()).ByHash(db, hash, ct);
        if (row is null || !Credentials.HashEquals(row.KeyHash, hash)) return null;
        return (row.Id, row.AccountId);
    }
}
