using System.Diagnostics;

namespace Mailroom.Bench.Infrastructure;

/// <summary>
/// Light probe of the API's own latency: one GET at a time with a short gap between, so the probe itself adds little
/// load next to whatever the server is busy with. Each sample is the full round trip in milliseconds.
/// The probe runs on a thread of its own with blocking calls: the bench process also hosts the webhook receiver, and
/// on its thread pool a probe's response would wait in line behind the receiver's requests, timing the bench rather
/// than the server.
/// </summary>
public static class ApiLatency
{
    static readonly TimeSpan Gap = TimeSpan.FromMilliseconds(5);

    /// <summary>Samples <paramref name="url"/> until <paramref name="count"/> samples are taken or <paramref name="stop"/> fires.</summary>
    public static Task<List<double>> SampleAsync(HttpClient http, string url, int count, CancellationToken stop = default)
    {
        var done = new TaskCompletionSource<List<double>>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                done.SetResult(Sample(http, url, count, stop));
            }
            catch (Exception e)
            {
                done.SetException(e);
            }
        }) { IsBackground = true, Name = "latency-probe" };
        thread.Start();
        return done.Task;
    }

    static List<double> Sample(HttpClient http, string url, int count, CancellationToken stop)
    {
        var samples = new List<double>(Math.Min(count, 10_000));
        while (samples.Count < count && !stop.IsCancellationRequested)
        {
            var watch = Stopwatch.StartNew();
            using (var request = new HttpRequestMessage(HttpMethod.Get, url))
            using (var response = http.Send(request, HttpCompletionOption.ResponseContentRead, CancellationToken.None))
            {
                if (!response.IsSuccessStatusCode)
                    throw new BenchException($"{(int)response.StatusCode} from {url.Split('?')[0]} while sampling latency");
            }
            samples.Add(watch.Elapsed.TotalMilliseconds);
            if (stop.WaitHandle.WaitOne(Gap)) break;
        }
        return samples;
    }

    public static string Format(IReadOnlyList<double> samples) =>
        $"{Stats.Ms(Stats.Percentile(samples, 50))} / {Stats.Ms(Stats.Percentile(samples, 99))}";
}
