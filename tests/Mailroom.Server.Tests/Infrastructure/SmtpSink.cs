using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using MimeKit;
using SmtpServer;
using SmtpServer.Mail;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace Mailroom.Server.Tests.Infrastructure;

/// <summary>
/// A real SMTP server on 127.0.0.1 (the SmtpServer package) that keeps what it receives, can refuse
/// chosen recipients with 550 (a bounce) and can answer the next N messages with 451 (transient).
/// </summary>
public sealed class SmtpSink : IAsyncDisposable
{
    readonly CancellationTokenSource _stop = new();
    readonly Task _running;
    int _transientFailures;

    public int Port { get; }
    /// <summary>Messages that arrived over TLS.</summary>
    public int Secure => _secure;
    int _secure;
    public ConcurrentQueue<MimeMessage> Messages { get; } = new();
    public ConcurrentDictionary<string, bool> RejectedRecipients { get; } = new(StringComparer.OrdinalIgnoreCase);

    public SmtpSink() : this(null, implicitTls: false) { }

    /// <summary>With a certificate: STARTTLS, or TLS from the first byte when <paramref name="implicitTls"/>.</summary>
    public SmtpSink(X509Certificate2? certificate, bool implicitTls)
    {
        Port = FreePort();
        var options = new SmtpServerOptionsBuilder().ServerName("sink.test")
            .Endpoint(b =>
            {
                b.Endpoint(new IPEndPoint(IPAddress.Loopback, Port));
                if (certificate is not null) b.Certificate(certificate).IsSecure(implicitTls);
            }).Build();
        var services = new SmtpServer.ComponentModel.ServiceProvider();
        services.Add(new Store(this));
        services.Add(new DelegatingMailboxFilter(
            (ISessionContext _, IMailbox _) => true,
            (ISessionContext _, IMailbox to, IMailbox _) => !RejectedRecipients.ContainsKey($"{to.User}@{to.Host}")));
        _running = new SmtpServer.SmtpServer(options, services).StartAsync(_stop.Token);
    }

    public void FailNext(int count) => Interlocked.Exchange(ref _transientFailures, count);

    public List<MimeMessage> To(string address) =>
        [.. Messages.Where(m => m.To.Mailboxes.Any(x => string.Equals(x.Address, address, StringComparison.OrdinalIgnoreCase)))];

    static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try { await _running; } catch (OperationCanceledException) { }
        _stop.Dispose();
    }

    sealed class Store(SmtpSink sink) : MessageStore
    {
        public override async Task<SmtpResponse> SaveAsync(ISessionContext context, IMessageTransaction transaction,
            ReadOnlySequence<byte> buffer, CancellationToken ct)
        {
            if (Interlocked.Decrement(ref sink._transientFailures) >= 0)
                return new SmtpResponse((SmtpReplyCode)451, "Requested action aborted: try again later");
            if (context.Pipe.IsSecure) Interlocked.Increment(ref sink._secure);
            using var stream = new MemoryStream(buffer.ToArray());
            sink.Messages.Enqueue(await MimeMessage.LoadAsync(stream, ct));
            return SmtpResponse.Ok;
        }
    }
}
