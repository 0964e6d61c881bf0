namespace Mailroom.Bench.Infrastructure;

public sealed record LoadResult(WrkResult Wrk, double CpuMicrosecondsPerRequest, long PeakRss, WrkResult Warmup);

/// <summary>wrk -t1 -c32 against a server: a 3-second warm-up (JIT tiers, pools), then the measured run.</summary>
public static class Load
{
    public const int Connections = 32;

    public static async Task<LoadResult> MeasureAsync(ServerProcess server, string pathAndQuery, int seconds,
        string? script = null, IReadOnlyDictionary<string, string>? env = null)
    {
        var url = server.BaseUrl + pathAndQuery;
        var warmup = await Wrk.RunAsync(url, Connections, 3, script, env);
        var cpuBefore = server.Cpu;
        var result = await Wrk.RunAsync(url, Connections, seconds, script, env);
        var cpu = server.Cpu - cpuBefore;
        return new LoadResult(result, cpu.TotalMicroseconds / Math.Max(1, result.Requests), server.PeakRss, warmup);
    }

    public static string Latency(WrkResult r) => $"{Stats.Ms(r.P50Ms)} / {Stats.Ms(r.P99Ms)}";
}
