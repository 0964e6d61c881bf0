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

    /// <summary>CPU time of each of the process's threads (by thread id) with its name (/proc/PID/task/TID/comm).</summary>
    public static Dictionary<int, (string Name, TimeSpan Cpu)> ThreadCpu(int pid)
    {
        var threads = new Dictionary<int, (string, TimeSpan)>();
        foreach (var task in Directory.EnumerateDirectories($"/proc/{pid}/task"))
        {
            try
            {
                var name = File.ReadAllText(Path.Combine(task, "comm")).Trim();
                var stat = File.ReadAllText(Path.Combine(task, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
                threads[int.Parse(Path.GetFileName(task), CultureInfo.InvariantCulture)] = (name, TimeSpan.FromSeconds(ticks / 100.0));
            }
            catch (IOException) { } // the thread ended between the listing and the read
        }
        return threads;
    }

    /// <summary>
    /// CPU used between two <see cref="ThreadCpu"/> readings, summed by thread name, largest first. A thread that ended
    /// in between is missing (its time is in the process's total, not here).
    /// </summary>
    public static string ThreadCpuDelta(Dictionary<int, (string Name, TimeSpan Cpu)> before, Dictionary<int, (string Name, TimeSpan Cpu)> after, TimeSpan total,
        bool decimals = false) =>
        string.Join(", ", after
            .GroupBy(t => t.Value.Name, t => t.Value.Cpu - (before.TryGetValue(t.Key, out var b) && b.Name == t.Value.Name ? b.Cpu : TimeSpan.Zero))
            .Select(g => (Name: g.Key, Cpu: g.Aggregate(TimeSpan.Zero, (x, y) => x + y), Count: g.Count()))
            .Where(g => g.Cpu > TimeSpan.Zero)
            .OrderByDescending(g => g.Cpu)
            .Select(g => $"{g.Name} ×{g.Count} {(g.Cpu.TotalSeconds / total.TotalSeconds * 100).ToString(decimals ? "0.00" : "0", CultureInfo.InvariantCulture)}%"));

    static long StatusKb(int pid, string key)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            if (line.StartsWith(key, StringComparison.Ordinal))
                return long.Parse(line[key.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
        throw new BenchException($"/proc/{pid}/status has no {key}");
    }

    public static string Mb(long bytes) => $"{bytes / 1024.0 / 1024.0:0} MB";
}
