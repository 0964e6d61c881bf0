namespace Mailroom.Client.V4;

/// <summary>The answer of <c>GET /v4/account</c>: who the credential belongs to.</summary>
/// <param name="User">The user.</param>
/// <param name="Account">The account.</param>
public sealed record CurrentAccount(AccountUser User, Account Account);

/// <summary>The user a credential acts as.</summary>
/// <param name="Email">The user's login address.</param>
/// <param name="Id">The user id, when sent.</param>
public sealed record AccountUser(string Email, long? Id = null);

/// <summary>A Kit account.</summary>
/// <param name="Id">The account id.</param>
/// <param name="Name">The account name.</param>
/// <param name="PlanType">The plan, e.g. <c>"creator"</c>.</param>
/// <param name="PrimaryEmailAddress">The account's primary address.</param>
/// <param name="CreatedAt">When the account was created.</param>
/// <param name="Timezone">The account's time zone.</param>
/// <param name="SendingAddresses">The sending addresses, when sent.</param>
public sealed record Account(long Id, string Name, string PlanType, string PrimaryEmailAddress, DateTimeOffset CreatedAt,
    AccountTimezone Timezone, IReadOnlyList<SendingAddress>? SendingAddresses = null);

/// <summary>An account's time zone.</summary>
/// <param name="Name">The IANA name, e.g. <c>"America/New_York"</c>.</param>
/// <param name="FriendlyName">The display name, e.g. <c>"Eastern Time (US &amp; Canada)"</c>.</param>
/// <param name="UtcOffset">The offset, e.g. <c>"-05:00"</c>.</param>
public sealed record AccountTimezone(string Name, string FriendlyName, string UtcOffset);

/// <summary>A verified (or pending) address the account sends from.</summary>
/// <param name="EmailAddress">The address.</param>
/// <param name="FromName">The display name.</param>
/// <param name="Status">Kit's status text.</param>
/// <param name="IsDefault">Whether it is the default.</param>
/// <param name="IsVerified">Whether it is verified.</param>
/// <param name="IsDmarcConfigured">Whether DMARC is set up for its domain.</param>
public sealed record SendingAddress(string EmailAddress, string? FromName, string Status, bool IsDefault, bool IsVerified,
    bool IsDmarcConfigured);

/// <summary>The account's Creator Profile (<c>GET /v4/account/creator_profile</c>).</summary>
/// <param name="Name">The profile name.</param>
/// <param name="Byline">The byline.</param>
/// <param name="Bio">The bio.</param>
/// <param name="ImageUrl">The image.</param>
/// <param name="ProfileUrl">The public profile page.</param>
public sealed record CreatorProfile(string? Name, string? Byline, string? Bio, string? ImageUrl, string? ProfileUrl);

/// <summary>The account's email stats of the last 90 days (<c>GET /v4/account/email_stats</c>).</summary>
/// <param name="Sent">Emails sent.</param>
/// <param name="Clicked">Emails clicked.</param>
/// <param name="Opened">Emails opened.</param>
/// <param name="EmailStatsMode">How opens are counted, e.g. <c>"last_90"</c>.</param>
/// <param name="OpenTrackingEnabled">Whether opens are tracked.</param>
/// <param name="ClickTrackingEnabled">Whether clicks are tracked.</param>
/// <param name="Starting">The start of the window.</param>
/// <param name="Ending">The end of the window.</param>
public sealed record EmailStats(long Sent, long Clicked, long Opened, string EmailStatsMode, bool OpenTrackingEnabled,
    bool ClickTrackingEnabled, DateTimeOffset Starting, DateTimeOffset Ending)
{
    /// <summary>Opens per sent email, when sent.</summary>
    public double? OpenRate { get; init; }

    /// <summary>Clicks per sent email, when sent.</summary>
    public double? ClickRate { get; init; }

    /// <summary>Unsubscribes per sent email, when sent.</summary>
    public double? UnsubscribeRate { get; init; }

    /// <summary>Bounces per sent email, when sent.</summary>
    public double? BounceRate { get; init; }
}

/// <summary>Subscriber growth over a window (<c>GET /v4/account/growth_stats</c>).</summary>
/// <param name="Cancellations">Subscribers who left.</param>
/// <param name="NetNewSubscribers">New minus cancelled.</param>
/// <param name="NewSubscribers">Subscribers who joined.</param>
/// <param name="Subscribers">Subscribers at the end of the window.</param>
/// <param name="Starting">The start of the window (in the account's time zone).</param>
/// <param name="Ending">The end of the window.</param>
public sealed record GrowthStats(long Cancellations, long NetNewSubscribers, long NewSubscribers, long Subscribers,
    DateTimeOffset Starting, DateTimeOffset Ending);
