using Microsoft.AspNetCore.Identity;

namespace Mailroom.Data;

/// <summary>
/// A person who signs in (the authorize page today, the web app later). Identity keeps the password hash, lockout
/// counters and security stamp; what a user may do lives in <see cref="AccountMembership"/>, per account.
/// </summary>
public sealed class User : IdentityUser<long>
{
    public DateTime CreatedAt { get; set; }
}

/// <summary>A user's role in one account. A user may belong to several accounts, with one role in each.</summary>
public sealed class AccountMembership
{
    public long UserId { get; set; }
    public long AccountId { get; set; }
    /// <summary>One of <see cref="AccountRoles"/>.</summary>
    public string Role { get; set; } = AccountRoles.Viewer;
    public DateTime CreatedAt { get; set; }
}

public static class AccountRoles
{
    /// <summary>Everything, including API keys, apps and users.</summary>
    public const string Owner = "owner";
    /// <summary>Content and subscribers.</summary>
    public const string Editor = "editor";
    /// <summary>Read only.</summary>
    public const string Viewer = "viewer";

    public static readonly string[] All = [Owner, Editor, Viewer];

    public static bool IsValid(string? role) => role is not null && All.Contains(role);
}
