using System.ComponentModel.DataAnnotations;

namespace Mailroom.Server.Api.V3;

public sealed class RateLimitOptions
{
    public const string Section = "RateLimit";

    /// <summary>Per-account budget over a rolling 60 seconds; 0 turns the limiter off. Kit allows 120.</summary>
    [Range(0, int.MaxValue, ErrorMessage = "RateLimit:PermitsPerMinute must be 0 (off) or more")]
    public int PermitsPerMinute { get; set; } = 120;

    /// <summary>Each v4 API key's budget over a rolling 60 seconds; 0 turns it off. Kit allows 120 (v4 notes §6).</summary>
    [Range(0, int.MaxValue, ErrorMessage = "RateLimit:ApiKeyPermitsPerMinute must be 0 (off) or more")]
    public int ApiKeyPermitsPerMinute { get; set; } = 120;

    /// <summary>Each OAuth grant's budget over a rolling 60 seconds; 0 turns it off. Kit allows 600 (v4 notes §6).</summary>
    [Range(0, int.MaxValue, ErrorMessage = "RateLimit:OAuthPermitsPerMinute must be 0 (off) or more")]
    public int OAuthPermitsPerMinute { get; set; } = 600;
}
