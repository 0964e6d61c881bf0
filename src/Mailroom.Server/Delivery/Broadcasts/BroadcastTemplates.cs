using Mailroom.Server.Delivery.Composing;

namespace Mailroom.Server.Delivery.Broadcasts;

/// <param name="Freezing">The recipient list is still being written (see <see cref="RecipientFreezer"/>).</param>
public sealed record LoadedTemplate(long AccountId, BroadcastTemplate Template, bool Freezing = false);

public static class BroadcastTemplates
{
    /// <summary>Everything needed to render any recipient's copy of a broadcast: content, sender and layout.</summary>
    public static async Task<LoadedTemplate?> LoadAsync(AppDbContext db, long broadcastId, CancellationToken ct)
    {
        var row = await db.Broadcasts.AsNoTracking().Where(b => b.Id == broadcastId)
            .Join(db.Accounts, b => b.AccountId, a => a.Id, (b, a) => new
            { b.Id, b.AccountId, b.Subject, b.Content, b.EmailAddress, b.EmailLayoutTemplate, b.Freezing, a.Name, a.PrimaryEmailAddress, a.SendingEmailAddress })
            .FirstOrDefaultAsync(ct);
        if (row is null) return null;
        string? layout = null;
        if (!string.IsNullOrEmpty(row.EmailLayoutTemplate) && row.EmailLayoutTemplate != TemplateRenderer.TextOnlyLayout)
            layout = await db.EmailLayouts.AsNoTracking().Where(l => l.AccountId == row.AccountId && l.Name == row.EmailLayoutTemplate)
                .Select(l => l.Html).FirstOrDefaultAsync(ct);
        // The broadcast's own sender first, then the account's sending address, then its primary one.
        var from = !string.IsNullOrWhiteSpace(row.EmailAddress) ? row.EmailAddress
            : !string.IsNullOrWhiteSpace(row.SendingEmailAddress) ? row.SendingEmailAddress : row.PrimaryEmailAddress;
        return new LoadedTemplate(row.AccountId, new BroadcastTemplate(row.Id, row.Name, from, row.Subject, row.Content, layout), row.Freezing);
    }
}
