using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Mailroom.Data;

public sealed class AppDbContext(DbContextOptions<AppDbContext> options) : DbContext(options)
{
    public DbSet<Account> Accounts => Set<Account>();
    public DbSet<Form> Forms => Set<Form>();
    public DbSet<Sequence> Sequences => Set<Sequence>();
    public DbSet<SequenceEmail> SequenceEmails => Set<SequenceEmail>();
    public DbSet<SequenceDelivery> SequenceDeliveries => Set<SequenceDelivery>();
    public DbSet<Tag> Tags => Set<Tag>();
    public DbSet<CustomField> CustomFields => Set<CustomField>();
    public DbSet<Subscriber> Subscribers => Set<Subscriber>();
    public DbSet<SubscriberFieldValue> SubscriberFieldValues => Set<SubscriberFieldValue>();
    public DbSet<Subscription> Subscriptions => Set<Subscription>();
    public DbSet<SubscriberCount> SubscriberCounts => Set<SubscriberCount>();
    public DbSet<SubscriptionCount> SubscriptionCounts => Set<SubscriptionCount>();
    public DbSet<EmailLayout> EmailLayouts => Set<EmailLayout>();
    public DbSet<Broadcast> Broadcasts => Set<Broadcast>();
    public DbSet<BroadcastRecipient> BroadcastRecipients => Set<BroadcastRecipient>();
    public DbSet<Purchase> Purchases => Set<Purchase>();
    public DbSet<PurchaseProduct> PurchaseProducts => Set<PurchaseProduct>();
    public DbSet<WebhookRule> WebhookRules => Set<WebhookRule>();
    public DbSet<OutboxEvent> OutboxEvents => Set<OutboxEvent>();
    public DbSet<WebhookDelivery> WebhookDeliveries => Set<WebhookDelivery>();
    public DbSet<ApiKey> ApiKeys => Set<ApiKey>();
    public DbSet<Snippet> Snippets => Set<Snippet>();
    public DbSet<Segment> Segments => Set<Segment>();
    public DbSet<BulkJob> BulkJobs => Set<BulkJob>();
    public DbSet<OAuthKey> OAuthKeys => Set<OAuthKey>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(AppDbContext).Assembly);
        OAuthModel.Apply(modelBuilder);
        UseSnakeCaseNames(modelBuilder);
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder builder)
    {
        // SQLite hands DateTimes back as Unspecified and Npgsql refuses to write anything but Utc
        // into timestamptz; every timestamp in Mailroom is UTC, so say so on the way in and out.
        builder.Properties<DateTime>().HaveConversion<UtcConverter>();
        builder.Properties<DateTime?>().HaveConversion<NullableUtcConverter>();
        builder.Properties<decimal>().HavePrecision(18, 4);
    }

    // snake_case tables and columns, so hand-written SQL and psql sessions read naturally.
    static void UseSnakeCaseNames(ModelBuilder modelBuilder)
    {
        foreach (var entity in modelBuilder.Model.GetEntityTypes())
        {
            entity.SetTableName(Snake(entity.GetTableName()!));
            foreach (var property in entity.GetProperties())
                property.SetColumnName(Snake(property.Name));
            foreach (var key in entity.GetKeys())
                key.SetName(Snake(key.GetName()!));
            foreach (var fk in entity.GetForeignKeys())
                fk.SetConstraintName(Snake(fk.GetConstraintName()!));
            foreach (var index in entity.GetIndexes())
                index.SetDatabaseName(Snake(index.GetDatabaseName()!));
        }
    }

    static string Snake(string name)
    {
        var sb = new StringBuilder(name.Length + 8);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (char.IsUpper(c))
            {
                if (i > 0 && name[i - 1] != '_' && !char.IsUpper(name[i - 1])) sb.Append('_');
                sb.Append(char.ToLowerInvariant(c));
            }
            else sb.Append(c);
        }
        return sb.ToString();
    }

    sealed class UtcConverter() : ValueConverter<DateTime, DateTime>(
        v => v.Kind == DateTimeKind.Utc ? v : DateTime.SpecifyKind(v.ToUniversalTime(), DateTimeKind.Utc),
        v => DateTime.SpecifyKind(v, DateTimeKind.Utc));

    sealed class NullableUtcConverter() : ValueConverter<DateTime?, DateTime?>(
        v => v == null ? v : v.Value.Kind == DateTimeKind.Utc ? v : DateTime.SpecifyKind(v.Value.ToUniversalTime(), DateTimeKind.Utc),
        v => v == null ? v : DateTime.SpecifyKind(v.Value, DateTimeKind.Utc));
}
