using System.Diagnostics;

namespace Mailroom.Bench.Infrastructure;

/// <summary>A Kestrel endpoint in the bench process that answers 200 to every POST and notes when the first and the n-th came.</summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    readonly WebApplication _app;
    readonly Stopwatch _clock = Stopwatch.StartNew();
    long _count;
    double _firstAt = double.NaN, _lastAt;

    public string Url { get; }

    WebhookReceiver(WebApplication app, string url) { _app = app; Url = url; }

    public static async Task<WebhookReceiver> StartAsync()
    {
        var port = Ports.Free();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        var app = builder.Build();
        var receiver = new WebhookReceiver(app, $"http://127.0.0.1:{port}/hook");
        app.MapPost("/hook", async (HttpRequest request) =>
        {
            await request.Body.CopyToAsync(Stream.Null);
            receiver.Record();
            return Results.Ok();
        });
        await app.StartAsync();
        return receiver;
    }

    void Record()
    {
        var now = _clock.Elapsed.TotalSeconds;
        lock (_clock)
        {
            if (double.IsNaN(_firstAt)) _firstAt = now;
            _lastAt = now;
            _count++;
        }
    }

    public long Count
    {
        get { lock (_clock) return _count; }
    }

    public void Reset()
    {
        lock (_clock) { _count = 0; _firstAt = double.NaN; _lastAt = 0; }
    }

    /// <summary>Waits for <paramref name="n"/> requests; the rate is measured from the first to the last one.</summary>
    public async Task<(long Count, double Seconds)> WaitForAsync(long n, TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        while (true)
        {
            lock (_clock)
                if (_count >= n || DateTime.UtcNow > until)
                    return (_count, Math.Max(0.001, _lastAt - _firstAt));
            await Task.Delay(100);
        }
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
