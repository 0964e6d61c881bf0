using Mailroom.Data;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Mailroom.Server.Tests.Infrastructure;

/// <summary>
/// A fresh, fully migrated database per test. Migrations run once per provider per test run into a
/// template; each test then gets a copy (a file copy for SQLite, CREATE DATABASE … TEMPLATE for Postgres).
/// </summary>
public sealed class TestDatabase : IAsyncDisposable
{
    public const string PostgresVariable = "MAILROOM_TEST_POSTGRES";
    static readonly string Root = Path.Combine(Path.GetTempPath(), $"mailroom-tests-{Environment.ProcessId}");
    static readonly SemaphoreSlim TemplateLock = new(1, 1);
    static string? _sqliteTemplate;
    static string? _postgresTemplate;

    public string Provider { get; }
    public string ConnectionString { get; }
    readonly Func<ValueTask> _drop;

    TestDatabase(string provider, string connectionString, Func<ValueTask> drop)
    {
        Provider = provider;
        ConnectionString = connectionString;
        _drop = drop;
    }

    public static string? PostgresConnectionString => Environment.GetEnvironmentVariable(PostgresVariable) is { Length: > 0 } cs ? cs : null;

    public static async Task<TestDatabase> CreateAsync(string provider) =>
        provider == DatabaseOptions.Postgres ? await CreatePostgresAsync() : await CreateSqliteAsync();

    static async Task<TestDatabase> CreateSqliteAsync()
    {
        var template = await TemplateAsync(DatabaseOptions.Sqlite);
        var file = Path.Combine(Root, $"{Guid.NewGuid():N}.db");
        File.Copy(template, file);
        return new TestDatabase(DatabaseOptions.Sqlite, $"Data Source={file}", () =>
        {
            SqliteConnection.ClearAllPools();
            foreach (var suffix in new[] { "", "-wal", "-shm" })
                if (File.Exists(file + suffix)) File.Delete(file + suffix);
            return ValueTask.CompletedTask;
        });
    }

    static async Task<TestDatabase> CreatePostgresAsync()
    {
        var baseCs = PostgresConnectionString ?? throw new InvalidOperationException($"{PostgresVariable} is not set");
        var template = await TemplateAsync(DatabaseOptions.Postgres);
        var name = $"mailroom_t_{Guid.NewGuid():N}";
        await ExecuteAsync(baseCs, $"CREATE DATABASE \"{name}\" TEMPLATE \"{template}\"");
        var cs = new NpgsqlConnectionStringBuilder(baseCs) { Database = name }.ConnectionString;
        return new TestDatabase(DatabaseOptions.Postgres, cs, async () =>
        {
            NpgsqlConnection.ClearAllPools();
            await ExecuteAsync(baseCs, $"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
        });
    }

    static async Task<string> TemplateAsync(string provider)
    {
        await TemplateLock.WaitAsync();
        try
        {
            if (provider == DatabaseOptions.Sqlite)
            {
                if (_sqliteTemplate is not null) return _sqliteTemplate;
                Directory.CreateDirectory(Root);
                var file = Path.Combine(Root, "template.db");
                await MigrateAsync(new DatabaseOptions { Provider = provider, ConnectionString = $"Data Source={file};Pooling=False" });
                return _sqliteTemplate = file;
            }
            if (_postgresTemplate is not null) return _postgresTemplate;
            var baseCs = PostgresConnectionString!;
            var name = $"mailroom_tpl_{Environment.ProcessId}_{Guid.NewGuid():N}"[..40];
            await ExecuteAsync(baseCs, $"CREATE DATABASE \"{name}\"");
            var cs = new NpgsqlConnectionStringBuilder(baseCs) { Database = name, Pooling = false }.ConnectionString;
            await MigrateAsync(new DatabaseOptions { Provider = provider, ConnectionString = cs });
            AppDomain.CurrentDomain.ProcessExit += (_, _) =>
            {
                try { ExecuteAsync(baseCs, $"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)").GetAwaiter().GetResult(); }
                catch (NpgsqlException) { /* the server may already be gone at exit */ }
            };
            return _postgresTemplate = name;
        }
        finally { TemplateLock.Release(); }
    }

    static async Task MigrateAsync(DatabaseOptions options)
    {
        var builder = new DbContextOptionsBuilder<AppDbContext>();
        builder.UseMailroomDatabase(options);
        await using var db = new AppDbContext(builder.Options);
        await db.Database.MigrateAsync();
        if (!options.IsPostgres) await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;");
    }

    static async Task ExecuteAsync(string connectionString, string sql)
    {
        var cs = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString;
        await using var connection = new NpgsqlConnection(cs);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    public ValueTask DisposeAsync() => _drop();
}
