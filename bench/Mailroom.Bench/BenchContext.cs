using Mailroom.Bench.Infrastructure;

namespace Mailroom.Bench;

/// <summary>What every scenario shares: options, the work folder, one HTTP client and the report being built.</summary>
public sealed class BenchContext(BenchOptions options, Report report) : IDisposable
{
    public BenchOptions Options => options;
    public Report Report => report;
    public string WorkDir => options.WorkDir;
    public HttpClient Http { get; } = new(new SocketsHttpHandler { MaxConnectionsPerServer = 64 }) { Timeout = TimeSpan.FromMinutes(2) };

    public string BaselineExecutable => Path.Combine(options.BaselineDir, "bench-baseline");

    /// <summary>Starts the bare Kestrel baseline on a free port and waits for its /healthz.</summary>
    public async Task<ServerProcess> StartBaselineAsync(string name)
    {
        var port = Ports.Free();
        var server = ServerProcess.Start(BaselineExecutable, ["--urls", $"http://127.0.0.1:{port}"],
            new Dictionary<string, string>(), options.BaselineDir, port, Path.Combine(WorkDir, $"{name}.log"));
        await server.WaitHealthyAsync(Http);
        return server;
    }

    public MailroomServer Mailroom(BenchDatabase db, string name) => new(this, db, name);

    /// <summary>The databases a scenario runs on: SQLite always, PostgreSQL unless switched off or unreachable.</summary>
    public async IAsyncEnumerable<BenchDatabase> DatabasesAsync(string name, bool postgres = true)
    {
        yield return BenchDatabase.Sqlite(WorkDir, name);
        if (!postgres || !options.Postgres) yield break;
        if (await BenchDatabase.PostgresProblemAsync() is { } problem)
        {
            report.Note($"PostgreSQL skipped for {name}: {problem}");
            yield break;
        }
        yield return await BenchDatabase.PostgresAsync(name);
    }

    public void Dispose() => Http.Dispose();
}
