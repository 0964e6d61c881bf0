using System.ComponentModel.DataAnnotations;

namespace Mailroom.Server.Api.V3;

public sealed class ApiOptions
{
    public const string Section = "Api";

    /// <summary>The largest /v3 request body; larger ones get 413. Below 1 KiB a subscribe call with fields would not fit.</summary>
    [Range(1024, long.MaxValue, ErrorMessage = "Api:MaxBodyBytes must be at least 1024")]
    public long MaxBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>
    /// The largest body of a v4 bulk request (they carry thousands of items; Kit queues up to 300 MB per account).
    /// inferred: Kit documents no per-request cap; 32 MiB holds 100,000 subscribers with a few fields each.
    /// </summary>
    [Range(1024, long.MaxValue, ErrorMessage = "Api:MaxBulkBodyBytes must be at least 1024")]
    public long MaxBulkBodyBytes { get; set; } = 32 * 1024 * 1024;
}
