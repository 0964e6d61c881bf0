using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Mailroom.Bench.Infrastructure;

/// <summary>
/// A database of the bench's own: a SQLite file in the work folder, or a PostgreSQL database created for
/// the scenario and dropped afterwards. Used for bulk loads and for reading what the server did.
/// </summary>
public sealed class BenchDatabase : IAsyncDisposable
{
    /// <summary>Connection string whose user may create databases; `MAILROOM_BENCH_POSTGRES` overrides it.</summary>
    public static string PostgresAdmin => Environment.GetEnvironmentVariable("MAILROOM_BENCH_POSTGRES")
        ?? "Host=127.0.0.1;Port=5432;Username=mailroom;Password=mailroom;Database=postgres";

    readonly string? _adminConnectionString;
    readonly string? _databaseName;

    public string Provider { get; }
    public string ConnectionString { get; }
    public bool IsPostgres => Provider == "postgres";
    public string Label => IsPostgres ? "PostgreSQL" : "SQLite";

    BenchDatabase(string provider, string connectionString, string? admin, string? name)
    {
        Provider = provider; ConnectionString = connectionString; _adminConnectionString = admin; _databaseName = name;
    }

    public static BenchDatabase Sqlite(string workDir, string name)
    {
        var dir = Path.Combine(workDir, "data", name);
        if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        Directory.CreateDirectory(dir);
        return new BenchDatabase("sqlite", $"Data Source={Path.Combine(dir, "mailroom.db")}", null, null);
    }

    public static async Task<BenchDatabase> PostgresAsync(string name)
    {
        var admin = PostgresAdmin;
        var database = $"mailroom_bench_{name}_{Environment.ProcessId}";
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync();
            await ExecAsync(connection, $"DROP DATABASE IF EXISTS {database} WITH (FORCE)");
            await ExecAsync(connection, $"CREATE DATABASE {database}");
        }
        var builder = new NpgsqlConnectionStringBuilder(admin) { Database = database };
        return new BenchDatabase("postgres", builder.ConnectionString, admin, database);
    }

    /// <summary>Null when PostgreSQL answers; otherwise why it cannot be used.</summary>
    public static async Task<string?> PostgresProblemAsync()
    {
        try
        {
            await using var connection = new NpgsqlConnection(PostgresAdmin);
            await connection.OpenAsync();
            return null;
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException or ArgumentException)
        {
            return e.Message;
        }
    }

    public async Task<DbConnection> OpenAsync()
    {
        DbConnection connection = IsPostgres ? new NpgsqlConnection(ConnectionString) : new SqliteConnection(ConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    public async Task<int> ExecAsync(string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = await OpenAsync();
        return await ExecAsync(connection, sql, parameters);
    }

    public async Task<T> ScalarAsync<T>(string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = await OpenAsync();
        await using var command = Command(connection, sql, parameters);
        var value = await command.ExecuteScalarAsync();
        return (T)Convert.ChangeType(value!, typeof(T), System.Globalization.CultureInfo.InvariantCulture);
    }

    public static async Task<int> ExecAsync(DbConnection connection, string sql, params (string Name, object Value)[] parameters)
    {
        await using var command = Command(connection, sql, parameters);
        return await command.ExecuteNonQueryAsync();
    }

    public static DbCommand Command(DbConnection connection, string sql, params (string Name, object Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.CommandTimeout = 600;
        foreach (var (name, value) in parameters)
        {
            var p = command.CreateParameter();
            p.ParameterName = name;
            p.Value = value;
            command.Parameters.Add(p);
        }
        return command;
    }

    public async ValueTask DisposeAsync()
    {
        if (_adminConnectionString is null) return;
        // The pool would keep the database busy; clear it so the drop goes through.
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(_adminConnectionString);
        await connection.OpenAsync();
        await ExecAsync(connection, $"DROP DATABASE IF EXISTS {_databaseName} WITH (FORCE)");
    }
}
