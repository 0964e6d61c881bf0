using System.Data.Common;
using Mailroom.Bench;
using Mailroom.Bench.Infrastructure;
using Mailroom.Bench.Scenarios;

// The benchmark driver: bench/run publishes the server and the baseline, then calls this with their folders.
BenchOptions options;
try
{
    options = BenchOptions.Parse(args);
}
catch (Exception e) when (e is ArgumentException or FormatException)
{
    Console.Error.WriteLine($"error: {e.Message}");
    Console.Error.WriteLine(BenchOptions.Usage);
    return 2;
}

Directory.CreateDirectory(options.WorkDir);
var report = new Report();
using var ctx = new BenchContext(options, report);
Console.WriteLine($"Mailroom bench: work folder {options.WorkDir}");

var scenarios = new (string Key, string Title, Func<BenchContext, Task> Run)[]
{
    ("reads", "1. Reads", ReadsScenario.RunAsync),
    ("subscribe", "2. Subscribe writes", SubscribeScenario.RunAsync),
    ("lists", "3. Lists at scale", ListsScenario.RunAsync),
    ("broadcast", "4. Broadcast", BroadcastScenario.RunAsync),
    ("webhooks", "5. Webhooks", WebhooksScenario.RunAsync),
    ("startup", "6. Start-up", StartupScenario.RunAsync),
    ("sequences", "7. Sequences", SequenceScenario.RunAsync),
    ("v4", "8. Kit API v4", V4Scenario.RunAsync),
};
foreach (var (key, title, run) in scenarios.Where(s => options.Runs(s.Key)))
{
    Console.WriteLine($"{title} …");
    try
    {
        await run(ctx);
    }
    catch (Exception e) when (e is BenchException or HttpRequestException or DbException or IOException)
    {
        // One broken scenario must not cost the others' figures; it is reported, never filled in.
        Console.WriteLine($"  {title} FAILED: {e.Message}");
        report.Add(new Row($"{title[3..]}: did not complete", "—", $"failed: {e.Message.ReplaceLineEndings(" ")}", "—", "—", false)
        {
            Miss = $"the scenario failed before it could measure: {e.Message.ReplaceLineEndings(" ")}",
        });
    }
}

var command = "bench/run" + (args.Contains("--million") ? " --million" : "");
var markdown = report.Markdown(Path.Combine(Path.GetDirectoryName(options.ResultsPath)!, "findings.md"), command);
await File.WriteAllTextAsync(options.ResultsPath, markdown);
// The databases are large (a million rows); the logs stay for a look after a surprising figure.
var data = Path.Combine(options.WorkDir, "data");
if (Directory.Exists(data)) Directory.Delete(data, recursive: true);

Console.WriteLine();
Console.WriteLine(report.Table());
Console.WriteLine($"Written to {options.ResultsPath}; server logs in {options.WorkDir}");
return 0;
