using Microsoft.Extensions.Options;

namespace Mailroom.Server.Delivery;

/// <summary>
/// Runs a worker's RunOnceAsync in a loop. Tests call RunOnceAsync directly and never sleep;
/// Workers:Enabled=false gives an API-only process.
/// </summary>
public sealed class DeliveryWorker<T>(T worker, Func<T, CancellationToken, Task<int>> runOnce, IOptions<DeliveryOptions> options,
    IOptions<WorkerOptions> workers, TimeProvider time, ILogger<DeliveryWorker<T>> logger, WorkerWakeup<T> wakeup) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!workers.Value.Enabled) return;
        while (!stoppingToken.IsCancellationRequested)
        {
            var woken = wakeup.Next;
            var worked = 0;
            try
            {
                worked = await runOnce(worker, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // A worker loop outlives any single failure; the next pass retries from the database state.
                logger.LogError(e, "{Worker} pass failed", typeof(T).Name);
            }
            if (worked > 0) continue;
            using var idle = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            var delay = Task.Delay(options.Value.PollInterval, time, idle.Token);
            await Task.WhenAny(delay, woken);
            await idle.CancelAsync();
            if (stoppingToken.IsCancellationRequested) return;
        }
    }
}
