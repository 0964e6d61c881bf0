using System.Text;
using Mailroom.Server.Delivery;
using MimeKit;
using Mailroom.Server.Delivery.Composing;

namespace Mailroom.Server.Tests.Delivery;

/// <summary>
/// Messages are encoded by hand (EncodedBody, QuotedPrintable) rather than through MimeKit's object model, so these
/// read them back with MimeKit's parser: what a mail client gets must be exactly the text and HTML we rendered.
/// </summary>
public sealed class EncodedBodyTests
{
    public static TheoryData<string> Texts => new()
    {
        "",
        "plain ascii\n",
        "Grüße, 你好 and 👋 emoji — “quotes”\n",
        "a = b and =3D already encoded\n",
        "trailing space \nand tab\t\nend with space ",
        ".starts with a dot\n..two dots\nmiddle . dot\n.",
        "crlf line\r\nlone \r carriage return\r\n",
        new string('x', 75) + "\n" + new string('y', 76) + "\n" + new string('z', 77) + "\n" + new string('é', 100),
        new string('.', 200),
        string.Concat(Enumerable.Repeat("<p style=\"color:#333\">Hello {{ subscriber.first_name }} — ünïcödé</p>\n", 40)),
        new string(' ', 90) + "\n" + new string('=', 80),
    };

    [Theory, MemberData(nameof(Texts))]
    public void Alternative_AnyText_ReadsBackExactlyWithMimeKit(string text)
    {
        var html = $"<html><body><p>{text}</p></body></html>";
        using var message = new MimeMessage(new Header(HeaderId.Subject, "s"), EncodedBody.Alternative(text, html));
        var bytes = Write(message, NewLineFormat.Dos);

        using var parsed = MimeMessage.Load(new MemoryStream(bytes));
        Assert.Equal(Lf(text), Lf(parsed.TextBody));
        Assert.Equal(Lf(html), Lf(parsed.HtmlBody));
        var alternative = Assert.IsType<MultipartAlternative>(parsed.Body);
        Assert.All(alternative, part => Assert.Equal(ContentEncoding.QuotedPrintable, ((MimePart)part).ContentTransferEncoding));
    }

    [Theory, MemberData(nameof(Texts))]
    public void Alternative_AnyText_IsSevenBitWithShortLinesAndNoLineStartingWithADot(string text)
    {
        using var body = EncodedBody.Alternative(text, text);
        var content = Encoding.Latin1.GetString(body.Content);

        Assert.All(content, c => Assert.True(c < 128, $"byte {(int)c} is not 7-bit"));
        Assert.DoesNotContain('\r', content.Replace("\r\n", ""));
        Assert.DoesNotContain('\n', content.Replace("\r\n", ""));
        var lines = content.Split("\r\n");
        Assert.All(lines, line => Assert.True(line.Length <= 76, $"line of {line.Length}: {line}"));
        Assert.DoesNotContain(lines, line => line.StartsWith('.'));
        Assert.DoesNotContain(lines, line => line.EndsWith(' ') || line.EndsWith('\t'));
    }

    [Fact]
    public void WriteTo_UnixLineEnds_WritesNoCarriageReturns()
    {
        using var message = new MimeMessage(new Header(HeaderId.Subject, "s"), EncodedBody.Alternative("one\ntwo\n", "<p>one</p>"));
        var bytes = Write(message, NewLineFormat.Unix);

        Assert.DoesNotContain((byte)'\r', bytes);
        using var parsed = MimeMessage.Load(new MemoryStream(bytes));
        Assert.Equal("one\ntwo\n", parsed.TextBody);
    }

    static byte[] Write(MimeMessage message, NewLineFormat newLines)
    {
        var options = FormatOptions.Default.Clone();
        options.NewLineFormat = newLines;
        using var stream = new MemoryStream();
        message.WriteTo(options, stream);
        return stream.ToArray();
    }

    static string Lf(string? s) => (s ?? "").Replace("\r\n", "\n");
}
