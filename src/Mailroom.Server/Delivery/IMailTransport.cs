using MimeKit;

namespace Mailroom.Server.Delivery;

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
}

/// <summary>A refused message. Permanent means retrying cannot help (a 5xx); a bounce is a 5xx on the recipient.</summary>
public sealed class MailDeliveryException(string message, bool permanent, bool bounce, Exception? inner = null)
    : Exception(message, inner)
{
    public bool Permanent { get; } = permanent;
    public bool Bounce { get; } = bounce;
}
