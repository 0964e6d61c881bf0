using System.Diagnostics;

namespace Mailroom.Bench.Infrastructure;

/// <summary>
/// Light probe of the API's own latency: one GET at a time with a short gap between, so the probe itself adds little
/// load next to whatever the server is busy with. Each sample is the full round trip in milliseconds.
/// </summary>
public static class ApiLatency
{
    static readonly TimeSpan Gap = TimeSpan.FromMilliseconds(5);

    /// <summary>Samples <paramref name="url"/> until <paramref name="count"/> samples are taken or <paramref name="stop"/> fires.</summary>
    public static async Task<List<double>> SampleAsync(HttpClient http, string url, int count, CancellationToken stop = default)
    {
        var samples = new List<double>(Math.Min(count, 10_000));
        while (samples.Count < count && !stop.IsCancellationRequested)
        {
            var watch = Stopwatch.StartNew();
            using (var response = await http.GetAsync(url, CancellationToken.None))
            {
                await response.Content.ReadAsByteArrayAsync(CancellationToken.None);
                if (!response.IsSuccessStatusCode)
                    throw new BenchException($"{(int)response.StatusCode} from {url.Split('?')[0]} while sampling latency");
            }
            samples.Add(watch.Elapsed.TotalMilliseconds);
            try { await Task.Delay(Gap, stop); }
            catch (OperationCanceledException) { break; }
        }
        return samples;
    }

    public static string Format(IReadOnlyList<double> samples) =>
        $"{Stats.Ms(Stats.Percentile(samples, 50))} / {Stats.Ms(Stats.Percentile(samples, 99))}";
}
