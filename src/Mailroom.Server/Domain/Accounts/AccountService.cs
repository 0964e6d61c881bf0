namespace Mailroom.Server.Domain.Accounts;

public sealed record NewAccount(Account Account, string ApiKey, string ApiSecret);

/// <summary>Creates accounts and their credentials; shared by the CLI, seed files and the first-run demo.</summary>
public sealed class AccountService(AppDbContext db, TimeProvider time)
{
    /// <summary>Adds an account to the context (not saved) and returns the plain credentials, shown once.</summary>
    public NewAccount Add(string name, string email, string? plan = null, string? apiKey = null, string? apiSecret = null, int? rateLimit = null)
    {
        var key = apiKey ?? Credentials.NewKey();
        var secret = apiSecret ?? Credentials.NewSecret();
        var account = new Account
        {
            Name = name,
            PrimaryEmailAddress = email,
            PlanType = string.IsNullOrWhiteSpace(plan) ? "creator" : plan,
            ApiKeyHash = Credentials.Hash(key),
            ApiSecretHash = Credentials.Hash(secret),
            RateLimitPerMinute = rateLimit,
            CreatedAt = time.UtcNowSeconds(),
        };
        db.Accounts.Add(account);
        return new NewAccount(account, key, secret);
    }

    public async Task<(string ApiKey, string ApiSecret)?> RotateKeysAsync(long accountId, CancellationToken ct)
    {
        var account = await db.Accounts.FirstOrDefaultAsync(a => a.Id == accountId, ct);
        if (account is null) return null;
        var key = Credentials.NewKey();
        var secret = Credentials.NewSecret();
        account.ApiKeyHash = Credentials.Hash(key);
        account.ApiSecretHash = Credentials.Hash(secret);
        await db.SaveChangesAsync(ct);
        return (key, secret);
    }
}
