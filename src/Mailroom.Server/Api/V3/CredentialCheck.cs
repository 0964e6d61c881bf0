using System.Runtime.CompilerServices;
using Mailroom.Server.Domain;
using Microsoft.EntityFrameworkCore.Metadata;

namespace Mailroom.Server.Api.V3;

/// <summary>Resolves api_key / api_secret to an account (spec §1.2).</summary>
static class CredentialCheck
{
    public sealed record Result(long AccountId, bool UsedSecret, int? RateLimitPerMinute);

    public static async Task<(Result? Caller, string? Failure)> AuthenticateAsync(
        AppDbContext db, ApiParams parameters, bool secretRequired, CancellationToken ct)
    {
        var key = SafeString(parameters, "api_key");
        var secret = SafeString(parameters, "api_secret");
        if (key is null && secret is null) return (null, ApiError.KeyNotPresent);

        // Some clients (the Ruby gem) always send both; any supplied credential that is valid and
        // grants the scope is enough. A secret outranks a key.
        var secretAccount = secret is null ? null : await FindAsync(db, Credentials.Hash(secret), wantSecret: true, ct);
        if (secretAccount is not null) return (secretAccount with { UsedSecret = true }, null);

        var keyAccount = key is null ? null : await FindAsync(db, Credentials.Hash(key), wantSecret: false, ct);
        // An api_key sent in the api_secret slot still identifies the account, with the key's scope.
        var secretAsKey = secret is null ? null : await FindAsync(db, Credentials.Hash(secret), wantSecret: false, ct);
        if (keyAccount is null && secretAsKey is null) return (null, ApiError.KeyNotValid);
        if (secretRequired)
            return (null, secret is not null && secretAsKey is null ? ApiError.KeyNotValid : ApiError.InsufficientPermissions);
        return (keyAccount ?? secretAsKey, null);
    }

    static string? SafeString(ApiParams parameters, string name)
    {
        try { return parameters.String(name); }
        catch (ApiParamException) { return null; }
    }

    sealed record Row(long Id, string Stored, int? RateLimitPerMinute);

    /// <summary>
    /// The two lookups, compiled once: every API request runs one, and building and translating the LINQ tree each
    /// time cost more than the indexed lookup itself. A compiled query keeps the model it first ran with, so there is
    /// one pair per model (one per provider: the test suite runs SQLite and PostgreSQL in one process).
    /// </summary>
    sealed class Lookups
    {
        public readonly Func<AppDbContext, string, CancellationToken, Task<Row?>> BySecretHash = EF.CompileAsyncQuery(
            (AppDbContext db, string hash, CancellationToken ct) => db.Accounts.AsNoTracking().Where(a => a.ApiSecretHash == hash)
                .Select(a => new Row(a.Id, a.ApiSecretHash, a.RateLimitPerMinute)).FirstOrDefault());

        public readonly Func<AppDbContext, string, CancellationToken, Task<Row?>> ByKeyHash = EF.CompileAsyncQuery(
            (AppDbContext db, string hash, CancellationToken ct) => db.Accounts.AsNoTracking().Where(a => a.ApiKeyHash == hash)
                .Select(a => new Row(a.Id, a.ApiKeyHash, a.RateLimitPerMinute)).FirstOrDefault());
    }

    static readonly ConditionalWeakTable<IModel, Lookups> ByModel = [];

    static async Task<Result?> FindAsync(AppDbContext db, string hash, bool wantSecret, CancellationToken ct)
    {
        var lookups = ByModel.GetValue(db.Model, _ => new Lookups());
        var row = await (wantSecret ? lookups.BySecretHash : lookups.ByKeyHash)(db, hash, ct);
        // The index finds the row; the final comparison is constant-time so timing says nothing about the hash.
        if (row is null || !Credentials.HashEquals(row.Stored, hash)) return null;
        return new Result(row.Id, wantSecret, row.RateLimitPerMinute);
    }
}
