namespace Mailroom.Bench;

/// <summary>Command line of the driver; bench/run fills in the folders.</summary>
public sealed record BenchOptions(
    string ServerDir, string BaselineDir, string ResultsPath, string WorkDir,
    HashSet<string> Only, bool Million, bool Postgres, int Seconds)
{
    public static readonly string[] Scenarios = ["reads", "subscribe", "lists", "broadcast", "webhooks", "startup", "sequences", "v4"];

    public const string Usage = """
        usage: bench/run [--only reads,subscribe,lists,broadcast,webhooks,startup,sequences,v4] [--million] [--no-postgres] [--seconds N]
          --only         run just these scenarios (default: all)
          --million      also send a 1,000,000-recipient broadcast (several minutes)
          --no-postgres  skip the PostgreSQL rows
          --seconds N    length of each wrk run (default 10)
        """;

    public bool Runs(string scenario) => Only.Count == 0 || Only.Contains(scenario);

    public static BenchOptions Parse(string[] args)
    {
        string? server = null, baseline = null, results = null, work = null;
        var only = new HashSet<string>();
        bool million = false, postgres = true;
        var seconds = 10;
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--server": server = Next(); break;
                case "--baseline": baseline = Next(); break;
                case "--results": results = Next(); break;
                case "--work": work = Next(); break;
                case "--only":
                    foreach (var s in Next().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                        only.Add(Scenarios.Contains(s) ? s : throw new ArgumentException($"unknown scenario '{s}'"));
                    break;
                case "--million": million = true; break;
                case "--no-postgres": postgres = false; break;
                case "--seconds": seconds = int.Parse(Next(), System.Globalization.CultureInfo.InvariantCulture); break;
                default: throw new ArgumentException($"unknown option '{args[i]}'");
            }
        }
        return new BenchOptions(
            Path.GetFullPath(server ?? throw new ArgumentException("--server is required")),
            Path.GetFullPath(baseline ?? throw new ArgumentException("--baseline is required")),
            Path.GetFullPath(results ?? throw new ArgumentException("--results is required")),
            Path.GetFullPath(work ?? Path.Combine(Path.GetTempPath(), $"mailroom-bench-{Environment.ProcessId}")),
            only, million, postgres, seconds);
    }
}
