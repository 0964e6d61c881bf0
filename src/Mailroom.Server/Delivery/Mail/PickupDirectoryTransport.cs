using MimeKit;

namespace Mailroom.Server.Delivery.Mail;

/// <summary>The embedded default: one .eml file per message, readable with any mail client or `cat`.</summary>
public sealed class PickupDirectoryTransport(string directory) : IMailTransport
{
    public string Directory { get; } = Path.GetFullPath(directory);

    public async Task SendAsync(MimeMessage message, CancellationToken ct)
    {
        var (temp, final) = Names();
        await using (var file = File.Create(temp))
            await message.WriteToAsync(file, ct);
        File.Move(temp, final);
    }

    public void Send(MimeMessage message)
    {
        var (temp, final) = Names();
        using (var file = File.Create(temp))
            message.WriteTo(file);
        File.Move(temp, final);
    }

    /// <summary>A temporary name to write to and the final name: renamed last, so a reader never sees half a message.</summary>
    (string Temp, string Final) Names()
    {
        System.IO.Directory.CreateDirectory(Directory);
        var name = $"{DateTime.UtcNow:yyyyMMdd-HHmmss-fff}-{Guid.NewGuid():N}.eml";
        return (Path.Combine(Directory, name + ".tmp"), Path.Combine(Directory, name));
    }
}
