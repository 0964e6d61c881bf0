using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Text;
using Mailroom.Data;
using Mailroom.Server.Api.V3;
using Mailroom.Server.Domain.Accounts;
using Mailroom.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Mailroom.Server.Tests.Api.Pipeline;

/// <summary>
/// The real /v3 pipeline (AddMailroomCore/AddMailroomApi/UseMailroomApi/MapMailroomApi) on a fresh database,
/// plus a few test-only routes, because the only real /v3 route on this branch is GET /v3/account.
/// Every log line of every category down to Trace is captured so tests can prove no secret is written.
/// </summary>
public sealed class PipelineApp : IAsyncDisposable
{
    public FakeTimeProvider Clock { get; } = new(MailroomApp.Start);
    public LogCapture Logs { get; } = new();
    public HttpClient Http { get; private set; } = null!;
    /// <summary>How many times a handler with side effects (POST /v3/_work) ran.</summary>
    public int WorkDone => _work.Count;

    readonly WorkCounter _work = new();
    TestDatabase? _database;
    WebApplication _app = null!;

    public static async Task<PipelineApp> StartAsync(string provider, Dictionary<string, string?>? settings = null,
        string? connectionString = null)
    {
        var pipeline = new PipelineApp();
        if (connectionString is null)
        {
            pipeline._database = await TestDatabase.CreateAsync(provider);
            connectionString = pipeline._database.ConnectionString;
        }

        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
        builder.WebHost.UseTestServer();
        var all = new Dictionary<string, string?>
        {
            ["Database:Provider"] = provider,
            ["Database:ConnectionString"] = connectionString,
            ["RateLimit:PermitsPerMinute"] = "0",
            ["PublicUrl"] = "http://mailroom.test",
            // A deployment without appsettings.json logs everything at Information; tests go further, to Trace.
            ["Logging:LogLevel:Default"] = "Trace",
            ["Logging:LogLevel:Microsoft.AspNetCore"] = "Trace",
            ["Logging:LogLevel:Microsoft.EntityFrameworkCore"] = "Trace",
        };
        foreach (var (k, v) in settings ?? []) all[k] = v;
        builder.Configuration.AddInMemoryCollection(all);
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(pipeline.Logs);
        builder.Services.AddMailroomCore();
        builder.Services.AddMailroomApi();
        builder.Services.RemoveAll<TimeProvider>();
        builder.Services.AddSingleton<TimeProvider>(pipeline.Clock);
        builder.Services.AddSingleton(pipeline._work);

        var app = builder.Build();
        app.UseMailroomApi();
        MapTestRoutes(app.MapGroup("/v3"));
        app.MapMailroomApi();
        await app.StartAsync();
        pipeline._app = app;
        pipeline.Http = app.GetTestClient();
        return pipeline;
    }

    static void MapTestRoutes(RouteGroupBuilder v3)
    {
        // The merged parameter bag without the credentials, so expectations stay readable.
        v3.MapMethods("/_echo", ["GET", "POST", "PUT", "DELETE"], (ApiParams p) =>
        {
            var copy = p.Root.DeepClone().AsObject();
            copy.Remove("api_key");
            copy.Remove("api_secret");
            return TypedResults.Json(copy);
        });
        v3.MapGet("/_caller", (Caller caller) => TypedResults.Ok(caller));
        v3.MapMethods("/_typed", ["GET", "POST"], (ApiParams p) => TypedResults.Ok(new
        {
            page = p.Long("page"),
            count = p.Int("count"),
            flag = p.Bool("flag"),
            amount = p.Decimal("amount"),
            name = p.String("name"),
            ids = p.LongList("ids"),
        }));
        v3.MapPost("/_work", (WorkCounter work) => TypedResults.Ok(new { done = work.Increment() }));
        v3.MapMethods("/_boom", ["GET", "POST"], (ApiParams p) =>
        {
            _ = p;
            throw new InvalidOperationException("boom from a test handler");
        });
        // A statement that fails in the database, long and with many parameters, as 32,767 ids once made one.
        v3.MapPost("/_failing_sql", async (AppDbContext db, CancellationToken ct) =>
        {
            var values = Enumerable.Range(0, 2000).Select(i => (object)$"param-value-{i}").ToArray();
            var sql = "SELECT no_such_column FROM accounts WHERE api_key IN ("
                + string.Join(", ", values.Select((_, i) => $"{{{i}}}")) + ")";
            await db.Database.ExecuteSqlRawAsync(sql, values, ct);
            return TypedResults.Ok();
        });
        v3.MapGet("/_items/{id:long}/sub", (long id, Caller caller) => TypedResults.Ok(new { id }));
        v3.MapMethods("/_secret_only", ["GET", "DELETE"], (Caller caller) => TypedResults.Ok(new { caller.AccountId })).RequireSecret();
    }

    public async Task<TestAccount> CreateAccountAsync(string name = "Acme Corp.", string email = "owner@acme.test", int? rateLimit = null)
    {
        await using var scope = _app.Services.CreateAsyncScope();
        var created = scope.ServiceProvider.GetRequiredService<AccountService>().Add(name, email, "creator", rateLimit: rateLimit);
        await scope.ServiceProvider.GetRequiredService<AppDbContext>().SaveChangesAsync();
        return new TestAccount(created.Account.Id, created.ApiKey, created.ApiSecret);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _app.DisposeAsync();
        if (_database is not null) await _database.DisposeAsync();
    }
}

public sealed class WorkCounter
{
    int _count;
    public int Count => Volatile.Read(ref _count);
    public int Increment() => Interlocked.Increment(ref _count);
}

/// <summary>Keeps every log line (message and exception text) written through the host's logging.</summary>
public sealed class LogCapture : ILoggerProvider
{
    readonly ConcurrentQueue<string> _lines = new();

    public IReadOnlyCollection<string> Lines => _lines;
    public string All => string.Join("\n", _lines);

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _lines);

    public void Dispose() { }

    sealed class Logger(string category, ConcurrentQueue<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception,
            Func<TState, Exception?, string> formatter)
        {
            var structured = state is IEnumerable<KeyValuePair<string, object?>> pairs
                ? string.Join(" ", pairs.Select(p => $"{p.Key}={p.Value}"))
                : "";
            lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)} {structured} {exception}");
        }
    }
}

static class Bodies
{
    /// <summary>A body with exactly this Content-Type header, parameters (charset) included.</summary>
    public static StringContent Raw(string body, string contentType)
    {
        var content = new StringContent(body, Encoding.UTF8);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        return content;
    }
}
