using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading.Channels;

namespace Mailroom.Server.Tests.Infrastructure;

/// <summary>
/// A small SMTP server on 127.0.0.1 written for the protocol's corners the SmtpServer package can't be told to show:
/// whether a client pipelines across messages, 550 on RCPT in the middle of a pipeline, 451 after the final dot,
/// AUTH, a server without PIPELINING, and a relay that goes down after accepting N messages. Real sockets, real SMTP.
/// </summary>
public sealed class ScriptedSmtpServer : IAsyncDisposable
{
    readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    readonly CancellationTokenSource _stop = new();
    readonly Task _accepting;
    readonly ConcurrentBag<Task> _sessions = [];
    int _accepted;

    public ScriptedSmtpServer()
    {
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _accepting = AcceptAsync();
    }

    public int Port { get; }
    public bool Pipelining { get; init; } = true;
    public (string User, string Password)? RequireAuth { get; init; }
    /// <summary>Answered 550 at RCPT TO.</summary>
    public ConcurrentDictionary<string, bool> RejectRecipients { get; } = new(StringComparer.OrdinalIgnoreCase);
    /// <summary>Answered 550 at MAIL FROM.</summary>
    public ConcurrentDictionary<string, bool> RejectSenders { get; } = new(StringComparer.OrdinalIgnoreCase);
    /// <summary>Answered 554 after the final dot: the relay refuses the message itself.</summary>
    public ConcurrentDictionary<string, bool> RejectAfterData { get; } = new(StringComparer.OrdinalIgnoreCase);
    /// <summary>Awaited with the recipient before a message is taken (after its final dot), to hold one back until a signal.</summary>
    public Func<string, Task>? BeforeAccepting { get; set; }
    /// <summary>Answered 451 after the final dot, the first time only.</summary>
    public ConcurrentDictionary<string, bool> FailOnceAfterData { get; } = new(StringComparer.OrdinalIgnoreCase);
    /// <summary>Once this many messages are accepted the relay is down: it closes every connection until <see cref="Revive"/>.</summary>
    public int DownAfter { get; set; } = int.MaxValue;
    public bool Down { get; private set; }
    public ConcurrentQueue<(string From, string To, string Data)> Messages { get; } = new();
    /// <summary>Messages whose next command had arrived before the reply to their final dot went out.</summary>
    public int Pipelined => _pipelined;
    public ConcurrentQueue<string> Log { get; } = new();
    int _pipelined;

    public void Revive()
    {
        DownAfter = int.MaxValue;
        Down = false;
    }

    async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try { client = await _listener.AcceptTcpClientAsync(_stop.Token); }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException) { return; }
            _sessions.Add(Task.Run(() => SessionAsync(client)));
        }
    }

    async Task SessionAsync(TcpClient client)
    {
        using var _ = client;
        client.NoDelay = true;
        var stream = client.GetStream();
        var lines = Channel.CreateUnbounded<string>();
        var reading = ReadLinesAsync(stream, lines.Writer);
        async Task Reply(string text) => await stream.WriteAsync(Encoding.ASCII.GetBytes(text + "\r\n"), _stop.Token);
        async Task<string?> Next()
        {
            try { return await lines.Reader.ReadAsync(_stop.Token); }
            catch (ChannelClosedException) { return null; }
        }
        try
        {
            if (Down) return;
            await Reply("220 scripted.test ESMTP");
            var authenticated = RequireAuth is null;
            string? from = null;
            string? to = null;
            while (await Next() is { } line)
            {
                if (Down) return;
                var verb = line.Split(' ', 2)[0].ToUpperInvariant();
                Log.Enqueue(verb);
                switch (verb)
                {
                    case "EHLO":
                        await Reply("250-scripted.test" + (Pipelining ? "\r\n250-PIPELINING" : "") +
                                    (RequireAuth is null ? "" : "\r\n250-AUTH PLAIN LOGIN") + "\r\n250 8BITMIME");
                        break;
                    case "AUTH":
                        authenticated = await AuthenticateAsync(line, Reply, Next);
                        break;
                    case "MAIL" when !authenticated:
                        await Reply("530 5.7.0 Authentication required");
                        break;
                    case "MAIL" when from is not null:
                        // As Postfix: a transaction left open (say after a refused RCPT) needs RSET first.
                        await Reply("503 5.5.1 Error: nested MAIL command");
                        break;
                    case "MAIL" when RejectSenders.ContainsKey(Address(line)):
                        await Reply($"550 5.7.1 <{Address(line)}>: Sender address rejected");
                        break;
                    case "MAIL":
                        from = Address(line);
                        to = null;
                        await Reply("250 2.1.0 Ok");
                        break;
                    case "RCPT" when from is null:
                        await Reply("503 5.5.1 Error: need MAIL command");
                        break;
                    case "RCPT":
                        var rcpt = Address(line);
                        if (RejectRecipients.ContainsKey(rcpt)) await Reply($"550 5.1.1 <{rcpt}>: Recipient address rejected");
                        else { to = rcpt; await Reply("250 2.1.5 Ok"); }
                        break;
                    case "DATA" when to is null:
                        await Reply("554 5.5.1 Error: no valid recipients");
                        break;
                    case "DATA":
                        await Reply("354 End data with <CR><LF>.<CR><LF>");
                        var data = new StringBuilder();
                        while (await Next() is { } d && d != ".") data.Append(d.StartsWith('.') ? d[1..] : d).Append("\r\n");
                        var (f, t) = (from!, to);
                        from = to = null;
                        if (FailOnceAfterData.TryRemove(t, out var _)) { await Reply("451 4.3.0 Try again later"); break; }
                        if (RejectAfterData.ContainsKey(t)) { await Reply("554 5.7.1 Message rejected: content refused"); break; }
                        if (BeforeAccepting is { } before) await before(t);
                        Messages.Enqueue((f, t, data.ToString()));
                        if (Interlocked.Increment(ref _accepted) >= DownAfter) Down = true;
                        // Hold the reply a moment: a client that pipelines has already sent its next command.
                        var waited = lines.Reader.WaitToReadAsync(_stop.Token).AsTask();
                        if (await Task.WhenAny(waited, Task.Delay(200, _stop.Token)) == waited) Interlocked.Increment(ref _pipelined);
                        await Reply("250 2.0.0 Ok: queued");
                        break;
                    case "RSET":
                        from = to = null;
                        await Reply("250 2.0.0 Ok");
                        break;
                    case "NOOP":
                        await Reply("250 2.0.0 Ok");
                        break;
                    case "QUIT":
                        await Reply("221 2.0.0 Bye");
                        return;
                    default:
                        await Reply("502 5.5.2 Error: command not recognized");
                        break;
                }
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or SocketException) { }
        finally
        {
            // FIN first and read on until the client closes: closing with its pipelined commands unread would send a
            // reset, which can destroy replies (a 250) the client has not read yet.
            try { client.Client.Shutdown(SocketShutdown.Send); } catch (SocketException) { }
            await Task.WhenAny(reading, Task.Delay(2000));
            client.Client.Close();
            await reading.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    async Task<bool> AuthenticateAsync(string line, Func<string, Task> reply, Func<Task<string?>> next)
    {
        var parts = line.Split(' ');
        string user, password;
        if (parts.Length == 3 && parts[1].Equals("PLAIN", StringComparison.OrdinalIgnoreCase))
        {
            var plain = Encoding.UTF8.GetString(Convert.FromBase64String(parts[2])).Split('\0');
            (user, password) = (plain[1], plain[2]);
        }
        else if (parts.Length == 2 && parts[1].Equals("LOGIN", StringComparison.OrdinalIgnoreCase))
        {
            await reply("334 VXNlcm5hbWU6");
            user = Encoding.UTF8.GetString(Convert.FromBase64String(await next() ?? ""));
            await reply("334 UGFzc3dvcmQ6");
            password = Encoding.UTF8.GetString(Convert.FromBase64String(await next() ?? ""));
        }
        else
        {
            await reply("504 5.5.4 Unrecognized authentication type");
            return false;
        }
        var ok = RequireAuth is { } required && user == required.User && password == required.Password;
        await reply(ok ? "235 2.7.0 Authentication successful" : "535 5.7.8 Error: authentication failed");
        return ok;
    }

    static string Address(string line)
    {
        var start = line.IndexOf('<');
        var end = line.IndexOf('>');
        return start >= 0 && end > start ? line[(start + 1)..end] : "";
    }

    async Task ReadLinesAsync(NetworkStream stream, ChannelWriter<string> lines)
    {
        var buffer = new byte[8192];
        var pending = new StringBuilder();
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer, _stop.Token)) > 0)
            {
                pending.Append(Encoding.UTF8.GetString(buffer, 0, read));
                var text = pending.ToString();
                int end;
                while ((end = text.IndexOf("\r\n", StringComparison.Ordinal)) >= 0)
                {
                    lines.TryWrite(text[..end]);
                    text = text[(end + 2)..];
                }
                pending.Clear().Append(text);
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or SocketException or ObjectDisposedException) { }
        finally { lines.TryComplete(); }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await Task.WhenAll(_sessions).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
    }
}
