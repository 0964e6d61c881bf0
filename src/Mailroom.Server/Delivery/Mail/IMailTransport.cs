using MimeKit;

namespace Mailroom.Server.Delivery.Mail;

/// <summary>Where outgoing mail goes: an SMTP relay or a pickup folder. Not a seam for mocks.</summary>
public interface IMailTransport
{
    /// <summary>Hands one message over. Throws <see cref="MailDeliveryException"/> when it is refused.</summary>
    Task SendAsync(MimeMessage message, CancellationToken ct);

    /// <summary>
    /// The same, blocking the calling thread. Broadcasts send from threads of their own: a blocking socket read wakes
    /// exactly the thread waiting for the reply, where an await hops through the socket engine and the thread pool
    /// for each of the two replies a message takes.
    /// </summary>
    void Send(MimeMessage message);

    /// <summary>
    /// A connection for one broadcast sender thread, or null when this transport has none to offer (the sender then
    /// calls <see cref="Send"/> per message). Throws <see cref="MailDeliveryException"/> when the relay can't be reached.
    /// </summary>
    IBulkMailSession? OpenBulkSession() => null;
}

/// <summary>A refused message. Permanent means retrying cannot help (a 5xx); a bounce is a 5xx on the recipient.</summary>
public sealed class MailDeliveryException(string message, bool permanent, bool bounce, Exception? inner = null)
    : Exception(message, inner)
{
    public bool Permanent { get; } = permanent;
    public bool Bounce { get; } = bounce;
}

/// <summary>
/// A connection of a broadcast sender's own, which sends messages back to back and reports each one's outcome once
/// the server has answered, possibly only with the next message (<see cref="PipelinedSmtpSession"/>).
/// </summary>
public interface IBulkMailSession : IDisposable
{
    /// <summary>
    /// Hands over one message with exactly one recipient; adds to <paramref name="completed"/> the outcomes now
    /// known, of this message or earlier ones. Never throws for a refused message or a lost connection; after a lost
    /// connection <see cref="Broken"/> is true and every message handed over has its outcome.
    /// </summary>
    void Send(MimeMessage message, long tag, List<BulkResult> completed);

    /// <summary>Finishes the message still held back, if any. Call before waiting for more messages and before disposing.</summary>
    void Flush(List<BulkResult> completed);

    bool Broken { get; }
}

/// <summary>A message's outcome: <see cref="Error"/> is null when the server accepted it.</summary>
public readonly record struct BulkResult(long Tag, MailDeliveryException? Error);
