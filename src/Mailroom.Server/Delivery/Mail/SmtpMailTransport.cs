using System.Collections.Concurrent;
using System.Net.Sockets;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace Mailroom.Server.Delivery.Mail;

/// <summary>
/// MailKit over a pool of at most <see cref="SmtpOptions.MaxConnections"/> reused connections.
/// Sockets are opened with NoDelay: with Nagle on, every message waits ~40 ms for a delayed ACK,
/// which makes MailKit a hundred times slower against some servers (see shared/bench/BASELINE.md).
/// </summary>
public sealed class SmtpMailTransport(SmtpOptions options, ILogger<SmtpMailTransport> logger) : IMailTransport, IAsyncDisposable
{
    readonly SemaphoreSlim _slots = new(options.MaxConnections, options.MaxConnections);
    readonly ConcurrentBag<SmtpClient> _idle = [];
    // Bulk sessions hold their connection for a whole broadcast run; one connection stays for everything else
    // (confirmations above all), which takes turns with it per message as before.
    int _bulkBudget = options.MaxConnections - 1;
    int _saidNoPipelining;

    /// <summary>
    /// A pipelined connection (<see cref="PipelinedSmtpSession"/>) that counts against
    /// <see cref="SmtpOptions.MaxConnections"/> until disposed; null when all but one connection are already bulk
    /// sessions or the relay offers no PIPELINING (or no AUTH mechanism the session knows).
    /// </summary>
    public IBulkMailSession? OpenBulkSession()
    {
        if (Interlocked.Decrement(ref _bulkBudget) < 0)
        {
            Interlocked.Increment(ref _bulkBudget);
            return null;
        }
        _slots.Wait();
        var released = 0;
        void Release()
        {
            if (Interlocked.Exchange(ref released, 1) != 0) return;
            _slots.Release();
            Interlocked.Increment(ref _bulkBudget);
        }
        try
        {
            var session = PipelinedSmtpSession.Connect(options, Release);
            if (session is null && Interlocked.Exchange(ref _saidNoPipelining, 1) == 0)
                logger.LogInformation("The SMTP server offers no PIPELINING (or no AUTH PLAIN/LOGIN); broadcasts go through MailKit message by message");
            return session;
        }
        catch
        {
            Release();
            throw;
        }
    }

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
        catch (Exception e) when (Refusal(e, ref client) is { } refused)
        {
            throw refused;
        }
        finally
        {
            if (client is not null) await DropAsync(client);
            _slots.Release();
        }
    }

    public void Send(MimeMessage message)
    {
        _slots.Wait();
        SmtpClient? client = null;
        try
        {
            client = _idle.TryTake(out var pooled) && pooled.IsConnected ? pooled : Connect();
            client.Send(message);
            _idle.Add(client);
            client = null;
        }
        catch (Exception e) when (Refusal(e, ref client) is { } refused)
        {
            throw refused;
        }
        finally
        {
            if (client is not null) DropAsync(client).GetAwaiter().GetResult();
            _slots.Release();
        }
    }

    /// <summary>
    /// What a failed send means for the caller, or null for a bug (left to propagate). A refused command leaves the
    /// session in a known state, so its connection goes back to the pool (and <paramref name="client"/> is cleared).
    /// </summary>
    MailDeliveryException? Refusal(Exception e, ref SmtpClient? client)
    {
        switch (e)
        {
            case SmtpCommandException command:
                var code = (int)command.StatusCode;
                if (client is { IsConnected: true }) { _idle.Add(client); client = null; }
                // A refused MAIL FROM concerns the session (the sender, the account, AUTH), not the recipient: retried later.
                var recipients = command.ErrorCode != SmtpErrorCode.SenderNotAccepted;
                return new MailDeliveryException($"{code} {command.Message}", permanent: code >= 500 && recipients,
                    bounce: code >= 500 && command.ErrorCode == SmtpErrorCode.RecipientNotAccepted, command);
            case SmtpProtocolException or IOException or SocketException or ServiceNotConnectedException
                or ServiceNotAuthenticatedException or AuthenticationException or SslHandshakeException:
                return new MailDeliveryException(e.Message, permanent: false, bounce: false, e);
            // MailKit's answer to Smtp:Security=starttls against a relay without STARTTLS: nothing is sent in the clear,
            // and recipients wait for their retries (and fail after the last) rather than the broadcast stopping.
            case NotSupportedException when client is null || !client.IsConnected || (client.Capabilities & SmtpCapabilities.StartTLS) == 0:
                return new MailDeliveryException(e.Message, permanent: false, bounce: false, e);
            default:
                return null;
        }
    }

    Task<SmtpClient> ConnectAsync(CancellationToken ct) => ConnectAsync(sync: false, ct);

    SmtpClient Connect() => ConnectAsync(sync: true, CancellationToken.None).GetAwaiter().GetResult();

    /// <summary>One body for both: with <paramref name="sync"/> every call blocks and the task is complete on return.</summary>
    async Task<SmtpClient> ConnectAsync(bool sync, CancellationToken ct)
    {
        var client = new SmtpClient();
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            var security = options.Security.ToLowerInvariant() switch
            {
                "ssl" => SecureSocketOptions.SslOnConnect,
                "starttls" => SecureSocketOptions.StartTls,
                _ => SecureSocketOptions.None,
            };
            if (sync)
            {
                socket.Connect(options.Host!, options.Port);
                client.Connect(socket, options.Host!, options.Port, security);
                if (!string.IsNullOrEmpty(options.Username)) client.Authenticate(options.Username, options.Password ?? "");
            }
            else
            {
                await socket.ConnectAsync(options.Host!, options.Port, ct);
                await client.ConnectAsync(socket, options.Host!, options.Port, security, ct);
                if (!string.IsNullOrEmpty(options.Username)) await client.AuthenticateAsync(options.Username, options.Password ?? "", ct);
            }
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
