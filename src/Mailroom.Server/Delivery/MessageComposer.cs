using Mailroom.Server.Domain;
using Mailroom.Server.Domain.Subscribers;
using MimeKit;

namespace Mailroom.Server.Delivery;

/// <summary>What a broadcast needs to render any recipient's message; loaded once per broadcast.</summary>
public sealed record BroadcastTemplate(long BroadcastId, string FromName, string FromAddress, string? Subject, string? Content, string? LayoutHtml);

/// <summary>
/// Builds outgoing messages: Liquid personalisation, the layout, tracked links, the open pixel, the
/// unsubscribe link and RFC 8058 one-click headers, and a plain-text part derived from the HTML.
/// </summary>
public sealed class MessageComposer(TemplateRenderer renderer, PublicUrl publicUrl)
{
    public string UnsubscribeUrl(string token) => $"{publicUrl.Value}/u/{token}";

    /// <summary>
    /// The personalised HTML before tracking. Click tokens index into its links, so the click endpoint
    /// calls this again to find where link n of a message points; it must stay deterministic.
    /// </summary>
    public string RenderHtml(BroadcastTemplate template, SubscriberView subscriber, string token)
    {
        var unsubscribeUrl = UnsubscribeUrl(token);
        var extra = new Dictionary<string, string> { ["unsubscribe_url"] = unsubscribeUrl };
        var content = renderer.Render(template.Content, subscriber, extra, html: true);
        var html = renderer.ApplyLayout(template.LayoutHtml, content, subscriber, extra);
        if (!html.Contains(unsubscribeUrl, StringComparison.Ordinal))
            html = InsertBeforeBodyEnd(html, $"<p style=\"font-size:12px;color:#666\"><a href=\"{unsubscribeUrl}\">Unsubscribe</a></p>");
        return html;
    }

    public MimeMessage ComposeBroadcast(BroadcastTemplate template, SubscriberView subscriber, string token)
    {
        var unsubscribeUrl = UnsubscribeUrl(token);
        var html = RenderHtml(template, subscriber, token);
        html = HtmlText.RewriteLinks(html, (i, url) => url == unsubscribeUrl ? null : $"{publicUrl.Value}/c/{token}-{i}");
        var text = HtmlText.ToText(html);
        html = InsertBeforeBodyEnd(html, $"<img src=\"{publicUrl.Value}/o/{token}\" width=\"1\" height=\"1\" alt=\"\" style=\"display:block;border:0\">");

        var message = new MimeMessage();
        message.From.Add(new MailboxAddress(template.FromName, template.FromAddress));
        message.To.Add(new MailboxAddress(subscriber.FirstName ?? "", subscriber.EmailAddress));
        message.Subject = renderer.Render(template.Subject, subscriber, null, html: false);
        message.Headers.Add("List-Unsubscribe", $"<{unsubscribeUrl}>");
        message.Headers.Add("List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
        message.MessageId = MimeKit.Utils.MimeUtils.GenerateMessageId(MessageIdDomain);
        message.Headers.Add("X-Mailroom-Broadcast", template.BroadcastId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        message.Body = new BodyBuilder { HtmlBody = html, TextBody = text }.ToMessageBody();
        return message;
    }

    public MimeMessage ComposeConfirmation(string fromName, string fromAddress, SubscriberView subscriber, Form form, string confirmUrl)
    {
        var title = string.IsNullOrWhiteSpace(form.Title) ? form.Name : form.Title;
        var subject = string.IsNullOrWhiteSpace(form.ConfirmationSubject) ? $"Confirm your subscription to {title}" : form.ConfirmationSubject;
        var extra = new Dictionary<string, string> { ["confirmation_url"] = confirmUrl, ["form_name"] = title };
        var body = string.IsNullOrWhiteSpace(form.ConfirmationContent)
            ? "<p>Hi{% if subscriber.first_name %} {{ subscriber.first_name }}{% endif %},</p>" +
              "<p>Please confirm that you want to receive email from {{ form_name }}:</p>" +
              "<p><a href=\"{{ confirmation_url }}\">Confirm my subscription</a></p>" +
              "<p>If you didn't ask for this, ignore this email and you won't hear from us.</p>"
            : form.ConfirmationContent;
        var content = renderer.Render(body, subscriber, extra, html: true);
        var html = renderer.ApplyLayout(null, content, subscriber, extra);

        var message = new MimeMessage();
        message.From.Add(new MailboxAddress(fromName, fromAddress));
        message.To.Add(new MailboxAddress(subscriber.FirstName ?? "", subscriber.EmailAddress));
        message.Subject = renderer.Render(subject, subscriber, extra, html: false);
        message.MessageId = MimeKit.Utils.MimeUtils.GenerateMessageId(MessageIdDomain);
        message.Body = new BodyBuilder { HtmlBody = html, TextBody = HtmlText.ToText(html) }.ToMessageBody();
        return message;
    }

    // Message-Ids name our own host rather than the machine's (which is often a container id or "localhost").
    string MessageIdDomain => Uri.TryCreate(publicUrl.Value, UriKind.Absolute, out var uri) ? uri.Host : "mailroom.local";

    static string InsertBeforeBodyEnd(string html, string fragment)
    {
        var end = html.LastIndexOf("</body>", StringComparison.OrdinalIgnoreCase);
        return end < 0 ? html + fragment : html.Insert(end, fragment);
    }
}
