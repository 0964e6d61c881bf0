namespace Mailroom.Client;

/// <summary>Where a <see cref="ConvertKitClient"/> sends its requests and with which credentials.</summary>
public sealed class ConvertKitClientOptions
{
    /// <summary>Kit's own v3 endpoint, the default <see cref="BaseAddress"/>.</summary>
    public static readonly Uri KitBaseAddress = new("https://api.convertkit.com/v3/");

    /// <summary>
    /// The v3 root every path is relative to. Defaults to Kit itself; point it at a Mailroom server
    /// (e.g. <c>https://mail.example.com/v3/</c>) and nothing else changes.
    /// </summary>
    public Uri BaseAddress { get; set; } = KitBaseAddress;

    /// <summary>
    /// The account's public <c>api_key</c>. Sent on every call Kit allows with the key (forms, sequences, tags,
    /// custom-field list, subscriber tags), so the secret travels only where it is required.
    /// </summary>
    public string? ApiKey { get; set; }

    /// <summary>
    /// The account's private <c>api_secret</c>. Sent only on the calls that require it; without it those calls throw
    /// <see cref="InvalidOperationException"/> before anything is sent. Key calls fall back to it when no key is set.
    /// </summary>
    public string? ApiSecret { get; set; }

    /// <summary>A partner <c>integration_key</c>, sent with every call when set. Kit uses it for tracking only.</summary>
    public string? IntegrationKey { get; set; }

    /// <summary>How 429 and transient failures are retried (used by <see cref="ServiceCollectionExtensions.AddConvertKitClient"/> and <see cref="ConvertKitResilience.CreateHandler"/>).</summary>
    public ConvertKitRetryOptions Retry { get; set; } = new();
}

/// <summary>
/// Retry policy for <c>429 Too Many Requests</c> and transient failures (5xx, 408, timeouts, connection errors):
/// exponential backoff with jitter, or exactly the server's <c>Retry-After</c> when it sends one.
/// </summary>
public sealed class ConvertKitRetryOptions
{
    /// <summary>Retries after the first attempt; 0 turns retrying off. Default 3.</summary>
    public int MaxRetryAttempts { get; set; } = 3;

    /// <summary>The first backoff delay, doubled on each retry. Default 2 seconds (Kit's own WordPress library waits 2 s).</summary>
    public TimeSpan BaseDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The longest computed backoff delay. Default 30 seconds. A server's <c>Retry-After</c> is not capped by it.</summary>
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Randomise backoff delays so many clients don't retry in step. Default true.</summary>
    public bool UseJitter { get; set; } = true;

    /// <summary>
    /// The longest <c>Retry-After</c> the client is willing to wait. A longer one is not retried: the 429 surfaces at once as a
    /// <see cref="ConvertKitApiException"/> carrying <see cref="ConvertKitApiException.RetryAfter"/>. Default 60 seconds (Kit's rate-limit window).
    /// </summary>
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// The time one attempt may take before it is abandoned and (if the request is safe to repeat) retried. Default 30 seconds;
    /// null means no per-attempt limit.
    /// </summary>
    public TimeSpan? AttemptTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
