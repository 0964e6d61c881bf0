using System.ComponentModel.DataAnnotations;

namespace Mailroom.Server;

public sealed class WorkerOptions
{
    public const string Section = "Workers";
    /// <summary>Run background work (delivery, webhooks) in this process; false gives an API-only instance.</summary>
    public bool Enabled { get; set; } = true;
    /// <summary>
    /// How far below the API the webhook dispatcher's threads run (a Linux nice increment, 0–19; 0 keeps them level).
    /// Off by default: Linux threads inherit the nice value of the thread that starts them, and the thread pool starts
    /// its threads from whichever thread queues work when it decides it needs one, so now and then a pool thread that
    /// serves API requests is started by a lowered thread and stays lowered for good (lowering it back needs
    /// privilege). The dispatcher's own threads already keep its work off the pool; measured, the increment made no
    /// difference to the API's p99 beyond the noise (bench/findings.md).
    /// </summary>
    [Range(0, 19, ErrorMessage = "Workers:Nice must be between 0 and 19")] public int Nice { get; set; }
}
