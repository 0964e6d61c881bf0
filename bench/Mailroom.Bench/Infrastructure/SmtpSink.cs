using System.Diagnostics;
using System.Globalization;

namespace Mailroom.Bench.Infrastructure;

/// <summary>
/// postfix's smtp-sink on a free port, with -c so it prints how many messages it has taken (mesg=N); the bench
/// checks that count against what Mailroom says it sent.
/// </summary>
public sealed class SmtpSink : IAsyncDisposable
{
    readonly Process _process;
    long _messages;

    public int Port { get; }
    public long Messages => Interlocked.Read(ref _messages);

    SmtpSink(Process process, int port) { _process = process; Port = port; }

    public static async Task<SmtpSink> StartAsync()
    {
        var port = Ports.Free();
        var info = new ProcessStartInfo("smtp-sink") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add("-c");
        // As root smtp-sink insists on dropping privileges to a named user.
        if (Environment.UserName == "root") { info.ArgumentList.Add("-u"); info.ArgumentList.Add("root"); }
        info.ArgumentList.Add($"127.0.0.1:{port}");
        info.ArgumentList.Add("1000");
        var process = Process.Start(info) ?? throw new BenchException("could not start smtp-sink");
        var sink = new SmtpSink(process, port);
        new Thread(() => sink.ReadCounter(process.StandardOutput.BaseStream)) { IsBackground = true, Name = "smtp-sink counter" }.Start();
        process.ErrorDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        await Ports.WaitListeningAsync(port, TimeSpan.FromSeconds(10));
        return sink;
    }

    /// <summary>
    /// smtp-sink rewrites its counter ("sess=… quit=… mesg=N\r") after every message. Read a line at a time, that was a
    /// wake-up, a string and a regex per message: a third of a core taken from the machine the broadcast was measured
    /// on, and a busier smtp-sink. This reads what has gathered in the pipe every 50 ms and keeps the last count.
    /// </summary>
    void ReadCounter(Stream output)
    {
        var buffer = new byte[256 * 1024];
        var kept = 0;
        while (true)
        {
            var read = output.Read(buffer, kept, buffer.Length - kept);
            if (read == 0) return;
            var text = buffer.AsSpan(0, kept + read);
            var end = text.LastIndexOf((byte)'\r');
            if (end >= 0)
            {
                var entry = text[..end];
                var at = entry.LastIndexOf("mesg="u8);
                if (at >= 0 && long.TryParse(entry[(at + 5)..], NumberStyles.None, CultureInfo.InvariantCulture, out var count))
                    Interlocked.Exchange(ref _messages, count);
            }
            // An entry cut off by the end of the read is kept for the next one.
            var rest = text[(end + 1)..];
            rest.CopyTo(buffer);
            kept = rest.Length < 1024 ? rest.Length : 0;
            Thread.Sleep(50);
        }
    }

    /// <summary>Waits until the counter stops moving (output is buffered a little behind the sessions).</summary>
    public async Task<long> SettledCountAsync()
    {
        var last = -1L;
        while (Messages != last)
        {
            last = Messages;
            await Task.Delay(500);
        }
        return last;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}
