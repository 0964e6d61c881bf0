using System.Net;
using Microsoft.Extensions.Http.Resilience;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace Mailroom.Client;

/// <summary>
/// The retry pipeline behind <see cref="ServiceCollectionExtensions.AddConvertKitClient"/>, also available for an
/// <see cref="HttpClient"/> built by hand.
/// </summary>
/// <remarks>
/// What is retried: a <c>429</c> always (the server did no work), unless its <c>Retry-After</c> exceeds
/// <see cref="ConvertKitRetryOptions.MaxRetryAfter"/>; a transient failure (5xx, 408, timeout, connection error) only when the
/// request is safe to repeat: reads, updates and deletes, the subscribe calls (Kit upserts the subscriber and returns the
/// existing subscription) and purchase creation (Kit upserts by <c>transaction_id</c>). Creating a tag, custom field, broadcast
/// or webhook rule is not repeated after a failure the server may have half-processed, since a second attempt could create a
/// duplicate or fail with "has already been taken".
/// </remarks>
public static class ConvertKitResilience
{
    /// <summary>Marks a request as safe (true) or unsafe (false) to repeat after a transient failure; the client sets it on every call.</summary>
    internal static readonly HttpRequestOptionsKey<bool> Idempotent = new("Mailroom.Client.Idempotent");

    /// <summary>
    /// A handler that runs the retry pipeline in front of <paramref name="innerHandler"/>, for an <see cref="HttpClient"/>
    /// built by hand: <c>new ConvertKitClient(new HttpClient(ConvertKitResilience.CreateHandler()), options)</c>.
    /// </summary>
    /// <param name="options">The retry settings; defaults when null.</param>
    /// <param name="timeProvider">The clock for delays and timeouts; <see cref="TimeProvider.System"/> when null.</param>
    /// <param name="innerHandler">What sends the requests; a <see cref="SocketsHttpHandler"/> that renews connections every
    /// 5 minutes (so DNS changes are seen) when null.</param>
    public static DelegatingHandler CreateHandler(ConvertKitRetryOptions? options = null, TimeProvider? timeProvider = null,
        HttpMessageHandler? innerHandler = null)
    {
        var builder = new ResiliencePipelineBuilder<HttpResponseMessage>();
        Configure(builder, options ?? new ConvertKitRetryOptions(), timeProvider ?? TimeProvider.System);
        return new ResilienceHandler(builder.Build())
        {
            InnerHandler = innerHandler ?? new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) },
        };
    }

    internal static void Configure(ResiliencePipelineBuilder<HttpResponseMessage> builder, ConvertKitRetryOptions options, TimeProvider time)
    {
        builder.TimeProvider = time;
        if (options.MaxRetryAttempts > 0)
        {
            builder.AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = options.MaxRetryAttempts,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = options.UseJitter,
                Delay = options.BaseDelay,
                MaxDelay = options.MaxDelay,
                ShouldHandle = args => ValueTask.FromResult(ShouldRetry(args.Outcome, args.Context, options, time)),
                // Retry-After wins over the computed backoff (and is not capped by MaxDelay): waiting less only
                // spends another attempt on a certain 429.
                DelayGenerator = args => ValueTask.FromResult(args.Outcome.Result is { } response
                    ? ConvertKitApiException.RetryAfterOf(response, time)
                    : null),
            });
        }
        // Inside the retry, so a timed-out attempt can be retried rather than ending the call.
        if (options.AttemptTimeout is { } timeout) builder.AddTimeout(timeout);
    }

    static bool ShouldRetry(Outcome<HttpResponseMessage> outcome, ResilienceContext context, ConvertKitRetryOptions options, TimeProvider time)
    {
        if (outcome.Result is { StatusCode: HttpStatusCode.TooManyRequests } limited)
            return !(ConvertKitApiException.RetryAfterOf(limited, time) > options.MaxRetryAfter);
        if (!HttpClientResiliencePredicates.IsTransient(outcome)) return false;
        return context.GetRequestMessage() is { } request && IsIdempotent(request);
    }

    static bool IsIdempotent(HttpRequestMessage request) =>
        request.Options.TryGetValue(Idempotent, out var marked) ? marked : request.Method != HttpMethod.Post;
}
