using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace Mailroom.Server.Domain;

/// <summary>The base URL of this server as outsiders reach it, without a trailing slash.</summary>
public sealed class PublicUrl(IOptions<MailroomOptions> options, IServer server)
{
    public string Value
    {
        get
        {
            if (!string.IsNullOrWhiteSpace(options.Value.PublicUrl)) return options.Value.PublicUrl.TrimEnd('/');
            var first = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
            if (first is null) return "http://localhost:5000";
            // Kestrel reports wildcard bindings as http://[::]:5000 or http://0.0.0.0:5000; neither is a link.
            return first.Replace("://[::]", "://localhost").Replace("://0.0.0.0", "://localhost").Replace("://+", "://localhost").TrimEnd('/');
        }
    }
}
