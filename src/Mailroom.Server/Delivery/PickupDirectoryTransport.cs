using MimeKit;

namespace Mailroom.Server.Delivery;

/// <summary>The embedded default: one .eml file per message, readable with any mail client or `cat`.</summary>
public sealed class PickupDirectoryTransport(string directory) : IMailTransport
{
    public string Directory { get; } = Path.GetFullPath(directory);

    public async Task SendAsync(MimeMessage message, CancellationToken ct)
    {
        System.IO.Directory.CreateDirectory(Directory);
        var name = $"{DateTime.UtcNow:yyyyMMdd-HHmmss-fff}-{Guid.NewGuid():N}.eml";
        var temp = Path.Combine(Directory, name + ".tmp");
        await using (var file = File.Create(temp))
            await message.WriteToAsync(file, ct);
        // Rename last, so a reader never sees half a message.
        File.Move(temp, Path.Combine(Directory, name));
    }
}
