using Microsoft.AspNetCore.Builder;
using Mailroom.Data;
using Mailroom.Server.Domain.Accounts;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;

namespace Mailroom.Server.Tests.Infrastructure;

public sealed record TestAccount(long Id, string ApiKey, string ApiSecret);

/// <summary>
/// Records which request parameters a handler read (ApiParams.ReadNames) for requests that carry an
/// <c>X-Test-Record</c> header, so the documentation test can check every parameter read is documented.
/// </summary>
public sealed class ParameterReadRecorder : Microsoft.AspNetCore.Hosting.IStartupFilter
{
    public const string Header = "X-Test-Record";
    public static readonly System.Collections.Concurrent.ConcurrentDictionary<string, string[]> Reads = new();

    public Action<Microsoft.AspNetCore.Builder.IApplicationBuilder> Configure(Action<Microsoft.AspNetCore.Builder.IApplicationBuilder> next) => app =>
    {
        app.Use(async (context, nextMiddleware) =>
        {
            await nextMiddleware(context);
            if (context.Request.Headers.TryGetValue(Header, out var id) && context.Items["mailroom.params"] is Mailroom.Server.Api.V3.ApiParams p)
                Reads[id.ToString()] = [.. p.ReadNames];
        });
        next(app);
    };
}

/// <summary>
/// The real server over in-process HTTP, on its own fresh database, with a fake clock.
/// Workers and the first-run demo are off and the rate limit is off unless a test turns them on.
/// </summary>
public sealed class MailroomApp : WebApplicationFactory<Program>
{
    public static readonly DateTimeOffset Start = new(2024, 5, 1, 10, 0, 0, TimeSpan.Zero);

    public TestDatabase Database { get; }
    public TestClock Clock { get; } = new(Start);
    readonly Dictionary<string, string?> _settings;

    MailroomApp(TestDatabase database, Dictionary<string, string?> settings)
    {
        Database = database;
        _settings = settings;
    }

    public static async Task<MailroomApp> StartAsync(string provider, Dictionary<string, string?>? settings = null) =>
        StartOn(await TestDatabase.CreateAsync(provider), settings);

    /// <summary>Starts on a database the test already holds (e.g. one the CLI wrote to); the app then owns and drops it.</summary>
    public static MailroomApp StartOn(TestDatabase database, Dictionary<string, string?>? settings = null)
    {
        var all = new Dictionary<string, string?>
        {
            ["Database:Provider"] = database.Provider,
            ["Database:ConnectionString"] = database.ConnectionString,
            ["Demo:Enabled"] = "false",
            ["Workers:Enabled"] = "false",
            ["RateLimit:PermitsPerMinute"] = "0",
            ["RateLimit:ApiKeyPermitsPerMinute"] = "0",
            ["RateLimit:OAuthPermitsPerMinute"] = "0",
            ["PublicUrl"] = "http://mailroom.test",
            // Webhook receivers in tests listen on 127.0.0.1; the SSRF tests turn this off again.
            ["Webhooks:AllowPrivateTargets"] = "true",
        };
        foreach (var (k, v) in settings ?? []) all[k] = v;
        var app = new MailroomApp(database, all);
        _ = app.Server; // start now, so migrations and start-up failures surface in the test that caused them
        return app;
    }

    /// <summary>
    /// The server on a real Kestrel socket at 127.0.0.1 (for a browser or any outside client); links in mail
    /// point at it because PublicUrl is left to default to the listening address.
    /// </summary>
    public static async Task<MailroomApp> StartKestrelAsync(string provider, Dictionary<string, string?>? settings = null)
    {
        var all = new Dictionary<string, string?>(settings ?? []) { ["PublicUrl"] = "" };
        var database = await TestDatabase.CreateAsync(provider);
        var app = new MailroomApp(database, new Dictionary<string, string?>
        {
            ["Database:Provider"] = database.Provider,
            ["Database:ConnectionString"] = database.ConnectionString,
            ["Demo:Enabled"] = "false",
            ["Workers:Enabled"] = "false",
            ["RateLimit:PermitsPerMinute"] = "0",
            ["RateLimit:ApiKeyPermitsPerMinute"] = "0",
            ["RateLimit:OAuthPermitsPerMinute"] = "0",
        }.Concat(all).GroupBy(p => p.Key).ToDictionary(g => g.Key, g => g.Last().Value));
        app.UseKestrel(o => o.Listen(System.Net.IPAddress.Loopback, 0));
        app.StartServer();
        return app;
    }

    /// <summary>The real listening address when started with <see cref="StartKestrelAsync"/>.</summary>
    public string BaseUrl => Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>()
        .Features.Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (key, value) in _settings) builder.UseSetting(key, value);
        builder.UseEnvironment("Testing");
        builder.ConfigureServices(services =>
        {
            services.RemoveAll<TimeProvider>();
            services.AddSingleton<TimeProvider>(Clock);
            services.AddSingleton<Microsoft.AspNetCore.Hosting.IStartupFilter>(new ParameterReadRecorder());
        });
    }

    public HttpClient Http => _http ??= CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
    HttpClient? _http;

    public async Task<TestAccount> CreateAccountAsync(string name = "Acme Corp.", string email = "owner@acme.test",
        string plan = "creator", int? rateLimit = null)
    {
        await using var scope = Services.CreateAsyncScope();
        var created = scope.ServiceProvider.GetRequiredService<AccountService>().Add(name, email, plan, rateLimit: rateLimit);
        await scope.ServiceProvider.GetRequiredService<AppDbContext>().SaveChangesAsync();
        return new TestAccount(created.Account.Id, created.ApiKey, created.ApiSecret);
    }

    /// <summary>Runs work against the app's database in its own scope (arranging and checking state).</summary>
    public async Task<T> DbAsync<T>(Func<AppDbContext, Task<T>> work)
    {
        await using var scope = Services.CreateAsyncScope();
        return await work(scope.ServiceProvider.GetRequiredService<AppDbContext>());
    }

    public async Task DbAsync(Func<AppDbContext, Task> work)
    {
        await using var scope = Services.CreateAsyncScope();
        await work(scope.ServiceProvider.GetRequiredService<AppDbContext>());
    }

    /// <summary>Stops this server but keeps its database, for a restart with <see cref="StartOn"/>.</summary>
    public async Task<TestDatabase> StopKeepingDatabaseAsync()
    {
        _keepDatabase = true;
        await DisposeAsync();
        return Database;
    }
    bool _keepDatabase;
    bool _disposed;

    public override async ValueTask DisposeAsync()
    {
        // A stopped app is disposed again by its `await using`; the second time there is nothing left to do.
        if (_disposed) return;
        _disposed = true;
        _http?.Dispose();
        await base.DisposeAsync();
        if (!_keepDatabase) await Database.DisposeAsync();
    }
}
