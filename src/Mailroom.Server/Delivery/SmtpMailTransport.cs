using System.Collections.Concurrent;
using System.Net.Sockets;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace Mailroom.Server.Delivery;

/// <summary>
/// MailKit over a pool of at most <see cref="SmtpOptions.MaxConnections"/> reused connections.
/// Sockets are opened with NoDelay: with Nagle on, every message waits ~40 ms for a delayed ACK,
/// which makes MailKit a hundred times slower against some servers (see shared/bench/BASELINE.md).
/// </summary>
public sealed class SmtpMailTransport(SmtpOptions options, ILogger<SmtpMailTransport> logger) : IMailTransport, IAsyncDisposable
{
    readonly SemaphoreSlim _slots = new(options.MaxConnections, options.MaxConnections);
    readonly ConcurrentBag<SmtpClient> _idle = [];

    public async Task SendAsync(MimeMessage message, CancellationToken ct)
    {
        await _slots.WaitAsync(ct);
        SmtpClient? client = null;
        try
        {
            client = _idle.TryTake(out var pooled) && pooled.IsConnected ? pooled : await ConnectAsync(ct);
            await client.SendAsync(message, ct);
            _idle.Add(client);
            client = null;
        }
        catch (SmtpCommandException e)
        {
            var code = (int)e.StatusCode;
            // After a refused command the session is still in a known state and can be reused.
            if (client is { IsConnected: true }) { _idle.Add(client); client = null; }
            throw new MailDeliveryException($"{code} {e.Message}", permanent: code >= 500,
                bounce: code >= 500 && e.ErrorCode == SmtpErrorCode.RecipientNotAccepted, e);
        }
        catch (Exception e) when (e is SmtpProtocolException or IOException or SocketException or ServiceNotConnectedException
                                      or ServiceNotAuthenticatedException or AuthenticationException or SslHandshakeException)
        {
            throw new MailDeliveryException(e.Message, permanent: false, bounce: false, e);
        }
        finally
        {
            if (client is not null) await DropAsync(client);
            _slots.Release();
        }
    }

    async Task<SmtpClient> ConnectAsync(CancellationToken ct)
    {
        var client = new SmtpClient();
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(options.Host!, options.Port, ct);
            var security = options.Security.ToLowerInvariant() switch
            {
                "ssl" => SecureSocketOptions.SslOnConnect,
                "starttls" => SecureSocketOptions.StartTls,
                _ => SecureSocketOptions.None,
            };
            await client.ConnectAsync(socket, options.Host!, options.Port, security, ct);
            if (!string.IsNullOrEmpty(options.Username))
                await client.AuthenticateAsync(options.Username, options.Password ?? "", ct);
            // With SIZE advertised, MailKit serialises every message once more just to declare its size in MAIL FROM.
            // Our messages are a few KB; a relay that finds one too big still refuses it (5xx after DATA).
            client.Capabilities &= ~SmtpCapabilities.Size;
            return client;
        }
        catch
        {
            client.Dispose();
            socket.Dispose();
            throw;
        }
    }

    async Task DropAsync(SmtpClient client)
    {
        try
        {
            if (client.IsConnected) await client.DisconnectAsync(quit: false);
        }
        catch (Exception e) when (e is IOException or SocketException or SmtpProtocolException)
        {
            logger.LogDebug("SMTP connection dropped uncleanly: {Reason}", e.Message);
        }
        client.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        while (_idle.TryTake(out var client))
        {
            try { if (client.IsConnected) await client.DisconnectAsync(quit: true); }
            catch (Exception e) when (e is IOException or SocketException or SmtpProtocolException) { }
            client.Dispose();
        }
    }
}
