using Mailroom.Server.Domain;
using Mailroom.Server.Domain.Subscribers;
using System.Globalization;
using MimeKit;
using MimeKit.Utils;

namespace Mailroom.Server.Delivery.Composing;

/// <summary>What a broadcast (or a sequence email) needs to render any recipient's message; loaded once per run.</summary>
/// <param name="BroadcastId">The broadcast's id, or the sequence email's: it goes in <paramref name="SourceHeader"/>.</param>
/// <param name="PreviewText">The preheader mail clients show after the subject; hidden in the message itself.</param>
public sealed record BroadcastTemplate(long BroadcastId, string FromName, string FromAddress, string? Subject, string? Content, string? LayoutHtml,
    string? PreviewText = null, string SourceHeader = "X-Mailroom-Broadcast");

/// <summary>
/// Builds outgoing messages: Liquid personalisation, the layout, tracked links, the open pixel, the
/// unsubscribe link and RFC 8058 one-click headers, and a plain-text part derived from the HTML.
/// </summary>
public sealed class MessageComposer(TemplateRenderer renderer, PublicUrl publicUrl, TimeProvider time)
{
    public string UnsubscribeUrl(string token) => $"{publicUrl.Value}/u/{token}";

    /// <summary>
    /// The personalised HTML before tracking. Click tokens index into its links, so the click endpoint
    /// calls this again to find where link n of a message points; it must stay deterministic.
    /// </summary>
    public string RenderHtml(BroadcastTemplate template, SubscriberView subscriber, string token) =>
        RenderHtml(template, subscriber, UnsubscribeUrl(token), renderer.Model(subscriber));

    string RenderHtml(BroadcastTemplate template, SubscriberView subscriber, string unsubscribeUrl, object model)
    {
        var extra = new Dictionary<string, string> { ["unsubscribe_url"] = unsubscribeUrl };
        var content = renderer.Render(template.Content, model, extra, html: true);
        var html = renderer.ApplyLayout(template.LayoutHtml, content, model, extra);
        if (!html.Contains(unsubscribeUrl, StringComparison.Ordinal))
            html = InsertBeforeBodyEnd(html, $"<p style=\"font-size:12px;color:#666\"><a href=\"{unsubscribeUrl}\">Unsubscribe</a></p>");
        return html;
    }

    public MimeMessage ComposeBroadcast(BroadcastTemplate template, SubscriberView subscriber, string token)
    {
        // PublicUrl.Value is worked out on every read; one read per message is enough.
        var baseUrl = publicUrl.Value;
        var unsubscribeUrl = $"{baseUrl}/u/{token}";
        var clickPrefix = $"{baseUrl}/c/{token}-";
        var model = renderer.Model(subscriber);
        var html = RenderHtml(template, subscriber, unsubscribeUrl, model);
        html = HtmlText.RewriteLinks(html, (i, url) => url == unsubscribeUrl ? null : clickPrefix + i.ToString(CultureInfo.InvariantCulture));
        var text = HtmlText.ToText(html);
        html = InsertBeforeBodyEnd(html, $"<img src=\"{baseUrl}/o/{token}\" width=\"1\" height=\"1\" alt=\"\" style=\"display:block;border:0\">");
        if (!string.IsNullOrWhiteSpace(template.PreviewText)) html = InsertPreheader(html, template.PreviewText);

        var message = NewMessage(baseUrl, template.FromName, template.FromAddress, subscriber,
            renderer.Render(template.Subject, model, null, html: false), html, text);
        message.Headers.Add("List-Unsubscribe", $"<{unsubscribeUrl}>");
        message.Headers.Add("List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
        message.Headers.Add(template.SourceHeader, template.BroadcastId.ToString(CultureInfo.InvariantCulture));
        return message;
    }

    public MimeMessage ComposeConfirmation(string fromName, string fromAddress, SubscriberView subscriber, Form form, string confirmUrl)
    {
        var title = string.IsNullOrWhiteSpace(form.Title) ? form.Name : form.Title;
        var subject = string.IsNullOrWhiteSpace(form.ConfirmationSubject) ? $"Confirm your subscription to {title}" : form.ConfirmationSubject;
        var extra = new Dictionary<string, string> { ["confirmation_url"] = confirmUrl };
        // The title is the account's text, not markup: encoded in the HTML part (as the hosted form page does), plain
        // in the subject.
        var text = new Dictionary<string, string> { ["form_name"] = title };
        var body = string.IsNullOrWhiteSpace(form.ConfirmationContent)
            ? "<p>Hi{% if subscriber.first_name %} {{ subscriber.first_name }}{% endif %},</p>" +
              "<p>Please confirm that you want to receive email from {{ form_name }}:</p>" +
              "<p><a href=\"{{ confirmation_url }}\">Confirm my subscription</a></p>" +
              "<p>If you didn't ask for this, ignore this email and you won't hear from us.</p>"
            : form.ConfirmationContent;
        var model = renderer.Model(subscriber);
        var content = renderer.Render(body, model, extra, html: true, text);
        var html = renderer.ApplyLayout(null, content, model, extra);
        return NewMessage(publicUrl.Value, fromName, fromAddress, subscriber, renderer.Render(subject, model, extra, html: false, text), html, HtmlText.ToText(html));
    }

    /// <summary>
    /// A multipart/alternative message. Date and Message-Id are passed to the constructor: MimeMessage()
    /// would otherwise make up a Message-Id from the machine's host name first (a system call per message),
    /// only for us to replace it.
    /// </summary>
    MimeMessage NewMessage(string baseUrl, string fromName, string fromAddress, SubscriberView subscriber, string subject, string html, string text)
    {
        var body = EncodedBody.Alternative(text, html);
        var message = new MimeMessage(
            new Header(HeaderId.Date, DateUtils.FormatDate(time.GetLocalNow())),
            new Header(HeaderId.MessageId, $"<{MimeUtils.GenerateMessageId(MessageIdDomain(baseUrl))}>"),
            body);
        message.From.Add(new MailboxAddress(fromName, fromAddress));
        message.To.Add(new MailboxAddress(subscriber.FirstName ?? "", subscriber.EmailAddress));
        message.Subject = subject;
        return message;
    }

    // Message-Ids name our own host rather than the machine's (which is often a container id or "localhost").
    string MessageIdDomain(string baseUrl)
    {
        var cached = _messageIdDomain;
        if (cached.BaseUrl == baseUrl) return cached.Domain;
        var domain = Uri.TryCreate(baseUrl, UriKind.Absolute, out var uri) ? uri.Host : "mailroom.local";
        _messageIdDomain = new HostOf(baseUrl, domain);
        return domain;
    }

    // A reference swapped whole, so concurrent senders never see a base URL paired with another's host.
    HostOf _messageIdDomain = new("", "");
    sealed record HostOf(string BaseUrl, string Domain);

    /// <summary>
    /// The preview text as the first thing in the body, hidden, as mail clients read it. Plain text, encoded; added after
    /// the links were numbered (it has none) so click tokens still match what <see cref="RenderHtml(BroadcastTemplate, SubscriberView, string)"/> gives.
    /// </summary>
    static string InsertPreheader(string html, string preview)
    {
        var fragment = $"<div style=\"display:none;max-height:0;overflow:hidden;mso-hide:all\">{System.Net.WebUtility.HtmlEncode(preview)}</div>";
        var body = html.IndexOf("<body", StringComparison.OrdinalIgnoreCase);
        var open = body < 0 ? -1 : html.IndexOf('>', body);
        return open < 0 ? fragment + html : html.Insert(open + 1, fragment);
    }

    static string InsertBeforeBodyEnd(string html, string fragment)
    {
        var end = html.LastIndexOf("</body>", StringComparison.OrdinalIgnoreCase);
        return end < 0 ? html + fragment : html.Insert(end, fragment);
    }
}
