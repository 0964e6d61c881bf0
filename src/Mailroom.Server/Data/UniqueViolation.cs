using Microsoft.Data.Sqlite;
using Npgsql;

namespace Mailroom.Server.Data;

/// <summary>Recognises a unique-index violation on either provider, so a lost insert race can be retried or reported.</summary>
static class UniqueViolation
{
    const int SqliteConstraint = 19;
    const int SqliteConstraintUnique = 2067;
    const int SqliteConstraintPrimaryKey = 1555;

    public static bool Is(DbUpdateException e) => e.InnerException switch
    {
        SqliteException s => s.SqliteErrorCode == SqliteConstraint
            && s.SqliteExtendedErrorCode is SqliteConstraintUnique or SqliteConstraintPrimaryKey,
        PostgresException p => p.SqlState == PostgresErrorCodes.UniqueViolation,
        _ => false,
    };
}
