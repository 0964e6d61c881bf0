using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace Mailroom.Server.Domain.Webhooks;

/// <summary>
/// Which addresses a webhook may reach. A rule's target is chosen by an API caller, so without this check a rule
/// could make the server POST into its own network (SSRF): loopback, RFC 1918, link-local (cloud metadata at
/// 169.254.169.254), CGNAT, documentation ranges, multicast and the like, and every address of this host's own
/// interfaces whatever its range, are refused unless Webhooks:AllowPrivateTargets is set. A host name must resolve
/// only to addresses it may reach: one refused address among public ones refuses the name.
/// </summary>
public static class WebhookTargets
{
    static readonly TimeSpan CreationLookupTimeout = TimeSpan.FromSeconds(3);
    // Interfaces change rarely (DHCP, a VPN coming up), and listing them costs a few system calls: a short-lived copy
    // serves the checks of a burst of new connections.
    const long OwnAddressesTtlMs = 10_000;
    static OwnSnapshot? _own;

    sealed record OwnSnapshot(long At, IReadOnlySet<IPAddress> Addresses);

    /// <summary>The kind of <see cref="Restriction(IPAddress, IReadOnlySet{IPAddress})"/> for the host's own addresses.</summary>
    public const string Own = "own";

    /// <summary>
    /// Why webhooks may not reach this address ("loopback", "private", <see cref="Own"/>, ...), or null. Loopback
    /// keeps its name; any other address of <paramref name="own"/> (this host's interfaces) is refused as the host's
    /// own, whatever range it is in: a public address of the server reaches the server itself.
    /// </summary>
    public static string? Restriction(IPAddress address, IReadOnlySet<IPAddress> own)
    {
        address = Normalize(address);
        var range = Restriction(address);
        return range != "loopback" && own.Contains(address) ? Own : range;
    }

    /// <summary>The first address of a host that webhooks may not reach, or null when every one is allowed.</summary>
    public static IPAddress? FirstRefused(IEnumerable<IPAddress> addresses, IReadOnlySet<IPAddress> own) =>
        addresses.FirstOrDefault(a => Restriction(a, own) is not null);

    /// <summary>The addresses of this host's interfaces (without IPv6 scope ids), listed afresh every few seconds.</summary>
    public static IReadOnlySet<IPAddress> OwnAddresses()
    {
        var now = Environment.TickCount64;
        if (_own is { } cached && now - cached.At < OwnAddressesTtlMs) return cached.Addresses;
        var addresses = new HashSet<IPAddress>();
        try
        {
            foreach (var nic in NetworkInterface.GetAllNetworkInterfaces())
                foreach (var unicast in nic.GetIPProperties().UnicastAddresses)
                    addresses.Add(Normalize(unicast.Address));
        }
        catch (NetworkInformationException)
        {
            // inferred: without the list, the range checks still apply; refusing every target would stop all webhooks.
        }
        _own = new OwnSnapshot(now, addresses);
        return addresses;
    }

    /// <summary>IPv4-mapped addresses as IPv4, IPv6 without a scope id, so equal addresses compare equal.</summary>
    static IPAddress Normalize(IPAddress address) =>
        address.IsIPv4MappedToIPv6 ? address.MapToIPv4()
        : address.AddressFamily == AddressFamily.InterNetworkV6 && address.ScopeId != 0 ? new IPAddress(address.GetAddressBytes())
        : address;

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
        if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0D && b[3] == 0xB8) return "documentation"; // 2001:db8::/32
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
        // TEST-NET-1, -2 and -3 (RFC 5737): never on the public internet, so a target there is a network of our own.
        [192, 0, 2, _] or [198, 51, 100, _] or [203, 0, 113, _] => "documentation",
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
        var kind = Restriction(address, OwnAddresses()) ?? "public";
        var what = kind == Own ? "one of this host's own addresses"
            : $"{(kind[0] is 'a' or 'e' or 'i' or 'o' or 'u' ? "an" : "a")} {kind} address";
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
            return Restriction(literal, OwnAddresses()) is null ? null : Describe(literal.ToString(), literal);
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
        // Every address must be allowed, as at delivery: a name that also resolves into our own network is refused.
        return FirstRefused(addresses, OwnAddresses()) is { } refused ? Describe(host, refused) : null;
    }
}
