using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.WebUtilities;

namespace Mailroom.Server.Domain.Users;

/// <summary>A rule about users was broken (unknown account, bad role, weak password): one line for the CLI or the page.</summary>
public sealed class UserException(string message) : Exception(message);

public sealed record UserRow(long Id, string Email, bool HasPassword, DateTimeOffset? LockedUntil, IReadOnlyList<(long AccountId, string Role)> Accounts);

public sealed record MembershipRow(long AccountId, string AccountName, string Role);

/// <summary>Users, their accounts and one-time sign-in links; the CLI and the sign-in pages share it.</summary>
public sealed class UserService(AppDbContext db, UserManager<User> users, TimeProvider time, PublicUrl publicUrl)
{
    public static readonly TimeSpan LinkLifetime = TimeSpan.FromHours(24);
    // inferred: one reset e-mail per address per 5 minutes. Each request would replace the link of the one before,
    // so a stranger typing someone's address again and again could otherwise flood them and spoil the link they hold.
    public static readonly TimeSpan ResetMailInterval = TimeSpan.FromMinutes(5);
    // The one outstanding link of a user lives in Identity's user_tokens table, hashed; a new link replaces it.
    const string LinkProvider = "Mailroom";
    const string LinkName = "SignInLink";
    public const string SignInPurpose = "signin";
    public const string ResetPurpose = "reset";

    public async Task<(User User, string? Link)> CreateAsync(string email, string? password, long accountId, string role, CancellationToken ct)
    {
        CheckEmail(email);
        CheckRole(role);
        await CheckAccountAsync(accountId, ct);
        if (await users.FindByEmailAsync(email) is not null) throw new UserException($"a user with e-mail {email} already exists");
        var user = new User { UserName = EmailAddress.Normalize(email), Email = EmailAddress.Normalize(email), CreatedAt = time.UtcNowSeconds() };
        Check(password is null ? await users.CreateAsync(user) : await users.CreateAsync(user, password));
        db.AccountMemberships.Add(new AccountMembership { UserId = user.Id, AccountId = accountId, Role = role, CreatedAt = time.UtcNowSeconds() });
        await db.SaveChangesAsync(ct);
        return (user, password is null ? await IssueLinkAsync(user, SignInPurpose) : null);
    }

    /// <summary>Gives the user a role in the account, or changes the role they have there.</summary>
    public async Task GrantAsync(string email, long accountId, string role, CancellationToken ct)
    {
        CheckRole(role);
        var user = await FindAsync(email);
        await CheckAccountAsync(accountId, ct);
        var membership = await db.AccountMemberships.FindAsync([user.Id, accountId], ct);
        if (membership is null)
            db.AccountMemberships.Add(new AccountMembership { UserId = user.Id, AccountId = accountId, Role = role, CreatedAt = time.UtcNowSeconds() });
        else membership.Role = role;
        await db.SaveChangesAsync(ct);
    }

    public const string LastOwnerMessage = "An account must keep at least one owner.";

    /// <summary>
    /// Adds a person to the account (the app's "add user"): a new user gets a one-time sign-in link, as with
    /// <c>mailroom users create</c>; someone who already has a user is given the role and signs in as before (null link).
    /// </summary>
    public async Task<(User User, string? Link)> AddMemberAsync(string email, long accountId, string role, CancellationToken ct)
    {
        CheckEmail(email);
        if (await users.FindByEmailAsync(email) is not { } existing) return await CreateAsync(email, null, accountId, role, ct);
        CheckRole(role);
        if (await db.AccountMemberships.AnyAsync(m => m.UserId == existing.Id && m.AccountId == accountId, ct))
            throw new UserException($"{existing.Email} is already a member of this account");
        await GrantAsync(email, accountId, role, ct);
        return (existing, null);
    }

    /// <summary>Changes a member's role; the account's last owner stays an owner.</summary>
    public async Task ChangeRoleAsync(long accountId, long userId, string role, CancellationToken ct)
    {
        CheckRole(role);
        var membership = await MembershipAsync(accountId, userId, ct);
        if (membership.Role == AccountRoles.Owner && role != AccountRoles.Owner) await CheckAnotherOwnerAsync(accountId, userId, ct);
        membership.Role = role;
        await db.SaveChangesAsync(ct);
    }

    /// <summary>Takes a user out of the account (the user itself stays, with any other accounts); never its last owner.</summary>
    public async Task RemoveMemberAsync(long accountId, long userId, CancellationToken ct)
    {
        var membership = await MembershipAsync(accountId, userId, ct);
        if (membership.Role == AccountRoles.Owner) await CheckAnotherOwnerAsync(accountId, userId, ct);
        db.AccountMemberships.Remove(membership);
        await db.SaveChangesAsync(ct);
    }

    async Task<AccountMembership> MembershipAsync(long accountId, long userId, CancellationToken ct) =>
        await db.AccountMemberships.FirstOrDefaultAsync(m => m.AccountId == accountId && m.UserId == userId, ct)
        ?? throw new UserException($"user {userId} is not a member of account {accountId}");

    // inferred: two owners demoting each other at the same instant could both pass; rare enough for a check, not a lock.
    async Task CheckAnotherOwnerAsync(long accountId, long userId, CancellationToken ct)
    {
        if (!await db.AccountMemberships.AnyAsync(m => m.AccountId == accountId && m.UserId != userId && m.Role == AccountRoles.Owner, ct))
            throw new UserException(LastOwnerMessage);
    }

    public async Task<string> ResetPasswordLinkAsync(string email, CancellationToken ct) =>
        await IssueLinkAsync(await FindAsync(email), ResetPurpose);

    /// <summary>
    /// A reset link for the "forgot password" page, or null when no user has the address or a reset link was issued
    /// less than <see cref="ResetMailInterval"/> ago (the page answers the same either way).
    /// </summary>
    public async Task<(User User, string Link)?> ForgotPasswordLinkAsync(string email)
    {
        if (!EmailAddress.IsValid(email) || await users.FindByEmailAsync(email) is not { } user) return null;
        var stored = await users.GetAuthenticationTokenAsync(user, LinkProvider, LinkName);
        if (stored?.Split('|') is [ResetPurpose, var expiresText, _] && long.TryParse(expiresText, out var expires)
            && DateTimeOffset.FromUnixTimeSeconds(expires) - LinkLifetime > time.GetUtcNow() - ResetMailInterval) return null;
        return (user, await IssueLinkAsync(user, ResetPurpose));
    }

    public async Task<IReadOnlyList<UserRow>> ListAsync(long? accountId, CancellationToken ct)
    {
        if (accountId is { } id) await CheckAccountAsync(id, ct);
        var rows = await db.Users.AsNoTracking()
            .Where(u => accountId == null || db.AccountMemberships.Any(m => m.UserId == u.Id && m.AccountId == accountId))
            .OrderBy(u => u.Id)
            .Select(u => new { u.Id, u.Email, HasPassword = u.PasswordHash != null, u.LockoutEnd })
            .ToListAsync(ct);
        var ids = rows.Select(r => r.Id).ToList();
        var memberships = await db.AccountMemberships.AsNoTracking().Where(m => ids.Contains(m.UserId))
            .OrderBy(m => m.AccountId).ToListAsync(ct);
        var now = time.GetUtcNow();
        return rows.Select(r => new UserRow(r.Id, r.Email ?? "", r.HasPassword, r.LockoutEnd > now ? r.LockoutEnd : null,
            memberships.Where(m => m.UserId == r.Id).Select(m => (m.AccountId, m.Role)).ToList())).ToList();
    }

    public async Task<List<MembershipRow>> MembershipsAsync(long userId, CancellationToken ct) =>
        (await db.AccountMemberships.AsNoTracking().Where(m => m.UserId == userId)
            .Join(db.Accounts, m => m.AccountId, a => a.Id, (m, a) => new { a.Id, a.Name, m.Role })
            .OrderBy(m => m.Id).ToListAsync(ct)).Select(m => new MembershipRow(m.Id, m.Name, m.Role)).ToList();

    /// <summary>A link valid for <see cref="LinkLifetime"/> that signs the user in once (and, for a reset, sets a password).</summary>
    public async Task<string> IssueLinkAsync(User user, string purpose) => LinkFor(await IssueLinkTokenAsync(user, purpose));

    /// <summary>The token alone, for a caller that knows the server's address only later (the first run, before it listens).</summary>
    public async Task<string> IssueLinkTokenAsync(User user, string purpose)
    {
        var secret = RandomNumberGenerator.GetBytes(32);
        var expires = time.GetUtcNow().Add(LinkLifetime).ToUnixTimeSeconds();
        await users.SetAuthenticationTokenAsync(user, LinkProvider, LinkName, $"{purpose}|{expires}|{Hash(secret)}");
        // The user id tells which row to compare with; the secret is what proves the link.
        return $"{user.Id}.{WebEncoders.Base64UrlEncode(secret)}";
    }

    public string LinkFor(string token) => $"{publicUrl.Value}/signin/link?token={Uri.EscapeDataString(token)}";

    /// <summary>The user and purpose of a valid, unused, unexpired link, without using it up (the page a link opens).</summary>
    public async Task<(User User, string Purpose)?> PeekLinkAsync(string? token, CancellationToken ct)
    {
        var found = await ReadLinkAsync(token, ct);
        return found is { } f ? (f.User, f.Purpose) : null;
    }

    /// <summary>Uses the link up: of two requests racing with the same link, only one gets the user.</summary>
    public async Task<(User User, string Purpose)?> RedeemLinkAsync(string? token, CancellationToken ct)
    {
        if (await ReadLinkAsync(token, ct) is not { } found) return null;
        var deleted = await db.UserTokens.Where(t => t.UserId == found.User.Id && t.LoginProvider == LinkProvider
            && t.Name == LinkName && t.Value == found.Stored).ExecuteDeleteAsync(ct);
        return deleted == 1 ? (found.User, found.Purpose) : null;
    }

    async Task<(User User, string Purpose, string Stored)?> ReadLinkAsync(string? token, CancellationToken ct)
    {
        var dot = token?.IndexOf('.') ?? -1;
        if (dot <= 0 || !long.TryParse(token![..dot], out var userId)) return null;
        byte[] secret;
        try { secret = WebEncoders.Base64UrlDecode(token[(dot + 1)..]); }
        catch (FormatException) { return null; }
        var user = await users.FindByIdAsync(userId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (user is null) return null;
        var stored = await users.GetAuthenticationTokenAsync(user, LinkProvider, LinkName);
        var parts = stored?.Split('|');
        if (parts is not { Length: 3 } || !long.TryParse(parts[1], out var expires)) return null;
        if (time.GetUtcNow().ToUnixTimeSeconds() >= expires) return null;
        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Hash(secret)), Encoding.ASCII.GetBytes(parts[2]))) return null;
        return (user, parts[0], stored!);
    }

    /// <summary>Why Identity's validators refuse this password, or null; checked before a link is used up.</summary>
    public async Task<string?> PasswordProblemAsync(User user, string password)
    {
        foreach (var validator in users.PasswordValidators)
        {
            var result = await validator.ValidateAsync(users, user, password);
            if (!result.Succeeded) return string.Join(" ", result.Errors.Select(e => e.Description));
        }
        return null;
    }

    /// <summary>Replaces the password (a reset link); also lifts a lockout, as the person has proved who they are.</summary>
    public async Task SetPasswordAsync(User user, string password)
    {
        if (await PasswordProblemAsync(user, password) is { } problem) throw new UserException(problem);
        if (await users.HasPasswordAsync(user)) Check(await users.RemovePasswordAsync(user));
        Check(await users.AddPasswordAsync(user, password));
        Check(await users.SetLockoutEndDateAsync(user, null));
        Check(await users.ResetAccessFailedCountAsync(user));
    }

    async Task<User> FindAsync(string email)
    {
        CheckEmail(email);
        return await users.FindByEmailAsync(email) ?? throw new UserException($"no user has e-mail {email}");
    }

    async Task CheckAccountAsync(long accountId, CancellationToken ct)
    {
        if (!await db.Accounts.AnyAsync(a => a.Id == accountId, ct)) throw new UserException($"account {accountId} does not exist");
    }

    static void CheckEmail(string email)
    {
        if (!EmailAddress.IsValid(email)) throw new UserException($"{email} is not a valid e-mail address");
    }

    static void CheckRole(string role)
    {
        if (!AccountRoles.IsValid(role)) throw new UserException($"role must be one of {string.Join(", ", AccountRoles.All)}, not {role}");
    }

    static void Check(IdentityResult result)
    {
        if (!result.Succeeded) throw new UserException(string.Join(" ", result.Errors.Select(e => e.Description)));
    }

    static string Hash(byte[] secret) => Convert.ToHexStringLower(SHA256.HashData(secret));
}
