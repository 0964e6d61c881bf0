using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using MimeKit;

namespace Mailroom.Server.Domain;

/// <summary>
/// The one rule for an address Mailroom will store or act on, used by every path that takes one (v3 subscribe and
/// update, purchases, hosted forms, seed files, the CLI): it must be something an SMTP envelope can carry.
/// </summary>
public static partial class EmailAddress
{
    // Controls (NUL, C1), and format characters that reorder or hide text (zero-width, bidi embeddings and isolates,
    // BOM): an address carrying one looks like another address on screen, or breaks the database or the envelope.
    static readonly SearchValues<char> Forbidden = SearchValues.Create(
        "\u00AD\u061C\u180E\u200B\u200C\u200D\u200E\u200F\u202A\u202B\u202C\u202D\u202E\u2060\u2061\u2062\u2063\u2064"
        + "\u2066\u2067\u2068\u2069\u206A\u206B\u206C\u206D\u206E\u206F\uFEFF\uFFF9\uFFFA\uFFFB");

    // Deliberately close to what Kit accepts: one @, a dotted domain, no spaces. RFC 5321 limits lengths.
    public static bool IsValid(string? address) =>
        address is { Length: > 0 and <= 254 } && !HasHiddenCharacters(address) && Pattern().IsMatch(address)
        && (IsPlainDotAtom(address) || FitsEnvelope(address));

    public static string Normalize(string address) => address.Trim().ToLowerInvariant();

    static bool HasHiddenCharacters(string address)
    {
        // In ASCII only the controls are hidden; the per-character category lookup is for the rest of Unicode.
        if (Ascii.IsValid(address)) return address.AsSpan().ContainsAnyInRange('\u0000', '\u001F') || address.Contains('\u007F');
        if (address.AsSpan().ContainsAny(Forbidden)) return true;
        foreach (var c in address)
        {
            var category = char.GetUnicodeCategory(c);
            if (category is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.Surrogate
                or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned or UnicodeCategory.LineSeparator
                or UnicodeCategory.ParagraphSeparator)
                return true;
        }
        return false;
    }

    // RFC 5322's atext, and the dot that joins atoms.
    static readonly SearchValues<char> DotAtom = SearchValues.Create(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!#$%&'*+-/=?^_`{|}~.");

    /// <summary>
    /// An address the pattern matched whose local part is a plain dot-atom and whose host is not an IDN: the form of
    /// nearly every real address, which MimeKit reads back unchanged (SubscriberLimitsTests checks the two agree).
    /// Decided without MimeKit's parser, which was most of the cost of checking a 100,000-item bulk create.
    /// </summary>
    internal static bool IsPlainDotAtom(string address)
    {
        var at = address.IndexOf('@');
        var local = address.AsSpan(0, at);
        return local.Length > 0 && local[0] != '.' && local[^1] != '.' && !local.Contains("..", StringComparison.Ordinal)
            && !local.ContainsAnyExcept(DotAtom) && !address.AsSpan(at + 1).Contains("xn--", StringComparison.OrdinalIgnoreCase);
    }

    // What the regex lets through must also be a mailbox MimeKit parses back to the same address, or the
    // SMTP envelope of a confirmation email or broadcast would refuse it long after the sign-up said yes.
    internal static bool FitsEnvelope(string address) =>
        MailboxAddress.TryParse(ParserOptions.Default, address, out var mailbox)
        && string.Equals(mailbox.Address, address, StringComparison.Ordinal);

    [GeneratedRegex(@"^[^@\s""(),:;<>\[\]\\]{1,64}@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$")]
    private static partial Regex Pattern();
}
