using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Mailroom.Data.Configurations;

sealed class SubscriberConfiguration : IEntityTypeConfiguration<Subscriber>
{
    public void Configure(EntityTypeBuilder<Subscriber> b)
    {
        b.HasOne<Account>().WithMany().HasForeignKey(x => x.AccountId).OnDelete(DeleteBehavior.Cascade);
        b.Property(x => x.EmailAddress).HasMaxLength(320);
        b.Property(x => x.NormalizedEmail).HasMaxLength(320);
        b.Property(x => x.FirstName).HasMaxLength(255);
        b.Property(x => x.State).HasMaxLength(16);
        b.HasIndex(x => new { x.AccountId, x.NormalizedEmail }).IsUnique();
        // The list endpoints page by (state, created_at, id) and by cancellation or update time.
        b.HasIndex(x => new { x.AccountId, x.State, x.CreatedAt, x.Id });
        b.HasIndex(x => new { x.AccountId, x.CancelledAt, x.Id });
        b.HasIndex(x => new { x.AccountId, x.UpdatedAt });
        // v4 lists page by id within a state (keyset seeks, Kit's cursors).
        b.HasIndex(x => new { x.AccountId, x.State, x.Id });
        b.HasMany(x => x.FieldValues).WithOne().HasForeignKey(x => x.SubscriberId).OnDelete(DeleteBehavior.Cascade);
    }
}

sealed class SubscriberFieldValueConfiguration : IEntityTypeConfiguration<SubscriberFieldValue>
{
    public void Configure(EntityTypeBuilder<SubscriberFieldValue> b)
    {
        b.HasKey(x => new { x.SubscriberId, x.CustomFieldId });
        b.HasOne<CustomField>().WithMany().HasForeignKey(x => x.CustomFieldId).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(x => x.CustomFieldId);
    }
}

sealed class SubscriptionConfiguration : IEntityTypeConfiguration<Subscription>
{
    public void Configure(EntityTypeBuilder<Subscription> b)
    {
        b.HasOne<Account>().WithMany().HasForeignKey(x => x.AccountId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne(x => x.Subscriber).WithMany().HasForeignKey(x => x.SubscriberId).OnDelete(DeleteBehavior.Cascade);
        b.Property(x => x.SubscribableType).HasMaxLength(16);
        b.Property(x => x.State).HasMaxLength(16);
        b.Property(x => x.ConfirmationTokenHash).HasMaxLength(64);
        b.HasIndex(x => new { x.SubscriberId, x.SubscribableType, x.SubscribableId }).IsUnique();
        b.HasIndex(x => new { x.AccountId, x.SubscribableType, x.SubscribableId, x.State, x.CreatedAt, x.Id });
        b.HasIndex(x => x.ConfirmationTokenHash).IsUnique();
        b.HasIndex(x => new { x.State, x.ConfirmationRequestedAt });
        // The scheduler's only way in: due sequence steps, never a scan of every subscription.
        b.HasIndex(x => x.NextSendAt).HasFilter("next_send_at IS NOT NULL");
    }
}
