using System.ComponentModel.DataAnnotations;

namespace Mailroom.Server.Delivery.Webhooks;

public sealed class WebhookOptions
{
    public const string Section = "Webhooks";

    /// <summary>How long one POST may take before it counts as no answer.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);
    /// <summary>Wait before the first retry; each further retry waits twice as long (with jitter).</summary>
    public TimeSpan FirstRetryDelay { get; set; } = TimeSpan.FromMinutes(1);
    /// <summary>A delivery whose next retry would fall later than this after it was queued is marked failed.</summary>
    public TimeSpan MaxAge { get; set; } = TimeSpan.FromDays(3);
    /// <summary>Attempts before a delivery is marked failed; 0 leaves only <see cref="MaxAge"/> in charge.</summary>
    [Range(0, 1000)] public int MaxAttempts { get; set; }
    /// <summary>Each retry delay is scaled by a random factor in 1 ± Jitter, so a receiver that was down is not hit by a thundering herd.</summary>
    [Range(0.0, 0.9)] public double Jitter { get; set; } = 0.2;
    /// <summary>Requests in flight at once, over all targets.</summary>
    [Range(1, 4096)] public int MaxConcurrency { get; set; } = 64;
    /// <summary>Requests in flight at once to one target URL, so one slow receiver holds only its own share.</summary>
    [Range(1, 4096)] public int MaxConcurrencyPerTarget { get; set; } = 16;
    /// <summary>Outbox events turned into deliveries per transaction.</summary>
    [Range(1, 10_000)] public int BatchSize { get; set; } = 500;
    /// <summary>How long claimed work stays ours; another process takes it over after that (it must exceed Timeout).</summary>
    public TimeSpan Lease { get; set; } = TimeSpan.FromMinutes(2);
    /// <summary>
    /// Allow targets on loopback, private, link-local and other non-public addresses. Off by default so a rule
    /// cannot make the server call into its own network (SSRF); tests and local development turn it on.
    /// </summary>
    public bool AllowPrivateTargets { get; set; }

    public bool IsValid() => Timeout > TimeSpan.Zero && FirstRetryDelay > TimeSpan.Zero && MaxAge > TimeSpan.Zero && Lease > Timeout;
}
