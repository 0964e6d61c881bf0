using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Mailroom.Client.V4;

namespace Mailroom.Client;

/// <summary>Registers <see cref="ConvertKitClient"/> (v3) and <see cref="KitClient"/> (v4) with <see cref="IHttpClientFactory"/>.</summary>
public static class ServiceCollectionExtensions
{
    /// <summary>The name of the client's <see cref="HttpClient"/> and of its resilience pipeline.</summary>
    public const string HttpClientName = "Mailroom.Client.ConvertKit";

    /// <summary>
    /// Registers <see cref="ConvertKitClient"/> as a typed client whose <see cref="HttpClient"/> retries 429 and transient
    /// failures as <see cref="ConvertKitClientOptions.Retry"/> says. Delays and timeouts use the container's
    /// <see cref="TimeProvider"/> when one is registered.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets the base address and credentials.</param>
    /// <returns>The client's builder, to add handlers or configure the primary handler.</returns>
    public static IHttpClientBuilder AddConvertKitClient(this IServiceCollection services, Action<ConvertKitClientOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<ConvertKitClientOptions>().Configure(configure);
        var builder = services.AddHttpClient(HttpClientName).AddTypedClient((http, sp) =>
            new ConvertKitClient(http, sp.GetRequiredService<IOptions<ConvertKitClientOptions>>().Value));
        // Each attempt has its own timeout inside the pipeline and the attempts are bounded, so HttpClient's
        // 100-second overall timeout would only cut a legitimate Retry-After wait short.
        builder.ConfigureHttpClient(http => http.Timeout = Timeout.InfiniteTimeSpan);
        builder.AddResilienceHandler(HttpClientName, (pipeline, context) =>
        {
            var options = context.ServiceProvider.GetRequiredService<IOptions<ConvertKitClientOptions>>().Value;
            var time = context.ServiceProvider.GetService<TimeProvider>() ?? TimeProvider.System;
            ConvertKitResilience.Configure(pipeline, options.Retry, time);
        });
        return builder;
    }

    /// <summary>The name of the v4 client's <see cref="HttpClient"/> and of its resilience pipeline.</summary>
    public const string KitHttpClientName = "Mailroom.Client.Kit";

    /// <summary>
    /// Registers <see cref="KitClient"/> (v4) as a typed client whose <see cref="HttpClient"/> retries 429 and transient
    /// failures as <see cref="KitClientOptions.Retry"/> says. The options (and so an OAuth session and its refreshed tokens)
    /// are one instance shared by every client the container makes. Delays, timeouts and token expiry use the container's
    /// <see cref="TimeProvider"/> when one is registered.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets the base address and the credential.</param>
    /// <returns>The client's builder, to add handlers or configure the primary handler.</returns>
    public static IHttpClientBuilder AddKitClient(this IServiceCollection services, Action<KitClientOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<KitClientOptions>().Configure(configure);
        var builder = services.AddHttpClient(KitHttpClientName).AddTypedClient((http, sp) =>
            new KitClient(http, sp.GetRequiredService<IOptions<KitClientOptions>>().Value, sp.GetService<TimeProvider>()));
        // As for v3: attempts have their own timeouts and are bounded.
        builder.ConfigureHttpClient(http => http.Timeout = Timeout.InfiniteTimeSpan);
        builder.AddResilienceHandler(KitHttpClientName, (pipeline, context) =>
        {
            var options = context.ServiceProvider.GetRequiredService<IOptions<KitClientOptions>>().Value;
            var time = context.ServiceProvider.GetService<TimeProvider>() ?? TimeProvider.System;
            ConvertKitResilience.Configure(pipeline, options.Retry, time);
        });
        return builder;
    }
}
