using System.ComponentModel.DataAnnotations;

namespace Mailroom.Server.Delivery.Mail;

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
