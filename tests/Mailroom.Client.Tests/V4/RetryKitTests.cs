using Mailroom.Client.Tests.Infrastructure;
using Mailroom.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Mailroom.Client.Tests.V4;

using Mailroom.Client.V4;

/// <summary>
/// v4 through the real registration (<c>AddKitClient</c>) against the server's per-credential rate limiter: the v3
/// client's retry policy (429 with Retry-After) applies unchanged. Waits end at once (<see cref="InstantDelays"/>).
/// </summary>
public sealed class RetryKitTests
{
    const int Permits = 2;

    static Task<MailroomApp> StartRateLimitedAsync(string provider) =>
        MailroomApp.StartAsync(provider, new() { ["RateLimit:ApiKeyPermitsPerMinute"] = Permits.ToString(System.Globalization.CultureInfo.InvariantCulture) });

    static ServiceProvider Register(MailroomApp app, string apiKey, TimeProvider time, int retries, RecordingHandler recorder)
    {
        var services = new ServiceCollection();
        services.AddSingleton(time);
        services.AddKitClient(o =>
            {
                o.BaseAddress = KitArrange.V4(app);
                o.ApiKey = apiKey;
                o.Retry = new ConvertKitRetryOptions { MaxRetryAttempts = retries, AttemptTimeout = null };
            })
            .ConfigurePrimaryHttpMessageHandler(() => app.Server.CreateHandler())
            .AddHttpMessageHandler(() => recorder);
        return services.BuildServiceProvider();
    }

    [Theory, Providers]
    public async Task RateLimited_RetryAfterGiven_WaitsThatLongThenSucceeds(string provider)
    {
        await using var app = await StartRateLimitedAsync(provider);
        var account = await app.CreateAccountAsync();
        var time = new InstantDelays(app.Clock, moveServerClock: true);
        var recorder = new RecordingHandler();
        await using var services = Register(app, await app.CreateApiKeyAsync(account.Id), time, 2, recorder);
        var kit = services.GetRequiredService<KitClient>();
        for (var i = 0; i < Permits; i++) await kit.ListSegmentsAsync();

        var page = await kit.ListSegmentsAsync();

        Assert.Empty(page.Items);
        var wait = Assert.Single(time.Delays);
        Assert.InRange(wait, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60));
        Assert.Equal(Permits + 2, recorder.Count);
    }

    [Theory, Providers]
    public async Task RateLimited_NoRetries_Throws429WithKitsErrorsAndRetryAfter(string provider)
    {
        await using var app = await StartRateLimitedAsync(provider);
        var account = await app.CreateAccountAsync();
        var recorder = new RecordingHandler();
        await using var services = Register(app, await app.CreateApiKeyAsync(account.Id), new InstantDelays(app.Clock, false), 0, recorder);
        var kit = services.GetRequiredService<KitClient>();
        for (var i = 0; i < Permits; i++) await kit.ListSegmentsAsync();

        var e = await kit.ListSegmentsAsync().AssertKitErrorAsync(429, "Rate limit exceeded. Please wait and try again.");

        Assert.NotNull(e.RetryAfter);
    }
}
