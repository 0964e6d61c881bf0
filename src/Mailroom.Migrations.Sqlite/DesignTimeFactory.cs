using Mailroom.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Mailroom.Migrations.Sqlite;

// Used only by `dotnet ef migrations add`; the server builds its context from configuration.
sealed class DesignTimeFactory : IDesignTimeDbContextFactory<AppDbContext>
{
    public AppDbContext CreateDbContext(string[] args)
    {
        var options = new DatabaseOptions
        {
            Provider = "sqlite",
            ConnectionString = "Data Source=design.db",
        };
        var builder = new DbContextOptionsBuilder<AppDbContext>();
        builder.UseMailroomDatabase(options);
        return new AppDbContext(builder.Options);
    }
}
