namespace Mailroom.Client.V4;

/// <summary>Where a <see cref="KitClient"/> sends its requests and with which credential.</summary>
public sealed class KitClientOptions
{
    /// <summary>Kit's own v4 endpoint, the default <see cref="BaseAddress"/>.</summary>
    public static readonly Uri KitBaseAddress = new("https://api.kit.com/v4/");

    /// <summary>
    /// The v4 root every path is relative to. Defaults to Kit itself; point it at a Mailroom server
    /// (e.g. <c>https://mail.example.com/v4/</c>) and nothing else changes.
    /// </summary>
    public Uri BaseAddress { get; set; } = KitBaseAddress;

    /// <summary>
    /// A v4 API key, sent as <c>X-Kit-Api-Key</c>. Kit refuses it on the OAuth-only operations (bulk, purchases) with a 401.
    /// Set this or <see cref="OAuth"/>, not both.
    /// </summary>
    public string? ApiKey { get; set; }

    /// <summary>
    /// An OAuth session (access and refresh token of an app), sent as <c>Authorization: Bearer</c> and refreshed when it
    /// expires or the server answers 401. Share one session between clients of the same account: it refreshes once for all.
    /// </summary>
    public KitOAuthSession? OAuth { get; set; }

    /// <summary>How 429 and transient failures are retried (the v3 client's policy; see <see cref="ConvertKitRetryOptions"/>).</summary>
    public ConvertKitRetryOptions Retry { get; set; } = new();
}
