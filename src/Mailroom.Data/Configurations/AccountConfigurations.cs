using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Mailroom.Data.Configurations;

sealed class AccountConfiguration : IEntityTypeConfiguration<Account>
{
    public void Configure(EntityTypeBuilder<Account> b)
    {
        b.Property(x => x.Name).HasMaxLength(255);
        b.Property(x => x.PlanType).HasMaxLength(64);
        b.Property(x => x.PrimaryEmailAddress).HasMaxLength(320);
        b.Property(x => x.SendingEmailAddress).HasMaxLength(320);
        b.Property(x => x.TimeZone).HasMaxLength(64).HasDefaultValue("UTC");
        b.Property(x => x.Colors).HasDefaultValue("[]");
        b.Property(x => x.ApiKeyHash).HasMaxLength(64);
        b.Property(x => x.ApiSecretHash).HasMaxLength(64);
        b.HasIndex(x => x.ApiKeyHash).IsUnique();
        b.HasIndex(x => x.ApiSecretHash).IsUnique();
    }
}

sealed class FormConfiguration : IEntityTypeConfiguration<Form>
{
    public void Configure(EntityTypeBuilder<Form> b)
    {
        b.HasOne<Account>().WithMany().HasForeignKey(x => x.AccountId).OnDelete(DeleteBehavior.Cascade);
        b.Property(x => x.Name).HasMaxLength(255);
        b.Property(x => x.Type).HasMaxLength(16);
        b.Property(x => x.Format).HasMaxLength(32);
        b.Property(x => x.Uid).HasMaxLength(32);
        b.HasIndex(x => x.Uid).IsUnique();
        b.HasIndex(x => new { x.AccountId, x.Id });
    }
}

sealed class SequenceConfiguration : IEntityTypeConfiguration<Sequence>
{
    public void Configure(EntityTypeBuilder<Sequence> b)
    {
        b.HasOne<Account>().WithMany().HasForeignKey(x => x.AccountId).OnDelete(DeleteBehavior.Cascade);
        b.Property(x => x.Name).HasMaxLength(255);
        b.Property(x => x.EmailAddress).HasMaxLength(320);
        b.Property(x => x.TimeZone).HasMaxLength(64);
        b.Property(x => x.Active).HasDefaultValue(true);
        b.Property(x => x.SendDays).HasDefaultValue(0x7F);
        b.Property(x => x.SendHour).HasDefaultValue(9);
        b.Property(x => x.ExcludeSubscriberSources).HasDefaultValue("[]");
        b.HasOne<EmailLayout>().WithMany().HasForeignKey(x => x.EmailTemplateId).OnDelete(DeleteBehavior.SetNull);
        b.HasIndex(x => new { x.AccountId, x.Id });
        // Soft-deleted sequences vanish from every query; the scheduler's joins included.
        b.HasQueryFilter(x => x.DeletedAt == null);
    }
}

sealed class SequenceEmailConfiguration : IEntityTypeConfiguration<SequenceEmail>
{
    public void Configure(EntityTypeBuilder<SequenceEmail> b)
    {
        b.HasOne<Account>().WithMany().HasForeignKey(x => x.AccountId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<Sequence>().WithMany().HasForeignKey(x => x.SequenceId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<EmailLayout>().WithMany().HasForeignKey(x => x.EmailTemplateId).OnDelete(DeleteBehavior.SetNull);
        b.Property(x => x.Subject).HasMaxLength(255);
        b.Property(x => x.PreviewText).HasMaxLength(255);
        b.Property(x => x.DelayUnit).HasMaxLength(8);
        // Kit: position is unique per sequence (v4 notes §6, 2026-07-07).
        b.HasIndex(x => new { x.SequenceId, x.Position }).IsUnique();
    }
}

sealed class TagConfiguration : IEntityTypeConfiguration<Tag>
{
    public void Configure(EntityTypeBuilder<Tag> b)
    {
        b.HasOne<Account>().WithMany().HasForeignKey(x => x.AccountId).OnDelete(DeleteBehavior.Cascade);
        b.Property(x => x.Name).HasMaxLength(255);
        b.Property(x => x.NormalizedName).HasMaxLength(255);
        b.HasIndex(x => new { x.AccountId, x.NormalizedName }).IsUnique();
    }
}

sealed class CustomFieldConfiguration : IEntityTypeConfiguration<CustomField>
{
    public void Configure(EntityTypeBuilder<CustomField> b)
    {
        b.HasOne<Account>().WithMany().HasForeignKey(x => x.AccountId).OnDelete(DeleteBehavior.Cascade);
        b.Property(x => x.Label).HasMaxLength(255);
        b.Property(x => x.Key).HasMaxLength(255);
        b.Property(x => x.Name).HasMaxLength(300);
        b.HasIndex(x => new { x.AccountId, x.Key }).IsUnique();
    }
}

sealed class EmailLayoutConfiguration : IEntityTypeConfiguration<EmailLayout>
{
    public void Configure(EntityTypeBuilder<EmailLayout> b)
    {
        b.HasOne<Account>().WithMany().HasForeignKey(x => x.AccountId).OnDelete(DeleteBehavior.Cascade);
        b.Property(x => x.Name).HasMaxLength(255);
        b.HasIndex(x => new { x.AccountId, x.Name }).IsUnique();
    }
}
