using Mailroom.Server.Delivery.Composing;
using Mailroom.Server.Delivery.Mail;
using Mailroom.Server.Domain.Broadcasts;
using Mailroom.Server.Domain.Snippets;
using Mailroom.Server.Domain.Subscribers;
using MimeKit;

namespace Mailroom.Server.App.Editor;

/// <param name="Error">Why the email can't be rendered (a Liquid error or limit); Subject and Html are then empty.</param>
public sealed record EmailPreview(string Subject, string Html, string? Error);

public sealed record SubscriberChoice(long Id, string EmailAddress, string? FirstName);

/// <summary>
/// Renders what the editor shows through the composer that sends broadcasts and sequence emails
/// (<see cref="MessageComposer.ComposeBroadcast"/>: snippets, Liquid, layout, tracked links, preheader), so the
/// preview is the message a subscriber gets; and sends a test of it to the signed-in user.
/// </summary>
public sealed class EmailPreviewer(IDbContextFactory<AppDbContext> dbs, MessageComposer composer, IMailTransport transport)
{
    /// <summary>How many subscribers the preview offers to render for.</summary>
    public const int SubscriberChoices = 50;

    // Stands in for a recipient's token: links in the preview and the test point nowhere real.
    const string PreviewToken = "preview";

    public async Task<IReadOnlyList<string>> LayoutsAsync(long accountId, CancellationToken ct = default)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var names = await db.EmailLayouts.AsNoTracking().Where(l => l.AccountId == accountId).OrderBy(l => l.Name).Select(l => l.Name).ToListAsync(ct);
        return [EmailLayouts.TextOnly, .. names.Where(n => !EmailLayouts.IsTextOnly(n)).Distinct()];
    }

    public async Task<IReadOnlyList<SubscriberChoice>> SubscribersAsync(long accountId, CancellationToken ct = default)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        return await db.Subscribers.AsNoTracking()
            .Where(s => s.AccountId == accountId && s.State == SubscriberStates.Active)
            .OrderBy(s => s.Id).Take(SubscriberChoices)
            .Select(s => new SubscriberChoice(s.Id, s.EmailAddress, s.FirstName)).ToListAsync(ct);
    }

    public async Task<EmailPreview> RenderAsync(long accountId, EditorContent content, long? subscriberId, CancellationToken ct = default)
    {
        var (message, error) = await ComposeAsync(accountId, content, subscriberId, null, ct);
        if (message is null) return new EmailPreview("", "", error);
        // The composer's body is a pre-encoded part MimeKit does not read back; the message is read as a mail client
        // would, so the preview is the HTML the recipient's client gets.
        using var stream = new MemoryStream();
        await message.WriteToAsync(stream, ct);
        stream.Position = 0;
        var received = await MimeMessage.LoadAsync(stream, ct);
        return new EmailPreview(received.Subject ?? "", received.HtmlBody ?? "", null);
    }

    /// <summary>Sends the email as <paramref name="subscriberId"/> would get it, to <paramref name="to"/>; null when sent, else why not.</summary>
    public async Task<string?> SendTestAsync(long accountId, EditorContent content, long? subscriberId, string to, CancellationToken ct = default)
    {
        var (message, error) = await ComposeAsync(accountId, content, subscriberId, to, ct);
        if (message is null) return error;
        try
        {
            await transport.SendAsync(message, ct);
            return null;
        }
        catch (MailDeliveryException)
        {
            // The relay's answer can name hosts and accounts; the user is told only that it failed.
            return "The test email could not be sent. Check the server's mail settings.";
        }
    }

    async Task<(MimeMessage? Message, string? Error)> ComposeAsync(long accountId, EditorContent content, long? subscriberId, string? to, CancellationToken ct)
    {
        // The same checks saving does, so the preview says what the save would refuse.
        if (LiquidTemplates.Problem(content.Subject) is { } subjectProblem) return (null, $"Subject: {subjectProblem}");
        var html = content.ContentHtml();
        if (LiquidTemplates.Problem(html) is { } contentProblem) return (null, $"Content: {contentProblem}");

        await using var db = await dbs.CreateDbContextAsync(ct);
        var account = await db.Accounts.AsNoTracking().Where(a => a.Id == accountId)
            .Select(a => new { a.Name, From = a.SendingEmailAddress ?? a.PrimaryEmailAddress }).FirstAsync(ct);
        string? layout = null;
        if (!EmailLayouts.IsTextOnly(content.Layout))
            layout = await db.EmailLayouts.AsNoTracking().Where(l => l.AccountId == accountId && l.Name == content.Layout)
                .Select(l => l.Html).FirstOrDefaultAsync(ct);
        var subscriber = subscriberId is { } id ? await SubscriberViews.LoadOneAsync(db, accountId, id, ct) : null;
        subscriber ??= new SubscriberView(0, null, "subscriber@example.com", SubscriberStates.Active, DateTime.UnixEpoch, new Dictionary<string, string?>());
        if (to is not null) subscriber = subscriber with { EmailAddress = to };
        var (subject, body) = await SnippetReferences.ExpandAsync(db, accountId, content.Subject, html, ct);
        var template = new BroadcastTemplate(0, account.Name, account.From, subject, body, layout, content.PreviewText);
        try
        {
            return (composer.ComposeBroadcast(template, subscriber, PreviewToken), null);
        }
        catch (TemplateLimitException e)
        {
            return (null, e.Message);
        }
    }
}
