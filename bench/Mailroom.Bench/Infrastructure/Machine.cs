using System.Runtime.InteropServices;

namespace Mailroom.Bench.Infrastructure;

/// <summary>The machine line of RESULTS.md: cores, CPU, memory, kernel, runtime and how busy the box was.</summary>
public static class Machine
{
    public static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "?";

    public static string Describe(string loadBefore)
    {
        var cpu = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))
            ?.Split(':', 2)[1].Trim() ?? "unknown CPU";
        var memKb = File.ReadLines("/proc/meminfo").First(l => l.StartsWith("MemTotal:", StringComparison.Ordinal))
            .Split(' ', StringSplitOptions.RemoveEmptyEntries)[1];
        var ram = long.Parse(memKb, System.Globalization.CultureInfo.InvariantCulture) / 1024.0 / 1024.0;
        var kernel = File.Exists("/proc/sys/kernel/osrelease") ? File.ReadAllText("/proc/sys/kernel/osrelease").Trim() : "?";
        var commit = Environment.GetEnvironmentVariable("BENCH_COMMIT") ?? "unknown";
        return $"Machine: {Environment.ProcessorCount} cores (nproc), {cpu}, {ram:0.0} GB RAM, Linux {kernel}, " +
               $"{RuntimeInformation.FrameworkDescription}; commit {commit}. " +
               $"Load average before: {loadBefore}, after: {LoadAverage()} (other jobs share this machine).";
    }
}
