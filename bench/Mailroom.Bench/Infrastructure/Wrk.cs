using System.Globalization;
using System.Text.RegularExpressions;

namespace Mailroom.Bench.Infrastructure;

public sealed record WrkResult(long Requests, long Non2xx, long SocketErrors, double Seconds, double P50Ms, double P99Ms)
{
    /// <summary>Successful (2xx/3xx) responses per second: errors are not throughput.</summary>
    public double OkPerSecond => Ok / Seconds;
    public long Ok => Requests - Non2xx;
    public string? Problems => Non2xx + SocketErrors == 0 ? null : $"{Non2xx} non-2xx responses, {SocketErrors} socket errors";
}

/// <summary>Runs wrk (one thread, keep-alive connections, --latency) and reads its summary.</summary>
public static partial class Wrk
{
    public static async Task<WrkResult> RunAsync(string url, int connections, int seconds, string? script = null,
        IReadOnlyDictionary<string, string>? env = null)
    {
        var args = new List<string> { "-t1", $"-c{connections}", $"-d{seconds}s", "--latency", "--timeout", "10s" };
        if (script is not null) args.AddRange(["-s", script]);
        args.Add(url);
        var run = (await Shell.RunAsync("wrk", args, env)).EnsureSuccess("wrk");
        var text = run.Output;
        var total = RequestsLine().Match(text);
        if (!total.Success) throw new BenchException($"unexpected wrk output: {text}");
        long non2xx = 0, socket = 0;
        if (Non2xx().Match(text) is { Success: true } n) non2xx = long.Parse(n.Groups[1].Value, CultureInfo.InvariantCulture);
        if (SocketErrors().Match(text) is { Success: true } s)
            socket = s.Groups.Values.Skip(1).Sum(g => long.Parse(g.Value, CultureInfo.InvariantCulture));
        return new WrkResult(
            long.Parse(total.Groups[1].Value, CultureInfo.InvariantCulture),
            non2xx, socket,
            Duration(total.Groups[2].Value),
            Latency(text, "50%"),
            Latency(text, "99%"));
    }

    static double Latency(string text, string percentile)
    {
        var m = Regex.Match(text, $@"^\s*{Regex.Escape(percentile)}\s+([\d.]+)(us|ms|s|m)\s*$", RegexOptions.Multiline);
        return m.Success ? ToMs(double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), m.Groups[2].Value) : double.NaN;
    }

    static double Duration(string text)
    {
        var m = Regex.Match(text, @"^([\d.]+)(us|ms|s|m)$");
        return ToMs(double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), m.Groups[2].Value) / 1000;
    }

    static double ToMs(double value, string unit) => unit switch
    {
        "us" => value / 1000,
        "ms" => value,
        "s" => value * 1000,
        _ => value * 60_000,
    };

    [GeneratedRegex(@"(\d+) requests in ([\d.]+\w+),")]
    private static partial Regex RequestsLine();

    [GeneratedRegex(@"Non-2xx or 3xx responses: (\d+)")]
    private static partial Regex Non2xx();

    [GeneratedRegex(@"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")]
    private static partial Regex SocketErrors();
}
