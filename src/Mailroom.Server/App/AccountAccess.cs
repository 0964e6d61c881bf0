using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;

namespace Mailroom.Server.App;

/// <summary>The signed-in user's membership of one account: what the role in the URL's account allows.</summary>
public sealed record AccountMember(long UserId, long AccountId, string AccountName, string Role)
{
    /// <summary>Content and subscribers: owners and editors.</summary>
    public bool CanEdit => Role is AccountRoles.Owner or AccountRoles.Editor;
    /// <summary>Keys, apps and users.</summary>
    public bool IsOwner => Role == AccountRoles.Owner;
}

public sealed record AccountChoice(long Id, string Name, string Role);

/// <summary>Thrown by an action the user's role does not allow; a page refuses before it changes anything.</summary>
public sealed class AccountAccessDenied() : Exception("Your role in this account does not allow this.");

/// <summary>
/// Who is signed in and what they may do in an account, read from the session cookie's user and
/// AccountMemberships. Scoped: one per request for static pages, one per circuit for interactive ones.
/// </summary>
public sealed class AccountAccess(IDbContextFactory<AppDbContext> dbs, AuthenticationStateProvider auth)
{
    readonly Dictionary<long, Task<AccountMember?>> _loaded = [];

    public async Task<ClaimsPrincipal> UserAsync() => (await auth.GetAuthenticationStateAsync()).User;

    public async Task<long?> UserIdAsync() =>
        long.TryParse((await UserAsync()).FindFirstValue(ClaimTypes.NameIdentifier), out var id) ? id : null;

    public async Task<string?> EmailAsync()
    {
        var user = await UserAsync();
        return user.FindFirstValue(ClaimTypes.Email) ?? user.Identity?.Name;
    }

    /// <summary>The membership, or null when the user is not in the account (or it does not exist: the same answer).</summary>
    public Task<AccountMember?> MemberAsync(long accountId)
    {
        // The layout and the page both ask while rendering one request: one query.
        if (!_loaded.TryGetValue(accountId, out var member)) _loaded[accountId] = member = ReadAsync(accountId);
        return member;
    }

    /// <summary>
    /// The role read again from the database, for an action: a circuit outlives the page load, and a role taken
    /// away since must stop what the page still shows.
    /// </summary>
    public async Task<AccountMember> RequireAsync(long accountId, Func<AccountMember, bool> allowed)
    {
        _loaded.Remove(accountId);
        var member = await MemberAsync(accountId);
        if (member is null || !allowed(member)) throw new AccountAccessDenied();
        return member;
    }

    public async Task<IReadOnlyList<AccountChoice>> AccountsAsync()
    {
        if (await UserIdAsync() is not { } userId) return [];
        await using var db = await dbs.CreateDbContextAsync();
        return await db.AccountMemberships.AsNoTracking().Where(m => m.UserId == userId)
            .Join(db.Accounts, m => m.AccountId, a => a.Id, (m, a) => new { a.Id, a.Name, m.Role })
            .OrderBy(a => a.Id).Select(a => new AccountChoice(a.Id, a.Name, a.Role)).ToListAsync();
    }

    async Task<AccountMember?> ReadAsync(long accountId)
    {
        if (await UserIdAsync() is not { } userId) return null;
        await using var db = await dbs.CreateDbContextAsync();
        return await db.AccountMemberships.AsNoTracking().Where(m => m.UserId == userId && m.AccountId == accountId)
            .Join(db.Accounts, m => m.AccountId, a => a.Id, (m, a) => new AccountMember(userId, a.Id, a.Name, m.Role))
            .SingleOrDefaultAsync();
    }
}
