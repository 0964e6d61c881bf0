using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Mailroom.Data.Configurations;

sealed class ApiKeyConfiguration : IEntityTypeConfiguration<ApiKey>
{
    public void Configure(EntityTypeBuilder<ApiKey> b)
    {
        b.HasOne<Account>().WithMany().HasForeignKey(x => x.AccountId).OnDelete(DeleteBehavior.Cascade);
        b.Property(x => x.Name).HasMaxLength(255);
        b.Property(x => x.KeyHash).HasMaxLength(64);
        b.Property(x => x.Hint).HasMaxLength(8);
        b.HasIndex(x => x.KeyHash).IsUnique();
        b.HasIndex(x => new { x.AccountId, x.Id });
    }
}

sealed class SnippetConfiguration : IEntityTypeConfiguration<Snippet>
{
    public void Configure(EntityTypeBuilder<Snippet> b)
    {
        b.HasOne<Account>().WithMany().HasForeignKey(x => x.AccountId).OnDelete(DeleteBehavior.Cascade);
        b.Property(x => x.Name).HasMaxLength(255);
        b.Property(x => x.Key).HasMaxLength(255);
        b.Property(x => x.SnippetType).HasMaxLength(16);
        b.HasIndex(x => new { x.AccountId, x.Key }).IsUnique();
        b.HasIndex(x => new { x.AccountId, x.Id });
    }
}

sealed class SegmentConfiguration : IEntityTypeConfiguration<Segment>
{
    public void Configure(EntityTypeBuilder<Segment> b)
    {
        b.HasOne<Account>().WithMany().HasForeignKey(x => x.AccountId).OnDelete(DeleteBehavior.Cascade);
        b.Property(x => x.Name).HasMaxLength(255);
        b.HasIndex(x => new { x.AccountId, x.Id });
    }
}

sealed class BulkJobConfiguration : IEntityTypeConfiguration<BulkJob>
{
    public void Configure(EntityTypeBuilder<BulkJob> b)
    {
        b.HasOne<Account>().WithMany().HasForeignKey(x => x.AccountId).OnDelete(DeleteBehavior.Cascade);
        b.Property(x => x.Operation).HasMaxLength(64);
        b.Property(x => x.Status).HasMaxLength(16);
        b.Property(x => x.CallbackUrl).HasMaxLength(2048);
        b.HasIndex(x => new { x.Status, x.Id });
        b.HasIndex(x => new { x.AccountId, x.Status });
        b.HasIndex(x => x.NextCallbackAt).HasFilter("next_callback_at IS NOT NULL");
    }
}
