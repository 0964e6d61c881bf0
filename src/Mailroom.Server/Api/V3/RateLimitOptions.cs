using System.ComponentModel.DataAnnotations;

namespace Mailroom.Server.Api.V3;

public sealed class RateLimitOptions
{
    public const string Section = "RateLimit";

    /// <summary>Per-account budget over a rolling 60 seconds; 0 turns the limiter off. Kit allows 120.</summary>
    [Range(0, int.MaxValue, ErrorMessage = "RateLimit:PermitsPerMinute must be 0 (off) or more")]
    public int PermitsPerMinute { get; set; } = 120;
}
