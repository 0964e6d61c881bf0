using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Mailroom.Data.Configurations;

// Only triggers write these tables (see the ListCounts migrations); the app reads them.
// Decrements are plain UPDATEs, so deleting an account (which cascades here and to its subscribers
// in no fixed order) never re-inserts a row for an account that is gone.
sealed class SubscriberCountConfiguration : IEntityTypeConfiguration<SubscriberCount>
{
    public void Configure(EntityTypeBuilder<SubscriberCount> b)
    {
        b.HasKey(x => new { x.AccountId, x.State, x.Cancelled, x.Day, x.Slot });
        b.HasOne<Account>().WithMany().HasForeignKey(x => x.AccountId).OnDelete(DeleteBehavior.Cascade);
        b.Property(x => x.State).HasMaxLength(16);
    }
}

sealed class SubscriptionCountConfiguration : IEntityTypeConfiguration<SubscriptionCount>
{
    public void Configure(EntityTypeBuilder<SubscriptionCount> b)
    {
        b.HasKey(x => new { x.AccountId, x.SubscribableType, x.SubscribableId, x.State, x.Day, x.Slot });
        b.HasOne<Account>().WithMany().HasForeignKey(x => x.AccountId).OnDelete(DeleteBehavior.Cascade);
        b.Property(x => x.SubscribableType).HasMaxLength(16);
        b.Property(x => x.State).HasMaxLength(16);
    }
}
