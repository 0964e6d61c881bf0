using System.Net;
using System.Text;
using Microsoft.Extensions.Time.Testing;

namespace Mailroom.Client.Tests.Infrastructure;

/// <summary>Sits between the client's retry handler and the real server: sees every attempt, not just every call.</summary>
sealed class RecordingHandler : DelegatingHandler
{
    readonly List<(HttpMethod Method, Uri Uri, string? Body)> _requests = [];

    public IReadOnlyList<(HttpMethod Method, Uri Uri, string? Body)> Requests { get { lock (_requests) return [.. _requests]; } }
    public int Count { get { lock (_requests) return _requests.Count; } }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        var body = request.Content is null ? null : await request.Content.ReadAsStringAsync(ct);
        lock (_requests) _requests.Add((request.Method, request.RequestUri!, body));
        return await base.SendAsync(request, ct);
    }
}

/// <summary>Answers the first <paramref name="failures"/> attempts itself with a 503, then lets requests reach the server.</summary>
sealed class FailingFirstHandler(int failures) : DelegatingHandler
{
    int _left = failures;

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        if (Interlocked.Decrement(ref _left) < 0) return base.SendAsync(request, ct);
        return Task.FromResult(new HttpResponseMessage(HttpStatusCode.ServiceUnavailable)
        {
            RequestMessage = request,
            Content = new StringContent("""{"error":"Service Unavailable","message":"Try again later"}""", Encoding.UTF8, "application/json"),
        });
    }
}

/// <summary>
/// The client's clock in retry tests: every wait it asks for ends at once and is recorded, so no test sleeps. With
/// <paramref name="moveServerClock"/> the server's fake clock moves forward by each wait, so a rate-limit window
/// really passes on the server while no real time does.
/// </summary>
sealed class InstantDelays(FakeTimeProvider serverClock, bool moveServerClock) : TimeProvider
{
    readonly List<TimeSpan> _delays = [];

    public IReadOnlyList<TimeSpan> Delays { get { lock (_delays) return [.. _delays]; } }

    public override DateTimeOffset GetUtcNow() => serverClock.GetUtcNow();
    public override long GetTimestamp() => serverClock.GetTimestamp();
    public override long TimestampFrequency => serverClock.TimestampFrequency;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        lock (_delays) _delays.Add(dueTime);
        if (moveServerClock) serverClock.Advance(dueTime);
        // Fired on the pool, never inline: the caller may not have stored the timer yet.
        ThreadPool.QueueUserWorkItem(_ => callback(state));
        return new FiredTimer();
    }

    sealed class FiredTimer : ITimer
    {
        public bool Change(TimeSpan dueTime, TimeSpan period) => false;
        public void Dispose() { }
        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}

/// <summary>
/// Answers every request with one fixed body: a stand-in for a server whose wire format has drifted, which the real
/// Mailroom never is. Used only to pin how the client reads bodies, never to test the server.
/// </summary>
sealed class FixedAnswerHandler(HttpStatusCode status, string body) : HttpMessageHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct) =>
        Task.FromResult(new HttpResponseMessage(status)
        {
            RequestMessage = request,
            Content = new StringContent(body, Encoding.UTF8, body.StartsWith('<') ? "text/html" : "application/json"),
        });
}
