namespace Mailroom.Server.Domain.Sequences;

/// <summary>What became of one sequence email's deliveries: each count is of subscribers (one delivery per round).</summary>
public sealed record EmailStats(int Sent, int Opens, int Clicks, int Unsubscribes, int Bounces, int Failed)
{
    public static readonly EmailStats None = new(0, 0, 0, 0, 0, 0);
}

/// <summary>
/// Per-email stats of a sequence, for the CLI and the v4 API: one grouped query over sequence_deliveries, however many
/// emails the sequence has. Deliveries of a deleted email (sequence_email_id null) count for no email.
/// </summary>
public static class SequenceEmailStats
{
    /// <summary>The stats of every email of the sequence that has deliveries; an email missing here has none.</summary>
    public static async Task<Dictionary<long, EmailStats>> ForSequenceAsync(AppDbContext db, long sequenceId, CancellationToken ct)
    {
        var rows = await db.SequenceDeliveries.AsNoTracking()
            .Where(d => d.SequenceId == sequenceId && d.SequenceEmailId != null)
            .GroupBy(d => d.SequenceEmailId!.Value)
            .Select(g => new
            {
                EmailId = g.Key,
                Sent = g.Count(d => d.SentAt != null),
                Opens = g.Count(d => d.OpenedAt != null),
                Clicks = g.Count(d => d.ClickedAt != null),
                Unsubscribes = g.Count(d => d.UnsubscribedAt != null),
                Bounces = g.Count(d => d.Bounced),
                Failed = g.Count(d => d.FailedAt != null),
            })
            .ToListAsync(ct);
        return rows.ToDictionary(r => r.EmailId, r => new EmailStats(r.Sent, r.Opens, r.Clicks, r.Unsubscribes, r.Bounces, r.Failed));
    }

    /// <summary>Each sequence's stats summed over its emails, for a page of sequences: one grouped query.</summary>
    public static async Task<Dictionary<long, EmailStats>> ForSequencesAsync(AppDbContext db, IReadOnlyCollection<long> sequenceIds, CancellationToken ct)
    {
        var rows = await db.SequenceDeliveries.AsNoTracking()
            .Where(d => sequenceIds.Contains(d.SequenceId) && d.SequenceEmailId != null)
            .GroupBy(d => d.SequenceId)
            .Select(g => new
            {
                SequenceId = g.Key,
                Sent = g.Count(d => d.SentAt != null),
                Opens = g.Count(d => d.OpenedAt != null),
                Clicks = g.Count(d => d.ClickedAt != null),
                Unsubscribes = g.Count(d => d.UnsubscribedAt != null),
                Bounces = g.Count(d => d.Bounced),
                Failed = g.Count(d => d.FailedAt != null),
            })
            .ToListAsync(ct);
        return rows.ToDictionary(r => r.SequenceId, r => new EmailStats(r.Sent, r.Opens, r.Clicks, r.Unsubscribes, r.Bounces, r.Failed));
    }

    public static EmailStats Of(this IReadOnlyDictionary<long, EmailStats> stats, long emailId) => stats.GetValueOrDefault(emailId) ?? EmailStats.None;
}
