using Mailroom.Data;
using Mailroom.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Mailroom.Server.Tests.Hosting;

/// <summary>
/// Mailroom turns on Npgsql's statement preparation and skips the per-checkout DISCARD ALL unless the connection
/// string says otherwise; what an operator writes always wins.
/// </summary>
public sealed class PostgresConnectionDefaultsTests
{
    [Fact]
    public void WithPostgresDefaults_AddsPreparationAndNoReset_KeepingEverythingElse()
    {
        var effective = new NpgsqlConnectionStringBuilder(DatabaseOptionsExtensions.WithPostgresDefaults(
            "Host=db.internal;Port=6432;Username=mailroom;Password=s3cret;Database=mail;Maximum Pool Size=40"));

        Assert.Equal(64, effective.MaxAutoPrepare);
        Assert.True(effective.NoResetOnClose);
        Assert.Equal("db.internal", effective.Host);
        Assert.Equal(6432, effective.Port);
        Assert.Equal("mailroom", effective.Username);
        Assert.Equal("s3cret", effective.Password);
        Assert.Equal("mail", effective.Database);
        Assert.Equal(40, effective.MaxPoolSize);
    }

    [Theory]
    [InlineData("Host=h;Max Auto Prepare=0;No Reset On Close=false")]
    [InlineData("Host=h;maxautoprepare=0;NORESETONCLOSE=false")]
    public void WithPostgresDefaults_LeavesWhatTheConnectionStringSets(string given)
    {
        var effective = new NpgsqlConnectionStringBuilder(DatabaseOptionsExtensions.WithPostgresDefaults(given));

        Assert.Equal(0, effective.MaxAutoPrepare);
        Assert.False(effective.NoResetOnClose);
    }

    [Fact]
    public async Task OnPostgres_ARepeatedQueryIsPreparedOnItsConnection()
    {
        if (TestDatabase.PostgresConnectionString is null) return;
        await using var app = await MailroomApp.StartAsync(DatabaseOptions.Postgres);
        var account = await app.CreateAccountAsync();

        var prepared = await app.DbAsync(async db =>
        {
            await db.Database.OpenConnectionAsync();
            // Npgsql prepares a statement once it has run five times on a connection (Auto Prepare Min Usages).
            for (var i = 0; i < 6; i++)
                await db.Accounts.Where(a => a.Id == account.Id).Select(a => a.Name).SingleAsync();
            return await db.Database.SqlQueryRaw<long>("SELECT count(*) AS \"Value\" FROM pg_prepared_statements").SingleAsync();
        });

        Assert.True(prepared > 0, "no statement was prepared on the connection");
    }
}
