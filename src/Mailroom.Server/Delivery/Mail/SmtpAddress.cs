using System.Buffers;
using System.Globalization;
using MimeKit;

namespace Mailroom.Server.Delivery.Mail;

/// <summary>
/// Whether an address can go on an SMTP envelope, whatever the database holds: sign-up validation can change, rows
/// can be written by other means, and one address a relay or MimeKit can't take must fail only its own recipient.
/// One home for the rule, used by the broadcast sender before any transport and by <see cref="PipelinedSmtpSession"/>.
/// </summary>
static class SmtpAddress
{
    /// <summary>
    /// Control characters (char.IsControl's set) and angle brackets would inject commands into MAIL FROM or RCPT TO;
    /// white space ends the path. inferred: format characters (U+200E, U+202E and the rest of Unicode's Cf: bidi
    /// overrides, zero-width joiners) are invisible, so an address holding one is not the address a reader sees.
    /// </summary>
    static readonly SearchValues<char> NotInAddress = SearchValues.Create(
        [.. Enumerable.Range(0, char.MaxValue + 1).Select(c => (char)c)
            .Where(c => char.IsControl(c) || char.IsWhiteSpace(c) || c is '<' or '>'
                || CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.Format)]);

    static readonly IdnMapping Idn = new();

    /// <summary>Why <paramref name="address"/> can't be sent to, or null.</summary>
    public static string? Problem(string? address)
    {
        if (string.IsNullOrEmpty(address)) return "the address is empty";
        if (address.AsSpan().ContainsAny(NotInAddress))
            return "the address holds a control, format or white-space character or an angle bracket";
        var at = address.LastIndexOf('@');
        if (at <= 0 || at == address.Length - 1) return "the address has no local part and domain";
        if (!System.Text.Ascii.IsValid(address.AsSpan(at)) && ToAscii(address) is null) return "the address's domain is not a valid IDN";
        return null;
    }

    /// <summary>Why the message's sender or any recipient can't be sent to, or null.</summary>
    public static string? Problem(MimeMessage message)
    {
        foreach (var mailbox in message.From.Mailboxes.Concat(message.To.Mailboxes))
            if (Problem(mailbox.Address) is { } problem) return problem;
        return null;
    }

    /// <summary>The address with its domain in IDNA form, for an envelope; null when the domain isn't a valid IDN.</summary>
    public static string? ToAscii(string address)
    {
        var at = address.LastIndexOf('@');
        if (at < 0 || System.Text.Ascii.IsValid(address.AsSpan(at))) return address;
        try { return address[..(at + 1)] + Idn.GetAscii(address[(at + 1)..]); }
        catch (ArgumentException) { return null; }
    }
}
