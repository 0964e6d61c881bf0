using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Mailroom.Server.Tests.Infrastructure;

public sealed record ReceivedRequest(string Method, string Path, IReadOnlyDictionary<string, string> Headers, byte[] Body)
{
    public string Text => Encoding.UTF8.GetString(Body);
    public string? Header(string name) => Headers.TryGetValue(name, out var v) ? v : null;
}

/// <summary>
/// A real HTTP server (Kestrel on 127.0.0.1, a free port) that records every webhook it is sent: method, headers and
/// body. It can answer the next N requests with an error, be "down" (drop connections without an answer) and hold
/// requests open until released, to play a slow receiver.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    readonly WebApplication _app;
    readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
    readonly SemaphoreSlim _arrived = new(0);
    readonly SemaphoreSlim _answered = new(0);
    int _failures;
    int _failureStatus = 500;
    int _inFlight;

    /// <summary>Requests answered 2xx, in arrival order.</summary>
    public ConcurrentQueue<ReceivedRequest> Requests { get; } = new();
    /// <summary>Every request that reached the receiver, whatever it was answered (or not).</summary>
    public ConcurrentQueue<ReceivedRequest> Attempts { get; } = new();
    public string Url { get; }
    public volatile bool Down;
    public volatile bool Holding;
    public int MaxInFlight;

    WebhookReceiver(WebApplication app, string url)
    {
        _app = app;
        Url = url;
    }

    public static async Task<WebhookReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        WebhookReceiver? receiver = null;
        app.Run(context => receiver!.HandleAsync(context));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        receiver = new WebhookReceiver(app, address.TrimEnd('/'));
        return receiver;
    }

    /// <summary>Answer the next <paramref name="count"/> requests with <paramref name="status"/> instead of 200.</summary>
    public void FailNext(int count, int status = 500)
    {
        _failureStatus = status;
        Interlocked.Exchange(ref _failures, count);
    }

    /// <summary>Lets held requests (and those arriving later) be answered.</summary>
    public void Release()
    {
        Holding = false;
        _released.TrySetResult();
    }

    /// <summary>Waits until <paramref name="count"/> requests have arrived in all (bounded, as a last guard only).</summary>
    public Task WaitForAttemptsAsync(int count) => WaitForAsync(Attempts, _arrived, count);

    /// <summary>
    /// Waits until <paramref name="count"/> requests have been answered 2xx. An attempt is recorded before it is
    /// answered, so after <see cref="WaitForAttemptsAsync"/> the last one may not be in <see cref="Requests"/> yet.
    /// </summary>
    public Task WaitForRequestsAsync(int count) => WaitForAsync(Requests, _answered, count);

    static async Task WaitForAsync(ConcurrentQueue<ReceivedRequest> queue, SemaphoreSlim signal, int count)
    {
        // Generous: only a dispatcher that never sends runs into it, never a slow machine.
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (queue.Count < count) await signal.WaitAsync(limit.Token);
    }

    async Task HandleAsync(HttpContext context)
    {
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body);
        var headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        var request = new ReceivedRequest(context.Request.Method, context.Request.Path + context.Request.QueryString, headers, body.ToArray());
        Attempts.Enqueue(request);
        _arrived.Release();
        if (Down)
        {
            context.Abort();
            return;
        }
        var now = Interlocked.Increment(ref _inFlight);
        InterlockedMax(ref MaxInFlight, now);
        try
        {
            if (Holding) await _released.Task;
            if (Interlocked.Decrement(ref _failures) >= 0)
            {
                context.Response.StatusCode = _failureStatus;
                return;
            }
            Requests.Enqueue(request);
            _answered.Release();
            context.Response.StatusCode = 200;
            await context.Response.WriteAsync("ok");
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    static void InterlockedMax(ref int target, int value)
    {
        for (var current = Volatile.Read(ref target); value > current; current = Volatile.Read(ref target))
            if (Interlocked.CompareExchange(ref target, value, current) == current) return;
    }

    public async ValueTask DisposeAsync()
    {
        Release();
        await _app.StopAsync();
        await _app.DisposeAsync();
        _arrived.Dispose();
        _answered.Dispose();
    }
}
