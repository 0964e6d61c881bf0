using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Mailroom.Data.Configurations;

sealed class BroadcastConfiguration : IEntityTypeConfiguration<Broadcast>
{
    public void Configure(EntityTypeBuilder<Broadcast> b)
    {
        b.HasOne<Account>().WithMany().HasForeignKey(x => x.AccountId).OnDelete(DeleteBehavior.Cascade);
        b.Property(x => x.Status).HasMaxLength(16);
        b.Property(x => x.FailureReason).HasMaxLength(500);
        b.Property(x => x.PreviewText).HasMaxLength(255);
        b.HasIndex(x => new { x.AccountId, x.Id });
        b.HasIndex(x => new { x.Status, x.SendAt });
    }
}

sealed class BroadcastRecipientConfiguration : IEntityTypeConfiguration<BroadcastRecipient>
{
    public void Configure(EntityTypeBuilder<BroadcastRecipient> b)
    {
        b.HasOne<Broadcast>().WithMany().HasForeignKey(x => x.BroadcastId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<Subscriber>().WithMany().HasForeignKey(x => x.SubscriberId).OnDelete(DeleteBehavior.Cascade);
        b.Property(x => x.Token).HasMaxLength(64);
        b.HasIndex(x => new { x.BroadcastId, x.SubscriberId }).IsUnique();
        b.HasIndex(x => new { x.BroadcastId, x.Id });
        b.HasIndex(x => x.Token).IsUnique();
    }
}

sealed class SequenceDeliveryConfiguration : IEntityTypeConfiguration<SequenceDelivery>
{
    public void Configure(EntityTypeBuilder<SequenceDelivery> b)
    {
        // No key to accounts: a step goes with its subscriber (cascade), who goes with the account, and every index
        // less is one write less per step at a send hour.
        b.HasOne<Subscriber>().WithMany().HasForeignKey(x => x.SubscriberId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<SequenceEmail>().WithMany().HasForeignKey(x => x.SequenceEmailId).OnDelete(DeleteBehavior.SetNull);
        b.Property(x => x.Token).HasMaxLength(64);
        b.Property(x => x.LockedBy).HasMaxLength(64);
        b.HasIndex(x => new { x.SequenceEmailId, x.SubscriberId, x.Round }).IsUnique();
        b.HasIndex(x => x.Token).IsUnique();
        // The subscriber first: it serves the foreign key's cascade and the scheduler's "already sent" lookup alike.
        b.HasIndex(x => new { x.SubscriberId, x.SequenceId });
        // Pending rows only, in the order they fall due: the sender's claims stay cheap however many were ever sent,
        // and steps written ahead of their time are passed over without a scan.
        b.HasIndex(x => new { x.DueAt, x.Id }).HasDatabaseName("ix_sequence_deliveries_pending").HasFilter("sent_at IS NULL AND failed_at IS NULL");
    }
}

sealed class PurchaseConfiguration : IEntityTypeConfiguration<Purchase>
{
    public void Configure(EntityTypeBuilder<Purchase> b)
    {
        b.HasOne<Account>().WithMany().HasForeignKey(x => x.AccountId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<Subscriber>().WithMany().HasForeignKey(x => x.SubscriberId).OnDelete(DeleteBehavior.Cascade);
        b.Property(x => x.TransactionId).HasMaxLength(255);
        b.Property(x => x.Currency).HasMaxLength(3);
        b.HasIndex(x => new { x.AccountId, x.TransactionId }).IsUnique();
        b.HasMany(x => x.Products).WithOne().HasForeignKey(x => x.PurchaseId).OnDelete(DeleteBehavior.Cascade);
    }
}

sealed class WebhookRuleConfiguration : IEntityTypeConfiguration<WebhookRule>
{
    public void Configure(EntityTypeBuilder<WebhookRule> b)
    {
        b.HasOne<Account>().WithMany().HasForeignKey(x => x.AccountId).OnDelete(DeleteBehavior.Cascade);
        b.Property(x => x.EventName).HasMaxLength(64);
        b.Property(x => x.ParameterName).HasMaxLength(32);
        b.HasIndex(x => new { x.AccountId, x.EventName });
    }
}

sealed class OutboxEventConfiguration : IEntityTypeConfiguration<OutboxEvent>
{
    public void Configure(EntityTypeBuilder<OutboxEvent> b)
    {
        b.HasOne<Account>().WithMany().HasForeignKey(x => x.AccountId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne(x => x.Subscriber).WithMany().HasForeignKey(x => x.SubscriberId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne(x => x.Purchase).WithMany().HasForeignKey(x => x.PurchaseId).OnDelete(DeleteBehavior.Cascade);
        b.Property(x => x.EventName).HasMaxLength(64);
        b.Property(x => x.LockedBy).HasMaxLength(64);
        b.HasIndex(x => new { x.ProcessedAt, x.Id });
    }
}

sealed class WebhookDeliveryConfiguration : IEntityTypeConfiguration<WebhookDelivery>
{
    public void Configure(EntityTypeBuilder<WebhookDelivery> b)
    {
        b.HasOne<WebhookRule>().WithMany().HasForeignKey(x => x.RuleId).OnDelete(DeleteBehavior.Cascade);
        b.Property(x => x.Status).HasMaxLength(16);
        b.Property(x => x.LockedBy).HasMaxLength(64);
        b.HasIndex(x => x.DeliveryId).IsUnique();
        // The dispatcher's claim reads pending rows in (next_attempt_at, id) order and stops at its limit; with id in
        // the index PostgreSQL walks it in that order instead of sorting every pending row.
        b.HasIndex(x => new { x.Status, x.NextAttemptAt, x.Id });
        b.HasIndex(x => new { x.AccountId, x.Id });
        // The claim shares its room between accounts: per account it finds whether any is due and reads the oldest due
        // ones, each a seek and a short walk here rather than a pass over every pending row.
        b.HasIndex(x => new { x.AccountId, x.Status, x.NextAttemptAt, x.Id });
    }
}
