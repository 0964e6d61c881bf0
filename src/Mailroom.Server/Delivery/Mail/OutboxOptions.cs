namespace Mailroom.Server.Delivery.Mail;

public sealed class OutboxOptions
{
    public const string Section = "Outbox";
    public string Directory { get; set; } = "data/outbox";
}
