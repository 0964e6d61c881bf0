using System.ComponentModel.DataAnnotations;

namespace Mailroom.Server.Delivery;

public sealed class DeliveryOptions
{
    public const string Section = "Delivery";

    /// <summary>Throttle for broadcast sending; 0 sends as fast as the relay accepts.</summary>
    [Range(0, int.MaxValue)] public int MessagesPerSecond { get; set; }
    /// <summary>Unit of the send pipeline (reads and commits take up to 4 of these): small, so few are in flight if the process dies.</summary>
    [Range(1, 10_000)] public int BatchSize { get; set; } = 64;
    /// <summary>PostgreSQL: recipients written per transaction while the list is frozen alongside the first sends.</summary>
    [Range(1, 1_000_000)] public int FreezeChunkSize { get; set; } = 10_000;
    /// <summary>Attempts per recipient for transient failures (4xx, lost connections) before it is marked failed.</summary>
    [Range(1, 100)] public int MaxAttempts { get; set; } = 5;
    /// <summary>First retry delay; doubles per attempt.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(30);
    /// <summary>How long a claimed broadcast stays ours without renewal; another process takes over after that.</summary>
    public TimeSpan Lease { get; set; } = TimeSpan.FromMinutes(2);
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);
    /// <summary>
    /// How far ahead the sequence scheduler writes the steps falling due, so a send hour's steps are ready when it
    /// strikes and go out at a broadcast's pace; each is sent at its time, not before.
    /// </summary>
    public TimeSpan SequenceLookahead { get; set; } = TimeSpan.FromMinutes(5);
    /// <summary>Minimum gap between two confirmation emails to one address.</summary>
    public TimeSpan ConfirmationInterval { get; set; } = TimeSpan.FromMinutes(10);
}
