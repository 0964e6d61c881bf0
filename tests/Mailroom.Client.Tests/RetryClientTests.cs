using System.Net;
using Mailroom.Client.Tests.Infrastructure;
using Mailroom.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Mailroom.Client.Tests;

/// <summary>
/// Retries through the real registration (<c>AddConvertKitClient</c>) against the server's real rate limiter. The client's
/// waits end at once and are recorded (<see cref="InstantDelays"/>), so honouring a 60-second Retry-After takes no time.
/// </summary>
public sealed class RetryClientTests
{
    const int Permits = 3;

    static Task<MailroomApp> StartRateLimitedAsync(string provider) =>
        MailroomApp.StartAsync(provider, new() { ["RateLimit:PermitsPerMinute"] = Permits.ToString(System.Globalization.CultureInfo.InvariantCulture) });

    /// <summary>The client as an application would register it, sending to the in-process server, with a recorder behind the retries.</summary>
    static ServiceProvider Register(MailroomApp app, TestAccount account, TimeProvider time, ConvertKitRetryOptions retry, RecordingHandler recorder)
    {
        var services = new ServiceCollection();
        services.AddSingleton(time);
        services.AddConvertKitClient(o =>
            {
                o.BaseAddress = ClientArrange.V3(app);
                o.ApiKey = account.ApiKey;
                o.ApiSecret = account.ApiSecret;
                o.Retry = retry;
            })
            .ConfigurePrimaryHttpMessageHandler(() => app.Server.CreateHandler())
            .AddHttpMessageHandler(() => recorder);
        return services.BuildServiceProvider();
    }

    // No attempt timeout here: InstantDelays ends every wait at once, a timeout's included.
    static ConvertKitRetryOptions Retries(int attempts) => new() { MaxRetryAttempts = attempts, AttemptTimeout = null };

    [Theory, Providers]
    public async Task RateLimited_RetryAfterGiven_WaitsExactlyThatLongThenSucceeds(string provider)
    {
        await using var app = await StartRateLimitedAsync(provider);
        var account = await app.CreateAccountAsync();
        var time = new InstantDelays(app.Clock, moveServerClock: true);
        var recorder = new RecordingHandler();
        await using var services = Register(app, account, time, Retries(2), recorder);
        var kit = services.GetRequiredService<ConvertKitClient>();
        for (var i = 0; i < Permits; i++) await kit.GetAccountAsync();

        var result = await kit.GetAccountAsync();

        Assert.Equal("Acme Corp.", result.Name);
        Assert.Equal([TimeSpan.FromSeconds(60)], time.Delays);
        Assert.Equal(Permits + 2, recorder.Count);
        Assert.Equal(MailroomApp.Start.AddSeconds(60), app.Clock.GetUtcNow());
    }

    [Theory, Providers]
    public async Task RateLimited_EveryAttempt_StopsAfterTheConfiguredRetriesWith429(string provider)
    {
        await using var app = await StartRateLimitedAsync(provider);
        var account = await app.CreateAccountAsync();
        var time = new InstantDelays(app.Clock, moveServerClock: false);
        var recorder = new RecordingHandler();
        await using var services = Register(app, account, time, Retries(2), recorder);
        var kit = services.GetRequiredService<ConvertKitClient>();
        for (var i = 0; i < Permits; i++) await kit.ListTagsAsync();

        var e = await kit.ListTagsAsync().AssertFailsAsync(429, "Too Many Requests", "Rate limit exceeded: 3 requests per 60 seconds");

        Assert.Equal(TimeSpan.FromSeconds(60), e.RetryAfter);
        Assert.Equal(Permits + 1 + 2, recorder.Count);
        Assert.Equal([TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(60)], time.Delays);
    }

    [Theory, Providers]
    public async Task RateLimited_RetryAfterBeyondTheMaximum_FailsAtOnce(string provider)
    {
        await using var app = await StartRateLimitedAsync(provider);
        var account = await app.CreateAccountAsync();
        var time = new InstantDelays(app.Clock, moveServerClock: true);
        var recorder = new RecordingHandler();
        var retry = Retries(3);
        retry.MaxRetryAfter = TimeSpan.FromSeconds(30);
        await using var services = Register(app, account, time, retry, recorder);
        var kit = services.GetRequiredService<ConvertKitClient>();
        for (var i = 0; i < Permits; i++) await kit.ListTagsAsync();

        await kit.ListTagsAsync().AssertFailsAsync(429, "Too Many Requests", "Rate limit exceeded: 3 requests per 60 seconds");

        Assert.Equal(Permits + 1, recorder.Count);
        Assert.Empty(time.Delays);
    }

    [Theory, Providers]
    public async Task RateLimited_RetriesOff_FailsAtOnce(string provider)
    {
        await using var app = await StartRateLimitedAsync(provider);
        var account = await app.CreateAccountAsync();
        var recorder = new RecordingHandler();
        await using var services = Register(app, account, new InstantDelays(app.Clock, moveServerClock: true), Retries(0), recorder);
        var kit = services.GetRequiredService<ConvertKitClient>();
        for (var i = 0; i < Permits; i++) await kit.ListTagsAsync();

        await Assert.ThrowsAsync<ConvertKitApiException>(() => kit.ListTagsAsync());

        Assert.Equal(Permits + 1, recorder.Count);
    }

    /// <summary>A hand-built client with the retry handler, a recorder, then <paramref name="failures"/> 503s before the server.</summary>
    static (ConvertKitClient Client, RecordingHandler Recorder) WithFailures(MailroomApp app, TestAccount account, InstantDelays time, int failures)
    {
        var recorder = new RecordingHandler { InnerHandler = new FailingFirstHandler(failures) { InnerHandler = app.Server.CreateHandler() } };
        var retry = new ConvertKitRetryOptions
        {
            MaxRetryAttempts = 3, BaseDelay = TimeSpan.FromSeconds(1), UseJitter = false, AttemptTimeout = null,
        };
        var handler = ConvertKitResilience.CreateHandler(retry, time, recorder);
        var options = new ConvertKitClientOptions { BaseAddress = ClientArrange.V3(app), ApiKey = account.ApiKey, ApiSecret = account.ApiSecret };
        return (new ConvertKitClient(new HttpClient(handler), options), recorder);
    }

    [Theory, Providers]
    public async Task ServerError_OnARead_IsRetriedWithExponentialBackoff(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var time = new InstantDelays(app.Clock, moveServerClock: false);
        var (kit, recorder) = WithFailures(app, account, time, failures: 2);

        var tags = await kit.ListTagsAsync();

        Assert.Empty(tags);
        Assert.Equal(3, recorder.Count);
        Assert.Equal([TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2)], time.Delays);
    }

    [Theory, Providers]
    public async Task ServerError_OnASubscribe_IsRetriedBecauseKitUpserts(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var form = await app.AddFormAsync(account.Id);
        var (kit, recorder) = WithFailures(app, account, new InstantDelays(app.Clock, moveServerClock: false), failures: 1);

        var result = await kit.SubscribeToFormAsync(form.Id, new SubscribeRequest("ada@example.com"));

        Assert.Equal(form.Id, result.SubscribableId);
        Assert.Equal(2, recorder.Count);
    }

    [Theory, Providers]
    public async Task ServerError_OnACreate_IsNotRepeated(string provider)
    {
        await using var app = await MailroomApp.StartAsync(provider);
        var account = await app.CreateAccountAsync();
        var (kit, recorder) = WithFailures(app, account, new InstantDelays(app.Clock, moveServerClock: false), failures: 1);

        var e = await kit.CreateTagAsync("Customer").AssertFailsAsync(503, "Service Unavailable", "Try again later");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, e.StatusCode);
        Assert.Equal(1, recorder.Count);
        Assert.Empty(await kit.ListTagsAsync());
    }
}
