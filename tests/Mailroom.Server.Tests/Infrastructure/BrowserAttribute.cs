using System.Reflection;
using Mailroom.Data;
using Xunit.Sdk;

namespace Mailroom.Server.Tests.Infrastructure;

/// <summary>
/// Browser tests run against Debian's Chromium (/usr/bin/chromium, or MAILROOM_TEST_CHROMIUM). CI installs it and
/// sets MAILROOM_TEST_CHROMIUM, so there a missing browser fails the run; on a machine with only the .NET SDK the
/// test is reported as skipped, with the reason, rather than pretending to pass.
/// </summary>
public sealed class BrowserAttribute : DataAttribute
{
    public const string Variable = "MAILROOM_TEST_CHROMIUM";

    public static string ChromiumPath => Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } path ? path : "/usr/bin/chromium";

    public BrowserAttribute()
    {
        if (!File.Exists(ChromiumPath) && Environment.GetEnvironmentVariable(Variable) is null)
            Skip = $"Chromium not found at {ChromiumPath}; `apt-get install chromium` (CI does) or set {Variable}";
    }

    public override IEnumerable<object[]> GetData(MethodInfo testMethod)
    {
        yield return [DatabaseOptions.Sqlite];
        if (TestDatabase.PostgresConnectionString is not null) yield return [DatabaseOptions.Postgres];
    }
}
