using System.Diagnostics;

namespace Mailroom.Bench.Infrastructure;

public sealed record ShellResult(int ExitCode, string Output, string Error, TimeSpan Elapsed)
{
    public ShellResult EnsureSuccess(string what) => ExitCode == 0 ? this
        : throw new BenchException($"{what} failed ({ExitCode}): {Error.Trim()} {Output.Trim()}".Trim());
}

/// <summary>A step the bench cannot go on without failed; the scenario reports it instead of a figure.</summary>
public sealed class BenchException(string message) : Exception(message);

public static class Shell
{
    public static async Task<ShellResult> RunAsync(string file, IEnumerable<string> args,
        IReadOnlyDictionary<string, string>? env = null, string? workingDirectory = null, CancellationToken ct = default)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var a in args) info.ArgumentList.Add(a);
        foreach (var (k, v) in env ?? new Dictionary<string, string>()) info.Environment[k] = v;
        var watch = Stopwatch.StartNew();
        using var process = Process.Start(info) ?? throw new BenchException($"could not start {file}");
        var output = process.StandardOutput.ReadToEndAsync(ct);
        var error = process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        return new ShellResult(process.ExitCode, await output, await error, watch.Elapsed);
    }

    public static bool Exists(string command) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':')
            .Any(dir => dir.Length > 0 && File.Exists(Path.Combine(dir, command)));
}
