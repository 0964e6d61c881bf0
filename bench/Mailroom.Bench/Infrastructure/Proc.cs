using System.Globalization;

namespace Mailroom.Bench.Infrastructure;

/// <summary>What Linux says about a process: resident memory (now and peak) and CPU time used.</summary>
public static class Proc
{
    /// <summary>VmHWM: the most resident memory the process has ever had (the kernel tracks it, nothing is missed between samples).</summary>
    public static long PeakRssBytes(int pid) => StatusKb(pid, "VmHWM:") * 1024;

    public static long RssBytes(int pid) => StatusKb(pid, "VmRSS:") * 1024;

    /// <summary>User + system CPU time from /proc/PID/stat (fields 14 and 15, in clock ticks of 1/100 s).</summary>
    public static TimeSpan CpuTime(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        // The command name (field 2) may contain spaces; everything after its closing parenthesis is space-separated.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return TimeSpan.FromSeconds(ticks / 100.0);
    }

    static long StatusKb(int pid, string key)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            if (line.StartsWith(key, StringComparison.Ordinal))
                return long.Parse(line[key.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
        throw new BenchException($"/proc/{pid}/status has no {key}");
    }

    public static string Mb(long bytes) => $"{bytes / 1024.0 / 1024.0:0} MB";
}
