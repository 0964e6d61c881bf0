using Mailroom.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Mailroom.Migrations.Postgres;

// Used only by `dotnet ef migrations add`; the server builds its context from configuration.
sealed class DesignTimeFactory : IDesignTimeDbContextFactory<AppDbContext>
{
    public AppDbContext CreateDbContext(string[] args)
    {
        var options = new DatabaseOptions
        {
            Provider = "postgres",
            ConnectionString = "Host=localhost;Database=mailroom_design",
        };
        var builder = new DbContextOptionsBuilder<AppDbContext>();
        builder.UseMailroomDatabase(options);
        return new AppDbContext(builder.Options);
    }
}
