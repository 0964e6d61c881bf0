using System.ComponentModel.DataAnnotations;

namespace Mailroom.Server.Api.V3;

public sealed class ApiOptions
{
    public const string Section = "Api";

    /// <summary>The largest /v3 request body; larger ones get 413. Below 1 KiB a subscribe call with fields would not fit.</summary>
    [Range(1024, long.MaxValue, ErrorMessage = "Api:MaxBodyBytes must be at least 1024")]
    public long MaxBodyBytes { get; set; } = 1024 * 1024;
}
