using Mailroom.Server.Delivery.Composing;
using Mailroom.Server.Domain.Broadcasts;
using Mailroom.Server.Domain.Snippets;

namespace Mailroom.Server.Delivery.Broadcasts;

/// <param name="Freezing">The recipient list is still being written (see <see cref="RecipientFreezer"/>).</param>
/// <param name="Filter">Who the recipient list is frozen from (v4 <c>subscriber_filter</c>); null for every active subscriber.</param>
public sealed record LoadedTemplate(long AccountId, BroadcastTemplate Template, bool Freezing = false, BroadcastFilter? Filter = null);

public static class BroadcastTemplates
{
    /// <summary>Everything needed to render any recipient's copy of a broadcast: content, sender and layout.</summary>
    public static async Task<LoadedTemplate?> LoadAsync(AppDbContext db, long broadcastId, CancellationToken ct)
    {
        var row = await db.Broadcasts.AsNoTracking().Where(b => b.Id == broadcastId)
            .Join(db.Accounts, b => b.AccountId, a => a.Id, (b, a) => new
            { b.Id, b.AccountId, b.Subject, b.Content, b.PreviewText, b.SubscriberFilter, b.EmailAddress, b.EmailLayoutTemplate, b.Freezing, a.Name, a.PrimaryEmailAddress, a.SendingEmailAddress })
            .FirstOrDefaultAsync(ct);
        if (row is null) return null;
        string? layout = null;
        if (!string.IsNullOrEmpty(row.EmailLayoutTemplate) && row.EmailLayoutTemplate != TemplateRenderer.TextOnlyLayout)
            layout = await db.EmailLayouts.AsNoTracking().Where(l => l.AccountId == row.AccountId && l.Name == row.EmailLayoutTemplate)
                .Select(l => l.Html).FirstOrDefaultAsync(ct);
        // The broadcast's own sender first, then the account's sending address, then its primary one.
        var from = !string.IsNullOrWhiteSpace(row.EmailAddress) ? row.EmailAddress
            : !string.IsNullOrWhiteSpace(row.SendingEmailAddress) ? row.SendingEmailAddress : row.PrimaryEmailAddress;
        // Snippets as they are now (a snippet edit reaches the next send), once for the whole run.
        var (subject, content) = await SnippetReferences.ExpandAsync(db, row.AccountId, row.Subject, row.Content, ct);
        return new LoadedTemplate(row.AccountId, new BroadcastTemplate(row.Id, row.Name, from, subject, content, layout, row.PreviewText),
            row.Freezing, BroadcastFilter.FromStored(row.SubscriberFilter));
    }
}
