using Mailroom.Server.Tests.Infrastructure;

namespace Mailroom.Server.Tests.Api.Pipeline;

/// <summary>The per-account rolling 60-second budget of spec §1.7 and §8, on a fake clock.</summary>
public sealed class RateLimitTests
{
    static readonly Dictionary<string, string?> Limit120 = new() { ["RateLimit:PermitsPerMinute"] = "120" };

    static string TooMany(int n) => $$"""{"error":"Too Many Requests","message":"Rate limit exceeded: {{n}} requests per 60 seconds"}""";

    static async Task<int[]> Hit(PipelineApp app, string credential, int times)
    {
        var statuses = new int[times];
        for (var i = 0; i < times; i++)
        {
            using var response = await app.Http.PostAsync($"/v3/_work?{credential}", null);
            statuses[i] = (int)response.StatusCode;
        }
        return statuses;
    }

    static async Task AssertLimitedAsync(PipelineApp app, string credential, int permits, string retryAfter)
    {
        var response = await app.Http.PostAsync($"/v3/_work?{credential}", null);
        await response.AssertJsonAsync(429, TooMany(permits));
        Assert.Equal(retryAfter, response.Headers.RetryAfter?.ToString());
    }

    [Theory, Providers]
    public async Task Request121InWindow_Returns429AndDoesNoWork(string provider)
    {
        await using var app = await PipelineApp.StartAsync(provider, Limit120);
        var a = await app.CreateAccountAsync();

        Assert.All(await Hit(app, $"api_key={a.ApiKey}", 120), s => Assert.Equal(200, s));
        await AssertLimitedAsync(app, $"api_key={a.ApiKey}", 120, "60");
        await AssertLimitedAsync(app, $"api_secret={a.ApiSecret}", 120, "60");

        Assert.Equal(120, app.WorkDone);
    }

    [Theory, Providers]
    public async Task ConcurrentBurst_ExactlyTheBudgetSucceeds(string provider)
    {
        await using var app = await PipelineApp.StartAsync(provider, Limit120);
        var a = await app.CreateAccountAsync();

        // 16 in flight at a time: enough to race the limiter, few enough not to exhaust a shared Postgres' connections.
        using var gate = new SemaphoreSlim(16);
        var responses = await Task.WhenAll(Enumerable.Range(0, 150).Select(async _ =>
        {
            await gate.WaitAsync();
            try { return await app.Http.PostAsync($"/v3/_work?api_key={a.ApiKey}", null); }
            finally { gate.Release(); }
        }));

        Assert.Equal(120, responses.Count(r => (int)r.StatusCode == 200));
        Assert.Equal(30, responses.Count(r => (int)r.StatusCode == 429));
        Assert.Equal(120, app.WorkDone);
    }

    [Theory, Providers]
    public async Task KeyAndSecret_ShareOneBudget(string provider)
    {
        await using var app = await PipelineApp.StartAsync(provider, Limit120);
        var a = await app.CreateAccountAsync();

        Assert.All(await Hit(app, $"api_key={a.ApiKey}", 60), s => Assert.Equal(200, s));
        Assert.All(await Hit(app, $"api_secret={a.ApiSecret}", 60), s => Assert.Equal(200, s));

        await AssertLimitedAsync(app, $"api_key={a.ApiKey}", 120, "60");
        await AssertLimitedAsync(app, $"api_secret={a.ApiSecret}", 120, "60");
        var account = await app.Http.GetAsync($"/v3/account?api_secret={a.ApiSecret}");
        await account.AssertJsonAsync(429, TooMany(120));
    }

    [Theory, Providers]
    public async Task Accounts_HaveIndependentBudgets(string provider)
    {
        await using var app = await PipelineApp.StartAsync(provider, Limit120);
        var a = await app.CreateAccountAsync();
        var b = await app.CreateAccountAsync("Other Ltd.", "boss@other.test");

        Assert.All(await Hit(app, $"api_key={a.ApiKey}", 120), s => Assert.Equal(200, s));
        await AssertLimitedAsync(app, $"api_key={a.ApiKey}", 120, "60");

        Assert.All(await Hit(app, $"api_key={b.ApiKey}", 120), s => Assert.Equal(200, s));
        await AssertLimitedAsync(app, $"api_key={b.ApiKey}", 120, "60");
        Assert.Equal(240, app.WorkDone);
    }

    [Theory, Providers]
    public async Task Budget_ReturnsAsTheWindowSlides(string provider)
    {
        await using var app = await PipelineApp.StartAsync(provider, Limit120);
        var a = await app.CreateAccountAsync();
        var key = $"api_key={a.ApiKey}";

        Assert.All(await Hit(app, key, 60), s => Assert.Equal(200, s));          // t = 0
        app.Clock.Advance(TimeSpan.FromSeconds(30));
        Assert.All(await Hit(app, key, 60), s => Assert.Equal(200, s));          // t = 30
        await AssertLimitedAsync(app, key, 120, "30");

        // One millisecond before the first 60 leave the window, nothing is free yet.
        app.Clock.Advance(TimeSpan.FromMilliseconds(29_999));
        await AssertLimitedAsync(app, key, 120, "1");

        // t = 60: exactly the first 60 have left the window; the 60 from t = 30 still count.
        app.Clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.All(await Hit(app, key, 60), s => Assert.Equal(200, s));
        await AssertLimitedAsync(app, key, 120, "30");

        // t = 91: the batch from t = 30 is gone too, and the 429s above spent nothing.
        app.Clock.Advance(TimeSpan.FromSeconds(31));
        Assert.All(await Hit(app, key, 60), s => Assert.Equal(200, s));
        await AssertLimitedAsync(app, key, 120, "29");
        Assert.Equal(240, app.WorkDone);
    }

    [Theory, Providers]
    public async Task FailedAuthentication_SpendsNoBudget(string provider)
    {
        await using var app = await PipelineApp.StartAsync(provider, new() { ["RateLimit:PermitsPerMinute"] = "2" });
        var a = await app.CreateAccountAsync();

        for (var i = 0; i < 5; i++)
            await (await app.Http.GetAsync($"/v3/account?api_key={a.ApiKey}")).AssertStatusAsync(401);

        Assert.All(await Hit(app, $"api_key={a.ApiKey}", 2), s => Assert.Equal(200, s));
        await AssertLimitedAsync(app, $"api_key={a.ApiKey}", 2, "60");
    }

    [Theory, Providers]
    public async Task AccountOverride_ReplacesTheGlobalBudget(string provider)
    {
        await using var app = await PipelineApp.StartAsync(provider, Limit120);
        var small = await app.CreateAccountAsync(rateLimit: 3);
        var unlimited = await app.CreateAccountAsync("Bulk Inc.", "bulk@bulk.test", rateLimit: 0);
        var normal = await app.CreateAccountAsync("Other Ltd.", "boss@other.test");

        Assert.All(await Hit(app, $"api_secret={small.ApiSecret}", 3), s => Assert.Equal(200, s));
        await AssertLimitedAsync(app, $"api_secret={small.ApiSecret}", 3, "60");

        Assert.All(await Hit(app, $"api_key={unlimited.ApiKey}", 130), s => Assert.Equal(200, s));

        Assert.All(await Hit(app, $"api_key={normal.ApiKey}", 120), s => Assert.Equal(200, s));
        await AssertLimitedAsync(app, $"api_key={normal.ApiKey}", 120, "60");
    }

    [Theory, Providers]
    public async Task GlobalZero_DisablesTheLimiter(string provider)
    {
        await using var app = await PipelineApp.StartAsync(provider, new() { ["RateLimit:PermitsPerMinute"] = "0" });
        var a = await app.CreateAccountAsync();

        Assert.All(await Hit(app, $"api_key={a.ApiKey}", 150), s => Assert.Equal(200, s));
        Assert.Equal(150, app.WorkDone);
    }

    [Theory, Providers]
    public async Task RealServer_AccountRoute_IsLimited(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider, new() { ["RateLimit:PermitsPerMinute"] = "2" });
        var a = await app.CreateAccountAsync();

        await (await app.Http.GetAsync($"/v3/account?api_secret={a.ApiSecret}")).AssertStatusAsync(200);
        await (await app.Http.GetAsync($"/v3/account?api_secret={a.ApiSecret}")).AssertStatusAsync(200);
        var limited = await app.Http.GetAsync($"/v3/account?api_secret={a.ApiSecret}");

        await limited.AssertJsonAsync(429, TooMany(2));
        Assert.Equal("60", limited.Headers.RetryAfter?.ToString());
        app.Clock.Advance(TimeSpan.FromSeconds(60));
        await (await app.Http.GetAsync($"/v3/account?api_secret={a.ApiSecret}")).AssertStatusAsync(200);
    }
}
