using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Mailroom.Bench.Infrastructure;

/// <summary>
/// postfix's smtp-sink on a free port, with -c so it prints how many messages it has taken (mesg=N); the bench
/// checks that count against what Mailroom says it sent.
/// </summary>
public sealed partial class SmtpSink : IAsyncDisposable
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
        // The counter is rewritten in place with \r, which ReadLine treats as a line end.
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null && Counter().Match(e.Data) is { Success: true } m)
                Interlocked.Exchange(ref sink._messages, long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture));
        };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await Ports.WaitListeningAsync(port, TimeSpan.FromSeconds(10));
        return sink;
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

    [GeneratedRegex(@"mesg=(\d+)")]
    private static partial Regex Counter();
}
