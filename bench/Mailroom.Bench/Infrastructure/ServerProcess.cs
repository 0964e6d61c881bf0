using System.Diagnostics;

namespace Mailroom.Bench.Infrastructure;

/// <summary>
/// A server under test, started as its own process so its memory and CPU can be read from /proc.
/// Output goes to a log file in the work folder (kept for a look after a surprising figure).
/// </summary>
public sealed class ServerProcess : IAsyncDisposable
{
    readonly Process _process;
    readonly StreamWriter _log;
    readonly Stopwatch _sinceStart;

    public int Pid => _process.Id;
    public int Port { get; }
    public string BaseUrl => $"http://127.0.0.1:{Port}";
    public string LogPath { get; }

    ServerProcess(Process process, StreamWriter log, string logPath, int port, Stopwatch sinceStart)
    {
        _process = process; _log = log; LogPath = logPath; Port = port; _sinceStart = sinceStart;
    }

    public static ServerProcess Start(string executable, IEnumerable<string> args, IReadOnlyDictionary<string, string> env,
        string workingDirectory, int port, string logPath)
    {
        var info = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        foreach (var a in args) info.ArgumentList.Add(a);
        foreach (var (k, v) in env) info.Environment[k] = v;
        var log = new StreamWriter(logPath, append: true) { AutoFlush = true };
        var watch = Stopwatch.StartNew();
        var process = Process.Start(info) ?? throw new BenchException($"could not start {executable}");
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new ServerProcess(process, log, logPath, port, watch);
    }

    /// <summary>Time from just before the process was started to its first 200 on /healthz.</summary>
    public TimeSpan Elapsed { get; private set; }

    /// <summary>Polls <paramref name="path"/> until it answers 200; returns the time since the process was started.</summary>
    public async Task<TimeSpan> WaitHealthyAsync(HttpClient http, string path = "/healthz", TimeSpan? timeout = null)
    {
        var until = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (true)
        {
            if (_process.HasExited)
                throw new BenchException($"server exited with {_process.ExitCode} before answering; see {LogPath}");
            try
            {
                using var response = await http.GetAsync(BaseUrl + path);
                if (response.IsSuccessStatusCode) return Elapsed = _sinceStart.Elapsed;
            }
            catch (HttpRequestException) { }
            if (DateTime.UtcNow > until) throw new BenchException($"server gave no 200 on {path} within the timeout; see {LogPath}");
            await Task.Delay(10);
        }
    }

    public long PeakRss => Proc.PeakRssBytes(Pid);
    public long Rss => Proc.RssBytes(Pid);
    public TimeSpan Cpu => Proc.CpuTime(Pid);

    /// <summary>Stops the process gracefully (SIGTERM), killing it if it is still there after 10 seconds.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            await Shell.RunAsync("kill", ["-TERM", _process.Id.ToString()]);
            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try { await _process.WaitForExitAsync(grace.Token); }
            catch (OperationCanceledException) { _process.Kill(entireProcessTree: true); await _process.WaitForExitAsync(); }
        }
        _process.Dispose();
        lock (_log) _log.Dispose();
    }
}
