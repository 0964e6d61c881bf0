namespace Mailroom.Bench.Infrastructure;

/// <summary>
/// Counts the SQL statements one request costs: a separate server with EF Core's command log switched on and
/// its background workers off (their polling would add statements), n requests, then the log lines are counted.
/// </summary>
public static class SqlCounter
{
    public static async Task<double> PerRequestAsync(MailroomServer mailroom, Func<ServerProcess, Task> request, int n = 20)
    {
        await using var server = await mailroom.StartAsync(
            new Dictionary<string, string> { ["Workers__Enabled"] = "false" },
            "--Logging:LogLevel:Microsoft.EntityFrameworkCore.Database.Command=Information");
        await request(server);
        await Task.Delay(500);
        var before = Count(server.LogPath);
        for (var i = 0; i < n; i++) await request(server);
        await Task.Delay(500);
        return (Count(server.LogPath) - before) / (double)n;
    }

    static int Count(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        var count = 0;
        while (reader.ReadLine() is { } line)
            if (line.Contains("Executed DbCommand", StringComparison.Ordinal)) count++;
        return count;
    }
}
