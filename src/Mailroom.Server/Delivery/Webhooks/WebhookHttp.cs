using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Mailroom.Server.Domain.Webhooks;
using Microsoft.Extensions.Options;

namespace Mailroom.Server.Delivery.Webhooks;

/// <summary>The named HttpClient that carries webhooks, and the request signature.</summary>
public static class WebhookHttp
{
    public const string ClientName = "mailroom-webhooks";

    public static IServiceCollection AddWebhookHttpClient(this IServiceCollection services)
    {
        services.AddHttpClient(ClientName, c =>
            {
                // The dispatcher times each request itself, so it can tell a slow receiver from a shutdown.
                c.Timeout = System.Threading.Timeout.InfiniteTimeSpan;
                c.DefaultRequestHeaders.UserAgent.ParseAdd("Mailroom-Webhooks/1.0");
            })
            .ConfigurePrimaryHttpMessageHandler(sp => CreateHandler(sp.GetRequiredService<IOptions<WebhookOptions>>().Value))
            // Thousands of requests a second would drown the log; the dispatcher logs what matters.
            .RemoveAllLoggers();
        return services;
    }

    static SocketsHttpHandler CreateHandler(WebhookOptions options) => new()
    {
        // The name is resolved here and only vetted addresses are dialled, so a DNS answer that changes between a
        // check and the connection (rebinding) cannot slip a private address through.
        ConnectCallback = (context, ct) => ConnectAsync(context.DnsEndPoint, options.AllowPrivateTargets, ct),
        ConnectTimeout = options.Timeout,
        // A redirect is not a delivery: the receiver must answer 2xx itself. Proxies from the environment would
        // dial on our behalf, past the address check.
        AllowAutoRedirect = false,
        UseProxy = false,
        UseCookies = false,
        PooledConnectionLifetime = TimeSpan.FromMinutes(2),
    };

    static async ValueTask<Stream> ConnectAsync(DnsEndPoint endpoint, bool allowPrivate, CancellationToken ct)
    {
        var host = endpoint.Host.Trim('[', ']');
        var addresses = IPAddress.TryParse(host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, ct);
        if (addresses.Length == 0) throw new SocketException((int)SocketError.HostNotFound);
        // A name must resolve only to addresses webhooks may reach: one that also points into our own network is
        // refused as a whole rather than dialled at its public addresses, as rule creation refuses it.
        if (!allowPrivate && WebhookTargets.FirstRefused(addresses, WebhookTargets.OwnAddresses()) is { } refused)
            throw new WebhookTargetRefusedException(host, refused);

        SocketException? last = null;
        foreach (var address in addresses)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, endpoint.Port), ct);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException e)
            {
                socket.Dispose();
                last = e;
            }
            catch (OperationCanceledException)
            {
                socket.Dispose();
                throw;
            }
        }
        throw last!;
    }

    /// <summary><c>sha256=</c> and the lower-case hex HMAC-SHA256 of the exact body bytes, keyed with the account's secret.</summary>
    public static string Signature(string secret, byte[] body) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));
}

/// <summary>The target resolves only to addresses webhooks may not reach (see <see cref="WebhookTargets"/>).</summary>
public sealed class WebhookTargetRefusedException(string host, IPAddress address)
    : IOException($"target refused: {WebhookTargets.Describe(host, address)} (Webhooks:AllowPrivateTargets is off)");
