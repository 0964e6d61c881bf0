using System.Text;
using MailKit.Net.Smtp;
using Mailroom.Server.Delivery;
using MimeKit.IO;
using Mailroom.Server.Delivery.Mail;

namespace Mailroom.Server.Tests.Delivery;

/// <summary>The pipelined session dot-stuffs DATA itself; it must write exactly what MailKit's SmtpDataFilter writes.</summary>
public sealed class DotStuffingTests
{
    static byte[] MailKit(byte[] message)
    {
        using var output = new MemoryStream();
        using (var filtered = new FilteredStream(output))
        {
            filtered.Add(new SmtpDataFilter());
            filtered.Write(message);
            filtered.Flush();
        }
        return output.ToArray();
    }

    static byte[] Ours(byte[] message)
    {
        using var output = new MemoryStream();
        PipelinedSmtpSession.WriteDotStuffed(message, output);
        return output.ToArray();
    }

    [Theory]
    [InlineData("")]
    [InlineData(".")]
    [InlineData(".starts with a dot\r\nplain\r\n")]
    [InlineData("a\r\n.\r\nb\r\n")]
    [InlineData("a\r\n..two\r\n...three\r\n.")]
    [InlineData("no dots at line starts. none. at all.\r\n")]
    [InlineData("\r\n.\r\n.\r\n.\r\n")]
    public void WriteDotStuffed_AsMailKitWrites(string text)
    {
        var message = Encoding.ASCII.GetBytes(text);
        Assert.Equal(Encoding.ASCII.GetString(MailKit(message)), Encoding.ASCII.GetString(Ours(message)));
    }

    [Fact]
    public void WriteDotStuffed_RandomMessages_ByteForByteAsMailKit()
    {
        var random = new Random(2026);
        var alphabet = "ab.\r\n ."u8.ToArray();
        for (var i = 0; i < 2_000; i++)
        {
            var message = new byte[random.Next(0, 300)];
            for (var j = 0; j < message.Length; j++) message[j] = alphabet[random.Next(alphabet.Length)];
            // CRLF line ends only, as MimeKit writes with NewLineFormat.Dos.
            var text = Encoding.ASCII.GetString(message).Replace("\r", "").Replace("\n", "\r\n");
            var crlf = Encoding.ASCII.GetBytes(text);
            Assert.Equal(MailKit(crlf), Ours(crlf));
        }
    }
}
