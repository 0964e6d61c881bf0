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
}

public static class DatabaseOptionsExtensions
{
    public static DbContextOptionsBuilder UseMailroomDatabase(this DbContextOptionsBuilder builder, DatabaseOptions options)
    {
        if (options.IsPostgres)
            return builder.UseNpgsql(options.EffectiveConnectionString, o => o.MigrationsAssembly("Mailroom.Migrations.Postgres"));
        if (!string.Equals(options.Provider, DatabaseOptions.Sqlite, StringComparison.OrdinalIgnoreCase))
            throw new InvalidOperationException($"Database:Provider must be 'sqlite' or 'postgres', not '{options.Provider}'.");
        return builder.UseSqlite(options.EffectiveConnectionString, o => o.MigrationsAssembly("Mailroom.Migrations.Sqlite"));
    }
}
