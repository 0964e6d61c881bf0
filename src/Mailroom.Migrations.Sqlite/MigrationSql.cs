using Mailroom.Data;

namespace Mailroom.Migrations.Sqlite;

/// <summary>This assembly's <c>Sql/</c> files (see <see cref="EmbeddedSql"/>).</summary>
static class MigrationSql
{
    public static string Read(string path) => EmbeddedSql.Read(typeof(MigrationSql).Assembly, path);
}
