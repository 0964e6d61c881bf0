using System.ComponentModel.DataAnnotations;

namespace Mailroom.Server.Api.V3;

public sealed class RateLimitOptions
{
    public const string Section = "RateLimit";

    /// <summary>Per-account budget over a rolling 60 seconds; 0 turns the limiter off. Kit allows 120.</summary>
    [Range(0, int.MaxValue)]
    public int PermitsPerMinute { get; set; } = 120;
}

public sealed class ApiOptions
{
    public const string Section = "Api";

    [Range(1024, long.MaxValue)]
    public long MaxBodyBytes { get; set; } = 1024 * 1024;
}
