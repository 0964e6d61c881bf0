using System.Buffers;
using System.Text;
using MimeKit;

namespace Mailroom.Server.Delivery.Composing;

/// <summary>
/// A message body whose MIME bytes are built once, already encoded: a multipart/alternative with a quoted-printable
/// text/plain and text/html part. MailKit writes it to the SMTP stream as it is. Built as MimeKit objects (two
/// TextParts in a Multipart) every message was copied into MimeKit's streams, scanned to choose an encoding, encoded
/// through a chain of filters and given a random boundary: about half the CPU and most of the garbage of a broadcast.
/// The bytes come from an <see cref="ArrayPool{T}"/> and go back when the message is disposed.
/// </summary>
public sealed class EncodedBody : MimeEntity
{
    /// <summary>
    /// One boundary for every message: quoted-printable output never contains "=_" ('=' is always followed by two hex
    /// digits or a line break), so no encoded part can contain this line, which is why RFC 2045 §5.1 suggests it.
    /// </summary>
    public const string Boundary = "=_mailroom_alternative";

    static readonly byte[] TextHeaders = Encoding.ASCII.GetBytes(
        $"--{Boundary}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n");
    static readonly byte[] HtmlHeaders = Encoding.ASCII.GetBytes(
        $"\r\n--{Boundary}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n");
    static readonly byte[] Closing = Encoding.ASCII.GetBytes($"\r\n--{Boundary}--\r\n");

    byte[]? _bytes;
    readonly int _length;

    EncodedBody(byte[] bytes, int length) : base(Alternative())
    {
        _bytes = bytes;
        _length = length;
    }

    static ContentType Alternative()
    {
        var type = new ContentType("multipart", "alternative");
        type.Parameters.Add("boundary", Boundary);
        return type;
    }

    /// <summary>The MIME content (CRLF line ends) after the entity's own headers; for tests and the pickup folder.</summary>
    public ReadOnlySpan<byte> Content => _bytes is { } b ? b.AsSpan(0, _length) : throw new ObjectDisposedException(nameof(EncodedBody));

    public static EncodedBody Alternative(string text, string html)
    {
        // Sized for ASCII content, so the common message never grows the buffer; other text grows it as needed.
        var writer = new PooledBytes(TextHeaders.Length + HtmlHeaders.Length + Closing.Length
                                     + QuotedPrintable.MaxEncodedLength(text.Length) + QuotedPrintable.MaxEncodedLength(html.Length));
        writer.Write(TextHeaders);
        QuotedPrintable.Encode(text, writer);
        writer.Write(HtmlHeaders);
        QuotedPrintable.Encode(html, writer);
        writer.Write(Closing);
        return new EncodedBody(writer.Buffer, writer.Length);
    }

    /// <summary>Already 7-bit with lines of at most 76 characters: nothing to prepare for any transport.</summary>
    public override void Prepare(EncodingConstraint constraint, int maxLineLength = 78) { }

    public override void WriteTo(FormatOptions options, Stream stream, bool contentOnly, CancellationToken cancellationToken = default)
    {
        base.WriteTo(options, stream, contentOnly, cancellationToken);
        if (options.NewLineFormat == NewLineFormat.Dos) stream.Write(Content);
        else WriteUnix(stream, Content);
    }

    public override async Task WriteToAsync(FormatOptions options, Stream stream, bool contentOnly, CancellationToken cancellationToken = default)
    {
        await base.WriteToAsync(options, stream, contentOnly, cancellationToken);
        if (options.NewLineFormat == NewLineFormat.Dos) await stream.WriteAsync(_bytes.AsMemory(0, _length), cancellationToken);
        else WriteUnix(stream, Content);
    }

    /// <summary>For a file written with Unix line ends (the pickup folder), so headers and body agree.</summary>
    static void WriteUnix(Stream stream, ReadOnlySpan<byte> content)
    {
        while (!content.IsEmpty)
        {
            var cr = content.IndexOf("\r\n"u8);
            if (cr < 0) { stream.Write(content); break; }
            stream.Write(content[..cr]);
            stream.WriteByte((byte)'\n');
            content = content[(cr + 2)..];
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (Interlocked.Exchange(ref _bytes, null) is { } bytes) ArrayPool<byte>.Shared.Return(bytes);
        base.Dispose(disposing);
    }
}

/// <summary>A growable byte buffer rented from the shared pool; the caller owns <see cref="Buffer"/> and returns it.</summary>
sealed class PooledBytes(int capacity)
{
    public byte[] Buffer { get; private set; } = ArrayPool<byte>.Shared.Rent(Math.Max(256, capacity));
    public int Length { get; private set; }

    public Span<byte> GetSpan(int size)
    {
        if (Length + size > Buffer.Length)
        {
            var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(Buffer.Length * 2, Length + size));
            Buffer.AsSpan(0, Length).CopyTo(bigger);
            ArrayPool<byte>.Shared.Return(Buffer);
            Buffer = bigger;
        }
        return Buffer.AsSpan(Length);
    }

    public void Advance(int count) => Length += count;

    public void Write(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(GetSpan(bytes.Length));
        Length += bytes.Length;
    }
}
