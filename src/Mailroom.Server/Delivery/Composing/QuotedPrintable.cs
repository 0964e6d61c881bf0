using System.Buffers;
using System.Text;

namespace Mailroom.Server.Delivery.Composing;

/// <summary>
/// Quoted-printable (RFC 2045 §6.7) of UTF-8 text, written with CRLF line ends ready for SMTP. Line breaks in the text
/// ("\n" or "\r\n") stay line breaks; longer lines get soft breaks so none exceeds 76 characters.
/// </summary>
static class QuotedPrintable
{
    const int MaxLine = 76;
    static ReadOnlySpan<byte> Hex => "0123456789ABCDEF"u8;

    public static void Encode(string text, PooledBytes output)
    {
        var utf8 = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(text.Length));
        try
        {
            var length = Encoding.UTF8.GetBytes(text, utf8);
            Encode(utf8.AsSpan(0, length), output);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(utf8);
        }
    }

    /// <summary>Bytes that stand for themselves anywhere but at a line's edges: printable ASCII except '=', space, tab.</summary>
    static readonly SearchValues<byte> Plain = SearchValues.Create([(byte)'\t', .. Enumerable.Range(32, 95).Where(b => b != '=').Select(b => (byte)b)]);

    static void Encode(ReadOnlySpan<byte> input, PooledBytes output)
    {
        var span = output.GetSpan(MaxEncodedLength(input.Length));
        var o = 0;
        var line = 0;
        for (var i = 0; i < input.Length; i++)
        {
            // Most of a message is runs of plain bytes: copied a run at a time (a vectorised search), up to the line's
            // limit. A line's first '.', a soft break, and a space or tab before a line end take the byte-by-byte path.
            if (line < MaxLine - 1 && !(line == 0 && input[i] == '.'))
            {
                var rest = input[i..];
                var run = rest.IndexOfAnyExcept(Plain);
                if (run < 0) run = rest.Length;
                var take = Math.Min(run, MaxLine - 1 - line);
                if (take == run && take > 0 && rest[take - 1] is (byte)' ' or (byte)'\t' && BeforeLineEnd(input, i + take)) take--;
                if (take > 0)
                {
                    rest[..take].CopyTo(span[o..]);
                    o += take;
                    line += take;
                    i += take - 1;
                    continue;
                }
            }
            var b = input[i];
            if (b == '\n' || (b == '\r' && i + 1 < input.Length && input[i + 1] == '\n'))
            {
                if (b == '\r') i++;
                span[o++] = (byte)'\r';
                span[o++] = (byte)'\n';
                line = 0;
                continue;
            }
            // Spaces and tabs are literal except before a line end, where transports may strip them (§6.7 rule 3);
            // a '.' opening a line is encoded so no relay or pickup reader can take it for SMTP's end of data.
            var literal = b is >= 33 and <= 126 and not (byte)'=' && !(b == '.' && line == 0)
                          || (b is (byte)' ' or (byte)'\t' && !BeforeLineEnd(input, i + 1));
            var size = literal ? 1 : 3;
            if (line + size > MaxLine - 1)
            {
                span[o++] = (byte)'=';
                span[o++] = (byte)'\r';
                span[o++] = (byte)'\n';
                line = 0;
                if (b == '.') { literal = false; size = 3; }
            }
            if (literal)
            {
                span[o++] = b;
            }
            else
            {
                span[o++] = (byte)'=';
                span[o++] = Hex[b >> 4];
                span[o++] = Hex[b & 0xF];
            }
            line += size;
        }
        output.Advance(o);
    }

    /// <summary>
    /// Worst case: every byte becomes "=XX" and a soft break ("=\r\n") follows every 25 of those (3.12 bytes per byte);
    /// a line break is 1 or 2 bytes in and 2 out.
    /// </summary>
    public static int MaxEncodedLength(int bytes) => bytes * 13 / 4 + 8;

    static bool BeforeLineEnd(ReadOnlySpan<byte> input, int next) =>
        next >= input.Length || input[next] == '\n' || (input[next] == '\r' && next + 1 < input.Length && input[next + 1] == '\n');
}
