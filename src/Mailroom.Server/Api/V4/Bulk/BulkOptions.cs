using System.ComponentModel.DataAnnotations;

namespace Mailroom.Server.Api.V4.Bulk;

/// <summary>Bulk: queued v4 bulk requests (over <see cref="BulkOperations.SyncLimit"/> items) and their callbacks.</summary>
public sealed class BulkOptions
{
    public const string Section = "Bulk";

    /// <summary>Request bytes an account may have waiting at once; over it a new large request is a 413 (Kit: 300 MB).</summary>
    [Range(1, long.MaxValue)]
    public long MaxQueuedBytes { get; set; } = 300L * 1024 * 1024;

    /// <summary>How long a worker holds a job it is applying before another process may take it over.</summary>
    public TimeSpan Lease { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Callback POSTs per job before giving up; the delay doubles from <see cref="FirstRetryDelay"/> up to <see cref="MaxRetryDelay"/>.</summary>
    [Range(1, 100)]
    public int CallbackMaxAttempts { get; set; } = 8;
    public TimeSpan FirstRetryDelay { get; set; } = TimeSpan.FromSeconds(30);
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromHours(1);
    public TimeSpan CallbackTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
