using System.Reflection;
using Mailroom.Data;
using Xunit.Sdk;

namespace Mailroom.Server.Tests.Infrastructure;

/// <summary>
/// Runs a theory once per database provider: SQLite always, PostgreSQL when MAILROOM_TEST_POSTGRES
/// holds a connection string (CI sets it), so one `dotnet test` covers both.
/// </summary>
public sealed class ProvidersAttribute : DataAttribute
{
    public override IEnumerable<object[]> GetData(MethodInfo testMethod)
    {
        yield return [DatabaseOptions.Sqlite];
        if (TestDatabase.PostgresConnectionString is not null) yield return [DatabaseOptions.Postgres];
    }
}
