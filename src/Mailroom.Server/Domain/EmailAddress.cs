using System.Text.RegularExpressions;

namespace Mailroom.Server.Domain;

public static partial class EmailAddress
{
    // Deliberately close to what Kit accepts: one @, a dotted domain, no spaces. RFC 5321 limits lengths.
    public static bool IsValid(string? address) =>
        address is { Length: > 0 and <= 254 } && Pattern().IsMatch(address);

    public static string Normalize(string address) => address.Trim().ToLowerInvariant();

    [GeneratedRegex(@"^[^@\s""(),:;<>\[\]\\]{1,64}@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$")]
    private static partial Regex Pattern();
}
