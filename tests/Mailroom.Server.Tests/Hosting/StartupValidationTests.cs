using System.Diagnostics;
using Mailroom.Server.Cli;

namespace Mailroom.Server.Tests.Hosting;

/// <summary>
/// A bad setting stops the server at start-up with one line naming the key (issue 16 item 12), before the database
/// is touched, instead of an exception in the first request that needs it. The server is the real executable,
/// started as a process: start-up is exactly what is under test. None of these get as far as listening.
/// </summary>
public sealed class StartupValidationTests
{
    public static TheoryData<string, string> BadSettings => new()
    {
        { "--Database:Provider=mysql", "Database:Provider must be sqlite or postgres, not 'mysql'" },
        { "--Database:Provider=postgres", "Database:ConnectionString is required when Database:Provider is postgres" },
        { "--Database:ConnectionString=Bogus=1", "Database:ConnectionString is not valid: Connection string keyword 'bogus' is not supported." },
        { "--PublicUrl=mail.example.com", "PublicUrl must be an absolute http or https URL without query or fragment, not 'mail.example.com'" },
        { "--Workers:Nice=20", "Workers:Nice must be between 0 and 19" },
        { "--Demo:Enabled=maybe", "Failed to convert configuration value 'maybe' at 'Demo:Enabled' to type 'System.Boolean'." },
        { "--RateLimit:PermitsPerMinute=-1", "RateLimit:PermitsPerMinute must be 0 (off) or more" },
        { "--Api:MaxBodyBytes=100", "Api:MaxBodyBytes must be at least 1024" },
        { "--HostedForms:PostsPerMinutePerIp=0", "HostedForms:PostsPerMinutePerIp must be at least 1" },
    };

    [Theory, MemberData(nameof(BadSettings))]
    public async Task Serve_BadSetting_ExitsWithOneLineNamingIt(string setting, string expected)
    {
        var folder = Directory.CreateTempSubdirectory("mailroom-startup-");
        try
        {
            var start = new ProcessStartInfo("dotnet")
            {
                WorkingDirectory = folder.FullName,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "mailroom.dll"));
            // Loopback with a free port, should a bad setting ever slip through and the server start.
            foreach (var arg in new[] { "--urls", "http://127.0.0.1:0", "--Demo:Enabled=false", "--Workers:Enabled=false", setting })
                start.ArgumentList.Add(arg);
            using var process = Process.Start(start)!;
            var stderr = process.StandardError.ReadToEndAsync();
            var stdout = process.StandardOutput.ReadToEndAsync();
            using var guard = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            try { await process.WaitForExitAsync(guard.Token); }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                Assert.Fail($"the server kept running with {setting}: {await stdout}");
            }

            Assert.Equal(1, process.ExitCode);
            var lines = (await stderr).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            Assert.Equal($"error: {expected}", Assert.Single(lines).Split(" For a possible alternative")[0]);
            // Nothing was created: the database file would be the first thing migration writes.
            Assert.False(Directory.Exists(Path.Combine(folder.FullName, "data")));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Theory]
    [InlineData("--PublicUrl=ftp://mail.example.com", "error: PublicUrl must be an absolute http or https URL without query or fragment, not 'ftp://mail.example.com'")]
    [InlineData("--Workers:Nice=-1", "error: Workers:Nice must be between 0 and 19")]
    [InlineData("--Demo:Enabled=maybe", "error: Failed to convert configuration value 'maybe' at 'Demo:Enabled' to type 'System.Boolean'.")]
    public async Task Cli_BadSetting_PrintsOneLine(string setting, string expected)
    {
        var output = new StringWriter();
        var error = new StringWriter();

        var code = await CliApp.RunAsync(["accounts", "list", setting], output, error);

        Assert.Equal(1, code);
        Assert.Equal(expected, error.ToString().Trim());
        Assert.Equal("", output.ToString());
    }
}
