using Microsoft.EntityFrameworkCore;

namespace Mailroom.Data;

public sealed class DatabaseOptions
{
    public const string Section = "Database";
    public const string Sqlite = "sqlite";
    public const string Postgres = "postgres";

    public string Provider { get; set; } = Sqlite;
    public string? ConnectionString { get; set; }

    public string EffectiveConnectionString => string.IsNullOrWhiteSpace(ConnectionString)
        ? (IsPostgres ? throw new InvalidOperationException("Database:ConnectionString is required when Database:Provider is postgres.")
                      : "Data Source=data/mailroom.db")
        : ConnectionString;

    public bool IsPostgres => string.Equals(Provider, Postgres, StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// What is wrong with these settings, in one line naming the key, or null. Checked at start-up (server and CLI),
    /// so a bad setting stops the process before EF Core or a driver fails on it in the first request.
    /// </summary>
    public string? Problem()
    {
        if (!IsPostgres && !string.Equals(Provider, Sqlite, StringComparison.OrdinalIgnoreCase))
            return $"Database:Provider must be sqlite or postgres, not '{Provider}'";
        if (IsPostgres && string.IsNullOrWhiteSpace(ConnectionString))
            return "Database:ConnectionString is required when Database:Provider is postgres";
        try
        {
            _ = IsPostgres
                ? new Npgsql.NpgsqlConnectionStringBuilder(EffectiveConnectionString).ConnectionString
                : new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(EffectiveConnectionString).ConnectionString;
        }
        catch (Exception e) when (e is ArgumentException or FormatException)
        {
            // The driver's message names the keyword or value it refused, never the rest of the string (a password).
            return $"Database:ConnectionString is not valid: {e.Message}";
        }
        return null;
    }
}

public static class DatabaseOptionsExtensions
{
    public static DbContextOptionsBuilder UseMailroomDatabase(this DbContextOptionsBuilder builder, DatabaseOptions options)
    {
        if (options.IsPostgres)
            return builder.UseNpgsql(WithPostgresDefaults(options.EffectiveConnectionString), o => o.MigrationsAssembly("Mailroom.Migrations.Postgres"));
        if (!string.Equals(options.Provider, DatabaseOptions.Sqlite, StringComparison.OrdinalIgnoreCase))
            throw new InvalidOperationException($"Database:Provider must be 'sqlite' or 'postgres', not '{options.Provider}'.");
        return builder.UseSqlite(options.EffectiveConnectionString, o => o.MigrationsAssembly("Mailroom.Migrations.Sqlite"));
    }

    /// <summary>
    /// Npgsql's two settings for a server that runs the same few statements all day, unless the connection string sets
    /// them: statements prepared once per connection (Max Auto Prepare), so PostgreSQL stops parsing and planning each
    /// of a broadcast's thousands of reads and updates, and no DISCARD ALL each time a connection goes back to the pool
    /// (No Reset On Close; Mailroom keeps no session state: no SET, temporary tables, LISTEN or session locks). Both
    /// together were worth ~5% of a PostgreSQL broadcast's rate (bench/findings.md, broadcast "Sixth round").
    /// </summary>
    public static string WithPostgresDefaults(string connectionString)
    {
        var given = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString }.Keys
            .Cast<string>().Select(k => k.Replace(" ", "", StringComparison.Ordinal)).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var builder = new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
        if (!given.Contains("MaxAutoPrepare")) builder.MaxAutoPrepare = 64;
        if (!given.Contains("NoResetOnClose")) builder.NoResetOnClose = true;
        return builder.ConnectionString;
    }
}
