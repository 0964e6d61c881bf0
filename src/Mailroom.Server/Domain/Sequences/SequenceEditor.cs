using System.Text.Json;
using Mailroom.Server.Domain.Broadcasts;

namespace Mailroom.Server.Domain.Sequences;

/// <summary>A value to set, possibly null (clearing it); a null <c>Change?</c> leaves the field as it is.</summary>
public readonly record struct Change<T>(T Value);

/// <summary>A subscriber source a sequence skips: subscribers holding one of these tags, forms, sequences or segments.</summary>
public sealed record ExcludedSource(string Type, IReadOnlyList<long> Ids);

/// <summary>Sequence settings to create with or change; null fields stay as they are (or take their defaults).</summary>
public sealed record SequenceSettings(
    string? Name = null, bool? Hold = null, bool? Repeat = null, bool? Active = null,
    Change<string?>? EmailAddress = null, Change<long?>? EmailTemplateId = null,
    IReadOnlyList<string>? SendDays = null, int? SendHour = null, Change<string?>? TimeZone = null,
    IReadOnlyList<ExcludedSource>? ExcludeSubscriberSources = null);

/// <summary>A sequence email's fields to create with or change; null fields stay as they are (or take their defaults).</summary>
public sealed record EmailSettings(
    string? Subject = null, Change<string?>? PreviewText = null, Change<string?>? Content = null,
    int? DelayValue = null, string? DelayUnit = null, Change<IReadOnlyList<string>?>? SendDays = null,
    bool? Published = null, int? Position = null, Change<long?>? EmailTemplateId = null);

/// <summary>
/// Creates and edits sequences and their emails for every caller (CLI, seeds, the v4 API and the web app), with Kit's
/// rules (<see cref="SequenceRules"/>). Positions are sort keys, unique per sequence, as in Kit since 2026-07: nothing
/// is renumbered, so a subscriber's place (the position of the last email they passed) means the same before and after
/// any edit. Subscribers only move forward: an email placed at or before their place is never sent to them; one after
/// it is. Every edit that can change when a waiting subscriber's next email falls due asks the scheduler to look at
/// the sequence's waiting subscribers again (<see cref="RearmAsync"/>).
/// </summary>
public sealed class SequenceEditor(AppDbContext db, TimeProvider time)
{
    public async Task<Sequence> CreateAsync(long accountId, SequenceSettings settings, CancellationToken ct)
    {
        var now = time.UtcNowSeconds();
        var sequence = new Sequence { AccountId = accountId, CreatedAt = now, UpdatedAt = now };
        if (SequenceRules.Name(settings.Name) is { } problem) throw new SequenceRuleException(problem);
        await ApplyAsync(sequence, settings, ct);
        db.Sequences.Add(sequence);
        await db.SaveChangesAsync(ct);
        return sequence;
    }

    public async Task<Sequence> UpdateAsync(long accountId, long id, SequenceSettings settings, CancellationToken ct)
    {
        var sequence = await FindAsync(accountId, id, ct);
        var before = (sequence.Active, sequence.Hold, sequence.SendDays, sequence.SendHour, sequence.TimeZone, sequence.ExcludeSubscriberSources);
        if (settings.Name is not null && SequenceRules.Name(settings.Name) is { } problem) throw new SequenceRuleException(problem);
        await ApplyAsync(sequence, settings, ct);
        sequence.UpdatedAt = time.UtcNowSeconds();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await db.SaveChangesAsync(ct);
        // inferred: Kit says a schedule change "does not retroactively reschedule emails already queued for delivery";
        // in Mailroom an email is queued only once it falls due, so every email not yet due follows the new schedule.
        if (before != (sequence.Active, sequence.Hold, sequence.SendDays, sequence.SendHour, sequence.TimeZone, sequence.ExcludeSubscriberSources))
            await RearmAsync(sequence.Id, ct);
        await tx.CommitAsync(ct);
        return sequence;
    }

    /// <summary>Soft delete: every remaining email of every subscriber stops at once.</summary>
    public async Task DeleteAsync(long accountId, long id, CancellationToken ct)
    {
        var sequence = await FindAsync(accountId, id, ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        sequence.DeletedAt = time.UtcNowSeconds();
        await db.SaveChangesAsync(ct);
        await db.Subscriptions.Where(s => s.SubscribableType == SubscribableTypes.Course && s.SubscribableId == id && s.NextSendAt != null)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.NextSendAt, (DateTime?)null), ct);
        await tx.CommitAsync(ct);
    }

    public async Task<List<SequenceEmail>> EmailsAsync(long accountId, long sequenceId, CancellationToken ct)
    {
        await FindAsync(accountId, sequenceId, ct);
        return await db.SequenceEmails.AsNoTracking().Where(e => e.SequenceId == sequenceId).OrderBy(e => e.Position).ToListAsync(ct);
    }

    public async Task<SequenceEmail> AddEmailAsync(long accountId, long sequenceId, EmailSettings settings, CancellationToken ct)
    {
        await FindAsync(accountId, sequenceId, ct);
        if (SequenceRules.Subject(settings.Subject) is { } subject) throw new SequenceRuleException(subject);
        if (settings.DelayValue is null) throw new SequenceRuleException(SequenceRules.DelayValueRange);
        if (settings.DelayUnit is null) throw new SequenceRuleException(SequenceRules.DelayUnitInvalid);
        var now = time.UtcNowSeconds();
        var email = new SequenceEmail { AccountId = accountId, SequenceId = sequenceId, CreatedAt = now, UpdatedAt = now, Position = -1 };
        var others = await db.SequenceEmails.Where(e => e.SequenceId == sequenceId).ToListAsync(ct);
        // Appended after the last email when no position is given (Kit).
        settings = settings with { Position = settings.Position ?? (others.Count == 0 ? 0 : others.Max(e => e.Position) + 1) };
        await ApplyAsync(email, settings, others, accountId, ct);
        db.SequenceEmails.Add(email);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await db.SaveChangesAsync(ct);
        if (email.Published) await RearmAsync(sequenceId, ct);
        await tx.CommitAsync(ct);
        return email;
    }

    public async Task<SequenceEmail> UpdateEmailAsync(long accountId, long sequenceId, long emailId, EmailSettings settings, CancellationToken ct)
    {
        await FindAsync(accountId, sequenceId, ct);
        var email = await db.SequenceEmails.FirstOrDefaultAsync(e => e.Id == emailId && e.SequenceId == sequenceId && e.AccountId == accountId, ct)
            ?? throw new SequenceRuleException(SequenceRules.NotFound("email", emailId));
        var others = await db.SequenceEmails.Where(e => e.SequenceId == sequenceId && e.Id != emailId).ToListAsync(ct);
        var before = (email.Published, email.Position, email.DelayValue, email.DelayUnit, email.SendDays);
        await ApplyAsync(email, settings, others, accountId, ct);
        email.UpdatedAt = time.UtcNowSeconds();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await db.SaveChangesAsync(ct);
        if (before != (email.Published, email.Position, email.DelayValue, email.DelayUnit, email.SendDays)) await RearmAsync(sequenceId, ct);
        await tx.CommitAsync(ct);
        return email;
    }

    /// <summary>
    /// Removes the email for good. Subscribers waiting for it go on to the next published email after it (Kit); the
    /// deliveries already sent keep their stats and working unsubscribe links.
    /// </summary>
    public async Task DeleteEmailAsync(long accountId, long sequenceId, long emailId, CancellationToken ct)
    {
        await FindAsync(accountId, sequenceId, ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var deleted = await db.SequenceEmails.Where(e => e.Id == emailId && e.SequenceId == sequenceId && e.AccountId == accountId).ExecuteDeleteAsync(ct);
        if (deleted == 0) throw new SequenceRuleException(SequenceRules.NotFound("email", emailId));
        // SQLite leaves ON DELETE SET NULL to the statement above only with foreign keys on; say it outright for both.
        await db.SequenceDeliveries.Where(d => d.SequenceEmailId == emailId).ExecuteUpdateAsync(s => s.SetProperty(d => d.SequenceEmailId, (long?)null), ct);
        await RearmAsync(sequenceId, ct);
        await tx.CommitAsync(ct);
    }

    /// <summary>
    /// Every subscriber still going through the sequence (active, not completed, already started) is looked at by the
    /// scheduler's next pass, which works out their next email afresh: one statement, however many there are.
    /// </summary>
    Task<int> RearmAsync(long sequenceId, CancellationToken ct)
    {
        var now = time.UtcNowSeconds();
        return db.Subscriptions.Where(s => s.SubscribableType == SubscribableTypes.Course && s.SubscribableId == sequenceId
                && s.State == SubscriptionStates.Active && s.CompletedAt == null && s.SequenceAnchorAt != null
                && (s.NextSendAt == null || s.NextSendAt > now))
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.NextSendAt, now), ct);
    }

    async Task<Sequence> FindAsync(long accountId, long id, CancellationToken ct) =>
        await db.Sequences.FirstOrDefaultAsync(s => s.Id == id && s.AccountId == accountId, ct)
        ?? throw new SequenceRuleException(SequenceRules.NotFound("sequence", id));

    async Task ApplyAsync(Sequence sequence, SequenceSettings s, CancellationToken ct)
    {
        if (s.Name is not null) sequence.Name = s.Name.Trim();
        if (s.Hold is { } hold) sequence.Hold = hold;
        if (s.Repeat is { } repeat) sequence.Repeat = repeat;
        if (s.Active is { } active) sequence.Active = active;
        if (s.EmailAddress is { } address)
        {
            if (address.Value is { } value && !EmailAddress.IsValid(value)) throw new SequenceRuleException(SequenceRules.EmailAddressInvalid);
            sequence.EmailAddress = string.IsNullOrWhiteSpace(address.Value) ? null : address.Value.Trim();
        }
        if (s.EmailTemplateId is { } template) sequence.EmailTemplateId = await TemplateAsync(sequence.AccountId, template.Value, ct);
        if (s.SendDays is not null) sequence.SendDays = SendDays.Parse(s.SendDays) ?? throw new SequenceRuleException(SequenceRules.SendDaysInvalid);
        if (s.SendHour is { } hour)
        {
            if (SequenceRules.SendHour(hour) is { } problem) throw new SequenceRuleException(problem);
            sequence.SendHour = hour;
        }
        if (s.TimeZone is { } zone)
        {
            if (zone.Value is not null && SequenceRules.TimeZone(zone.Value) is { } problem) throw new SequenceRuleException(problem);
            sequence.TimeZone = SequenceSchedule.Zone(zone.Value)?.Id;
        }
        if (s.ExcludeSubscriberSources is { } sources)
        {
            if (sources.Select(x => SequenceRules.ExcludeType(x.Type)).FirstOrDefault(p => p is not null) is { } problem) throw new SequenceRuleException(problem);
            sequence.ExcludeSubscriberSources = JsonSerializer.Serialize(sources.Select(x => new { type = x.Type, ids = x.Ids.Distinct().Order().ToList() }));
        }
    }

    async Task ApplyAsync(SequenceEmail email, EmailSettings s, List<SequenceEmail> others, long accountId, CancellationToken ct)
    {
        if (s.Subject is not null)
        {
            if (SequenceRules.Subject(s.Subject) is { } problem) throw new SequenceRuleException(problem);
            email.Subject = s.Subject.Trim();
        }
        if (s.PreviewText is { } preview)
        {
            if (SequenceRules.PreviewText(preview.Value) is { } problem) throw new SequenceRuleException(problem);
            email.PreviewText = preview.Value;
        }
        if (s.Content is { } content)
        {
            if (LiquidTemplates.Problem(content.Value) is { } problem) throw new SequenceRuleException(SequenceRules.NotLiquid("content", problem));
            email.Content = content.Value;
        }
        if (LiquidTemplates.Problem(email.Subject) is { } subjectProblem) throw new SequenceRuleException(SequenceRules.NotLiquid("subject", subjectProblem));
        if (s.DelayUnit is not null) email.DelayUnit = s.DelayUnit.Trim().ToLowerInvariant();
        if (s.DelayValue is { } value) email.DelayValue = value;
        if (SequenceRules.Delay(email.DelayValue, email.DelayUnit) is { } delay) throw new SequenceRuleException(delay);
        if (s.SendDays is { } days)
        {
            if (days.Value is not null && email.DelayUnit == DelayUnits.Hours) throw new SequenceRuleException(SequenceRules.SendDaysOnHours);
            email.SendDays = days.Value is null ? null : SendDays.Parse(days.Value) ?? throw new SequenceRuleException(SequenceRules.SendDaysInvalid);
        }
        // Kit returns send_days null for hour emails: an hour delay ignores the schedule.
        if (email.DelayUnit == DelayUnits.Hours) email.SendDays = null;
        if (s.Published is { } published) email.Published = published;
        if (s.EmailTemplateId is { } template) email.EmailTemplateId = await TemplateAsync(accountId, template.Value, ct);
        if (s.Position is { } position)
        {
            if (position < 0) throw new SequenceRuleException(SequenceRules.PositionNegative);
            if (others.Any(e => e.Position == position)) throw new SequenceRuleException(SequenceRules.PositionTaken);
            email.Position = position;
        }
        // Only the first email may go out at once: drafts count too, since publishing one must not break the rule.
        var first = others.Count == 0 || email.Position < others.Min(e => e.Position);
        if (email.DelayValue == 0 && !first) throw new SequenceRuleException(SequenceRules.OnlyFirstImmediate);
        if (first && others.Any(e => e.DelayValue == 0)) throw new SequenceRuleException(SequenceRules.OnlyFirstImmediate);
    }

    async Task<long?> TemplateAsync(long accountId, long? id, CancellationToken ct)
    {
        if (id is null) return null;
        if (!await db.EmailLayouts.AnyAsync(l => l.Id == id && l.AccountId == accountId, ct)) throw new SequenceRuleException(SequenceRules.EmailTemplateNotFound);
        return id;
    }
}
