using System.Net;
using System.Net.Sockets;

namespace Mailroom.Server.Domain.Webhooks;

/// <summary>
/// Which addresses a webhook may reach. A rule's target is chosen by an API caller, so without this check a rule
/// could make the server POST into its own network (SSRF): loopback, RFC 1918, link-local (cloud metadata at
/// 169.254.169.254), CGNAT, multicast and the like are refused unless Webhooks:AllowPrivateTargets is set.
/// </summary>
public static class WebhookTargets
{
    static readonly TimeSpan CreationLookupTimeout = TimeSpan.FromSeconds(3);

    /// <summary>What kind of non-public address this is ("loopback", "private", ...), or null for a public one.</summary>
    public static string? Restriction(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        var b = address.GetAddressBytes();
        if (address.AddressFamily == AddressFamily.InterNetwork) return RestrictionV4(b);
        if (address.AddressFamily != AddressFamily.InterNetworkV6) return "non-IP";
        if (address.Equals(IPAddress.IPv6Loopback)) return "loopback";
        if (address.Equals(IPAddress.IPv6Any)) return "unspecified";
        if (b.Take(12).All(x => x == 0)) return "reserved"; // IPv4-compatible (::a.b.c.d), deprecated
        if ((b[0] & 0xFE) == 0xFC) return "private"; // fc00::/7 unique local
        if (b[0] == 0xFE && (b[1] & 0xC0) == 0x80) return "link-local"; // fe80::/10
        if (b[0] == 0xFE && (b[1] & 0xC0) == 0xC0) return "private"; // fec0::/10 site-local
        if (b[0] == 0xFF) return "multicast";
        // Addresses that carry an IPv4 address inside: NAT64 (64:ff9b::/96) and 6to4 (2002::/16).
        if (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xFF && b[3] == 0x9B && b.Skip(4).Take(8).All(x => x == 0)) return RestrictionV4(b[12..]);
        if (b[0] == 0x20 && b[1] == 0x02) return RestrictionV4(b[2..6]);
        return null;
    }

    static string? RestrictionV4(byte[] b) => b switch
    {
        [0, ..] => "unspecified", // 0.0.0.0/8, "this network"
        [10, ..] => "private",
        [100, var x, ..] when (x & 0xC0) == 64 => "shared (CGNAT)", // 100.64.0.0/10
        [127, ..] => "loopback",
        [169, 254, ..] => "link-local",
        [172, var x, ..] when (x & 0xF0) == 16 => "private", // 172.16.0.0/12
        [192, 0, 0, _] => "reserved", // IETF protocol assignments
        [192, 168, ..] => "private",
        [198, var x, ..] when (x & 0xFE) == 18 => "reserved", // 198.18.0.0/15 benchmarking
        [>= 224 and <= 239, ..] => "multicast",
        [>= 240, ..] => "reserved", // 240.0.0.0/4 and the broadcast address
        _ => null,
    };

    /// <summary>The host part of a URL as DNS and IPAddress.TryParse want it (IPv6 without brackets).</summary>
    public static string Host(Uri uri) => uri.IdnHost.Trim('[', ']');

    /// <summary>Why a target is refused, as 422s and last_error show it: "127.0.0.1 is a loopback address".</summary>
    public static string Describe(string host, IPAddress address)
    {
        var kind = Restriction(address) ?? "public";
        var what = $"{(kind[0] is 'a' or 'e' or 'i' or 'o' or 'u' ? "an" : "a")} {kind} address";
        return host == address.ToString() ? $"{address} is {what}" : $"{host} resolves to {address}, {what}";
    }

    /// <summary>
    /// At rule creation: why this target would be refused at delivery, or null. A host that does not resolve now is
    /// accepted (inferred: Kit never calls the target at creation, spec §3.7); delivery checks every address again.
    /// </summary>
    public static async Task<string?> RefusalAsync(Uri target, CancellationToken ct)
    {
        var host = Host(target);
        if (IPAddress.TryParse(host, out var literal))
            return Restriction(literal) is null ? null : Describe(literal.ToString(), literal);
        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || host.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase))
            return $"{host} is a loopback address";

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(CreationLookupTimeout);
        IPAddress[] addresses;
        try
        {
            addresses = await Dns.GetHostAddressesAsync(host, timeout.Token);
        }
        catch (SocketException)
        {
            return null;
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return null;
        }
        // Delivery connects only to the public addresses of a name, so a name with at least one is usable.
        if (addresses.Length == 0 || addresses.Any(a => Restriction(a) is null)) return null;
        return Describe(host, addresses[0]);
    }
}
