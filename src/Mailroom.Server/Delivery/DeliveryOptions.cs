using System.ComponentModel.DataAnnotations;

namespace Mailroom.Server.Delivery;

public sealed class SmtpOptions
{
    public const string Section = "Smtp";

    /// <summary>SMTP relay host. Empty: mail is written to <see cref="OutboxOptions.Directory"/> instead.</summary>
    public string? Host { get; set; }
    [Range(1, 65535)] public int Port { get; set; } = 25;
    public string? Username { get; set; }
    public string? Password { get; set; }
    /// <summary>none | starttls | ssl</summary>
    [RegularExpression("(?i)^(none|starttls|ssl)$")] public string Security { get; set; } = "none";
    /// <summary>
    /// Connections open at once. A broadcast holds all but one as pipelined sessions of its own for the run
    /// (<see cref="PipelinedSmtpSession"/>); the last is shared message by message with everything else.
    /// </summary>
    [Range(1, 256)] public int MaxConnections { get; set; } = 8;
}

public sealed class OutboxOptions
{
    public const string Section = "Outbox";
    public string Directory { get; set; } = "data/outbox";
}

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
    /// <summary>Minimum gap between two confirmation emails to one address.</summary>
    public TimeSpan ConfirmationInterval { get; set; } = TimeSpan.FromMinutes(10);
}
