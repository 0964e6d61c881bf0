using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Options;

namespace Mailroom.Server.Data;

static class DatabaseSetup
{
    public static IServiceCollection AddMailroomDatabase(this IServiceCollection services)
    {
        services.AddOptions<DatabaseOptions>().BindConfiguration(DatabaseOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<DatabaseOptions>, DatabaseOptionsValidation>();
        // Pooled: a fresh context per request rebuilt its options and EF Core's internal service scope every time,
        // which was most of what a small API request allocated. Contexts hold no per-request state of ours.
        services.AddDbContextPool<AppDbContext>(Configure);
        // The web app's interactive components live as long as a browser tab: each action takes its own context
        // from the same pool instead of sharing one across the circuit.
        // EF Core applies every registration's configuration to the one set of options, so the factory adds none
        // of its own: configured twice, every interceptor ran twice (each failed statement was logged twice).
        services.AddPooledDbContextFactory<AppDbContext>((_, _) => { });
        return services;
    }

    static void Configure(IServiceProvider sp, DbContextOptionsBuilder builder)
    {
        var options = sp.GetRequiredService<IOptions<DatabaseOptions>>().Value;
        builder.UseMailroomDatabase(options);
        if (!options.IsPostgres) builder.AddInterceptors(new SqlitePragmas());
        // EF Core's own failure log carries the whole statement and every parameter; this one a short form.
        builder.AddInterceptors(new CommandFailureLog(sp.GetRequiredService<ILogger<CommandFailureLog>>()));
        builder.ConfigureWarnings(w => w.Ignore(RelationalEventId.CommandError));
    }

    /// <summary>Applies pending migrations; for SQLite also creates the data folder and switches to WAL.</summary>
    public static async Task MigrateAsync(IServiceProvider services, CancellationToken ct = default)
    {
        await using var scope = services.CreateAsyncScope();
        var options = scope.ServiceProvider.GetRequiredService<IOptions<DatabaseOptions>>().Value;
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        if (!options.IsPostgres)
        {
            var builder = new SqliteConnectionStringBuilder(options.EffectiveConnectionString);
            if (builder.DataSource is { Length: > 0 } file && file != ":memory:" && builder.Mode != SqliteOpenMode.Memory)
            {
                var dir = Path.GetDirectoryName(Path.GetFullPath(file));
                if (dir is not null) Directory.CreateDirectory(dir);
            }
        }
        await db.Database.MigrateAsync(ct);
        if (!options.IsPostgres)
        {
            // WAL lets readers run while the writer commits; the setting is stored in the file.
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", ct);
        }
    }
}

/// <summary>DatabaseOptions lives in Mailroom.Data without the options framework; its one check is wired in here.</summary>
sealed class DatabaseOptionsValidation : IValidateOptions<DatabaseOptions>
{
    public ValidateOptionsResult Validate(string? name, DatabaseOptions options) =>
        options.Problem() is { } problem ? ValidateOptionsResult.Fail(problem) : ValidateOptionsResult.Success;
}
