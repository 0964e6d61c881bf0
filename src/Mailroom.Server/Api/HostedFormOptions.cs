using System.ComponentModel.DataAnnotations;

namespace Mailroom.Server.Api;

public sealed class HostedFormOptions
{
    public const string Section = "HostedForms";

    /// <summary>Sign-ups accepted per client IP per minute across all forms; bots get 429 beyond it.</summary>
    // 0 or less once quietly meant 1 (the limiter needs a positive limit); now it is refused at start-up instead.
    [Range(1, int.MaxValue, ErrorMessage = "HostedForms:PostsPerMinutePerIp must be at least 1")]
    public int PostsPerMinutePerIp { get; set; } = 10;
}
