using Mailroom.Server.Delivery.Composing;
using Mailroom.Server.Domain.Snippets;

namespace Mailroom.Server.Delivery.Sequences;

public static class SequenceTemplates
{
    /// <summary>
    /// Everything needed to render any subscriber's copy of a sequence email: content, preview text, sender (the
    /// sequence's address, else the account's sending address, else its primary one) and layout (the email's, else the
    /// sequence's). Null when the email is gone, unpublished, or its sequence deleted; with <paramref name="sent"/>
    /// (re-rendering a message already sent, to follow its links) only when the email is gone.
    /// </summary>
    public static async Task<BroadcastTemplate?> LoadAsync(AppDbContext db, long emailId, CancellationToken ct, bool sent = false)
    {
        var sequences = sent ? db.Sequences.IgnoreQueryFilters() : db.Sequences;
        var row = await (
            from e in db.SequenceEmails.AsNoTracking()
            join s in sequences on e.SequenceId equals s.Id
            join a in db.Accounts on e.AccountId equals a.Id
            where e.Id == emailId && (e.Published || sent)
            select new
            {
                e.Id, e.AccountId, e.Subject, e.Content, e.PreviewText, LayoutId = e.EmailTemplateId ?? s.EmailTemplateId,
                s.EmailAddress, a.SendingEmailAddress, a.PrimaryEmailAddress, a.Name,
            }).FirstOrDefaultAsync(ct);
        if (row is null) return null;
        var layout = row.LayoutId is { } layoutId
            ? await db.EmailLayouts.AsNoTracking().Where(l => l.Id == layoutId).Select(l => l.Html).FirstOrDefaultAsync(ct)
            : null;
        var from = row.EmailAddress ?? row.SendingEmailAddress ?? row.PrimaryEmailAddress;
        var (subject, content) = await SnippetReferences.ExpandAsync(db, row.AccountId, row.Subject, row.Content, ct);
        return new BroadcastTemplate(row.Id, row.Name, from, subject, content, layout, row.PreviewText, "X-Mailroom-Sequence-Email");
    }
}
