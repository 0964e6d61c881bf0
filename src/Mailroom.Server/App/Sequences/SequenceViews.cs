using System.Text.Json;
using Mailroom.Server.Domain.Sequences;

namespace Mailroom.Server.App.Sequences;

public sealed record SequenceRow(long Id, string Name, bool Active, int Emails, long Going, long Completed);

/// <summary>Where a sequence's subscribers stand: waiting after each position, not yet past the first email, done.</summary>
public sealed record SequenceSteps(IReadOnlyDictionary<int, long> AtPosition, long NotStarted, long Completed)
{
    public long At(int position) => AtPosition.GetValueOrDefault(position);
}

/// <summary>
/// The sequence screens' reads. Counts are grouped queries over the (subscribable, state) index, never rows loaded to
/// be counted; "going through" and "completed" mean what the dashboard means (active subscriptions, by completed_at).
/// </summary>
public static class SequenceViews
{
    public static async Task<List<SequenceRow>> ListAsync(AppDbContext db, long accountId, CancellationToken ct = default)
    {
        var sequences = await db.Sequences.AsNoTracking().Where(s => s.AccountId == accountId).OrderBy(s => s.Name).ThenBy(s => s.Id)
            .Select(s => new { s.Id, s.Name, s.Active }).ToListAsync(ct);
        var ids = sequences.Select(s => s.Id).ToList();
        var emails = await db.SequenceEmails.AsNoTracking().Where(e => e.AccountId == accountId && ids.Contains(e.SequenceId))
            .GroupBy(e => e.SequenceId).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.Key, g => g.Count, ct);
        var members = await db.Subscriptions.AsNoTracking()
            .Where(s => s.AccountId == accountId && s.SubscribableType == SubscribableTypes.Course && ids.Contains(s.SubscribableId)
                && s.State == SubscriptionStates.Active)
            .GroupBy(s => s.SubscribableId)
            .Select(g => new { g.Key, Going = g.LongCount(s => s.CompletedAt == null), Completed = g.LongCount(s => s.CompletedAt != null) })
            .ToDictionaryAsync(g => g.Key, ct);
        return [.. sequences.Select(s => new SequenceRow(s.Id, s.Name, s.Active, emails.GetValueOrDefault(s.Id),
            members.GetValueOrDefault(s.Id)?.Going ?? 0, members.GetValueOrDefault(s.Id)?.Completed ?? 0))];
    }

    public static async Task<SequenceSteps> StepsAsync(AppDbContext db, long accountId, long sequenceId, CancellationToken ct = default)
    {
        var members = db.Subscriptions.AsNoTracking().Where(s => s.AccountId == accountId && s.SubscribableType == SubscribableTypes.Course
            && s.SubscribableId == sequenceId && s.State == SubscriptionStates.Active);
        var going = await members.Where(s => s.CompletedAt == null).GroupBy(s => s.SequencePosition)
            .Select(g => new { Position = g.Key, Count = g.LongCount() }).ToListAsync(ct);
        var completed = await members.LongCountAsync(s => s.CompletedAt != null, ct);
        return new SequenceSteps(going.Where(g => g.Position is not null).ToDictionary(g => g.Position!.Value, g => g.Count),
            going.Where(g => g.Position is null).Sum(g => g.Count), completed);
    }

    /// <summary>"Immediately", "after 3 days", "after 1 hour": an email's delay after the step before it.</summary>
    public static string Delay(int value, string unit) =>
        value == 0 ? "Immediately" : $"after {value} {(value == 1 ? unit.TrimEnd('s') : unit)}";

    public static List<ExcludedSource> Exclusions(string json) =>
        JsonSerializer.Deserialize<List<ExcludedSource>>(json, new JsonSerializerOptions(JsonSerializerDefaults.Web)) ?? [];
}
